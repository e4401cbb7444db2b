//! `flow`: Oslo kommune's recruitment chart as data, and the pure engine that walks a case
//! through it. Knows nothing of Discord, SQL or the wall clock: time is passed in.

pub mod action;
pub mod calendar;
pub mod case;
pub mod clock;
pub mod dato;
pub mod deadlines;
pub mod engine;
pub mod event;
pub mod ids;
pub mod journey;
pub mod process;
pub mod refusal;
pub mod reminders;
pub mod stats;
pub mod text;
pub mod texts;

pub use action::{Action, Actor};
pub use case::{Candidate, CandidateAnswer, Case, CaseDates, CaseStatus, JourneyState, StepState};
pub use clock::{Clock, ManualClock, SystemClock};
pub use dato::{DateKey, Dato, DatoError};
pub use deadlines::{deadlines, oslo_instant, Deadline, DeadlineSettings};
pub use engine::{apply, start, Applied, NewCase};
pub use event::{Event, EventKind};
pub use ids::{CaseId, Mark, OutcomeId, PersonId, PersonRef, PhaseId, Role, StepId, SystemId};
pub use process::{LoadError, Process, Step, StepKind};
pub use refusal::Refusal;
pub use reminders::{
    plan as plan_reminders, PlannedReminder, ReminderKind, ReminderSettings, Target,
};
pub use text::{CandidateName, CaseText, Reason, TextError};
pub use texts::{Lang, Texts};

/// The folder of the shipped process and texts, `prompts/` at the workspace root.
pub fn prompts_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("prompts")
}
