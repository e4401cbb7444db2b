//! The onboarding checklist: once the offer is accepted and the start date set (the
//! `kandidat_til_hr` step done), one message in the onboarding channel lists the steps of the
//! contract and welcome phases with who, due date and a button to tick each; the case thread
//! gets a link. Posted by the reminder loop, so a crash cannot lose it: it is posted with a
//! nonce made of the case and the channel and recorded with `storage::save_checklist` as soon
//! as Discord has it, before anything else is tried; a crash in between posts it again with the
//! same nonce (Discord answers with the first, within its few minutes).
//!
//! The link in the case thread is posted once, right after. If the thread refuses it (deleted,
//! locked, no permission) the checklist stays recorded and is not posted again; HR is told of
//! the thread (see `problems`). One case that fails never stops the others. When the
//! onboarding channel itself refuses, the server's checklists wait (doubling up to an hour, at
//! once when another channel is set) and HR is told, instead of every owed case being tried on
//! every pass.
//!
//! Ticking completes the step through the engine (`service::act`), so the card, the history
//! and the reminders follow; the tick (who, when) is also recorded on the checklist.

use flow::{Action, Case, CaseId, Role, StepId, StepState};
use serenity::all::{
    ButtonStyle, ChannelId, ComponentInteraction, Context as Ctx, CreateActionRow,
    CreateAllowedMentions, CreateButton, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, Http, Nonce,
};
use storage::GuildSettings;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::problems;
use crate::custom_id::{ComponentId, Verb};
use crate::handlers::actor_of;
use crate::i18n::{clip, escape, Tr};
use crate::publish;
use crate::server;
use crate::service;
use crate::types::{BotError, Data};

/// The step whose completion brings the checklist.
pub const AFTER: &str = "kandidat_til_hr";
/// The phases whose steps are the checklist's items.
pub const PHASES: [&str; 2] = ["arbeidsavtale", "mottak"];

/// The items: the steps of the two phases, in the chart's order.
pub fn items(data: &Data) -> Vec<StepId> {
    data.process
        .steps()
        .iter()
        .filter(|s| PHASES.contains(&s.phase.as_str()))
        .map(|s| s.id.clone())
        .collect()
}

