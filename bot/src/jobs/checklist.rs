//! Posting the onboarding checklist: once the offer is accepted and the start date set (the
//! `kandidat_til_hr` step done), one message in the onboarding channel lists the steps of the
//! contract and welcome phases with who, due date and a button to tick each
//! ([`crate::render::checklist`]); the case thread gets a link. Posted by the reminder loop, so
//! a crash cannot lose it: it is posted with a
//! nonce made of the case and the channel and recorded with `storage::save_checklist` as soon
//! as Discord has it, before anything else is tried; a crash in between posts it again with the
//! same nonce (Discord answers with the first, within its few minutes).
//!
//! The link in the case thread is posted once, right after. If the thread refuses it (deleted,
//! locked, no permission) the checklist stays recorded and is not posted again; HR is told of
//! the thread (see [`crate::publish::delivery`]). One case that fails never stops the others.
//! When the onboarding channel itself refuses, the guild's checklists wait (doubling up to an
//! hour, at once when another channel is set) and HR is told, instead of every owed case being
//! tried on every pass.
//!
//! Ticking it: [`crate::interactions::checklist`]; showing it anew after a change:
//! [`crate::publish::checklist`].

use flow::{Case, CaseId, StepId};
use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Http, Nonce};
use storage::GuildSettings;

use super::waits::ChannelWaits;
use crate::i18n::Tr;
use crate::publish::delivery;
use crate::render::checklist::{self, AFTER};
use crate::types::{BotError, Data};

/// Posts the checklists that are owed: cases past [`AFTER`] with none recorded yet.
pub async fn post_due(data: &Data, http: &Http, waiting: &mut ChannelWaits) {
    let db = &data.db;
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
    waiting: &mut ChannelWaits,
) -> Result<(), BotError> {
    let db = &data.db;
    let now = data.clock.now();
    let Some(settings) = storage::load_settings(db, guild).await? else {
        return Ok(());
    };
    let Some(channel) = settings.onboarding_channel else {
        return Ok(());
    };
    if waiting.waiting(guild, channel, now) {
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
                let wait = waiting.refused(guild, channel, now);
                tracing::warn!(error = %e, guild, retry_in_s = wait.num_seconds(), "onboarding channel refused a checklist");
                if let Some(problem) = delivery::problem_of(delivery::classify(&e)) {
                    let place = delivery::channel_place(channel);
                    delivery::record(data, guild, place, problem, None, &e.to_string()).await;
                }
                return Ok(());
            }
            Err(Posting::Other(e)) => {
                tracing::warn!(error = %e, guild, case = case.id.0, "checklist not recorded; will try again");
            }
        }
    }
    waiting.clear(guild);
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

#[tracing::instrument(name = "checklist", skip_all, fields(guild = settings.guild, case = case.id.0))]
async fn post(
    data: &Data,
    http: &Http,
    settings: &GuildSettings,
    case: &Case,
    channel: u64,
) -> Result<(), Posting> {
    let db = &data.db;
    let card = storage::card(db, settings.guild, case.id).await?;
    let thread = card.map(|c| c.thread.unwrap_or(c.channel));
    let (content, rows) = checklist::message(&data.process, &data.texts, settings, case, thread);
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
    let keys: Vec<StepId> = checklist::items(&data.process);
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
    delivery::worked(data, settings.guild, delivery::channel_place(channel)).await;
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
    let place = delivery::channel_place(thread);
    match sent {
        Ok(_) => delivery::worked(data, settings.guild, place).await,
        Err(e) => {
            tracing::warn!(error = %e, case = case.id.0, "the checklist's link was not posted in the case thread");
            if let Some(problem) = delivery::problem_of(delivery::classify(&e)) {
                let error = e.to_string();
                delivery::record(data, settings.guild, place, problem, Some(case.id), &error).await;
            }
        }
    }
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
    storage::nonce("r", &format!("cl{what}{}:{channel}", case.0))
}
