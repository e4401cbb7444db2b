//! The case card: an embed that shows where a case stands and what can be done next, by whom,
//! with the buttons allowed for each open step.

use flow::process::Step;
use flow::{CandidateAnswer, Case, CaseStatus, DateKey, Role, StepKind, StepState};
use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::Scope;
use crate::custom_id::{ComponentId, Verb};
use crate::i18n::{
    clip, escape, Tr, FIELD_MAX, LABEL_MAX, OPTION_MAX, ROWS_MAX, SELECT_PLACEHOLDER_MAX, TITLE_MAX,
};

/// Rows for the steps: Discord allows [`ROWS_MAX`]; one is kept for the help button.
const STEP_ROWS: usize = ROWS_MAX - 1;

/// The parts of the card message.
pub struct Card {
    pub embed: CreateEmbed,
    pub rows: Vec<CreateActionRow>,
}

/// Renders the card in one language.
pub fn render(scope: Scope<'_>, case: &Case, tr: Tr<'_>) -> Card {
    let open: Vec<&Step> = scope
        .process
        .ordered(case.open_steps())
        .into_iter()
        .filter_map(|id| scope.process.step(id))
        .collect();
    let mut embed = CreateEmbed::new()
        .title(clip(&format!("{} – {}", case.title, case.unit), TITLE_MAX))
        .description(description(scope, case, tr, open.first().copied()))
        .colour(colour(case))
        .footer(CreateEmbedFooter::new(tr.args(
            "card-footer",
            &[("case", case.id.0.into()), ("version", case.version.into())],
        )));
    for step in &open {
        embed = embed.field(
            clip(&format!("▶ {}", tr.step(&step.id)), TITLE_MAX),
            clip(&step_text(scope, case, step, tr), FIELD_MAX),
            false,
        );
    }
    if let Some(list) = candidate_list(case, tr) {
        embed = embed.field(tr.t("card-candidates"), clip(&list, FIELD_MAX), false);
    }
    let rows = if case.status.is_open() {
        rows(case, &open, tr)
    } else {
        Vec::new()
    };
    Card { embed, rows }
}

fn colour(case: &Case) -> Colour {
    match case.status {
        CaseStatus::Open => Colour::from_rgb(0x2a, 0x2f, 0x87),
        CaseStatus::Completed { .. } => Colour::from_rgb(0x03, 0x4b, 0x45),
        CaseStatus::Closed { .. } => Colour::from_rgb(0x6f, 0x6f, 0x6f),
    }
}

/// How far the case is: the finished steps (skipped ones included) of the steps on its path.
/// A case that ended without a new hire after four steps is 4 of 4, not 4 of the chart's 38.
pub fn progress(scope: Scope<'_>, case: &Case) -> (usize, usize) {
    let path = scope.process.steps_on_path(case);
    let done = case
        .steps
        .iter()
        .filter(|(id, s)| s.is_finished() && path.contains(*id))
        .count();
    (done, path.len())
}

/// Phase, progress bar, the deputy and the case's dates.
fn description(scope: Scope<'_>, case: &Case, tr: Tr<'_>, first: Option<&Step>) -> String {
    let (done, total) = progress(scope, case);
    let filled = (done * 10 + total / 2) / total.max(1);
    let bar = format!("{}{}", "▰".repeat(filled), "▱".repeat(10 - filled));
    let mut lines = Vec::new();
    match (&case.status, first) {
        (CaseStatus::Open, Some(step)) => {
            let phases = scope.process.phases.len();
            let n = scope.process.phase_index(&step.phase) + 1;
            let phase = tr.t(&flow::texts::ids::phase(&step.phase));
            lines.push(tr.args(
                "card-phase",
                &[
                    ("n", n.into()),
                    ("total", phases.into()),
                    ("phase", phase.as_str().into()),
                ],
            ));
        }
        (CaseStatus::Completed { at }, _) => {
            lines.push(tr.args("card-completed", &[("when", tr.when(*at).as_str().into())]));
        }
        (CaseStatus::Closed { at, by, reason }, _) => {
            lines.push(tr.args(
                "card-closed",
                &[
                    ("when", tr.when(*at).as_str().into()),
                    ("by", escape(&by.name).as_str().into()),
                    ("reason", escape(reason.as_str()).as_str().into()),
                ],
            ));
        }
        _ => {}
    }
    lines.push(tr.args(
        "card-progress",
        &[
            ("bar", bar.as_str().into()),
            ("done", done.into()),
            ("total", total.into()),
        ],
    ));
    if let Some(deputy) = &case.deputy {
        lines.push(format!("{}: <@{}>", tr.t("card-deputy"), deputy.id.0));
    }
    for key in DateKey::ALL {
        if let Some(d) = case.dates.get(key) {
            lines.push(format!("{}: **{}**", tr.date_name(key), tr.date(d)));
        }
    }
    if let Some(note) = &case.note {
        lines.push(format!("> {}", escape(note.as_str())));
    }
    lines.join("\n")
}

