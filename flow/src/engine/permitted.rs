//! "What may this person do on this step now": the engine's answer without an action to try.
//!
//! [`permitted`] follows [`super::apply`] rule by rule: every [`Permit`] it lists is an action
//! `apply` accepts from this person at this time, and an action it does not list is one `apply`
//! refuses (a test in `flow/tests/permitted.rs` holds the two together over random cases). A
//! reminder shows only the buttons that can work; snooze asks whether the person may act on
//! the step at all; a form opens only for an action the person may take.
//!
//! Two actions are not about an open step, and have their own answer: going back to a finished
//! step ([`may_reopen`]) and setting or moving one of the case's dates ([`may_set_date`]). The
//! engine asks the same functions when the action is tried, so the answers cannot part.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{open_step, oslo_today, standing, step_def, CASE_ADMINS};
use crate::action::Actor;
use crate::case::{Case, StepState};
use crate::dato::DateKey;
use crate::ids::{OutcomeId, PersonRef, Role, StepId};
use crate::process::{OfferAnswer, Process, Step, StepKind};
use crate::refusal::Refusal;

/// One kind of action on a step, as far as it can be known without what a person types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permit {
    /// Mark it done (for a step every role must agree to: agree in one's own role).
    Complete,
    /// Skip it, with a reason ("ved behov").
    Skip,
    /// Pick one of these outcomes.
    Choose(Vec<OutcomeId>),
    Approve,
    /// Reject, with a reason.
    Reject,
    /// Set this date (which completes the date step).
    SetDate(DateKey),
    /// Name the recommended candidates.
    SetCandidates,
    /// The offered candidate accepted.
    RecordAccept,
    /// The offered candidate declined.
    RecordDecline,
}

/// What a person may do on one open step of a case now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permitted {
    pub step: StepId,
    pub kind: StepKind,
    /// What the engine would accept from this person now, in the order a card shows it. Empty
    /// when the step is theirs but nothing can be done yet (see `waiting`).
    pub actions: Vec<Permit>,
    /// Why the step cannot simply be marked done now, when it is of a kind that can be
    /// (too early, a date or candidates missing, already agreed in this role).
    pub waiting: Option<Refusal>,
}

impl Permitted {
    /// Whether `want` is allowed (for `Choose`, every outcome it names).
    pub fn allows(&self, want: &Permit) -> bool {
        self.require(want).is_ok()
    }

    /// `Ok` when `want` is allowed; otherwise the refusal [`super::apply`] would give.
    pub fn require(&self, want: &Permit) -> Result<(), Refusal> {
        let wrong_kind = || Refusal::WrongKind {
            step: self.step.clone(),
            kind: self.kind,
        };
        let listed = |p: &Permit| self.actions.iter().any(|a| a == p);
        match want {
            Permit::Choose(wanted) => {
                let Some(Permit::Choose(allowed)) =
                    self.actions.iter().find(|a| matches!(a, Permit::Choose(_)))
                else {
                    return Err(if self.kind == StepKind::Choice {
                        Refusal::NoOfferOpen
                    } else {
                        wrong_kind()
                    });
                };
                match wanted.iter().find(|o| !allowed.contains(o)) {
                    None => Ok(()),
                    Some(_) if self.waiting == Some(Refusal::NoOfferOpen) => {
                        Err(Refusal::NoOfferOpen)
                    }
                    Some(outcome) => Err(Refusal::UnknownOutcome {
                        step: self.step.clone(),
                        outcome: outcome.clone(),
                    }),
                }
            }
            p if listed(p) => Ok(()),
            Permit::Complete => Err(self.waiting.clone().unwrap_or_else(wrong_kind)),
            Permit::Skip => Err(Refusal::NotSkippable {
                step: self.step.clone(),
            }),
            Permit::RecordAccept | Permit::RecordDecline if self.kind == StepKind::Choice => {
                Err(self.waiting.clone().unwrap_or_else(wrong_kind))
            }
            Permit::SetDate(_) => Err(Refusal::DateNotAsked),
            _ => Err(wrong_kind()),
        }
    }
}

