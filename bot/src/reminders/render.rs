//! What a reminder says: one line per reminder, several merged into one message for one place.
//! Pure: the case, the reminder and the time in, text out. Shared places read bokmål.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use flow::{Case, Process, ReminderKind, ReminderSettings, Target};
use storage::ClaimedReminder;

use crate::i18n::{clip, escape, Tr};

/// Discord's limit for message content.
pub const CONTENT_MAX: usize = 2000;

/// A reminder that went out more than this after its time says it is late.
pub fn is_late(r: &ClaimedReminder, now: DateTime<Utc>) -> bool {
    now - r.due > Duration::minutes(30)
}

/// The day the reminder is about: the step's deadline when it has one, else its own day.
pub fn deadline_day(
    process: &Process,
    case: &Case,
    settings: &ReminderSettings,
    r: &ClaimedReminder,
) -> NaiveDate {
    if r.kind == ReminderKind::PurgeNotice {
        let notice = flow::engine::oslo_today(r.due);
        return notice + chrono::Days::new(settings.purge_notice_days);
    }
    r.step
        .as_ref()
        .and_then(|step| {
            flow::deadlines(process, case, &settings.deadlines)
                .into_iter()
                .find(|d| &d.step == step)
                .map(|d| d.date)
        })
        .unwrap_or_else(|| flow::engine::oslo_today(r.due))
}

/// One reminder as one line.
pub fn line(
    tr: Tr<'_>,
    case: &Case,
    thread: Option<u64>,
    r: &ClaimedReminder,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> String {
    let id = match (r.kind, r.target) {
        (ReminderKind::Onboarding, Target::HrChannel) => "reminder-onboarding-hr",
        (ReminderKind::Onboarding, Target::Responsible) => "reminder-onboarding",
        (ReminderKind::LegalSoon, _) => "reminder-legal-soon",
        (ReminderKind::LegalOverdue, _) => "reminder-legal-overdue",
        (ReminderKind::Stalled, _) => "reminder-stalled",
        (ReminderKind::StalledEscalation, _) => "reminder-stalled-escalation",
        (ReminderKind::PurgeNotice, _) => "reminder-purge-notice",
    };
    let id = if is_past(day, now) && says_by_when(id) {
        "reminder-overdue"
    } else {
        id
    };
    let step = r.step.as_ref().map(|s| tr.step(s)).unwrap_or_default();
    let link = thread.map(|t| format!("<#{t}>")).unwrap_or_default();
    let mut text = tr.args(
        id,
        &[
            ("case", case.id.0.into()),
            ("title", escape(case.title.as_str()).as_str().into()),
            ("step", step.as_str().into()),
            ("date", tr.date(day).as_str().into()),
            ("thread", link.as_str().into()),
        ],
    );
    if is_late(r, now) {
        text.push(' ');
        text.push_str(&tr.args("reminder-late", &[("due", tr.when(r.due).as_str().into())]));
    }
    text
}

/// Whether the day a reminder is about has passed (a reminder snoozed past its deadline, or
/// sent late): it then says the step is overdue, not that it is to be done by a past date.
pub fn is_past(day: NaiveDate, now: DateTime<Utc>) -> bool {
    day < flow::engine::oslo_today(now)
}

/// The reminders that say by when something is to be done.
fn says_by_when(id: &str) -> bool {
    matches!(id, "reminder-onboarding" | "reminder-legal-soon")
}

/// The lines of one message: a heading when several are merged, then the lines, cut to fit.
pub fn message(tr: Tr<'_>, lines: &[String], mention: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(m) = mention {
        out.push_str(m);
        out.push(' ');
    }
    if lines.len() > 1 {
        out.push_str(&tr.args(
            "reminder-heading",
            &[("count", (lines.len() as i64).into())],
        ));
        out.push('\n');
    }
    out.push_str(&lines.join("\n"));
    clip(&out, CONTENT_MAX)
}