/// What to do, where, who, and by when, for one open step.
fn step_text(scope: Scope<'_>, case: &Case, step: &Step, tr: Tr<'_>) -> String {
    let mut text = tr.t(&flow::texts::ids::step_guide(&step.id));
    if let Some(system) = &step.system {
        text.push_str(&format!(
            "\n{}: {}",
            tr.t("card-where"),
            tr.t(&flow::texts::ids::system(system))
        ));
    }
    if let Some(link) = scope
        .process
        .docs_key(step)
        .and_then(|k| scope.guild.links.get(k))
    {
        text.push_str(&format!("\n[{}]({link})", tr.t("card-docs")));
    }
    text.push_str(&format!(
        "\n{}: {}",
        tr.t("card-responsible"),
        responsible(scope, case, &step.roles, tr)
    ));
    if let Some(StepState::Open { confirmed, .. }) = case.steps.get(&step.id) {
        for (role, by) in confirmed {
            text.push_str(&format!(
                "\n✓ {}",
                tr.args(
                    "card-confirmed",
                    &[
                        ("role", tr.role(*role).as_str().into()),
                        ("by", escape(&by.name).as_str().into())
                    ]
                )
            ));
        }
    }
    if let Some(rule) = &step.deadline {
        if let Some(anchor) = flow::deadlines::anchor_date(case, rule.anchor) {
            let due = flow::deadlines::add_days(anchor, rule.days);
            text.push_str(&format!("\n{}: **{}**", tr.t("card-due"), tr.date(due)));
        }
    }
    text
}