/// The checklist's text and buttons for the case as it is now.
pub fn render(
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    thread: Option<u64>,
) -> (String, Vec<CreateActionRow>) {
    let tr = Tr::shared(&data.texts, settings);
    let rs = server::reminder_settings(settings);
    let deadlines = flow::deadlines(&data.process, case, &rs.deadlines);
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
    for id in items(data) {
        let Some(step) = data.process.step(&id) else {
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
            Some(StepState::Done { by, at, .. }) | Some(StepState::Skipped { by, at, .. }) => tr
                .args(
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
        if case.is_step_open(&id) && buttons.len() < 25 {
            let custom = ComponentId::Press {
                verb: Verb::Tick,
                case: case.id,
                step: id.clone(),
            };
            buttons.push(
                CreateButton::new(custom.to_string())
                    .label(clip(&format!("✓ {}", tr.step(&id)), 80))
                    .style(ButtonStyle::Secondary),
            );
        }
    }
    let rows = buttons
        .chunks(5)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect();
    (clip(&lines.join("\n"), 2000), rows)
}

/// Servers whose onboarding channel refused a checklist: the channel, how often, and when to
/// try again.
#[derive(Default)]
pub struct Waiting(HashMap<u64, (u64, u32, DateTime<Utc>)>);

/// Posts the checklists that are owed: cases past [`AFTER`] with none recorded yet.
pub async fn post_due(data: &Data, http: &Http, waiting: &mut Waiting) {
    let db = data.db.pool();
    let Ok(guilds) = storage::configured_guilds(db).await else {
        return;
    };
    for guild in guilds {
        if let Err(e) = post_for_guild(data, http, guild, waiting).await {
            tracing::warn!(error = %e, guild, "checklists not posted; will try again");
        }
    }
}

async fn post_for_guild(
    data: &Data,
    http: &Http,
    guild: u64,
    waiting: &mut Waiting,
) -> Result<(), BotError> {
    let db = data.db.pool();
    let now = data.clock.now();
    let Some(settings) = storage::load_settings(db, guild).await? else {
        return Ok(());
    };
    let Some(channel) = settings.onboarding_channel else {
        return Ok(());
    };
    if waiting
        .0
        .get(&guild)
        .is_some_and(|(was, _, until)| *was == channel && *until > now)
    {
        return Ok(());
    }
    let after = StepId::new(AFTER);
    for case_id in storage::cases_owing_checklist(db, guild, &after).await? {
        let case = match storage::load_case(db, guild, case_id).await {
            Ok(Some(case)) => case,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(error = %e, guild, case = case_id.0, "case not read for its checklist");
                continue;
            }
        };
        match post(data, http, &settings, &case, channel).await {
            Ok(()) => {}
            // The onboarding channel refused: the other cases' would be refused too.
            Err(Posting::Channel(e)) => {
                let failures = match waiting.0.get(&guild) {
                    Some((was, n, _)) if *was == channel => n + 1,
                    _ => 1,
                };
                let wait = super::dispatcher::backoff(failures - 1);
                tracing::warn!(error = %e, guild, retry_in_s = wait.num_seconds(), "onboarding channel refused a checklist");
                if let Some(problem) = problems::problem_of(problems::classify(&e)) {
                    let place = problems::channel_place(channel);
                    problems::record(data, guild, &place, problem, None, &e.to_string()).await;
                }
                waiting.0.insert(guild, (channel, failures, now + wait));
                return Ok(());
            }
            Err(Posting::Other(e)) => {
                tracing::warn!(error = %e, guild, case = case.id.0, "checklist not recorded; will try again");
            }
        }
    }
    waiting.0.remove(&guild);
    Ok(())
}

/// Why a checklist was not posted and recorded.
enum Posting {
    /// The onboarding channel did not take it.
    Channel(serenity::Error),
    /// Anything else (reading or recording it).
    Other(BotError),
}

impl From<storage::StorageError> for Posting {
    fn from(e: storage::StorageError) -> Self {
        Posting::Other(e.into())
    }
}

async fn post(
    data: &Data,
    http: &Http,
    settings: &GuildSettings,
    case: &Case,
    channel: u64,
) -> Result<(), Posting> {
    let db = data.db.pool();
    let card = storage::card(db, settings.guild, case.id).await?;
    let thread = card.map(|c| c.thread.unwrap_or(c.channel));
    let (content, rows) = render(data, settings, case, thread);
    paced(data, http, channel).await;
    let message = ChannelId::new(channel)
        .send_message(
            http,
            CreateMessage::new()
                .content(content)
                .components(rows)
                .nonce(Nonce::String(nonce("k", case.id, channel)))
                .enforce_nonce(true)
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .await
        .map_err(Posting::Channel)?;
    // Recorded at once: whatever happens next, it is never posted again.
    let keys: Vec<StepId> = items(data);
    let keys: Vec<&str> = keys.iter().map(StepId::as_str).collect();
    let after = StepId::new(AFTER);
    let now = data.clock.now();
    storage::save_checklist(
        db,
        settings.guild,
        case.id,
        &after,
        channel,
        message.id.get(),
        &keys,
        now,
    )
    .await?;
    problems::worked(data, settings.guild, &problems::channel_place(channel)).await;
    if let Some(thread) = thread {
        link_in_thread(
            data,
            http,
            settings,
            case,
            channel,
            message.id.get(),
            thread,
        )
        .await;
    }
    Ok(())
}

/// Posts the link to the checklist in the case thread, once. A thread that refuses it is a
/// problem HR hears of; the checklist stands.
async fn link_in_thread(
    data: &Data,
    http: &Http,
    settings: &GuildSettings,
    case: &Case,
    channel: u64,
    message: u64,
    thread: u64,
) {
    let tr = Tr::shared(&data.texts, settings);
    let url = format!(
        "https://discord.com/channels/{}/{channel}/{message}",
        settings.guild
    );
    paced(data, http, thread).await;
    let sent = ChannelId::new(thread)
        .send_message(
            http,
            CreateMessage::new()
                .content(tr.args("checklist-posted", &[("link", url.as_str().into())]))
                .nonce(Nonce::String(nonce("t", case.id, thread)))
                .enforce_nonce(true)
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .await;
    let place = problems::channel_place(thread);
    match sent {
        Ok(_) => problems::worked(data, settings.guild, &place).await,
        Err(e) => {
            tracing::warn!(error = %e, case = case.id.0, "the checklist's link was not posted in the case thread");
            if let Some(problem) = problems::problem_of(problems::classify(&e)) {
                let error = e.to_string();
                problems::record(data, settings.guild, &place, problem, Some(case.id), &error)
                    .await;
            }
        }
    }
}

/// Shows the case's checklist as the case is now, after a change made anywhere (the card, a
/// reminder, the checklist itself). A case without a checklist is left alone.
pub async fn refresh(
    data: &Data,
    http: &Http,
    settings: &GuildSettings,
    case: &Case,
) -> Result<(), BotError> {
    let db = data.db.pool();
    let Some(list) =
        storage::checklist_for_step(db, settings.guild, case.id, &StepId::new(AFTER)).await?
    else {
        return Ok(());
    };
    let thread = storage::card(db, settings.guild, case.id)
        .await?
        .map(|c| c.thread.unwrap_or(c.channel));
    let (content, rows) = render(data, settings, case, thread);
    ChannelId::new(list.channel)
        .edit_message(
            http,
            serenity::all::MessageId::new(list.message),
            serenity::all::EditMessage::new()
                .content(content)
                .components(rows),
        )
        .await?;
    Ok(())
}

/// Waits for the bot's pace before a message in `channel`.
async fn paced(data: &Data, http: &Http, channel: u64) {
    let route = serenity::http::Route::ChannelMessages {
        channel_id: ChannelId::new(channel.max(1)),
    };
    data.pacer.ready(http, route).await;
}

/// The nonce of a checklist (`k`) or its link (`t`) of a case in a channel: unique across
/// channels, so a checklist posted anew in another channel is not taken for the old one.
fn nonce(what: &str, case: CaseId, channel: u64) -> String {
    super::dispatcher::nonce_of_text(&format!("cl{what}{}:{channel}", case.0))
}

/// A tick on the checklist: completes the step, records the tick, shows the checklist anew.
pub async fn on_tick(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    case: CaseId,
    step: StepId,
) -> Result<(), BotError> {
    let (Some(guild), Some(member)) = (c.guild_id, c.member.as_ref()) else {
        return Err(BotError::NotInServer);
    };
    let guild = guild.get();
    let settings = storage::load_settings(data.db.pool(), guild)
        .await?
        .unwrap_or_else(|| GuildSettings::new(guild));
    let actor = actor_of(&settings, member);
    let changed = service::act(
        data,
        &settings,
        case,
        &actor,
        &Action::Complete { step: step.clone() },
    )
    .await?;
    let now = data.clock.now();
    match storage::tick_item(
        data.db.pool(),
        guild,
        c.message.id.get(),
        step.as_str(),
        &actor.person,
        now,
    )
    .await
    {
        Ok(_) | Err(storage::StorageError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let thread = storage::card(data.db.pool(), guild, case)
        .await?
        .map(|c| c.thread.unwrap_or(c.channel));
    let (content, rows) = render(data, &settings, &changed.case, thread);
    let update = CreateInteractionResponseMessage::new()
        .content(content)
        .components(rows);
    // The thread and the card hear of it whatever became of the answer.
    let answered = c
        .create_response(ctx, CreateInteractionResponse::UpdateMessage(update))
        .await;
    publish::publish_change(&ctx.http, data, &settings, &changed.case).await;
    answered.map_err(BotError::from)
}
