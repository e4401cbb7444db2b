//! The engine: pure and synchronous. A case and an action in; a new case and the history lines
//! to append out, or a typed refusal and nothing changed.

mod permitted;
mod walk;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Oslo;

use crate::action::{Action, Actor};
use crate::case::{
    Candidate, CandidateAnswer, Case, CaseDates, CaseStatus, JourneyState, StepState,
};
use crate::dato::DateKey;
use crate::event::{Event, EventKind};
use crate::ids::{CaseId, OutcomeId, PersonRef, Role, StepId};
use crate::process::{OfferAnswer, Process, Step, StepKind};
use crate::refusal::Refusal;
use crate::text::{CandidateName, CaseText};

use permitted::{date_setter, reopening};
pub use permitted::{may_reopen, may_set_date, permitted, Permit, Permitted};
use walk::Walk;

/// The outcome recorded on an approval step when it is approved.
pub const APPROVED: &str = "godkjent";
/// The outcome recorded on an approval step when it is rejected.
pub const REJECTED: &str = "avvist";

/// Roles that may reopen a step or close a case: the case's manager (its owner, and its
/// deputy for the owner) and HR.
const CASE_ADMINS: [Role; 2] = [Role::Manager, Role::Hr];

/// A change the engine accepted: the case as it is now and what to append to its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub case: Case,
    pub events: Vec<Event>,
}

/// What a manager fills in to open a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub title: CaseText,
    pub unit: CaseText,
    pub note: Option<CaseText>,
}

/// The day it is in Oslo at this instant: dates people type are Oslo dates.
pub fn oslo_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Oslo).date_naive()
}

/// Opens a case at the process's first step. Storage chose the id.
pub fn start(
    process: &Process,
    id: CaseId,
    draft: NewCase,
    owner: PersonRef,
    now: DateTime<Utc>,
) -> Applied {
    let mut case = Case {
        id,
        title: draft.title,
        unit: draft.unit,
        note: draft.note,
        owner: owner.clone(),
        deputy: None,
        status: CaseStatus::Open,
        steps: BTreeMap::new(),
        marks: Default::default(),
        candidates: Vec::new(),
        dates: CaseDates::default(),
        opened_at: now,
        version: 0,
        journey: JourneyState::None,
    };
    let mut walk = Walk::new(process, &mut case, Some(&owner), now);
    let title = walk.case().title.to_string();
    walk.event(EventKind::CaseOpened, None).detail = Some(title);
    walk.open(&process.start);
    let events = walk.finish();
    case.version = 1;
    Applied { case, events }
}

