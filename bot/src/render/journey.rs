//! The new hire's onboarding journey as messages: the checklist in its private thread (items
//! grouped by when, each with who and by when, who ticked it; a progress bar; a button per open
//! item and the probation decision's), a person's own items in their language, a journey
//! reminder's line, the template as `/oppsett vis` shows it, and why a tick was refused. Pure:
//! the journey and the case in, text and buttons out.

use chrono::{DateTime, NaiveDate, Utc};
use flow::journey::{
    group_of, Decision, Item, Journey, JourneyError, JourneyRefusal, Owner, Template, When,
};
use flow::{Case, CaseId, PersonRef, ReminderKind, StepId};
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed};
use storage::ClaimedReminder;

use crate::custom_id::{ComponentId, Verb};
use crate::i18n::{clip, escape, Tr, CONTENT_MAX, LABEL_MAX, ROWS_MAX};

/// Discord's limit on an embed's description.
const DESCRIPTION_MAX: usize = 4096;
/// Rows of item buttons; the last row holds *Min liste* and the decision.
const ITEM_ROWS: usize = ROWS_MAX - 1;

/// An item's title: the server's own words for an item it added, else the Fluent text.
pub fn title(tr: Tr<'_>, item: &Item) -> String {
    match &item.title {
        Some(t) => escape(t),
        None => tr.t(&item.text_id()),
    }
}

pub fn owner(tr: Tr<'_>, owner: Owner) -> String {
    tr.t(&format!("journey-owner-{}", owner.as_str()))
}

