//! Shared by the flow tests: the shipped process, the people, and a driver that applies
//! actions and insists they are accepted.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use flow::{
    Action, Actor, Applied, CandidateName, Case, CaseId, CaseText, DateKey, Dato, Event, EventKind,
    NewCase, OutcomeId, PersonId, PersonRef, Process, Reason, Refusal, Role, StepId, Texts,
};

pub fn shipped() -> &'static (Process, Texts) {
    static SHIPPED: OnceLock<(Process, Texts)> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        Process::load(&flow::prompts_dir()).unwrap_or_else(|e| panic!("shipped process: {e}"))
    })
}

pub fn process() -> &'static Process {
    &shipped().0
}

pub fn person(id: u64, name: &str) -> PersonRef {
    PersonRef {
        id: PersonId(id),
        name: name.to_owned(),
    }
}

pub fn actor(id: u64, name: &str, roles: &[Role]) -> Actor {
    Actor {
        person: person(id, name),
        roles: roles.iter().copied().collect::<BTreeSet<_>>(),
    }
}

/// The owner of the case: a manager by ownership, with no server role.
pub fn leder() -> Actor {
    actor(1, "Lise Leder", &[])
}
pub fn hr() -> Actor {
    actor(2, "Hanne HR", &[Role::Hr])
}
pub fn tillitsvalgt() -> Actor {
    actor(3, "Tore Tillitsvalgt", &[Role::UnionRep])
}
pub fn godkjenner() -> Actor {
    actor(4, "Gunnar Godkjenner", &[Role::Approver])
}
pub fn outsider() -> Actor {
    actor(9, "Ola Utenfor", &[])
}

pub fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn step(id: &str) -> StepId {
    StepId::new(id)
}

pub fn reason(s: &str) -> Reason {
    Reason::parse(s).unwrap()
}

pub fn complete(id: &str) -> Action {
    Action::Complete { step: step(id) }
}

pub fn skip(id: &str) -> Action {
    Action::Skip {
        step: step(id),
        reason: reason("Ikke relevant for denne stillingen"),
    }
}

pub fn choose(id: &str, outcome: &str) -> Action {
    Action::Choose {
        step: step(id),
        outcome: OutcomeId::new(outcome),
    }
}

pub fn set_date(key: DateKey, d: NaiveDate) -> Action {
    Action::SetDate {
        key,
        date: Dato::from_naive(d),
    }
}

pub fn candidates(names: &[&str]) -> Action {
    Action::SetCandidates {
        step: step("skriver_innstilling"),
        names: names
            .iter()
            .map(|n| CandidateName::parse(n).unwrap())
            .collect(),
    }
}

/// A case under test, with every event it produced.
pub struct Run {
    pub case: Case,
    pub history: Vec<Event>,
    pub now: DateTime<Utc>,
}

impl Run {
    pub fn start_at(now: DateTime<Utc>) -> Run {
        let draft = NewCase {
            title: CaseText::parse("Rådgiver").unwrap(),
            unit: CaseText::parse("Bydel Frogner").unwrap(),
            note: None,
        };
        let Applied { case, events } =
            flow::start(process(), CaseId(7), draft, leder().person, now);
        Run {
            case,
            history: events,
            now,
        }
    }

    pub fn start() -> Run {
        Run::start_at(utc(2027, 1, 4, 9, 0))
    }

    pub fn try_do(&mut self, who: &Actor, action: Action) -> Result<&[Event], Refusal> {
        let applied = flow::apply(process(), &self.case, who, &action, self.now)?;
        assert_eq!(applied.case.version, self.case.version + 1);
        self.case = applied.case;
        let from = self.history.len();
        self.history.extend(applied.events);
        Ok(&self.history[from..])
    }

    /// Applies an action that must be accepted.
    #[track_caller]
    pub fn ok(&mut self, who: &Actor, action: Action) -> &mut Run {
        let shown = format!("{action:?}");
        if let Err(refusal) = self.try_do(who, action) {
            panic!("{shown} by {} refused: {refusal}", who.person.name);
        }
        self
    }

    /// Applies an action that must be refused, and checks nothing changed.
    #[track_caller]
    pub fn refused(&mut self, who: &Actor, action: Action) -> Refusal {
        let before = self.case.clone();
        let refusal = flow::apply(process(), &self.case, who, &action, self.now)
            .expect_err("the action should have been refused");
        assert_eq!(self.case, before);
        refusal
    }