/// Applies one action by one person at one time.
pub fn apply(
    process: &Process,
    case: &Case,
    actor: &Actor,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Applied, Refusal> {
    if !case.status.is_open() {
        return Err(Refusal::CaseClosed {
            status: case.status.clone(),
        });
    }
    let mut next = case.clone();
    let mut walk = Walk::new(process, &mut next, Some(&actor.person), now);
    match action {
        Action::SetDate { key, date } => set_date(&mut walk, case, actor, *key, date.naive())?,
        Action::Close { reason } => {
            let standing = standing(case, actor, &CASE_ADMINS, None)?;
            walk.act_for(standing.on_behalf);
            walk.close(reason.clone());
        }
        Action::Reopen { step, reason } => {
            let (def, on_behalf) = reopening(process, case, actor, step)?;
            walk.act_for(on_behalf);
            walk.reopen(def, reason.clone());
        }
        Action::SetDeputy { deputy } => set_deputy(&mut walk, case, actor, deputy.as_ref())?,
        _ => {
            let Some(step_id) = action.step() else {
                unreachable!("every other action names a step")
            };
            let def = open_step(process, case, step_id)?;
            let standing = standing(case, actor, &def.roles, Some(step_id))?;
            walk.act_for(standing.on_behalf.clone());
            on_open_step(&mut walk, def, &standing.roles, action)?;
        }
    }
    let events = walk.finish();
    next.version = case.version + 1;
    Ok(Applied { case: next, events })
}

/// The right by which a person acts where `allowed` roles may: the roles they then hold on the
/// case, and for whom, when they act in the manager's part without being the case's manager.
struct Standing {
    roles: BTreeSet<Role>,
    on_behalf: Option<PersonRef>,
}

/// Who may act where `allowed` roles may, on this case:
///
/// - whoever holds one of the other roles there, in their own right;
/// - for the manager's part: the case's owner; its deputy, for the owner; HR, for the owner.
///   A manager role on the server gives nothing here ([`Case::roles_of`]).
fn standing(
    case: &Case,
    actor: &Actor,
    allowed: &[Role],
    step: Option<&StepId>,
) -> Result<Standing, Refusal> {
    let mut roles = case.roles_of(actor);
    let own = allowed
        .iter()
        .any(|r| *r != Role::Manager && roles.contains(r));
    let managers = allowed.contains(&Role::Manager);
    if own || (managers && case.is_owner(actor.person.id)) {
        return Ok(Standing {
            roles,
            on_behalf: None,
        });
    }
    if managers && (case.is_deputy(actor.person.id) || roles.contains(&Role::Hr)) {
        roles.insert(Role::Manager);
        return Ok(Standing {
            roles,
            on_behalf: Some(case.owner.clone()),
        });
    }
    let step = step.cloned().unwrap_or_else(|| StepId::new(""));
    // Where only the manager (and HR) may act, say whose case it is; elsewhere, which roles.
    if managers
        && allowed
            .iter()
            .all(|r| matches!(r, Role::Manager | Role::Hr))
    {
        return Err(Refusal::NotCaseManager {
            step,
            manager: case.owner.clone(),
            deputy: case.deputy.clone(),
        });
    }
    Err(Refusal::NotYourRole {
        step,
        allowed: allowed.to_vec(),
    })
}

/// Names or removes the deputy: the case's manager or HR, in their own right (a deputy does
/// not name another).
fn set_deputy(
    walk: &mut Walk<'_>,
    case: &Case,
    actor: &Actor,
    deputy: Option<&PersonRef>,
) -> Result<(), Refusal> {
    let roles = case.roles_of(actor);
    if !case.is_owner(actor.person.id) && !roles.contains(&Role::Hr) {
        return Err(Refusal::NotCaseManager {
            step: StepId::new(""),
            manager: case.owner.clone(),
            deputy: None,
        });
    }
    if deputy.is_some_and(|d| d.id == case.owner.id) {
        return Err(Refusal::DeputyIsManager);
    }
    if deputy.map(|d| d.id) == case.deputy.as_ref().map(|d| d.id) {
        return Err(Refusal::DeputyUnchanged {
            deputy: case.deputy.clone(),
        });
    }
    walk.set_deputy(deputy.cloned());
    Ok(())
}

/// Who may ask HR for help on a case (the chart's "Bistand ved behov", which pings HR): the
/// people who may act on it now. Its manager and deputy, HR, and whoever holds a role asked
/// on one of its open steps (the union representative at the union gate, the approver at the
/// approval). Nobody on a case that has ended.
pub fn may_ask_for_help(process: &Process, case: &Case, actor: &Actor) -> Result<(), Refusal> {
    if !case.status.is_open() {
        return Err(Refusal::CaseClosed {
            status: case.status.clone(),
        });
    }
    let roles = case.roles_of(actor);
    if roles.contains(&Role::Manager) || roles.contains(&Role::Hr) {
        return Ok(());
    }
    let asked = case
        .open_steps()
        .filter_map(|id| process.step(id))
        .any(|def| def.roles.iter().any(|r| roles.contains(r)));
    if asked {
        Ok(())
    } else {
        Err(Refusal::NotOnCase)
    }
}

fn step_def<'p>(process: &'p Process, step: &StepId) -> Result<&'p Step, Refusal> {
    process
        .step(step)
        .ok_or_else(|| Refusal::UnknownStep { step: step.clone() })
}

/// The step's definition, if it is open now; otherwise why not.
fn open_step<'p>(process: &'p Process, case: &Case, step: &StepId) -> Result<&'p Step, Refusal> {
    let def = step_def(process, step)?;
    match case.steps.get(step) {
        Some(StepState::Open { .. }) => Ok(def),
        Some(StepState::Done { by, at, .. } | StepState::Skipped { by, at, .. }) => {
            Err(Refusal::AlreadyDone {
                step: step.clone(),
                by: by.clone(),
                at: *at,
            })
        }
        None => Err(Refusal::NotCurrentStep { step: step.clone() }),
    }
}

/// An action on a step that is open and that the actor may act on.
fn on_open_step(
    walk: &mut Walk<'_>,
    def: &Step,
    roles: &BTreeSet<Role>,
    action: &Action,
) -> Result<(), Refusal> {
    let wrong_kind = || Refusal::WrongKind {
        step: def.id.clone(),
        kind: def.kind,
    };
    match action {
        Action::Complete { .. } => {
            match def.kind {
                StepKind::Task | StepKind::IfNeeded | StepKind::System => {}
                StepKind::Date => {
                    let key = def.date.expect("checked by the loader");
                    if walk.case().dates.get(key).is_none() {
                        return Err(Refusal::DateMissing {
                            step: def.id.clone(),
                            key,
                        });
                    }
                }
                StepKind::Choice | StepKind::Approval => return Err(wrong_kind()),
            }
            complete(walk, def, roles)
        }
        Action::Skip { reason, .. } => {
            let required = def
                .required_when
                .iter()
                .any(|m| walk.case().marks.contains(m));
            if def.kind != StepKind::IfNeeded || required {
                return Err(Refusal::NotSkippable {
                    step: def.id.clone(),
                });
            }
            walk.skip(def, reason.clone());
            Ok(())
        }
        Action::Choose { outcome, .. } => {
            if def.kind != StepKind::Choice {
                return Err(wrong_kind());
            }
            let chosen = def
                .outcome(outcome)
                .ok_or_else(|| Refusal::UnknownOutcome {
                    step: def.id.clone(),
                    outcome: outcome.clone(),
                })?;
            walk.choose(def, chosen)
        }
        Action::RecordAccept { .. } | Action::RecordDecline { .. } => {
            let wanted = match action {
                Action::RecordAccept { .. } => OfferAnswer::Accepted,
                _ => OfferAnswer::Declined,
            };
            let chosen = def
                .outcomes
                .iter()
                .find(|o| def.records_answer && o.answer == Some(wanted))
                .ok_or_else(wrong_kind)?;
            walk.choose(def, chosen)
        }
        Action::Approve { .. } | Action::Reject { .. } => {
            if def.kind != StepKind::Approval {
                return Err(wrong_kind());
            }
            match action {
                Action::Reject { reason, .. } => walk.reject(def, reason.clone()),
                _ => walk.approve(def),
            }
            Ok(())
        }
        Action::SetCandidates { names, .. } => {
            if !def.names_candidates {
                return Err(wrong_kind());
            }
            if names.is_empty() {
                return Err(Refusal::NoCandidates);
            }
            set_candidates(walk, names);
            Ok(())
        }
        Action::SetDate { .. }
        | Action::Close { .. }
        | Action::Reopen { .. }
        | Action::SetDeputy { .. } => {
            unreachable!("handled before a step is looked up")
        }
    }
}

