//! The chart of a case (`/rekruttering kart`, the card's "Vis i kartet"): each step's state in
//! this case and the words the picture shows, in the reader's language, and the description
//! (alt text) that carries the same to someone who cannot see the image. The picture itself is
//! drawn by `pictures`, where `flow`'s layout puts each box.

use std::collections::HashMap;

use flow::{Case, CaseStatus, StepState};
use pictures::chart::{BoxState, CaseChart, ChartBox};

use super::Scope;
use crate::i18n::Tr;

/// Discord's limit on an attachment's description.
pub const ALT_MAX: usize = 1024;

/// What the chart shows and says.
pub struct ChartText {
    pub chart: CaseChart,
    /// The image's description: the phase and the open steps, with who is asked.
    pub alt: String,
}

/// Each step's state in this case.
pub fn states(scope: Scope<'_>, case: &Case) -> HashMap<flow::StepId, BoxState> {
    let path = scope.process.steps_on_path(case);
    scope
        .process
        .steps()
        .iter()
        .map(|s| {
            let state = match case.steps.get(&s.id) {
                Some(StepState::Done { .. }) => BoxState::Done,
                Some(StepState::Skipped { .. }) => BoxState::Skipped,
                Some(StepState::Open { .. }) if case.status.is_open() => BoxState::Open,
                Some(StepState::Open { .. }) => BoxState::NotReached,
                None if path.contains(&s.id) => BoxState::NotReached,
                None => BoxState::OffPath,
            };
            (s.id.clone(), state)
        })
        .collect()
}

/// The chart's words and the alt text for one case, in `tr`'s language.
pub fn render(scope: Scope<'_>, case: &Case, tr: Tr<'_>) -> ChartText {
    let tr = tr.own();
    let process = scope.process;
    let states = states(scope, case);
    let open: Vec<&flow::Step> = process
        .ordered(case.open_steps())
        .into_iter()
        .filter_map(|id| process.step(id))
        .filter(|_| case.status.is_open())
        .collect();
    let phase_line = match (&case.status, open.first()) {
        (CaseStatus::Completed { at }, _) => {
            tr.args("chart-completed", &[("when", tr.when(*at).as_str().into())])
        }
        (CaseStatus::Closed { at, .. }, _) => {
            tr.args("chart-closed", &[("when", tr.when(*at).as_str().into())])
        }
        (CaseStatus::Open, first) => {
            let phase = first.map_or(0, |s| process.phase_index(&s.phase));
            let name = process
                .phases
                .get(phase)
                .map(|p| tr.t(&flow::texts::ids::phase(p)))
                .unwrap_or_default();
            tr.args(
                "chart-phase",
                &[
                    ("n", (phase + 1).into()),
                    ("total", process.phases.len().into()),
                    ("phase", name.as_str().into()),
                ],
            )
        }
    };
    let boxes = process
        .steps()
        .iter()
        .map(|s| {
            let state = states.get(&s.id).copied().unwrap_or(BoxState::OffPath);
            let asked = (state == BoxState::Open).then(|| {
                tr.args(
                    "chart-asked",
                    &[("who", tr.roles(&s.roles).as_str().into())],
                )
            });
            let title = tr.t(&flow::texts::ids::step_title(&s.id));
            (
                s.id.clone(),
                ChartBox {
                    title,
                    state,
                    asked,
                },
            )
        })
        .collect();
    let legend = BoxState::ALL
        .iter()
        .map(|st| {
            let key = match st {
                BoxState::Open => "open",
                BoxState::Done => "done",
                BoxState::Skipped => "skipped",
                BoxState::NotReached => "not_reached",
                BoxState::OffPath => "off_path",
            };
            (*st, tr.t(&format!("chart-legend-{key}")))
        })
        .collect();
    let chart = CaseChart {
        title: tr.args(
            "chart-title",
            &[
                ("case", case.id.0.into()),
                ("title", case.title.as_str().into()),
                ("unit", case.unit.as_str().into()),
            ],
        ),
        phase_line: phase_line.clone(),
        phases: process
            .phases
            .iter()
            .map(|p| tr.t(&flow::texts::ids::phase(p)))
            .collect(),
        boxes,
        legend,
    };
    let open_text = if open.is_empty() {
        tr.t("chart-alt-none")
    } else {
        open.iter()
            .map(|s| {
                tr.args(
                    "chart-alt-open",
                    &[
                        (
                            "step",
                            tr.t(&flow::texts::ids::step_title(&s.id)).as_str().into(),
                        ),
                        ("who", tr.roles(&s.roles).as_str().into()),
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (done, total) = super::card::progress(scope, case);
    let alt = tr.args(
        "chart-alt",
        &[
            ("case", case.id.0.into()),
            ("phase", phase_line.as_str().into()),
            ("open", open_text.as_str().into()),
            ("done", done.into()),
            ("total", total.into()),
        ],
    );
    ChartText {
        chart,
        alt: crate::i18n::clip(&alt, ALT_MAX),
    }
}
