//! One line per history event, as posted in the case thread and shown by `historikk`.

use flow::{DateKey, Event, EventKind, Role};

use crate::i18n::{escape, Tr};

/// The line for one event, in the reader's language; names and reasons are escaped.
pub fn event_line(event: &Event, tr: Tr<'_>) -> String {
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
    let detail = match (event.kind, event.detail.as_deref()) {
        (EventKind::DateSet, Some(d)) => date_detail(d, tr),
        (EventKind::StepConfirmed, Some(r)) => {
            Role::parse(r).map(|r| tr.role(r)).unwrap_or_default()
        }
        (_, Some(d)) => escape(d),
        (_, None) => String::new(),
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