/// Marks a step done by this actor, after its own preconditions.
fn complete(walk: &mut Walk<'_>, def: &Step, roles: &BTreeSet<Role>) -> Result<(), Refusal> {
    if let Some(key) = def.not_before {
        let Some(date) = walk.case().dates.get(key) else {
            return Err(Refusal::DateMissing {
                step: def.id.clone(),
                key,
            });
        };
        if oslo_today(walk.now()) < date {
            return Err(Refusal::TooEarly {
                step: def.id.clone(),
                not_before: date,
            });
        }
    }
    let case = walk.case();
    if def.names_candidates && case.next_waiting_candidate().is_none() {
        return Err(Refusal::NoCandidates);
    }
    if def.makes_offer && case.next_waiting_candidate().is_none() {
        return Err(Refusal::NoCandidates);
    }
    if def.all_roles {
        return walk.confirm(def, roles);
    }
    if def.makes_offer {
        walk.make_offer();
    }
    walk.done(def, None);
    Ok(())
}

fn set_candidates(walk: &mut Walk<'_>, names: &[CandidateName]) {
    let case = walk.case_mut();
    case.candidates
        .retain(|c| c.answer != CandidateAnswer::Waiting);
    let after = case.candidates.iter().map(|c| c.rank).max().unwrap_or(0);
    for (rank, name) in (after + 1..).zip(names) {
        case.candidates.push(Candidate {
            name: name.clone(),
            rank,
            answer: CandidateAnswer::Waiting,
        });
    }
    let listed = names
        .iter()
        .map(CandidateName::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    walk.event(EventKind::CandidatesSet, None).detail = Some(listed);
}

fn set_date(
    walk: &mut Walk<'_>,
    case: &Case,
    actor: &Actor,
    key: DateKey,
    date: NaiveDate,
) -> Result<(), Refusal> {
    let today = oslo_today(walk.now());
    if date < today {
        return Err(Refusal::DateInPast { date });
    }
    let latest = latest_date(key, today);
    if date > latest {
        return Err(Refusal::DateTooFar { key, date, latest });
    }
    if key == DateKey::Startdato {
        if let Some(frist) = walk.case().dates.soknadsfrist {
            if date <= frist {
                return Err(Refusal::DateTooEarly {
                    date,
                    not_before: frist.succ_opt().unwrap_or(frist),
                });
            }
        }
    }
    let (asking, on_behalf) = date_setter(walk.process(), case, actor, key)?;
    walk.act_for(on_behalf);
    walk.record_date(key, date, asking);
    if let Some(def) = asking {
        walk.done(def, None);
    }
    Ok(())
}

/// The latest day a person may set a case's date to, on `today` (Oslo). Nothing earlier than
/// today is taken either ([`Refusal::DateInPast`]).
///
/// - **Søknadsfrist: one year ahead.** A position is announced with a deadline some weeks
///   out; a year covers every real announcement. It refuses the "no end date" people type
///   (31.12.9999), which would plan reminders in year 10000. Where applications are assessed
///   as they arrive, the manager sets the day the assessing starts, and can move it later.
/// - **Startdato: two years ahead.** It is set once an offer is accepted; the start is then
///   usually weeks or months away (a notice period is at most six months), and two years
///   leave room for a position held for someone until a leave or an education ends.
///
/// The bounds also keep every planned reminder within the times storage can order (years up
/// to 9999), whatever a person types.
pub fn latest_date(key: DateKey, today: NaiveDate) -> NaiveDate {
    let months = match key {
        DateKey::Soknadsfrist => 12,
        DateKey::Startdato => 24,
    };
    today
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The outcome id an approval step records.
pub(crate) fn approval_outcome(approved: bool) -> OutcomeId {
    OutcomeId::new(if approved { APPROVED } else { REJECTED })
}
