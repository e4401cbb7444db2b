//! The reminders a case should have right now. Storage reconciles this wanted set with what it
//! holds: a key it lacks is queued, a pending key no longer wanted is cancelled, and a key is
//! never queued twice.
//!
//! **Stalled steps.** A step with `stall_reminders` that has no deadline on the case is
//! *stalled* once it has been open `stall_days` working days: its people are nudged then, and
//! HR `escalate_days` working days later. A step with a deadline on the case (its anchor date is
//! set) is *waiting for its date* until then, not stalled: before and on the deadline its own
//! reminders speak for it (the onboarding order on its day, the legal deadline the working day
//! before and HR the day after). Its stall count starts at its deadline instead of its opening
//! (the later of the two): nudged `stall_days` working days after the deadline if still open,
//! escalated after `escalate_days` more. A moved date moves these too (the key carries the
//! deadline). The welcome package, due ten days before a start two months away, is therefore
//! never called "open a long time" before it is due.
//!
//! **When a step is due** ([`due`]), for HR's digest: a step with a deadline on the case is due
//! on its deadline and overdue from the day after; a step without one is due on the day it
//! counts as stalled (the first nudge) and overdue after that. A step with neither (its stall
//! reminders off and no deadline) is never due.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{add_working_days, working_day_on_or_after, working_day_on_or_before};
use crate::case::{Case, CaseStatus, StepState};
use crate::deadlines::{deadlines, oslo_instant, DeadlineSettings};
use crate::engine::oslo_today;
use crate::ids::{CaseId, StepId};
use crate::process::{DeadlineKind, Process};

/// When an open step is due, and why then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDue {
    pub step: StepId,
    /// The Oslo day it is due: overdue from the day after.
    pub date: NaiveDate,
    /// Its deadline (`Some`), or the day it counts as stalled (`None`).
    pub deadline: Option<DeadlineKind>,
}

/// When each open step of an open case is due (see the module's doc), in the chart's order of
/// the case's steps. Nothing for a case that has ended.
pub fn due(process: &Process, case: &Case, settings: &ReminderSettings) -> Vec<StepDue> {
    if !case.status.is_open() {
        return Vec::new();
    }
    let deadlines = deadlines(process, case, &settings.deadlines);
    let mut out: Vec<StepDue> = case
        .steps
        .iter()
        .filter_map(|(id, state)| {
            let StepState::Open { since, .. } = state else {
                return None;
            };
            if let Some(d) = deadlines.iter().find(|d| &d.step == id) {
                return Some(StepDue {
                    step: id.clone(),
                    date: d.date,
                    deadline: Some(d.kind),
                });
            }
            process.step(id).filter(|s| s.stall_reminders)?;
            Some(StepDue {
                step: id.clone(),
                date: add_working_days(oslo_today(*since), settings.stall_days),
                deadline: None,
            })
        })
        .collect();
    out.sort_by_key(|d| process.order(&d.step));
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// An onboarding order or the welcome, on its day.
    Onboarding,
    /// A legal deadline is near (the working day before it).
    LegalSoon,
    /// A legal deadline has passed with the step still open: to HR.
    LegalOverdue,
    /// A step has been open longer than the stall limit: to its people.
    Stalled,
    /// Still stalled after the escalation limit: to HR.
    StalledEscalation,
    /// The case's personal data will be deleted in a week: to HR.
    PurgeNotice,
    /// An item of the new hire's journey, on its day, to the person it belongs to
    /// ([`crate::journey`]).
    JourneyItem,
    /// Probation ends in a week: a summary to the manager.
    ProbationSummary,
    /// The last working day of probation and no decision recorded: to HR.
    ProbationEscalation,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 9] = [
        ReminderKind::Onboarding,
        ReminderKind::LegalSoon,
        ReminderKind::LegalOverdue,
        ReminderKind::Stalled,
        ReminderKind::StalledEscalation,
        ReminderKind::PurgeNotice,
        ReminderKind::JourneyItem,
        ReminderKind::ProbationSummary,
        ReminderKind::ProbationEscalation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Onboarding => "onboarding",
            ReminderKind::LegalSoon => "legal_soon",
            ReminderKind::LegalOverdue => "legal_overdue",
            ReminderKind::Stalled => "stalled",
            ReminderKind::StalledEscalation => "stalled_escalation",
            ReminderKind::PurgeNotice => "purge_notice",
            ReminderKind::JourneyItem => "journey_item",
            ReminderKind::ProbationSummary => "probation_summary",
            ReminderKind::ProbationEscalation => "probation_escalation",
        }
    }

    pub fn parse(s: &str) -> Option<ReminderKind> {
        ReminderKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A reminder of a new hire's journey ([`crate::journey`]), not of the case's steps.
    pub fn is_journey(self) -> bool {
        matches!(
            self,
            ReminderKind::JourneyItem
                | ReminderKind::ProbationSummary
                | ReminderKind::ProbationEscalation
        )
    }
}

