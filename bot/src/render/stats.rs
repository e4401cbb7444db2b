//! HR's statistics as the reader sees them: the key figures as text, the bars of the chart
//! and the CSV's rows (one per case, anonymous: case number, unit, dates, counts).

use chrono::NaiveDate;
use flow::stats::{DeadlineResult, Outcome, Spread, Statistics};
use flow::Process;
use pictures::stats::{PhaseBar, Words};

use crate::i18n::Tr;

fn days(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The key figures, line by line.
pub fn text(
    process: &Process,
    st: &Statistics,
    from: NaiveDate,
    to: NaiveDate,
    tr: Tr<'_>,
) -> String {
    let tr = tr.own();
    let mut lines = vec![tr.args(
        "stats-title",
        &[
            ("from", tr.date(from).as_str().into()),
            ("to", tr.date(to).as_str().into()),
            ("count", st.rows.len().into()),
        ],
    )];
    lines.push(match st.to_start {
        Some(Spread { count, median, p90 }) => tr.args(
            "stats-to-start",
            &[
                ("median", days(median).as_str().into()),
                ("p90", days(p90).as_str().into()),
                ("count", count.into()),
            ],
        ),
        None => tr.t("stats-to-start-none"),
    });
    lines.push(tr.t("stats-phases"));
    for (i, phase) in process.phases.iter().enumerate() {
        let name = tr.t(&flow::texts::ids::phase(phase));
        lines.push(match st.phases.get(i).copied().flatten() {
            Some(s) => tr.args(
                "stats-phase-line",
                &[
                    ("phase", name.as_str().into()),
                    ("median", days(s.median).as_str().into()),
                    ("p90", days(s.p90).as_str().into()),
                    ("count", s.count.into()),
                ],
            ),
            None => tr.args("stats-phase-none", &[("phase", name.as_str().into())]),
        });
    }
    if st.overdue.is_empty() {
        lines.push(tr.t("stats-overdue-none"));
    } else {
        lines.push(tr.t("stats-overdue"));
        for o in &st.overdue {
            lines.push(tr.args(
                "stats-overdue-line",
                &[
                    (
                        "step",
                        tr.t(&flow::texts::ids::step_title(&o.step)).as_str().into(),
                    ),
                    ("role", tr.role(o.role).as_str().into()),
                    ("times", o.times.into()),
                ],
            ));
        }
    }
    let n = |o: Outcome| st.outcomes.get(&o).copied().unwrap_or(0);
    lines.push(tr.args(
        "stats-outcomes",
        &[
            ("new_hire", n(Outcome::NewHire).into()),
            ("without", n(Outcome::WithoutNewContract).into()),
            ("closed", n(Outcome::ClosedEarly).into()),
            ("open", n(Outcome::Open).into()),
            ("declined", st.all_declined.into()),
        ],
    ));
    lines.push(tr.t("stats-legal-title"));
    for (basis, met, missed) in &st.legal {
        lines.push(tr.args(
            "stats-legal",
            &[
                ("basis", basis.as_str().into()),
                ("met", (*met).into()),
                ("missed", (*missed).into()),
            ],
        ));
    }
    lines.join("\n")
}

/// The chart's bars and words.
pub fn chart(process: &Process, st: &Statistics, tr: Tr<'_>) -> (Vec<PhaseBar>, Words) {
    let tr = tr.own();
    let bars = process
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let s = st.phases.get(i).copied().flatten();
            PhaseBar {
                name: tr.t(&flow::texts::ids::phase(p)),
                median: s.map(|s| s.median),
                p90: s.map(|s| s.p90),
            }
        })
        .collect();
    let words = Words {
        title: tr.t("stats-chart-title"),
        days: tr.t("stats-chart-days"),
        median: tr.t("stats-chart-median"),
        p90: tr.t("stats-chart-p90"),
    };
    (bars, words)
}

/// The CSV's header and rows: one row per case, one column per phase's start date and days.
pub fn csv(process: &Process, st: &Statistics, tr: Tr<'_>) -> (Vec<String>, Vec<Vec<String>>) {
    let tr = tr.own();
    let mut header: Vec<String> = [
        "csv-case",
        "csv-unit",
        "csv-opened",
        "csv-start",
        "csv-ended",
        "csv-outcome",
        "csv-declined",
        "csv-overdue",
    ]
    .iter()
    .map(|id| tr.t(id))
    .collect();
    let phase_names: Vec<String> = process
        .phases
        .iter()
        .map(|p| tr.t(&flow::texts::ids::phase(p)))
        .collect();
    for name in &phase_names {
        header.push(tr.args("csv-phase-start", &[("phase", name.as_str().into())]));
    }
    for name in &phase_names {
        header.push(tr.args("csv-phase-days", &[("phase", name.as_str().into())]));
    }
    let bases: Vec<&String> = st.legal.iter().map(|(b, _, _)| b).collect();
    header.extend(bases.iter().map(|b| (*b).clone()));
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = st
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                r.case.0.to_string(),
                r.unit.clone(),
                r.opened.to_string(),
                date(r.startdato),
                date(r.ended),
                tr.t(&format!("stats-outcome-{}", r.outcome.as_str())),
                tr.t(if r.all_declined {
                    "stats-yes"
                } else {
                    "stats-no"
                }),
                r.overdue_steps.to_string(),
            ];
            row.extend(r.phase_entered.iter().map(|d| date(*d)));
            row.extend(
                r.phase_days
                    .iter()
                    .map(|d| d.map(|d| d.to_string()).unwrap_or_default()),
            );
            for b in &bases {
                let result = r.legal.iter().find(|(x, _)| x == *b).map(|(_, res)| *res);
                row.push(match result {
                    Some(DeadlineResult::Met) => tr.t("stats-legal-met"),
                    Some(DeadlineResult::Missed) => tr.t("stats-legal-missed"),
                    Some(DeadlineResult::Pending) => tr.t("stats-legal-pending"),
                    None => String::new(),
                });
            }
            row
        })
        .collect();
    (header, rows)
}