    pub fn open(&self) -> Vec<String> {
        process()
            .ordered(self.case.open_steps())
            .into_iter()
            .map(|s| s.to_string())
            .collect()
    }

    pub fn count(&self, kind: EventKind) -> usize {
        self.history.iter().filter(|e| e.kind == kind).count()
    }

    pub fn at(&mut self, now: DateTime<Utc>) -> &mut Run {
        self.now = now;
        self
    }
}

/// Step ids the process holds, all of them.
pub fn all_step_ids() -> Vec<String> {
    process().steps().iter().map(|s| s.id.to_string()).collect()
}

/// Roles that can act in the chat.
pub const CHAT_ROLES: [Role; 4] = [Role::Manager, Role::Hr, Role::UnionRep, Role::Approver];

/// Someone who holds this role on the test case.
pub fn holder(role: Role) -> Actor {
    match role {
        Role::Manager => leder(),
        Role::Hr => hr(),
        Role::UnionRep => tillitsvalgt(),
        Role::Approver => godkjenner(),
        Role::Payroll => actor(6, "Lønn", &[Role::Payroll]),
        Role::Candidate => actor(8, "Kandidat", &[Role::Candidate]),
    }
}

/// The move a willing team makes next on the first open step (in chart order): the path of
/// least resistance, used to show that a case can always be finished.
pub fn next_move(run: &Run) -> Option<(Actor, Action, DateTime<Utc>)> {
    use flow::StepKind;
    let case = &run.case;
    let id = process()
        .ordered(case.open_steps())
        .first()
        .copied()?
        .clone();
    let def = process().step(&id)?;
    let mut now = run.now;
    let mut who = holder(def.roles[0]);
    let today = flow::engine::oslo_today(now);
    let action = match def.kind {
        StepKind::Date => {
            let key = def.date?;
            let base = case.dates.soknadsfrist.unwrap_or(today).max(today);
            let days = if key == DateKey::Soknadsfrist { 28 } else { 60 };
            set_date(key, base + chrono::Days::new(days))
        }
        StepKind::Approval => Action::Approve { step: id },
        StepKind::Choice if def.records_answer => Action::RecordAccept { step: id },
        StepKind::Choice => Action::Choose {
            step: id,
            outcome: def.outcomes[0].id.clone(),
        },
        _ if def.names_candidates && case.next_waiting_candidate().is_none() => {
            candidates(&["Ny Kandidat"])
        }
        _ => {
            if def.all_roles {
                if let Some(flow::StepState::Open { confirmed, .. }) = case.steps.get(&id) {
                    let role = def.roles.iter().find(|r| !confirmed.contains_key(r))?;
                    who = holder(*role);
                    // Someone who has agreed in another role cannot agree again: ask another.
                    if confirmed.values().any(|p| p.id == who.person.id) {
                        who = actor(5, "Annen Person", &[*role]);
                    }
                }
            }
            if let Some(key) = def.not_before {
                let day = case.dates.get(key)?;
                if today < day {
                    now = flow::oslo_instant(day, chrono::NaiveTime::from_hms_opt(9, 0, 0)?);
                }
            }
            Action::Complete { step: id }
        }
    };
    Some((who, action, now))
}

/// Drives the case with [`next_move`] until it is no longer open; returns how many moves.
pub fn drive_to_end(run: &mut Run, limit: usize) -> Result<usize, String> {
    for n in 0..limit {
        if !run.case.status.is_open() {
            return Ok(n);
        }
        let Some((who, action, now)) = next_move(run) else {
            return Err(format!("no move from open steps {:?}", run.open()));
        };
        run.now = now;
        let shown = format!("{action:?}");
        run.try_do(&who, action)
            .map_err(|r| format!("{shown} refused: {r}"))?;
    }
    Err(format!(
        "not finished after {limit} moves; open: {:?}",
        run.open()
    ))
}

/// Drives the case until `step` is open.
#[track_caller]
pub fn drive_until(run: &mut Run, step_id: &str) {
    for _ in 0..200 {
        if run.case.is_step_open(&step(step_id)) {
            return;
        }
        let (who, action, now) = next_move(run).expect("a move");
        run.now = now;
        run.ok(&who, action);
    }
    panic!("{step_id} never opened");
}
