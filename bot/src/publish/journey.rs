//! A new hire's onboarding journey in Discord: its private thread in the onboarding channel
//! with exactly its people (the new hire, the buddy, the case's manager and deputy), the
//! checklist posted there and recorded as soon as it is posted (sent with a nonce, so a retry
//! after a crash is not posted twice), shown anew after a change, and the thread archived once
//! the journey is closed. What fails is done again by the chores loop
//! ([`crate::jobs::journey`]).

use std::sync::OnceLock;

use flow::journey::Template;
use flow::Case;
use serenity::all::{
    AutoArchiveDuration, ChannelId, ChannelType, CreateAllowedMentions, CreateMessage,
    CreateThread, EditMessage, EditThread, Http, MessageId, Nonce, RoleId, UserId,
};
use storage::{GuildSettings, JourneyRow};

use crate::i18n::{clip, Tr, THREAD_NAME_MAX};
use crate::render::journey as render;
use crate::types::{discord_code, BotError, Data};

/// The shipped journey (`prompts/onboarding.toml`), checked once.
pub fn shipped(data: &Data) -> Result<&'static Template, BotError> {
    static SHIPPED: OnceLock<Template> = OnceLock::new();
    if let Some(t) = SHIPPED.get() {
        return Ok(t);
    }
    let t = crate::prompts::journey(&data.process, &data.texts)
        .map_err(|e| BotError::Internal(e.to_string()))?;
    Ok(SHIPPED.get_or_init(|| t))
}

/// The journey a new case starts with on the server: its latest own version, else the shipped
/// one (version 0).
pub async fn current_template(data: &Data, guild: u64) -> Result<(i64, Template), BotError> {
    match storage::journey_template(&data.db, guild).await? {
        Some(found) => Ok(found),
        None => Ok((0, shipped(data)?.clone())),
    }
}

/// The people of the thread: the new hire, the buddy, the case's manager and deputy.
fn members(row: &JourneyRow, case: &Case) -> Vec<u64> {
    let j = &row.journey;
    let mut out = vec![j.new_hire.id.0, case.owner.id.0];
    out.extend(j.buddy.as_ref().map(|b| b.id.0));
    out.extend(case.deputy.as_ref().map(|d| d.id.0));
    out.retain(|id| *id != 0);
    out.sort_unstable();
    out.dedup();
    out
}

/// Brings the journey out as far as it is owed: its thread opened and its people added, the
/// checklist posted, and once closed, the checklist shown closed and the thread archived.
pub async fn bring_out(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    row: &JourneyRow,
    case: &Case,
) -> Result<(), BotError> {
    let db = &data.db;
    let guild = settings.guild;
    let mut row = row.clone();
    if row.thread.is_none() {
        let Some(channel) = settings.onboarding_channel else {
            return Err(BotError::Internal("no onboarding channel".into()));
        };
        let tr = Tr::shared(&data.texts, settings);
        let name = clip(
            &tr.args("journey-thread-name", &[("case", case.id.0.into())]),
            THREAD_NAME_MAX,
        );
        let thread = ChannelId::new(channel)
            .create_thread(
                http,
                CreateThread::new(name)
                    .kind(ChannelType::PrivateThread)
                    .invitable(false)
                    .auto_archive_duration(AutoArchiveDuration::OneWeek),
            )
            .await?;
        if !storage::set_journey_thread(db, guild, case.id, thread.id.get()).await? {
            tracing::warn!(
                case = case.id.0,
                "a journey thread was opened twice; the first kept"
            );
        }
        row = storage::journey(db, guild, case.id)
            .await?
            .ok_or(BotError::CaseNotFound(case.id.0))?;
    }
    let Some(thread) = row.thread.map(ChannelId::new) else {
        return Ok(());
    };
    if row.message.is_none() {
        for person in members(&row, case) {
            data.pacer
                .ready(
                    http,
                    serenity::http::Route::ChannelThreadMember {
                        channel_id: thread,
                        user_id: UserId::new(person),
                    },
                )
                .await;
            thread.add_thread_member(http, UserId::new(person)).await?;
        }
        let tr = Tr::shared(&data.texts, settings);
        let (heading, embed, rows) = render::checklist(tr, &row.journey, case);
        let welcome = tr.args(
            "journey-welcome",
            &[(
                "new_hire",
                format!("<@{}>", row.journey.new_hire.id.0).as_str().into(),
            )],
        );
        // The people are asked to act: pinged once, here. HR's role too, where set.
        let mut allowed =
            CreateAllowedMentions::new().users(members(&row, case).into_iter().map(UserId::new));
        let mut content = format!("{welcome}\n{heading}");
        if let Some(hr) = settings.roles.hr {
            allowed = allowed.roles([RoleId::new(hr)]);
            content = format!("<@&{hr}> {content}");
        }
        let nonce = storage::nonce("j", &format!("journey:{}:{}", guild, case.id.0));
        let posted = thread
            .send_message(
                http,
                CreateMessage::new()
                    .content(clip(&content, crate::i18n::CONTENT_MAX))
                    .embed(embed)
                    .components(rows)
                    .nonce(Nonce::String(nonce))
                    .enforce_nonce(true)
                    .allowed_mentions(allowed),
            )
            .await?;
        storage::set_journey_message(db, guild, case.id, posted.id.get()).await?;
        row.message = Some(posted.id.get());
    }
    if row.journey.closed.is_some() && row.archived_at.is_none() {
        // Discord archives a quiet thread by itself after a week: out of the archive first, so
        // the checklist can be shown closed.
        super::announce::unarchive(http, thread).await?;
        refresh(http, data, settings, &row, case).await?;
        thread
            .edit_thread(http, EditThread::new().archived(true))
            .await?;
        storage::set_journey_archived(db, guild, case.id, data.clock.now()).await?;
    }
    Ok(())
}

/// Shows the checklist as the journey is now. A thread quiet for a week is archived, and
/// Discord refuses an edit in it ([`super::announce::ARCHIVED`]): it is taken out of the
/// archive and the edit tried once more (a tick from a reminder comes from outside it).
pub async fn refresh(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    row: &JourneyRow,
    case: &Case,
) -> Result<(), BotError> {
    let (Some(thread), Some(message)) = (row.thread, row.message) else {
        return Ok(());
    };
    let tr = Tr::shared(&data.texts, settings);
    let thread = ChannelId::new(thread);
    let edit = || async {
        let (heading, embed, rows) = render::checklist(tr, &row.journey, case);
        thread
            .edit_message(
                http,
                MessageId::new(message),
                EditMessage::new()
                    .content(heading)
                    .embed(embed)
                    .components(rows)
                    .allowed_mentions(CreateAllowedMentions::new()),
            )
            .await
    };
    match edit().await {
        Ok(_) => Ok(()),
        Err(e) if discord_code(&e) == Some(super::announce::ARCHIVED) => {
            super::announce::unarchive(http, thread).await?;
            edit().await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
