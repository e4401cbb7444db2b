//! The onboarding checklist: which step brings it, its items, and its message (a line per
//! item with who, due date and whether it is ticked; a button to tick each open one).

use flow::{Case, Process, Role, StepId, StepState, Texts};
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};
use storage::GuildSettings;

use crate::custom_id::{ComponentId, Verb};
use crate::guild;
use crate::i18n::{clip, escape, Tr, CONTENT_MAX, LABEL_MAX, ROWS_MAX};

/// The step whose completion brings the checklist.
pub const AFTER: &str = "kandidat_til_hr";
/// The phases whose steps are the checklist's items.
pub const PHASES: [&str; 2] = ["arbeidsavtale", "mottak"];

/// The items: the steps of the two phases, in the chart's order.
pub fn items(process: &Process) -> Vec<StepId> {
    process
        .steps()
        .iter()
        .filter(|s| PHASES.contains(&s.phase.as_str()))
        .map(|s| s.id.clone())
        .collect()
}

/// The checklist's text and buttons for the case as it is now, in the guild's shared
/// language; `thread` is the case's thread, linked from the heading.
pub fn message(
    process: &Process,
    texts: &Texts,
    settings: &GuildSettings,
    case: &Case,
    thread: Option<u64>,
) -> (String, Vec<CreateActionRow>) {
    let tr = Tr::shared(texts, settings);
    let rs = guild::reminder_settings(settings);
    let deadlines = flow::deadlines(process, case, &rs.deadlines);
    let start = case.dates.startdato.map(|d| tr.date(d)).unwrap_or_default();
    let link = thread.map(|t| format!("<#{t}>")).unwrap_or_default();
    let mut lines = vec![tr.args(
        "checklist-heading",
        &[
            ("case", case.id.0.into()),
            ("title", escape(case.title.as_str()).as_str().into()),
            ("start", start.as_str().into()),
            ("thread", link.as_str().into()),
        ],
    )];
    let mut buttons = Vec::new();
    for id in items(process) {
        let Some(step) = process.step(&id) else {
            continue;
        };
        let who: Vec<String> = step
            .roles
            .iter()
            .map(|r| match r {
                Role::Manager => escape(&case.owner.name),
                other => tr.role(*other),
            })
            .collect();
        let due = deadlines
            .iter()
            .find(|d| d.step == id)
            .map(|d| {
                tr.args(
                    "checklist-due",
                    &[("date", tr.date(d.date).as_str().into())],
                )
            })
            .unwrap_or_default();
        let state = match case.steps.get(&id) {
            Some(StepState::Done { by, at, .. } | StepState::Skipped { by, at, .. }) => tr.args(
                "checklist-ticked",
                &[
                    ("who", escape(&by.name).as_str().into()),
                    ("when", tr.when(*at).as_str().into()),
                ],
            ),
            _ => String::new(),
        };
        let mark = if case.steps.get(&id).is_some_and(StepState::is_finished) {
            "☑"
        } else {
            "☐"
        };
        lines.push(format!(
            "{mark} **{}** · {}{due}{state}",
            tr.step(&id),
            who.join(", ")
        ));
        if case.is_step_open(&id) && buttons.len() < ROWS_MAX * ROWS_MAX {
            let custom = ComponentId::Press {
                verb: Verb::Tick,
                case: case.id,
                step: id.clone(),
            };
            buttons.push(
                CreateButton::new(custom.to_string())
                    .label(clip(&format!("✓ {}", tr.step(&id)), LABEL_MAX))
                    .style(ButtonStyle::Secondary),
            );
        }
    }
    let rows = buttons
        .chunks(ROWS_MAX)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect();
    (clip(&lines.join("\n"), CONTENT_MAX), rows)
}