/// A bar of ten for `done` of `total`.
pub fn bar(done: usize, total: usize) -> String {
    let filled = (done * 10).checked_div(total).unwrap_or(0);
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

fn progress(tr: Tr<'_>, j: &Journey) -> String {
    let (done, total) = j.progress();
    tr.args(
        "journey-progress",
        &[
            ("bar", bar(done, total).as_str().into()),
            ("done", (done as i64).into()),
            ("total", (total as i64).into()),
        ],
    )
}

/// A person of the journey: mentioned, or named once the purge has erased who it was (id 0,
/// "slettet"), so a purged checklist mentions nobody.
fn who(p: &PersonRef) -> String {
    if p.id.0 == 0 {
        escape(&p.name)
    } else {
        format!("<@{}>", p.id.0)
    }
}

/// The heading: whose journey, the case, the people, the end of probation, the progress.
pub fn heading(tr: Tr<'_>, j: &Journey, case: &Case) -> String {
    let buddy = j
        .buddy
        .as_ref()
        .map(who)
        .unwrap_or_else(|| tr.t("journey-no-buddy"));
    let mut out = vec![
        tr.args(
            "journey-heading",
            &[
                ("new_hire", who(&j.new_hire).as_str().into()),
                ("case", case.id.0.into()),
                ("title", escape(case.title.as_str()).as_str().into()),
            ],
        ),
        tr.args(
            "journey-people",
            &[
                ("manager", who(case.reminded_manager()).as_str().into()),
                ("buddy", buddy.as_str().into()),
                ("end", tr.date(j.probation_end()).as_str().into()),
            ],
        ),
        progress(tr, j),
    ];
    if let Some(c) = &j.closed {
        let id = match c.decision {
            Decision::Continues => "journey-closed-continues",
            Decision::DismissedInTime => "journey-closed-dismissed",
        };
        out.push(tr.args(
            id,
            &[(
                "when",
                tr.date(flow::engine::oslo_today(c.at)).as_str().into(),
            )],
        ));
    }
    clip(&out.join("\n"), CONTENT_MAX)
}

/// One item's line.
fn item_line(tr: Tr<'_>, j: &Journey, item: &Item) -> String {
    let mark = if j.is_done(item) { "☑" } else { "☐" };
    let mut line = tr.args(
        "journey-item-line",
        &[
            ("mark", mark.into()),
            ("item", title(tr, item).as_str().into()),
            ("owner", owner(tr, item.owner).as_str().into()),
            ("due", tr.date(j.due(item)).as_str().into()),
        ],
    );
    if let Some(t) = j.done.get(&item.id) {
        line.push(' ');
        line.push_str(&tr.args(
            "journey-item-ticked",
            &[
                ("who", escape(&t.by.name).as_str().into()),
                (
                    "when",
                    tr.date(flow::engine::oslo_today(t.at)).as_str().into(),
                ),
            ],
        ));
    }
    line
}

/// The items grouped by when (before the first day, the first day, week, month, probation),
/// in the template's order within a group; `only` keeps the items it says yes to.
pub fn groups(tr: Tr<'_>, j: &Journey, only: impl Fn(&Item) -> bool) -> String {
    let mut items: Vec<&Item> = j.template.items.iter().filter(|i| only(i)).collect();
    items.sort_by_key(|i| group_of(i));
    let mut out = Vec::new();
    let mut last = None;
    for item in items {
        let group = group_of(item);
        if last != Some(group) {
            out.push(format!(
                "**{}**",
                tr.t(&format!("journey-group-{}", group.as_str()))
            ));
            last = Some(group);
        }
        out.push(item_line(tr, j, item));
    }
    out.join("\n")
}

/// The checklist in the thread, in the server's shared language: the heading as content, the
/// items in an embed (room for a long journey), and the buttons.
pub fn checklist(
    tr: Tr<'_>,
    j: &Journey,
    case: &Case,
) -> (String, CreateEmbed, Vec<CreateActionRow>) {
    let embed = CreateEmbed::new().description(clip(&groups(tr, j, |_| true), DESCRIPTION_MAX));
    (heading(tr, j, case), embed, buttons(tr, j))
}

fn press(verb: Verb, j: &Journey, item: &str) -> String {
    ComponentId::Press {
        verb,
        case: j.case,
        step: StepId::new(item),
    }
    .to_string()
}

/// A tick button per open item (the earliest due first, as many as fit), then *Min liste* and
/// the decision's two buttons; none once the journey is closed.
pub fn buttons(tr: Tr<'_>, j: &Journey) -> Vec<CreateActionRow> {
    if j.closed.is_some() {
        return Vec::new();
    }
    let mut open: Vec<&Item> = j
        .template
        .items
        .iter()
        .filter(|i| !i.decision && !j.is_done(i))
        .collect();
    open.sort_by_key(|i| j.due(i));
    let ticks: Vec<CreateButton> = open
        .iter()
        .take(ITEM_ROWS * ROWS_MAX)
        .map(|i| {
            CreateButton::new(press(Verb::JourneyTick, j, &i.id))
                .label(clip(&format!("✓ {}", title(tr, i)), LABEL_MAX))
                .style(ButtonStyle::Secondary)
        })
        .collect();
    let mut rows: Vec<CreateActionRow> = ticks
        .chunks(ROWS_MAX)
        .map(|r| CreateActionRow::Buttons(r.to_vec()))
        .collect();
    let decision = j
        .template
        .decision()
        .map(|d| d.id.clone())
        .unwrap_or_default();
    rows.push(CreateActionRow::Buttons(vec![
        CreateButton::new(press(Verb::JourneyMine, j, &decision))
            .label(clip(&tr.t("btn-journey-mine"), LABEL_MAX))
            .style(ButtonStyle::Primary),
        CreateButton::new(press(
            Verb::JourneyDecide(Decision::Continues),
            j,
            &decision,
        ))
        .label(clip(&tr.t("btn-journey-continues"), LABEL_MAX))
        .style(ButtonStyle::Success),
        CreateButton::new(press(
            Verb::JourneyDecide(Decision::DismissedInTime),
            j,
            &decision,
        ))
        .label(clip(&tr.t("btn-journey-dismissed"), LABEL_MAX))
        .style(ButtonStyle::Danger),
    ]));
    rows
}

/// The items that are the person's own (as the new hire, the buddy, or the manager of the
/// case), in their own language.
pub fn own_items(tr: Tr<'_>, j: &Journey, case: &Case, person: u64) -> String {
    let is_manager = case.is_manager(flow::PersonId(person));
    let mine = |i: &Item| match i.owner {
        Owner::NewHire => j.new_hire.id.0 == person,
        Owner::Buddy => match &j.buddy {
            Some(b) => b.id.0 == person,
            None => is_manager,
        },
        Owner::Manager => is_manager,
        Owner::Hr => false,
    };
    format!(
        "{}\n{}\n{}",
        heading(tr, j, case),
        tr.t("mine-journey-heading"),
        groups(tr, j, mine)
    )
}

/// Why a tick or a decision was refused, in the presser's language.
pub fn refusal(tr: Tr<'_>, r: &JourneyRefusal) -> String {
    match r {
        JourneyRefusal::UnknownItem => tr.t("refusal-journey-unknown"),
        JourneyRefusal::NotYours(o) => tr.args(
            "refusal-journey-not-yours",
            &[("owner", owner(tr, *o).as_str().into())],
        ),
        JourneyRefusal::AlreadyDone(_) => tr.t("refusal-journey-done"),
        JourneyRefusal::Closed => tr.t("refusal-journey-closed"),
        JourneyRefusal::IsDecision => tr.t("refusal-journey-decision"),
        JourneyRefusal::NotManager => tr.t("refusal-journey-not-manager"),
    }
}

/// Why a server's change of its journey was refused: the item and the fault, in the reader's
/// language.
pub fn template_refusal(tr: Tr<'_>, e: &JourneyError) -> String {
    let (key, n, count, detail) = e.fault.parts();
    let fault = tr.args(
        &format!("journey-fault-{key}"),
        &[
            ("n", n.into()),
            ("count", count.into()),
            ("detail", escape(&detail).as_str().into()),
        ],
    );
    match &e.item {
        Some(item) => tr.args(
            "refusal-journey-template",
            &[
                // Shown as code: what was typed, with no way out of it.
                ("item", item.replace('`', "'").as_str().into()),
                ("fault", fault.as_str().into()),
            ],
        ),
        None => tr.args(
            "refusal-journey-template-none",
            &[("fault", fault.as_str().into())],
        ),
    }
}

/// A journey reminder as one line, in the shared language of the place it goes to.
pub fn reminder_line(
    tr: Tr<'_>,
    case: &Case,
    j: &Journey,
    thread: Option<u64>,
    r: &ClaimedReminder,
    now: DateTime<Utc>,
) -> String {
    let link = thread.map(|t| format!("<#{t}>")).unwrap_or_default();
    let item = r.step.as_ref().and_then(|s| j.template.item(s.as_str()));
    let item_title = item.map(|i| title(tr, i)).unwrap_or_default();
    let (done, total) = j.progress();
    let day: NaiveDate = match (r.kind, item) {
        (ReminderKind::JourneyItem, Some(i)) => j.due(i),
        _ => j.probation_end(),
    };
    let id = match r.kind {
        ReminderKind::ProbationSummary => "reminder-journey-summary",
        ReminderKind::ProbationEscalation => "reminder-journey-escalation",
        _ => "reminder-journey-item",
    };
    let day = match r.kind {
        ReminderKind::ProbationEscalation => flow::engine::oslo_today(r.due),
        _ => day,
    };
    let mut text = tr.args(
        id,
        &[
            ("case", case.id.0.into()),
            ("title", escape(case.title.as_str()).as_str().into()),
            ("item", item_title.as_str().into()),
            ("date", tr.date(day).as_str().into()),
            ("done", (done as i64).into()),
            ("total", (total as i64).into()),
            ("thread", link.as_str().into()),
        ],
    );
    if crate::render::reminder::is_late(r, now) {
        text.push(' ');
        text.push_str(&tr.args("reminder-late", &[("due", tr.when(r.due).as_str().into())]));
    }
    text
}

/// Journey items merged into one reminder message at most: two action rows of five tick
/// buttons (Discord allows five rows of five), and ten lines of at most a few hundred
/// characters each. The sender also keeps each message's text under Discord's 2000
/// characters (`crate::jobs::batch`).
pub const REMINDERS_PER_MESSAGE: usize = 10;

/// An item a reminder message offers to tick: the reminder it came from (which says the
/// guild when pressed in a DM), the case and the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tickable {
    pub reminder: i64,
    pub case: CaseId,
    pub item: String,
    pub title: String,
}