/// The people responsible, as mentions: the case owner for the manager's part, the
/// configured Discord role for the others, the role's name where none is configured.
pub fn responsible(scope: Scope<'_>, case: &Case, roles: &[Role], tr: Tr<'_>) -> String {
    roles
        .iter()
        .map(|role| match (role, scope.guild.roles.get(role)) {
            (Role::Manager, _) => format!("<@{}>", case.owner.id.0),
            (_, Some(id)) => format!("<@&{id}>"),
            (_, None) => tr.role(*role),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn candidate_list(case: &Case, tr: Tr<'_>) -> Option<String> {
    if case.candidates.is_empty() || !case.status.is_open() {
        return None;
    }
    let lines: Vec<String> = case
        .candidates
        .iter()
        .map(|c| {
            let answer = tr.t(&format!("answer-{}", c.answer.as_str()));
            let mark = match c.answer {
                CandidateAnswer::Accepted => "✅",
                CandidateAnswer::Declined => "✖",
                CandidateAnswer::Offered => "📞",
                CandidateAnswer::Waiting => "•",
            };
            format!("{mark} {}. {} – {answer}", c.rank, escape(c.name.as_str()))
        })
        .collect();
    Some(lines.join("\n"))
}

/// The buttons: a row per open step while there is room, a select for the rest, and help.
fn rows(case: &Case, open: &[&Step], tr: Tr<'_>) -> Vec<CreateActionRow> {
    let several = open.len() > 1;
    let room = if open.len() > STEP_ROWS {
        STEP_ROWS - 1
    } else {
        STEP_ROWS
    };
    let mut rows: Vec<CreateActionRow> = open
        .iter()
        .take(room)
        .map(|step| CreateActionRow::Buttons(step_buttons(case, step, tr, several)))
        .collect();
    let rest = &open[open.len().min(room)..];
    if !rest.is_empty() {
        let options = rest
            .iter()
            .map(|s| CreateSelectMenuOption::new(clip(&tr.step(&s.id), OPTION_MAX), s.id.as_str()))
            .collect();
        let id = ComponentId::Press {
            verb: Verb::MoreSteps,
            case: case.id,
            step: rest[0].id.clone(),
        };
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(id.to_string(), CreateSelectMenuKind::String { options })
                .placeholder(clip(&tr.t("card-more-steps"), SELECT_PLACEHOLDER_MAX)),
        ));
    }
    if let Some(first) = open.first() {
        let help = ComponentId::Press {
            verb: Verb::Help,
            case: case.id,
            step: first.id.clone(),
        };
        let chart = ComponentId::Press {
            verb: Verb::Chart,
            case: case.id,
            step: first.id.clone(),
        };
        rows.push(CreateActionRow::Buttons(vec![
            CreateButton::new(help.to_string())
                .label(tr.t("btn-help"))
                .style(ButtonStyle::Secondary),
            CreateButton::new(chart.to_string())
                .label(clip(&tr.t("btn-chart"), LABEL_MAX))
                .style(ButtonStyle::Secondary),
        ]));
    }
    rows
}

/// The buttons allowed for one step. With several steps open, each label names its step.
pub fn step_buttons(case: &Case, step: &Step, tr: Tr<'_>, name_step: bool) -> Vec<CreateButton> {
    let title = tr.step(&step.id);
    let label = |text: String| {
        if name_step {
            clip(&format!("{text}: {title}"), LABEL_MAX)
        } else {
            clip(&text, LABEL_MAX)
        }
    };
    let button = |verb: Verb, text: String, style: ButtonStyle| {
        let id = ComponentId::Press {
            verb,
            case: case.id,
            step: step.id.clone(),
        };
        CreateButton::new(id.to_string())
            .label(label(text))
            .style(style)
    };
    let mut out = Vec::new();
    match step.kind {
        StepKind::Choice if step.records_answer => {
            for (verb, o) in [(Verb::Accept, "ja"), (Verb::Decline, "nei")] {
                if step.outcome(&flow::OutcomeId::new(o)).is_some() {
                    let text = tr.t(&flow::texts::ids::outcome(
                        &step.id,
                        &flow::OutcomeId::new(o),
                    ));
                    out.push(button(verb, text, ButtonStyle::Primary));
                }
            }
        }
        StepKind::Choice => {
            for o in &step.outcomes {
                let text = tr.t(&flow::texts::ids::outcome(&step.id, &o.id));
                out.push(button(
                    Verb::Choose(o.id.clone()),
                    text,
                    ButtonStyle::Primary,
                ));
            }
        }
        StepKind::Approval => {
            out.push(button(
                Verb::Approve,
                tr.t("btn-approve"),
                ButtonStyle::Success,
            ));
            out.push(button(
                Verb::Reject,
                tr.t("btn-reject"),
                ButtonStyle::Danger,
            ));
        }
        StepKind::Date => {
            let key = step.date.unwrap_or(DateKey::Startdato);
            out.push(button(
                Verb::Date(key),
                tr.t(&format!("btn-date-{key}")),
                ButtonStyle::Primary,
            ));
        }
        StepKind::Task | StepKind::IfNeeded | StepKind::System => {
            if step.names_candidates {
                out.push(button(
                    Verb::Candidates,
                    tr.t("btn-candidates"),
                    ButtonStyle::Secondary,
                ));
            }
            let done = if step.all_roles {
                "btn-agree"
            } else {
                "btn-done"
            };
            out.push(button(Verb::Done, tr.t(done), ButtonStyle::Success));
            let required = step.required_when.iter().any(|m| case.marks.contains(m));
            if step.kind == StepKind::IfNeeded && !required {
                out.push(button(Verb::Skip, tr.t("btn-skip"), ButtonStyle::Secondary));
            }
        }
    }
    out
}
