//! Why the engine said no. Each variant maps to one Fluent message, `refusal-<id>`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::case::CaseStatus;
use crate::ids::{OutcomeId, PersonRef, Role, StepId};
use crate::process::StepKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("step {step} is for {allowed:?}, and the actor has none of those roles")]
    NotYourRole { step: StepId, allowed: Vec<Role> },
    #[error("step {step} is not open now")]
    NotCurrentStep { step: StepId },
    #[error("step {step} was already done by {} at {at}", by.name)]
    AlreadyDone {
        step: StepId,
        by: PersonRef,
        at: DateTime<Utc>,
    },
    #[error("{role} has already confirmed step {step} ({})", by.name)]
    AlreadyConfirmed {
        step: StepId,
        role: Role,
        by: PersonRef,
    },
    #[error("the case is not open ({status:?})")]
    CaseClosed { status: CaseStatus },
    #[error("step {step} does not exist in the process")]
    UnknownStep { step: StepId },
    #[error("step {step} has no outcome {outcome}")]
    UnknownOutcome { step: StepId, outcome: OutcomeId },
    #[error("step {step} is a {kind:?} step and cannot take this action")]
    WrongKind { step: StepId, kind: StepKind },
    #[error("step {step} cannot be skipped here")]
    NotSkippable { step: StepId },
    #[error("the date {date} is in the past")]
    DateInPast { date: NaiveDate },
    #[error("the date {date} must not be before {not_before}")]
    DateTooEarly {
        date: NaiveDate,
        not_before: NaiveDate,
    },
    /// Further ahead than [`crate::engine::latest_date`] allows for this date.
    #[error("the {key} {date} is further ahead than {latest}")]
    DateTooFar {
        key: crate::DateKey,
        date: NaiveDate,
        latest: NaiveDate,
    },
    #[error("no open step asks for this date, and it has not been set before")]
    DateNotAsked,
    #[error("step {step} cannot be done before {not_before}")]
    TooEarly { step: StepId, not_before: NaiveDate },
    #[error("step {step} needs the date {key} to be set first")]
    DateMissing { step: StepId, key: crate::DateKey },
    #[error("the recommendation needs at least one candidate")]
    NoCandidates,
    #[error("no candidate is waiting for an answer to an offer")]
    NoOfferOpen,
    #[error("step {step} has not been done, so it cannot be reopened")]
    NotFinished { step: StepId },
    /// The manager's part of a case is its own manager's (and their deputy's, and HR's acting
    /// for them): a manager role on the server does not give it. `step` is empty for what is
    /// not a step (closing, going back, naming a deputy); `deputy` is `None` where a deputy
    /// may not do it either.
    #[error("step {step} belongs to the case's manager {}", manager.name)]
    NotCaseManager {
        step: StepId,
        manager: PersonRef,
        deputy: Option<PersonRef>,
    },
    #[error("the case's manager cannot be their own deputy")]
    DeputyIsManager,
    #[error("the deputy is already {deputy:?}")]
    DeputyUnchanged { deputy: Option<PersonRef> },
    /// Asking HR for help on a case is for the people who may act on it.
    #[error("the actor has no part in this case")]
    NotOnCase,
}

impl Refusal {
    /// The Fluent message id that explains this refusal to a person.
    pub fn message_id(&self) -> &'static str {
        match self {
            Refusal::NotYourRole { .. } => "refusal-not-your-role",
            Refusal::NotCurrentStep { .. } => "refusal-not-current-step",
            Refusal::AlreadyDone { .. } => "refusal-already-done",
            Refusal::AlreadyConfirmed { .. } => "refusal-already-confirmed",
            Refusal::CaseClosed { .. } => "refusal-case-closed",
            Refusal::UnknownStep { .. } => "refusal-unknown-step",
            Refusal::UnknownOutcome { .. } => "refusal-unknown-outcome",
            Refusal::WrongKind { .. } => "refusal-wrong-kind",
            Refusal::NotSkippable { .. } => "refusal-not-skippable",
            Refusal::DateInPast { .. } => "refusal-date-in-past",
            Refusal::DateTooEarly { .. } => "refusal-date-too-early",
            Refusal::DateTooFar { .. } => "refusal-date-too-far",
            Refusal::DateNotAsked => "refusal-date-not-asked",
            Refusal::TooEarly { .. } => "refusal-too-early",
            Refusal::DateMissing { .. } => "refusal-date-missing",
            Refusal::NoCandidates => "refusal-no-candidates",
            Refusal::NoOfferOpen => "refusal-no-offer-open",
            Refusal::NotFinished { .. } => "refusal-not-finished",
            Refusal::NotCaseManager { .. } => "refusal-not-case-manager",
            Refusal::DeputyIsManager => "refusal-deputy-is-manager",
            Refusal::DeputyUnchanged { .. } => "refusal-deputy-unchanged",
            Refusal::NotOnCase => "refusal-not-on-case",
        }
    }

    /// Every message id, so a test can check both languages have them all.
    pub const MESSAGE_IDS: [&'static str; 22] = [
        "refusal-not-your-role",
        "refusal-not-current-step",
        "refusal-already-done",
        "refusal-already-confirmed",
        "refusal-case-closed",
        "refusal-unknown-step",
        "refusal-unknown-outcome",
        "refusal-wrong-kind",
        "refusal-not-skippable",
        "refusal-date-in-past",
        "refusal-date-too-early",
        "refusal-date-too-far",
        "refusal-date-not-asked",
        "refusal-too-early",
        "refusal-date-missing",
        "refusal-no-candidates",
        "refusal-no-offer-open",
        "refusal-not-finished",
        "refusal-not-case-manager",
        "refusal-deputy-is-manager",
        "refusal-deputy-unchanged",
        "refusal-not-on-case",
    ];
}