impl Tickable {
    /// What a journey item's reminder offers to tick, if it is an item's (not the summary or
    /// the escalation) that is still open.
    pub fn of(tr: Tr<'_>, j: &Journey, r: &ClaimedReminder) -> Option<Tickable> {
        if r.kind != ReminderKind::JourneyItem {
            return None;
        }
        let item = r.step.as_ref().and_then(|s| j.template.item(s.as_str()))?;
        if item.decision || j.is_done(item) {
            return None;
        }
        Some(Tickable {
            reminder: r.id,
            case: j.case,
            item: item.id.clone(),
            title: title(tr, item),
        })
    }
}

/// The text of a message of journey reminders: the lines, under a heading counting them
/// when there are several.
pub fn reminder_message(tr: Tr<'_>, lines: &[String]) -> String {
    if lines.len() < 2 {
        return clip(&lines.join("\n"), CONTENT_MAX);
    }
    let heading = reminder_heading(tr, lines.len());
    clip(&format!("{heading}\n{}", lines.join("\n")), CONTENT_MAX)
}

/// The heading of a message of `count` journey reminders.
pub fn reminder_heading(tr: Tr<'_>, count: usize) -> String {
    tr.args(
        "reminder-journey-heading",
        &[("count", (count as i64).into())],
    )
}

