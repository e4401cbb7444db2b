//! What a reminder says: one line per reminder, several merged into one message for one place,
//! and the buttons under it. Pure: the case, the reminder and the time in, text out. Shared
//! places read the guild's shared language.
//!
//! The buttons: only those that can work for the step's kind, asked of the engine
//! (`flow::engine::permitted`) for the people the message goes to.
//!
//! - A step its people simply mark done (a task, a "ved behov" step, a system step, the union
//!   gate): *Utført* completes it through the engine, as the card's button does (card,
//!   history and reminders follow), and *Minn meg på i morgen* queues a copy of the reminder
//!   for 08:00 on the next working day.
//! - Any other step (a choice such as *Vurderer behov* or the answer to an offer, an approval,
//!   a date, naming candidates, or a task that cannot be done yet): *Åpne saken*, a link
//!   straight to the case card, and the snooze. A busy manager on a phone wants one tap to
//!   the place where the decision can be made, with the step's guide, the candidates and the
//!   buttons the card offers; a choice made blind in a DM sends the case down a branch, and a
//!   reason or a date needs a form that Discord opens only in the guild. Offering *Utført*
//!   there would only answer "this step cannot be marked done".
//!
//! What a press on them does: `crate::interactions::reminder_buttons`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use flow::engine::{permitted, Permit};
use flow::{
    Actor, Case, CaseId, PersonId, PersonRef, Process, ReminderKind, ReminderSettings, StepId,
    Target,
};
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};
use storage::ClaimedReminder;

use crate::custom_id::{ComponentId, Verb};
use crate::i18n::{clip, escape, Tr, CONTENT_MAX, LABEL_MAX, ROWS_MAX};

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
        (ReminderKind::Onboarding, _) => "reminder-onboarding",
        (ReminderKind::LegalSoon, _) => "reminder-legal-soon",
        (ReminderKind::LegalOverdue, _) => "reminder-legal-overdue",
        (ReminderKind::Stalled, _) => "reminder-stalled",
        (ReminderKind::StalledEscalation, _) => "reminder-stalled-escalation",
        (ReminderKind::PurgeNotice, _) => "reminder-purge-notice",
        // A journey's are worded by `crate::render::journey::reminder_line`.
        (ReminderKind::JourneyItem, _) => "reminder-journey-item",
        (ReminderKind::ProbationSummary, _) => "reminder-journey-summary",
        (ReminderKind::ProbationEscalation, _) => "reminder-journey-escalation",
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

/// A reminder someone can act on, and what its message offers for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub reminder: i64,
    pub case: CaseId,
    pub step: StepId,
    /// A nudge about a stalled step (the buttons prefer a reminder about a deadline).
    pub nudge: bool,
    /// *Utført* can work: those the message goes to may mark the step done now.
    pub complete: bool,
    /// Where the case card is, for *Åpne saken*.
    pub link: Option<String>,
}

impl Offer {
    /// What a reminder about `step` of `case` offers at `now`, for the people it goes to: the
    /// case's manager in a DM (`to_manager`), else whoever holds the step's roles.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        process: &Process,
        case: &Case,
        reminder: i64,
        step: &StepId,
        nudge: bool,
        to_manager: bool,
        link: Option<String>,
        now: DateTime<Utc>,
    ) -> Offer {
        let actor = if to_manager {
            // A press in a DM carries no guild roles: the manager by ownership alone.
            Actor {
                person: case.owner.clone(),
                roles: Default::default(),
            }
        } else {
            Actor {
                person: PersonRef {
                    id: PersonId(0),
                    name: String::new(),
                },
                roles: process
                    .step(step)
                    .map(|s| s.roles.iter().copied().collect())
                    .unwrap_or_default(),
            }
        };
        let complete =
            permitted(process, case, &actor, step, now).is_ok_and(|p| p.allows(&Permit::Complete));
        Offer {
            reminder,
            case: case.id,
            step: step.clone(),
            nudge,
            complete,
            link,
        }
    }
}

/// The link to a case's card (else its thread) for *Åpne saken*.
pub fn card_link(guild: u64, thread: Option<u64>, card: Option<u64>) -> Option<String> {
    let thread = thread?;
    Some(match card {
        Some(message) => format!("https://discord.com/channels/{guild}/{thread}/{message}"),
        None => format!("https://discord.com/channels/{guild}/{thread}"),
    })
}

/// The buttons for the reminders of one message that someone can act on: a row per step (at
/// most [`ROWS_MAX`], Discord's limit), titled with the step when there are several. Of
/// several reminders about one step, the buttons act on the one about its deadline, not the
/// nudge.
pub fn rows(tr: Tr<'_>, offers: &[Offer]) -> Vec<CreateActionRow> {
    let mut offers = offers.to_vec();
    offers.sort_by_key(|o| (o.nudge, o.reminder));
    let mut seen = std::collections::BTreeSet::new();
    offers.retain(|o| seen.insert((o.case, o.step.clone())));
    let titled = offers.len() > 1;
    offers
        .iter()
        .take(ROWS_MAX)
        .map(|o| {
            let label = |text_id: &str| {
                let plain = tr.t(text_id);
                if titled {
                    clip(&format!("{plain}: {}", tr.step(&o.step)), LABEL_MAX)
                } else {
                    plain
                }
            };
            let custom = |verb| {
                ComponentId::Press {
                    verb,
                    case: o.case,
                    step: o.step.clone(),
                }
                .to_string()
            };
            let mut buttons = Vec::new();
            if o.complete {
                buttons.push(
                    CreateButton::new(custom(Verb::ReminderDone(o.reminder)))
                        .label(label("btn-reminder-done"))
                        .style(ButtonStyle::Success),
                );
            } else if let Some(url) = &o.link {
                buttons.push(CreateButton::new_link(url).label(label("btn-reminder-open")));
            }
            buttons.push(
                CreateButton::new(custom(Verb::Snooze(o.reminder)))
                    .label(label("btn-reminder-snooze"))
                    .style(ButtonStyle::Secondary),
            );
            CreateActionRow::Buttons(buttons)
        })
        .collect()
}
