//! One line per history event, as posted in the case thread and shown by `historikk`.

use flow::{DateKey, Event, EventKind, Process, Role, StepId};

use crate::i18n::{escape, Tr};

/// The lines of one change, as its thread line tells it: a line per event worth telling. A
/// step gone back to also names what going back undid (the steps the same change withdrew).
pub fn change_lines(process: &Process, events: &[Event], tr: Tr<'_>) -> Vec<String> {
    let mut undone: Vec<StepId> = events
        .iter()
        .filter(|e| e.kind == EventKind::StepWithdrawn)
        .filter_map(|e| e.step.clone())
        .collect();
    undone.sort_by_key(|s| process.order(s));
    events
        .iter()
        .filter(|e| worth_posting(e))
        .map(|e| match (e.kind, e.detail.as_deref()) {
            (EventKind::StepReopened, Some(reason)) => {
                let detail = tr.args(
                    "line-reopened-detail",
                    &[
                        ("reason", escape(reason).as_str().into()),
                        ("undone", undone_text(tr, &undone).as_str().into()),
                    ],
                );
                line_with_detail(e, detail, tr)
            }
            _ => event_line(e, tr),
        })
        .collect()
}

/// "N steps after it must be done again: «A», «B»", in `tr`'s words.
pub fn undone_text(tr: Tr<'_>, undone: &[StepId]) -> String {
    let names: Vec<String> = undone
        .iter()
        .map(|s| tr.args("quoted", &[("text", tr.step(s).as_str().into())]))
        .collect();
    tr.args(
        "reopen-undone",
        &[
            ("count", undone.len().into()),
            ("steps", names.join(", ").as_str().into()),
        ],
    )
}

/// The line for one event, in the reader's language; names and reasons are escaped.
pub fn event_line(event: &Event, tr: Tr<'_>) -> String {
    let detail = match (event.kind, event.detail.as_deref()) {
        (EventKind::DateSet, Some(d)) => date_detail(d, tr),
        (EventKind::StepConfirmed, Some(r)) => {
            Role::parse(r).map(|r| tr.role(r)).unwrap_or_default()
        }
        (_, Some(d)) => escape(d),
        (_, None) => String::new(),
    };
    line_with_detail(event, detail, tr)
}

/// The line for one event with its detail as given (already safe to show).
fn line_with_detail(event: &Event, detail: String, tr: Tr<'_>) -> String {
    let mut who = event
        .actor
        .as_ref()
        .map(|p| escape(&p.name))
        .unwrap_or_default();
    if let (Some(manager), false) = (&event.on_behalf, who.is_empty()) {
        // Someone else did the manager's part for them: "Hanne HR (på vegne av Lise Leder)".
        who = tr.args(
            "event-on-behalf",
            &[
                ("who", who.as_str().into()),
                ("manager", escape(&manager.name).as_str().into()),
            ],
        );
    }
    let step = event.step.as_ref().map(|s| tr.step(s)).unwrap_or_default();
    let outcome = match (&event.step, &event.outcome) {
        (Some(s), Some(o)) => tr.named(&flow::texts::ids::outcome(s, o)),
        _ => String::new(),
    };
    tr.args(
        &format!("event-{}", event.kind.as_str()),
        &[
            ("who", who.as_str().into()),
            ("step", step.as_str().into()),
            ("outcome", outcome.as_str().into()),
            ("detail", detail.as_str().into()),
        ],
    )
}

/// `startdato=2027-04-01` as `Startdato 01.04.2027`.
fn date_detail(detail: &str, tr: Tr<'_>) -> String {
    let Some((key, date)) = detail.split_once('=') else {
        return escape(detail);
    };
    match (DateKey::parse(key), date.parse::<chrono::NaiveDate>()) {
        (Some(key), Ok(date)) => format!("{} {}", tr.date_name(key), tr.date(date)),
        _ => escape(detail),
    }
}

/// The events worth a line in the thread: people's actions and the case's milestones, not
/// the bookkeeping of steps opening (the card shows those).
pub fn worth_posting(event: &Event) -> bool {
    !matches!(event.kind, EventKind::StepOpened | EventKind::StepWithdrawn)
}
