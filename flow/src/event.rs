//! One line of a case's history: who did what, when, to which step.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::dato::DateKey;
use crate::ids::{OutcomeId, PersonRef, StepId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    /// Who did it; `None` for what the process did by itself (a step opening).
    pub actor: Option<PersonRef>,
    /// For whom: the case's manager, when someone else acted in the manager's part (the
    /// deputy, or HR acting for the manager). `None` when people act in their own right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf: Option<PersonRef>,
    pub kind: EventKind,
    pub step: Option<StepId>,
    pub outcome: Option<OutcomeId>,
    /// Free text that belongs to the event: a reason, a candidate's name, a date.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    CaseOpened,
    StepOpened,
    StepCompleted,
    StepSkipped,
    /// One of several roles agreed on a step that needs all of them; the step stays open.
    StepConfirmed,
    OutcomeChosen,
    Approved,
    Rejected,
    CandidatesSet,
    OfferMade,
    OfferAccepted,
    OfferDeclined,
    /// Every candidate declined: the case went back to processing applications.
    CandidatesExhausted,
    DateSet,
    StepReopened,
    /// A step was taken back, because the case went back past it: an open one closed without
    /// being done, or a finished one to be done again.
    StepWithdrawn,
    CaseCompleted,
    CaseClosed,
    /// The manager (or HR) named a deputy; `detail` holds the deputy's name.
    DeputyNamed,
    /// The deputy was removed; `detail` holds their name.
    DeputyRemoved,
}

impl EventKind {
    pub const ALL: [EventKind; 20] = [
        EventKind::CaseOpened,
        EventKind::StepOpened,
        EventKind::StepCompleted,
        EventKind::StepSkipped,
        EventKind::StepConfirmed,
        EventKind::OutcomeChosen,
        EventKind::Approved,
        EventKind::Rejected,
        EventKind::CandidatesSet,
        EventKind::OfferMade,
        EventKind::OfferAccepted,
        EventKind::OfferDeclined,
        EventKind::CandidatesExhausted,
        EventKind::DateSet,
        EventKind::StepReopened,
        EventKind::StepWithdrawn,
        EventKind::CaseCompleted,
        EventKind::CaseClosed,
        EventKind::DeputyNamed,
        EventKind::DeputyRemoved,
    ];

    /// Stable name, used in storage and as the Fluent id suffix (`event-step_completed`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::CaseOpened => "case_opened",
            EventKind::StepOpened => "step_opened",
            EventKind::StepCompleted => "step_completed",
            EventKind::StepSkipped => "step_skipped",
            EventKind::StepConfirmed => "step_confirmed",
            EventKind::OutcomeChosen => "outcome_chosen",
            EventKind::Approved => "approved",
            EventKind::Rejected => "rejected",
            EventKind::CandidatesSet => "candidates_set",
            EventKind::OfferMade => "offer_made",
            EventKind::OfferAccepted => "offer_accepted",
            EventKind::OfferDeclined => "offer_declined",
            EventKind::CandidatesExhausted => "candidates_exhausted",
            EventKind::DateSet => "date_set",
            EventKind::StepReopened => "step_reopened",
            EventKind::StepWithdrawn => "step_withdrawn",
            EventKind::CaseCompleted => "case_completed",
            EventKind::CaseClosed => "case_closed",
            EventKind::DeputyNamed => "deputy_named",
            EventKind::DeputyRemoved => "deputy_removed",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Event {
    pub(crate) fn new(at: DateTime<Utc>, actor: Option<&PersonRef>, kind: EventKind) -> Event {
        Event {
            at,
            actor: actor.cloned(),
            on_behalf: None,
            kind,
            step: None,
            outcome: None,
            detail: None,
        }
    }

    pub(crate) fn step(mut self, step: &StepId) -> Event {
        self.step = Some(step.clone());
        self
    }

    /// The date an event of kind `DateSet` recorded, as `key=YYYY-MM-DD` in `detail`.
    pub fn date_detail(key: DateKey, date: chrono::NaiveDate) -> String {
        format!("{}={}", key.as_str(), date)
    }
}