/// What `actor` may do on `step` of `case` at `now`. `Err` when the step is not theirs to act
/// on at all: the case is closed, the step unknown, not open (done, or not reached), or of
/// roles the person does not hold. `Ok` with the actions allowed now otherwise, possibly none
/// (then `waiting` says why).
pub fn permitted(
    process: &Process,
    case: &Case,
    actor: &Actor,
    step: &StepId,
    now: DateTime<Utc>,
) -> Result<Permitted, Refusal> {
    if !case.status.is_open() {
        return Err(Refusal::CaseClosed {
            status: case.status.clone(),
        });
    }
    let def = open_step(process, case, step)?;
    // The roles the person acts with here (HR and a deputy take the manager's part for them).
    let roles = standing(case, actor, &def.roles, Some(step))?.roles;
    let mut actions = Vec::new();
    let mut waiting = None;
    match def.kind {
        StepKind::Task | StepKind::IfNeeded | StepKind::System => {
            if def.names_candidates {
                actions.push(Permit::SetCandidates);
            }
            match completion(def, case, &roles, actor, now) {
                Ok(()) => actions.push(Permit::Complete),
                Err(r) => waiting = Some(r),
            }
            let required = def.required_when.iter().any(|m| case.marks.contains(m));
            if def.kind == StepKind::IfNeeded && !required {
                actions.push(Permit::Skip);
            }
        }
        StepKind::Date => {
            let key = def.date.expect("checked by the loader");
            actions.push(Permit::SetDate(key));
            match case.dates.get(key) {
                Some(_) => match completion(def, case, &roles, actor, now) {
                    Ok(()) => actions.push(Permit::Complete),
                    Err(r) => waiting = Some(r),
                },
                None => {
                    waiting = Some(Refusal::DateMissing {
                        step: def.id.clone(),
                        key,
                    });
                }
            }
        }
        StepKind::Choice => {
            let offered = case.offered_candidate().is_some();
            if def.records_answer && !offered {
                waiting = Some(Refusal::NoOfferOpen);
            }
            let outcomes: Vec<OutcomeId> = def
                .outcomes
                .iter()
                .filter(|o| o.answer.is_none() || offered)
                .map(|o| o.id.clone())
                .collect();
            if def.records_answer && offered {
                for (answer, permit) in [
                    (OfferAnswer::Accepted, Permit::RecordAccept),
                    (OfferAnswer::Declined, Permit::RecordDecline),
                ] {
                    if def.outcomes.iter().any(|o| o.answer == Some(answer)) {
                        actions.push(permit);
                    }
                }
            }
            if !outcomes.is_empty() {
                actions.push(Permit::Choose(outcomes));
            }
            if def.names_candidates {
                actions.push(Permit::SetCandidates);
            }
        }
        StepKind::Approval => {
            actions.push(Permit::Approve);
            actions.push(Permit::Reject);
            if def.names_candidates {
                actions.push(Permit::SetCandidates);
            }
        }
    }
    Ok(Permitted {
        step: def.id.clone(),
        kind: def.kind,
        actions,
        waiting,
    })
}

/// Whether `actor` may go back to `step` now (with any reason): `Ok` exactly when the engine
/// would accept `Action::Reopen` for it. Only the case's manager (its deputy, HR for them) and
/// HR, and only to a step that is finished.
pub fn may_reopen(
    process: &Process,
    case: &Case,
    actor: &Actor,
    step: &StepId,
) -> Result<(), Refusal> {
    if !case.status.is_open() {
        return Err(Refusal::CaseClosed {
            status: case.status.clone(),
        });
    }
    reopening(process, case, actor, step).map(|_| ())
}

