//! What both backends share about the read models across cases: a pending action, HR's
//! overview and its parts, and the reminder kinds that make a step overdue.

use chrono::{DateTime, Utc};
use flow::{CaseId, PersonRef, ReminderKind, StepId};

/// An open step waiting for the person asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAction {
    pub case: CaseId,
    pub title: String,
    pub step: StepId,
    pub since: DateTime<Utc>,
}

/// The reminder kinds whose being due means a step is overdue.
pub const OVERDUE_KINDS: [ReminderKind; 4] = [
    ReminderKind::LegalOverdue,
    ReminderKind::Stalled,
    ReminderKind::StalledEscalation,
    ReminderKind::Onboarding,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewStep {
    pub step: StepId,
    pub since: DateTime<Utc>,
    /// A legal-overdue, stalled, escalation or onboarding reminder for this step is due and
    /// not cancelled.
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewCase {
    pub id: CaseId,
    pub title: String,
    pub unit: String,
    pub owner: PersonRef,
    pub opened_at: DateTime<Utc>,
    /// Any of its open steps is overdue.
    pub overdue: bool,
    /// Its open steps, oldest first (the caller sorts them by the chart and finds the phase).
    pub steps: Vec<OverviewStep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HrOverview {
    /// Open cases on the server, for "page x of y".
    pub total: u64,
    pub cases: Vec<OverviewCase>,
}
