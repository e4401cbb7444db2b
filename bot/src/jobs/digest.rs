//! HR's daily digest: at the guild's cron time (Europe/Oslo, seconds first), one message in
//! the HR channel (more when it is long) with the open cases' overdue and due-today actions
//! ([`crate::render::digest`] says what is due and how it reads). Nothing when nothing is due.
//! Recorded per guild and day after posting, and each part is sent with a nonce made of the guild, the
//! day and the part, so a crash in between does not post it twice.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Europe::Oslo;
use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Http, Nonce};
use storage::GuildSettings;

use super::waits::ChannelWaits;
use crate::guild::{self, digest_schedule_of as schedule_of};
use crate::i18n::Tr;
use crate::publish::delivery;
use crate::render::digest::Digest;
use crate::types::{BotError, Data};

/// The digest's time on `day`, if the schedule has one that day at or before `now`.
pub fn due_today(schedule: &cron::Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = flow::engine::oslo_today(now);
    let midnight = flow::oslo_instant(today, NaiveTime::MIN) - Duration::seconds(1);
    let first = schedule.after(&midnight.with_timezone(&Oslo)).next()?;
    let first = first.with_timezone(&Utc);
    (first <= now && flow::engine::oslo_today(first) == today).then_some(first)
}

/// The next time the schedule fires after `now`.
pub fn next_after(schedule: &cron::Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule
        .after(&now.with_timezone(&Oslo))
        .next()
        .map(|t| t.with_timezone(&Utc))
}

/// The earliest next digest of any guild, for the loop's sleep.
pub async fn next_run(data: &Data, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let db = &data.db;
    let mut next = None;
    for guild in storage::configured_guilds(db).await.ok()? {
        let Ok(Some(settings)) = storage::load_settings(db, guild).await else {
            continue;
        };
        if settings.hr_channel.is_some() {
            let at = schedule_of(&settings).and_then(|s| next_after(&s, now));
            next = next.into_iter().chain(at).min();
        }
    }
    next
}

/// Posts every guild's digest that is due and not yet done. Errors are logged, and a place
/// problem is recorded (HR is told, `/oppsett vis` shows it); the guild's digest is tried
/// again after a wait that doubles up to an hour, at once when its HR channel is changed (the
/// day is recorded only once it is posted).
pub async fn run_due(data: &Data, http: &Http, waiting: &mut ChannelWaits) {
    let guilds = match storage::configured_guilds(&data.db).await {
        Ok(g) => g,
        Err(e) => return tracing::warn!(error = %e, "digest: cannot list servers"),
    };
    for guild in guilds {
        match run_for(data, http, guild, waiting).await {
            Ok(()) => {}
            Err((hr, e)) => {
                let now = data.clock.now();
                let wait = waiting.refused(guild, hr, now);
                tracing::warn!(error = %e, guild, retry_in_s = wait.num_seconds(), "digest not posted; will try again");
                if let Some(problem) = delivery::classify_bot(&e).and_then(delivery::problem_of) {
                    let place = delivery::channel_place(hr);
                    delivery::record(data, guild, place, problem, None, &e.to_string()).await;
                }
            }
        }
    }
}

/// Posts the guild's digest if it is due; on failure, the HR channel it failed in.
#[tracing::instrument(name = "digest", skip_all, fields(guild = guild))]
async fn run_for(
    data: &Data,
    http: &Http,
    guild: u64,
    waiting: &mut ChannelWaits,
) -> Result<(), (u64, BotError)> {
    let db = &data.db;
    let now = data.clock.now();
    let Some(settings) = storage::load_settings(db, guild)
        .await
        .map_err(|e| (0, e.into()))?
    else {
        return Ok(());
    };
    let Some(hr) = settings.hr_channel else {
        return Ok(());
    };
    let failed = |e: BotError| (hr, e);
    if schedule_of(&settings)
        .and_then(|s| due_today(&s, now))
        .is_none()
    {
        return Ok(());
    }
    let today = flow::engine::oslo_today(now);
    if storage::digest_done(db, guild, today)
        .await
        .map_err(|e| failed(e.into()))?
    {
        waiting.clear(guild);
        return Ok(());
    }
    if waiting.waiting(guild, hr, now) {
        return Ok(());
    }
    let parts = compose(data, &settings, now).await.map_err(failed)?;
    for (i, part) in parts.iter().enumerate() {
        let message = CreateMessage::new()
            .content(part)
            .nonce(Nonce::String(nonce(guild, hr, today, i)))
            .enforce_nonce(true)
            .allowed_mentions(CreateAllowedMentions::new());
        let channel = ChannelId::new(hr);
        let route = serenity::http::Route::ChannelMessages {
            channel_id: channel,
        };
        data.pacer.ready(http, route).await;
        channel
            .send_message(http, message)
            .await
            .map_err(|e| failed(e.into()))?;
    }
    if !parts.is_empty() {
        delivery::worked(data, guild, delivery::channel_place(hr)).await;
    }
    storage::record_digest(db, guild, today, parts.len() as u32, now)
        .await
        .map_err(|e| failed(e.into()))?;
    waiting.clear(guild);
    Ok(())
}

/// The nonce of a part of a day's digest in one HR channel (unique across channels, so a
/// digest tried again in a new HR channel is never taken for the one the old channel lost).
fn nonce(guild: u64, channel: u64, day: NaiveDate, part: usize) -> String {
    storage::nonce("d", &format!("{guild}:{channel}:{day}:{part}"))
}

/// The digest's messages; none when nothing is overdue or due today.
pub async fn compose(
    data: &Data,
    settings: &GuildSettings,
    now: DateTime<Utc>,
) -> Result<Vec<String>, BotError> {
    let db = &data.db;
    let tr = Tr::shared(&data.texts, settings);
    let mut digest = Digest::new(&data.process, tr, guild::reminder_settings(settings), now);
    for case_id in storage::open_cases(db, settings.guild).await? {
        let Some(case) = storage::load_case(db, settings.guild, case_id).await? else {
            continue;
        };
        let thread = storage::card(db, settings.guild, case_id)
            .await?
            .map(|c| c.thread.unwrap_or(c.channel));
        digest.add(&case, thread);
    }
    Ok(digest.parts())
}
