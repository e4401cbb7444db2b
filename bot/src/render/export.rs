//! The case for the archive (`/rekruttering eksport`): title, unit, every event in order with
//! who and when (decisions with their reasons, the union representative's agreement, the
//! approval, the dates set), the case's dates, and the legal deadlines with whether they were
//! met. After the purge the events carry no names or free text (the purge erased them) and
//! the document says so.

use chrono::{DateTime, Utc};
use flow::stats::{DeadlineResult, Timeline};
use flow::{Case, CaseStatus, DateKey, Process};
use pictures::pdf::{ArchiveDoc, ArchiveLine};
use storage::HistoryEntry;

use super::lines::event_line;
use crate::i18n::Tr;

/// Markdown as plain text: `*` marks dropped, `\` escapes undone.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' => {}
            c => out.push(c),
        }
    }
    out
}

/// The document.
pub fn render(
    process: &Process,
    settings: &flow::ReminderSettings,
    case: &Case,
    history: &[HistoryEntry],
    purged: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    tr: Tr<'_>,
) -> ArchiveDoc {
    let tr = tr.own();
    let mut lines = Vec::new();
    lines.push(ArchiveLine::Text(
        tr.args("export-unit", &[("unit", case.unit.as_str().into())]),
    ));
    lines.push(ArchiveLine::Text(tr.args(
        "export-opened",
        &[("when", tr.when(case.opened_at).as_str().into())],
    )));
    lines.push(ArchiveLine::Text(match &case.status {
        CaseStatus::Open => tr.t("export-status-open"),
        CaseStatus::Completed { at } => tr.args(
            "export-status-completed",
            &[("when", tr.when(*at).as_str().into())],
        ),
        CaseStatus::Closed { at, .. } => tr.args(
            "export-status-closed",
            &[("when", tr.when(*at).as_str().into())],
        ),
    }));
    if let Some(at) = purged {
        lines.push(ArchiveLine::Text(
            tr.args("export-purged", &[("when", tr.when(at).as_str().into())]),
        ));
    }
    lines.push(ArchiveLine::Heading(tr.t("export-events")));
    for e in history {
        lines.push(ArchiveLine::Item {
            when: tr.when(e.event.at),
            text: plain(&event_line(&e.event, tr)),
        });
    }
    let dates: Vec<String> = DateKey::ALL
        .iter()
        .filter_map(|k| {
            case.dates
                .get(*k)
                .map(|d| format!("{}: {}", tr.t(&format!("date-{k}")), tr.date(d)))
        })
        .collect();
    if !dates.is_empty() {
        lines.push(ArchiveLine::Heading(tr.t("export-dates")));
        lines.extend(dates.into_iter().map(ArchiveLine::Text));
    }
    lines.push(ArchiveLine::Heading(tr.t("export-deadlines")));
    let timeline = Timeline {
        case: case.id,
        unit: case.unit.as_str().to_string(),
        status: match case.status {
            CaseStatus::Open => flow::stats::TimelineStatus::Open,
            CaseStatus::Completed { .. } => flow::stats::TimelineStatus::Completed,
            CaseStatus::Closed { .. } => flow::stats::TimelineStatus::Closed,
        },
        opened_at: case.opened_at,
        ended_at: None,
        original_soknadsfrist: case.dates.original_soknadsfrist.or(case.dates.soknadsfrist),
        startdato: case.dates.startdato,
        marks: case.marks.clone(),
        events: history
            .iter()
            .map(|e| (e.event.kind, e.event.step.clone(), e.event.at))
            .collect(),
    };
    let row = flow::stats::compute(process, settings, std::slice::from_ref(&timeline), now)
        .rows
        .pop();
    let legal = row.map(|r| r.legal).unwrap_or_default();
    if legal.is_empty() {
        lines.push(ArchiveLine::Text(tr.t("export-no-deadlines")));
    }
    for (basis, result) in legal {
        let due = process
            .steps()
            .iter()
            .filter_map(|s| s.deadline.as_ref())
            .find(|d| d.basis.as_deref() == Some(basis.as_str()))
            .and_then(|d| {
                flow::deadlines::anchor_date(case, d.anchor).map(|a| {
                    flow::deadlines::add_days(a, flow::deadlines::rule_days(d, &settings.deadlines))
                })
            });
        let result = match result {
            DeadlineResult::Met => tr.t("stats-legal-met"),
            DeadlineResult::Missed => tr.t("stats-legal-missed"),
            DeadlineResult::Pending => tr.t("stats-legal-pending"),
        };
        lines.push(ArchiveLine::Text(tr.args(
            "export-deadline",
            &[
                ("basis", basis.as_str().into()),
                (
                    "due",
                    due.map(|d| tr.date(d)).unwrap_or_default().as_str().into(),
                ),
                ("result", result.as_str().into()),
            ],
        )));
    }
    ArchiveDoc {
        title: tr.args(
            "export-title",
            &[
                ("case", case.id.0.into()),
                ("title", case.title.as_str().into()),
            ],
        ),
        lines,
        footer: tr.args(
            "export-footer",
            &[
                ("case", case.id.0.into()),
                ("when", tr.when(now).as_str().into()),
            ],
        ),
    }
}
