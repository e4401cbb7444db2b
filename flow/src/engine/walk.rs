//! One change to one case, step by step: the engine's working state while it applies an action.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::approval_outcome;
use crate::case::{CandidateAnswer, Case, CaseStatus, StepState};
use crate::dato::DateKey;
use crate::event::{Event, EventKind};
use crate::ids::{PersonRef, Role, StepId};
use crate::process::{OfferAnswer, Outcome, Process, Step, END};
use crate::refusal::Refusal;
use crate::text::Reason;

pub(super) struct Walk<'a> {
    process: &'a Process,
    case: &'a mut Case,
    actor: Option<PersonRef>,
    /// For whom the actor acts, when they act in the manager's part without being the case's
    /// manager: written on each of their history lines.
    on_behalf: Option<PersonRef>,
    now: DateTime<Utc>,
    events: Vec<Event>,
}

impl<'a> Walk<'a> {
    pub fn new(
        process: &'a Process,
        case: &'a mut Case,
        actor: Option<&PersonRef>,
        now: DateTime<Utc>,
    ) -> Self {
        Walk {
            process,
            case,
            actor: actor.cloned(),
            on_behalf: None,
            now,
            events: Vec::new(),
        }
    }

    /// The actor acts for the case's manager from here on (`None`: in their own right).
    pub fn act_for(&mut self, manager: Option<PersonRef>) {
        self.on_behalf = manager;
    }