/// A tick button per item, five to a row, in the order given (each item once). Each names
/// its reminder, case and item, so it works in a DM and after a restart; a message about
/// several cases names the case on each button.
pub fn reminder_rows(ticks: &[Tickable]) -> Vec<CreateActionRow> {
    let mut seen = std::collections::BTreeSet::new();
    let ticks: Vec<&Tickable> = ticks
        .iter()
        .filter(|t| seen.insert((t.case, t.item.clone())))
        .take(REMINDERS_PER_MESSAGE)
        .collect();
    let cases: std::collections::BTreeSet<CaseId> = ticks.iter().map(|t| t.case).collect();
    let buttons: Vec<CreateButton> = ticks
        .iter()
        .map(|t| {
            let label = if cases.len() > 1 {
                format!("✓ #{} {}", t.case.0, t.title)
            } else {
                format!("✓ {}", t.title)
            };
            let id = ComponentId::Press {
                verb: Verb::JourneyReminderTick(t.reminder),
                case: t.case,
                step: StepId::new(&t.item),
            };
            CreateButton::new(id.to_string())
                .label(clip(&label, LABEL_MAX))
                .style(ButtonStyle::Secondary)
        })
        .collect();
    buttons
        .chunks(ROWS_MAX)
        .map(|r| CreateActionRow::Buttons(r.to_vec()))
        .collect()
}

/// The template as `/oppsett vis` shows it.
pub fn template(tr: Tr<'_>, version: i64, t: &Template) -> String {
    let mut out = vec![tr.args(
        "oppsett-journey-heading",
        &[
            ("version", version.into()),
            ("months", i64::from(t.probation_months).into()),
        ],
    )];
    for (n, item) in (1_i64..).zip(&t.items) {
        let when = match item.when() {
            When::FromStart(d) => tr.args(
                "oppsett-journey-from-start",
                &[("days", i64::from(d).into())],
            ),
            When::BeforeProbationEnd(d) => tr.args(
                "oppsett-journey-before-end",
                &[("days", i64::from(d).into())],
            ),
        };
        out.push(tr.args(
            "oppsett-journey-line",
            &[
                ("n", n.into()),
                (
                    "item",
                    format!("{} `{}`", title(tr, item), item.id).as_str().into(),
                ),
                ("owner", owner(tr, item.owner).as_str().into()),
                ("when", when.as_str().into()),
            ],
        ));
    }
    out.join("\n")
}
