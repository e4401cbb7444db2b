//! HR's daily digest: the open cases' overdue and due-today actions, grouped by phase, each
//! with a link to its thread, packed into messages. Pure: the job reads the cases one by one
//! and hands each to [`Digest::add`] (`crate::jobs::digest` posts the parts).
//!
//! A step is due on its deadline when it has one, and overdue from the day after; a step
//! without a deadline is due on the day it counts as stalled (`flow::reminders::due`). An
//! earlier nudge or reminder does not make a step due. What falls due on the days off before
//! the next working day is listed too, with its date (Friday's digest shows Sunday's).

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use flow::{Case, Process, ReminderSettings};

use crate::i18n::{clip, escape, Tr, CONTENT_MAX};

/// An action of a case that is overdue (`true`) or due today (`false`).
struct DueLine {
    overdue: bool,
    line: String,
}

/// A digest being put together, case by case.
pub struct Digest<'a> {
    process: &'a Process,
    tr: Tr<'a>,
    settings: ReminderSettings,
    today: NaiveDate,
    by_phase: BTreeMap<usize, (String, Vec<DueLine>)>,
}

impl<'a> Digest<'a> {
    /// The digest of `now`'s day (Oslo), in `tr`'s words, by the guild's reminder settings.
    pub fn new(
        process: &'a Process,
        tr: Tr<'a>,
        settings: ReminderSettings,
        now: DateTime<Utc>,
    ) -> Digest<'a> {
        Digest {
            process,
            tr,
            settings,
            today: flow::engine::oslo_today(now),
            by_phase: BTreeMap::new(),
        }
    }

    /// Adds what of an open case is due by the next working day; `thread` is its thread.
    pub fn add(&mut self, case: &Case, thread: Option<u64>) {
        let (tr, today) = (self.tr, self.today);
        // What is due by the next working day, by the step's deadline (or, without one, the
        // day it counts as stalled): see `flow::reminders::due`.
        let next_working_day = flow::calendar::working_day_on_or_after(today + Days::new(1));
        let worst = flow::reminders::due(self.process, case, &self.settings)
            .into_iter()
            .filter(|d| d.date < next_working_day);
        for due in worst {
            let (step, day) = (due.step, due.date);
            let Some(phase) = self.process.phase_of(&step) else {
                continue;
            };
            let index = self.process.phase_index(phase);
            let id = match day.cmp(&today) {
                std::cmp::Ordering::Less => "digest-line-overdue",
                std::cmp::Ordering::Equal => "digest-line-today",
                // Due on the days off before the next working day: listed today.
                std::cmp::Ordering::Greater => "digest-line-soon",
            };
            // The thread's link reads "#1 Rådgiver – Bydel Frogner"; without one, the case.
            let link = thread.map(|t| format!("<#{t}>")).unwrap_or_else(|| {
                tr.args(
                    "case-ref",
                    &[
                        ("case", case.id.0.into()),
                        ("title", escape(case.title.as_str()).as_str().into()),
                    ],
                )
            });
            let line = tr.args(
                id,
                &[
                    ("thread", link.as_str().into()),
                    ("case", case.id.0.into()),
                    ("title", escape(case.title.as_str()).as_str().into()),
                    ("step", tr.step(&step).as_str().into()),
                    ("date", tr.date(day).as_str().into()),
                ],
            );
            let entry = self
                .by_phase
                .entry(index)
                .or_insert_with(|| (tr.t(&flow::texts::ids::phase(phase)), Vec::new()));
            entry.1.push(DueLine {
                overdue: day < today,
                line,
            });
        }
    }

    /// The digest's messages; none when nothing is overdue or due today.
    pub fn parts(self) -> Vec<String> {
        if self.by_phase.is_empty() {
            return Vec::new();
        }
        let tr = self.tr;
        let mut lines = vec![tr.args(
            "digest-heading",
            &[("date", tr.date(self.today).as_str().into())],
        )];
        for (_, (title, mut dues)) in self.by_phase {
            dues.sort_by_key(|d| !d.overdue);
            lines.push(format!("**{title}**"));
            lines.extend(dues.into_iter().map(|d| d.line));
        }
        split(&lines, CONTENT_MAX)
    }
}

/// Lines packed into messages of at most `max` characters (a longer line is cut).
pub fn split(lines: &[String], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        let line = clip(line, max);
        let needed =
            current.chars().count() + line.chars().count() + usize::from(!current.is_empty());
        if needed > max && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_digests_are_split_under_the_limit() {
        let lines: Vec<String> = (0..300)
            .map(|i| format!("linje {i} {}", "x".repeat(40)))
            .collect();
        let parts = split(&lines, CONTENT_MAX);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.chars().count() <= CONTENT_MAX));
        assert_eq!(parts.join("\n").lines().count(), 300);
    }
}