    pub fn process(&self) -> &'a Process {
        self.process
    }

    pub fn case(&self) -> &Case {
        self.case
    }

    pub fn case_mut(&mut self) -> &mut Case {
        self.case
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn actor(&self) -> PersonRef {
        self.actor.clone().unwrap_or_else(|| PersonRef {
            id: crate::ids::PersonId(0),
            name: String::new(),
        })
    }

    /// Appends a history line by the actor and returns it for details.
    pub fn event(&mut self, kind: EventKind, step: Option<&StepId>) -> &mut Event {
        let mut event = Event::new(self.now, self.actor.as_ref(), kind);
        event.step = step.cloned();
        if self.actor.is_some() {
            event.on_behalf = self.on_behalf.clone();
        }
        self.events.push(event);
        self.events.last_mut().expect("just pushed")
    }

    /// A history line the process wrote by itself.
    fn system_event(&mut self, kind: EventKind, step: &StepId) {
        self.events
            .push(Event::new(self.now, None, kind).step(step));
    }

    pub fn open(&mut self, step: &StepId) {
        if self.case.is_step_open(step) {
            return;
        }
        self.case.steps.insert(
            step.clone(),
            StepState::Open {
                since: self.now,
                confirmed: BTreeMap::new(),
            },
        );
        self.system_event(EventKind::StepOpened, step);
    }

    /// Done, with no outcome: on to `next`.
    pub fn done(&mut self, def: &Step, outcome: Option<crate::ids::OutcomeId>) {
        self.set_done(def, outcome);
        self.event(EventKind::StepCompleted, Some(&def.id));
        self.advance(def, &def.next);
    }

    fn set_done(&mut self, def: &Step, outcome: Option<crate::ids::OutcomeId>) {
        let state = StepState::Done {
            by: self.actor(),
            at: self.now,
            outcome,
        };
        self.case.steps.insert(def.id.clone(), state);
    }

    pub fn skip(&mut self, def: &Step, reason: Reason) {
        let state = StepState::Skipped {
            by: self.actor(),
            at: self.now,
            reason: reason.clone(),
        };
        self.case.steps.insert(def.id.clone(), state);
        self.event(EventKind::StepSkipped, Some(&def.id)).detail = Some(reason.to_string());
        self.advance(def, &def.next);
    }

    pub fn choose(&mut self, def: &Step, chosen: &Outcome) -> Result<(), Refusal> {
        let mut targets = &chosen.next;
        if let Some(answer) = chosen.answer {
            let Some(offered) = self
                .case
                .candidates
                .iter_mut()
                .find(|c| c.answer == CandidateAnswer::Offered)
            else {
                return Err(Refusal::NoOfferOpen);
            };
            let (new_answer, kind) = match answer {
                OfferAnswer::Accepted => (CandidateAnswer::Accepted, EventKind::OfferAccepted),
                OfferAnswer::Declined => (CandidateAnswer::Declined, EventKind::OfferDeclined),
            };
            offered.answer = new_answer;
            let name = offered.name.to_string();
            self.event(kind, Some(&def.id)).detail = Some(name);
            if answer == OfferAnswer::Declined && self.case.next_waiting_candidate().is_none() {
                self.event(EventKind::CandidatesExhausted, Some(&def.id));
                targets = &chosen.when_none_left;
            }
        }
        if let Some(mark) = &chosen.mark {
            self.case.marks.insert(mark.clone());
        }
        self.set_done(def, Some(chosen.id.clone()));
        let event = self.event(EventKind::OutcomeChosen, Some(&def.id));
        event.outcome = Some(chosen.id.clone());
        self.advance(def, targets);
        Ok(())
    }

    pub fn approve(&mut self, def: &Step) {
        self.set_done(def, Some(approval_outcome(true)));
        self.event(EventKind::Approved, Some(&def.id));
        self.advance(def, &def.next);
    }

    pub fn reject(&mut self, def: &Step, reason: Reason) {
        self.set_done(def, Some(approval_outcome(false)));
        self.event(EventKind::Rejected, Some(&def.id)).detail = Some(reason.to_string());
        self.advance(def, &def.rejected);
    }

    /// One of the step's roles agrees; the step is done when every role has.
    pub fn confirm(&mut self, def: &Step, held: &BTreeSet<Role>) -> Result<(), Refusal> {
        let me = self.actor();
        let Some(StepState::Open { confirmed, .. }) = self.case.steps.get_mut(&def.id) else {
            unreachable!("confirm is only called on an open step")
        };
        if let Some((role, by)) = confirmed.iter().find(|(_, by)| by.id == me.id) {
            return Err(Refusal::AlreadyConfirmed {
                step: def.id.clone(),
                role: *role,
                by: by.clone(),
            });
        }
        let Some(role) = def
            .roles
            .iter()
            .copied()
            .find(|r| held.contains(r) && !confirmed.contains_key(r))
        else {
            let (role, by) = def
                .roles
                .iter()
                .find_map(|r| held.contains(r).then(|| (*r, confirmed[r].clone())))
                .expect("the actor holds one of the step's roles");
            return Err(Refusal::AlreadyConfirmed {
                step: def.id.clone(),
                role,
                by,
            });
        };
        confirmed.insert(role, me.clone());
        let all = def.roles.iter().all(|r| confirmed.contains_key(r));
        // In the manager's part, someone other than the owner agrees for the owner; in
        // another role, in their own right.
        let owner = &self.case.owner;
        self.on_behalf = (role == Role::Manager && me.id != owner.id).then(|| owner.clone());
        self.event(EventKind::StepConfirmed, Some(&def.id)).detail = Some(role.to_string());
        if all {
            self.done(def, None);
        }
        Ok(())
    }

    /// The best-ranked candidate not yet asked is offered the position.
    pub fn make_offer(&mut self) {
        let Some(rank) = self.case.next_waiting_candidate().map(|c| c.rank) else {
            return;
        };
        let candidate = self
            .case
            .candidates
            .iter_mut()
            .find(|c| c.rank == rank)
            .expect("found by rank just now");
        candidate.answer = CandidateAnswer::Offered;
        let name = candidate.name.to_string();
        self.event(EventKind::OfferMade, None).detail = Some(name);
    }

    pub fn record_date(&mut self, key: DateKey, date: NaiveDate, step: Option<&Step>) {
        let dates = &mut self.case.dates;
        match key {
            DateKey::Soknadsfrist => {
                dates.soknadsfrist = Some(date);
                dates.original_soknadsfrist.get_or_insert(date);
            }
            DateKey::Startdato => dates.startdato = Some(date),
        }
        let detail = Event::date_detail(key, date);
        self.event(EventKind::DateSet, step.map(|s| &s.id)).detail = Some(detail);
    }

    /// Names a deputy (`Some`) or removes the one named (`None`); the history line carries
    /// the deputy's name.
    pub fn set_deputy(&mut self, deputy: Option<PersonRef>) {
        let (kind, name) = match (&deputy, &self.case.deputy) {
            (Some(new), _) => (EventKind::DeputyNamed, new.name.clone()),
            (None, Some(old)) => (EventKind::DeputyRemoved, old.name.clone()),
            (None, None) => return,
        };
        self.case.deputy = deputy;
        self.event(kind, None).detail = Some(name);
    }

    pub fn close(&mut self, reason: Reason) {
        let open: Vec<StepId> = self.case.open_steps().cloned().collect();
        for step in open {
            self.case.steps.remove(&step);
            self.event(EventKind::StepWithdrawn, Some(&step));
        }
        self.case.status = CaseStatus::Closed {
            at: self.now,
            by: self.actor(),
            reason: reason.clone(),
        };
        self.event(EventKind::CaseClosed, None).detail = Some(reason.to_string());
    }

    pub fn reopen(&mut self, def: &Step, reason: Reason) {
        self.rewind(&def.id);
        self.forget_marks(def);
        self.case.steps.remove(&def.id);
        self.open(&def.id);
        self.event(EventKind::StepReopened, Some(&def.id)).detail = Some(reason.to_string());
    }

    /// Opens the targets of a finished step, unless a mark ends the path here.
    fn advance(&mut self, from: &Step, targets: &[StepId]) {
        if from.end_when.iter().any(|m| self.case.marks.contains(m)) {
            return;
        }
        for target in targets {
            if target.as_str() == END {
                continue;
            }
            let Some(def) = self.process.step(target) else {
                continue;
            };
            if self.process.order(target) <= self.process.order(&from.id) {
                // Back to an earlier step: what came after it will be done again.
                self.rewind(target);
                self.forget_marks(def);
            }
            let joined = def
                .wait_for
                .iter()
                .all(|w| self.case.steps.get(w).is_some_and(StepState::is_finished));
            if joined {
                self.open(target);
            }
        }
    }

    /// Undoes every step after `from` in the chart's forward direction: open ones and finished
    /// ones are withdrawn (the history keeps when they were done, and now that they were
    /// withdrawn, so a line can say what going back undid); finished ones' marks are forgotten.
    fn rewind(&mut self, from: &StepId) {
        for step in self.forward_from(from) {
            match self.case.steps.remove(&step) {
                Some(StepState::Open { .. }) => {
                    self.event(EventKind::StepWithdrawn, Some(&step));
                }
                Some(_) => {
                    self.event(EventKind::StepWithdrawn, Some(&step));
                    if let Some(def) = self.process.step(&step) {
                        self.forget_marks(def);
                    }
                }
                None => {}
            }
        }
        self.settle_candidates();
    }

    /// After going back past the offer, answers that no longer stand are cleared: an accepted
    /// or offered candidate waits to be asked again (a decline stands).
    fn settle_candidates(&mut self) {
        let (mut offer_made, mut answer_open, mut answered) = (false, false, false);
        for (id, state) in &self.case.steps {
            let Some(def) = self.process.step(id) else {
                continue;
            };
            offer_made |= def.makes_offer && state.is_finished();
            answer_open |= def.records_answer && state.is_open();
            answered |= def.records_answer && state.is_finished();
        }
        for c in &mut self.case.candidates {
            let stale = match c.answer {
                CandidateAnswer::Accepted => !answered,
                CandidateAnswer::Offered => !answer_open && !offer_made,
                _ => false,
            };
            if stale {
                c.answer = CandidateAnswer::Waiting;
            }
        }
    }

    fn forget_marks(&mut self, def: &Step) {
        for o in &def.outcomes {
            if let Some(m) = &o.mark {
                self.case.marks.remove(m);
            }
        }
    }

    fn forward_from(&self, from: &StepId) -> Vec<StepId> {
        self.process.forward_from(from)
    }

    /// Ends the change: a case with nothing open has run to its end.
    pub fn finish(self) -> Vec<Event> {
        let mut events = self.events;
        if self.case.status.is_open() && self.case.open_steps().next().is_none() {
            self.case.status = CaseStatus::Completed { at: self.now };
            events.push(Event::new(self.now, None, EventKind::CaseCompleted));
        }
        events
    }
}