/// Who a reminder goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The people responsible for the step, by direct message (the case thread if they
    /// cannot be reached).
    Responsible,
    /// The server's HR channel.
    HrChannel,
    /// A journey's new hire, by direct message (its thread if they cannot be reached).
    NewHire,
    /// A journey's buddy, by direct message.
    Buddy,
    /// The case's manager (its deputy while named), by direct message.
    Manager,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Responsible => "responsible",
            Target::HrChannel => "hr_channel",
            Target::NewHire => "new_hire",
            Target::Buddy => "buddy",
            Target::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        [
            Target::Responsible,
            Target::HrChannel,
            Target::NewHire,
            Target::Buddy,
            Target::Manager,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// One reminder a case wants. `key` is unique for all time: the same reminder can never be
/// queued twice, and a moved date gives a new key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedReminder {
    pub key: String,
    pub case: CaseId,
    pub step: Option<StepId>,
    pub kind: ReminderKind,
    pub target: Target,
    pub due: DateTime<Utc>,
}

/// What a server may change about reminders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderSettings {
    pub deadlines: DeadlineSettings,
    /// Working days a step may stay open before its people are nudged.
    pub stall_days: u32,
    /// Further working days before a stalled step is escalated to HR.
    pub escalate_days: u32,
    /// Months after closing that a case's personal data is deleted.
    pub retention_months: u32,
    /// Days before the deletion that HR is told.
    pub purge_notice_days: u64,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            deadlines: DeadlineSettings::default(),
            stall_days: 5,
            escalate_days: 5,
            retention_months: 12,
            purge_notice_days: 7,
        }
    }
}

/// The day a closed case's personal data is to be deleted.
pub fn purge_date(closed_at: DateTime<Utc>, retention_months: u32) -> NaiveDate {
    let closed = oslo_today(closed_at);
    closed
        .checked_add_months(Months::new(retention_months))
        .unwrap_or(closed)
}

/// Every reminder the case should have now, given its state.
pub fn plan(process: &Process, case: &Case, settings: &ReminderSettings) -> Vec<PlannedReminder> {
    let at = |date: NaiveDate| oslo_instant(date, settings.deadlines.remind_at);
    let mut out = Vec::new();
    let mut push = |step: Option<&StepId>, kind: ReminderKind, target: Target, due, tag: &str| {
        let step_part = step.map(StepId::as_str).unwrap_or("case");
        out.push(PlannedReminder {
            key: format!(
                "c{}:{}:{}:{}:{}",
                case.id,
                step_part,
                kind.as_str(),
                target.as_str(),
                tag
            ),
            case: case.id,
            step: step.cloned(),
            kind,
            target,
            due,
        });
    };
    match &case.status {
        CaseStatus::Open => {}
        CaseStatus::Completed { .. } | CaseStatus::Closed { .. } => {
            // Counted from the journey's close when it has one (none while it runs), as the
            // purge counts.
            if let Some(from) = case.retention_from() {
                let purge = purge_date(from, settings.retention_months);
                let notice = purge - Days::new(settings.purge_notice_days);
                push(
                    None,
                    ReminderKind::PurgeNotice,
                    Target::HrChannel,
                    at(notice),
                    &purge.to_string(),
                );
            }
            return out;
        }
    }
    for deadline in deadlines(process, case, &settings.deadlines) {
        if case
            .steps
            .get(&deadline.step)
            .is_some_and(StepState::is_finished)
        {
            continue;
        }
        let tag = deadline.date.to_string();
        let step = Some(&deadline.step);
        match deadline.kind {
            DeadlineKind::Onboarding => {
                let day = at(working_day_on_or_before(deadline.date));
                push(
                    step,
                    ReminderKind::Onboarding,
                    Target::Responsible,
                    day,
                    &tag,
                );
                push(step, ReminderKind::Onboarding, Target::HrChannel, day, &tag);
            }
            DeadlineKind::Legal => {
                let before = deadline.date - Days::new(1);
                let soon = at(working_day_on_or_before(before));
                push(
                    step,
                    ReminderKind::LegalSoon,
                    Target::Responsible,
                    soon,
                    &tag,
                );
                let after = working_day_on_or_after(deadline.date + Days::new(1));
                push(
                    step,
                    ReminderKind::LegalOverdue,
                    Target::HrChannel,
                    at(after),
                    &tag,
                );
            }
        }
    }
    let deadlines = deadlines(process, case, &settings.deadlines);
    for (id, state) in &case.steps {
        let StepState::Open { since, .. } = state else {
            continue;
        };
        if !process.step(id).is_some_and(|s| s.stall_reminders) {
            continue;
        }
        let opened = oslo_today(*since);
        let mut tag = since.format("%Y%m%dT%H%M%S").to_string();
        // Waiting for its date is not stalling: counted from the deadline when it has one.
        let from = match deadlines.iter().find(|d| &d.step == id) {
            Some(d) => {
                tag = format!("{tag}:{}", d.date);
                opened.max(d.date)
            }
            None => opened,
        };
        let nudge = add_working_days(from, settings.stall_days);
        let escalate = add_working_days(nudge, settings.escalate_days);
        push(
            Some(id),
            ReminderKind::Stalled,
            Target::Responsible,
            at(nudge),
            &tag,
        );
        push(
            Some(id),
            ReminderKind::StalledEscalation,
            Target::HrChannel,
            at(escalate),
            &tag,
        );
    }
    out
}