/// Going back to `step` of an open case: the step, and for whom the person does it.
pub(super) fn reopening<'p>(
    process: &'p Process,
    case: &Case,
    actor: &Actor,
    step: &StepId,
) -> Result<(&'p Step, Option<PersonRef>), Refusal> {
    let def = step_def(process, step)?;
    let standing = standing(case, actor, &CASE_ADMINS, None)?;
    match case.steps.get(step) {
        None => Err(Refusal::NotCurrentStep { step: step.clone() }),
        Some(s) if s.is_open() => Err(Refusal::NotFinished { step: step.clone() }),
        Some(_) => Ok((def, standing.on_behalf)),
    }
}

/// Whether `actor` may set the case's date `key` now (to a date the engine takes): `Ok`
/// exactly when the engine would accept `Action::SetDate` for it with an acceptable date. The
/// open date step asking for it is its roles'; a date already set may be moved by those who
/// may set it, and HR.
pub fn may_set_date(
    process: &Process,
    case: &Case,
    actor: &Actor,
    key: DateKey,
) -> Result<(), Refusal> {
    if !case.status.is_open() {
        return Err(Refusal::CaseClosed {
            status: case.status.clone(),
        });
    }
    date_setter(process, case, actor, key).map(|_| ())
}

/// Setting `key` on an open case: the date step asking for it (if one is open), and for whom
/// the person does it.
pub(super) fn date_setter<'p>(
    process: &'p Process,
    case: &Case,
    actor: &Actor,
    key: DateKey,
) -> Result<(Option<&'p Step>, Option<PersonRef>), Refusal> {
    let asking = case
        .open_steps()
        .filter_map(|id| process.step(id))
        .find(|s| s.kind == StepKind::Date && s.date == Some(key));
    if let Some(def) = asking {
        let standing = standing(case, actor, &def.roles, Some(&def.id))?;
        return Ok((Some(def), standing.on_behalf));
    }
    if case.dates.get(key).is_none() {
        return Err(Refusal::DateNotAsked);
    }
    // Moving a date that is already set: those who may set it, and HR.
    let setters: Vec<Role> = process
        .steps()
        .iter()
        .filter(|s| s.date == Some(key))
        .flat_map(|s| s.roles.iter().copied())
        .chain([Role::Hr])
        .collect();
    let standing = standing(case, actor, &setters, None)?;
    Ok((None, standing.on_behalf))
}

/// Whether a plain completion of an open step of a completable kind would be accepted: the
/// same preconditions, in the same order, as the engine's `complete` and `confirm`.
fn completion(
    def: &Step,
    case: &Case,
    held: &BTreeSet<Role>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if let Some(key) = def.not_before {
        let Some(date) = case.dates.get(key) else {
            return Err(Refusal::DateMissing {
                step: def.id.clone(),
                key,
            });
        };
        if oslo_today(now) < date {
            return Err(Refusal::TooEarly {
                step: def.id.clone(),
                not_before: date,
            });
        }
    }
    if (def.names_candidates || def.makes_offer) && case.next_waiting_candidate().is_none() {
        return Err(Refusal::NoCandidates);
    }
    if def.all_roles {
        let Some(StepState::Open { confirmed, .. }) = case.steps.get(&def.id) else {
            return Err(Refusal::NotCurrentStep {
                step: def.id.clone(),
            });
        };
        if let Some((role, by)) = confirmed.iter().find(|(_, by)| by.id == actor.person.id) {
            return Err(Refusal::AlreadyConfirmed {
                step: def.id.clone(),
                role: *role,
                by: by.clone(),
            });
        }
        let free = def
            .roles
            .iter()
            .any(|r| held.contains(r) && !confirmed.contains_key(r));
        if !free {
            let taken = def
                .roles
                .iter()
                .find(|r| held.contains(r))
                .and_then(|r| confirmed.get(r).map(|by| (*r, by.clone())));
            if let Some((role, by)) = taken {
                return Err(Refusal::AlreadyConfirmed {
                    step: def.id.clone(),
                    role,
                    by,
                });
            }
        }
    }
    Ok(())
}
