//! The reminders a case should have right now. Storage reconciles this wanted set with what it
//! holds: a key it lacks is queued, a pending key no longer wanted is cancelled, and a key is
//! never queued twice.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{add_working_days, working_day_on_or_after, working_day_on_or_before};
use crate::case::{Case, CaseStatus, StepState};
use crate::deadlines::{deadlines, oslo_instant, DeadlineSettings};
use crate::engine::oslo_today;
use crate::ids::{CaseId, StepId};
use crate::process::{DeadlineKind, Process};

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
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 6] = [
        ReminderKind::Onboarding,
        ReminderKind::LegalSoon,
        ReminderKind::LegalOverdue,
        ReminderKind::Stalled,
        ReminderKind::StalledEscalation,
        ReminderKind::PurgeNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Onboarding => "onboarding",
            ReminderKind::LegalSoon => "legal_soon",
            ReminderKind::LegalOverdue => "legal_overdue",
            ReminderKind::Stalled => "stalled",
            ReminderKind::StalledEscalation => "stalled_escalation",
            ReminderKind::PurgeNotice => "purge_notice",
        }
    }

    pub fn parse(s: &str) -> Option<ReminderKind> {
        ReminderKind::ALL.into_iter().find(|k| k.as_str() == s)
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
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Responsible => "responsible",
            Target::HrChannel => "hr_channel",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        [Target::Responsible, Target::HrChannel]
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
        CaseStatus::Completed { at: closed } | CaseStatus::Closed { at: closed, .. } => {
            let purge = purge_date(*closed, settings.retention_months);
            let notice = purge - Days::new(settings.purge_notice_days);
            push(
                None,
                ReminderKind::PurgeNotice,
                Target::HrChannel,
                at(notice),
                &purge.to_string(),
            );
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
    for (id, state) in &case.steps {
        let StepState::Open { since, .. } = state else {
            continue;
        };
        if !process.step(id).is_some_and(|s| s.stall_reminders) {
            continue;
        }
        let opened = oslo_today(*since);
        let tag = since.format("%Y%m%dT%H%M%S").to_string();
        let nudge = add_working_days(opened, settings.stall_days);
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
