//! What a person can do to a case, and who they are when they do it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::dato::{DateKey, Dato};
use crate::ids::{OutcomeId, PersonRef, Role, StepId};
use crate::text::{CandidateName, Reason};

/// A person acting, with the roles they hold on the server. `manager` among them means only
/// "may open cases": on a case, the case makes its owner and deputy its manager (see
/// [`crate::Case::roles_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person: PersonRef,
    pub roles: BTreeSet<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Mark a task, if-needed, system or agreement step as done.
    Complete { step: StepId },
    /// Skip an if-needed ("ved behov") step, with a reason.
    Skip { step: StepId, reason: Reason },
    /// Pick a named outcome of a choice step.
    Choose { step: StepId, outcome: OutcomeId },
    /// Approve an approval step.
    Approve { step: StepId },
    /// Reject an approval step, with a reason; the case goes back as the process file says.
    Reject { step: StepId, reason: Reason },
    /// The offered candidate declined: the next one is asked, or the case goes back when none
    /// is left.
    RecordDecline { step: StepId },
    /// The offered candidate accepted.
    RecordAccept { step: StepId },
    /// Set a date. On the open date step that asks for it, this also completes the step;
    /// afterwards it moves the date (an extended deadline keeps the original).
    SetDate { key: DateKey, date: Dato },
    /// Name the recommended candidates in rank order (replaces those not yet asked).
    SetCandidates {
        step: StepId,
        names: Vec<CandidateName>,
    },
    /// Go back to a finished step and do it again; what came after it is undone.
    Reopen { step: StepId, reason: Reason },
    /// Close the case before its end.
    Close { reason: Reason },
    /// Name a deputy for the case's manager (`Some`), or remove the one named (`None`). By
    /// the case's manager or HR.
    SetDeputy { deputy: Option<PersonRef> },
}

impl Action {
    /// The step the action is about, if any.
    pub fn step(&self) -> Option<&StepId> {
        match self {
            Action::Complete { step }
            | Action::Skip { step, .. }
            | Action::Choose { step, .. }
            | Action::Approve { step }
            | Action::Reject { step, .. }
            | Action::RecordDecline { step }
            | Action::RecordAccept { step }
            | Action::SetCandidates { step, .. }
            | Action::Reopen { step, .. } => Some(step),
            Action::SetDate { .. } | Action::Close { .. } | Action::SetDeputy { .. } => None,
        }
    }
}
