//! The dates reminders hang on, computed in Europe/Oslo and returned as UTC instants.

use std::collections::HashMap;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Oslo;

use crate::case::Case;
use crate::ids::StepId;
use crate::process::{Anchor, DeadlineKind, DeadlineRule, Process};

/// A deadline of one step of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub step: StepId,
    pub kind: DeadlineKind,
    /// The Oslo calendar day it falls on.
    pub date: NaiveDate,
    /// The instant on that day when people are reminded (by default 08:00 Oslo time).
    pub due: DateTime<Utc>,
}

/// What a server may change about deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineSettings {
    /// The Oslo wall-clock time reminders go out on their day.
    pub remind_at: NaiveTime,
    /// Overrides of a rule's `days`, by the rule's `setting` name (e.g. `onboarding_utstyr`).
    pub days: HashMap<String, i64>,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings {
            remind_at: NaiveTime::from_hms_opt(8, 0, 0).expect("08:00 is a time"),
            days: HashMap::new(),
        }
    }
}

/// The instant a wall-clock time on an Oslo day is. A time that does not exist (the hour
/// skipped when summer time starts) moves forward to the first that does; a time that exists
/// twice (the hour repeated in October) is the first of the two.
pub fn oslo_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let mut local = date.and_time(time);
    loop {
        match Oslo.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += chrono::Duration::minutes(15),
        }
    }
}

/// Adds (or with a negative number subtracts) calendar days.
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let magnitude = Days::new(days.unsigned_abs());
    let moved = if days >= 0 {
        date.checked_add_days(magnitude)
    } else {
        date.checked_sub_days(magnitude)
    };
    moved.unwrap_or(date)
}

/// The date an anchor gives on this case, if it has been set.
pub fn anchor_date(case: &Case, anchor: Anchor) -> Option<NaiveDate> {
    match anchor {
        Anchor::OriginalSoknadsfrist => {
            case.dates.original_soknadsfrist.or(case.dates.soknadsfrist)
        }
        Anchor::Soknadsfrist => case.dates.soknadsfrist,
        Anchor::Startdato => case.dates.startdato,
    }
}

/// The days a deadline rule gives: the server's own setting for it, else the process file's.
pub fn rule_days(rule: &DeadlineRule, settings: &DeadlineSettings) -> i64 {
    rule.setting
        .as_ref()
        .and_then(|s| settings.days.get(s))
        .copied()
        .unwrap_or(rule.days)
}

/// Every deadline of the case whose anchor date is known, in the chart's order: e.g. the
/// applicant list the day after the original application deadline, the signed contract no
/// later than start + 7 days, the onboarding orders counted back from the start date.
pub fn deadlines(process: &Process, case: &Case, settings: &DeadlineSettings) -> Vec<Deadline> {
    process
        .steps()
        .iter()
        .filter_map(|step| {
            let rule = step.deadline.as_ref()?;
            let anchor = anchor_date(case, rule.anchor)?;
            let date = add_days(anchor, rule_days(rule, settings));
            Some(Deadline {
                step: step.id.clone(),
                kind: rule.kind,
                date,
                due: oslo_instant(date, settings.remind_at),
            })
        })
        .collect()
}
