//! What both backends share about checklists: a checklist and its items as the bot sees them.

use chrono::{DateTime, Utc};
use flow::{CaseId, PersonRef, StepId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    /// The item's stable key (e.g. a Fluent id); the bot renders the text.
    pub item: String,
    pub ticked: Option<(PersonRef, DateTime<Utc>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub case: CaseId,
    pub step: StepId,
    pub channel: u64,
    pub message: u64,
    /// In the order they were given.
    pub items: Vec<ChecklistItem>,
}
