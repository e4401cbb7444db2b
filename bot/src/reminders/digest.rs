//! HR's daily digest: at the server's cron time (Europe/Oslo, seconds first), one message in
//! the HR channel (more when it is long) with the open cases' overdue and due-today actions,
//! grouped by phase, each with a link to its thread. Nothing when nothing is due.
//!
//! A step is due on its deadline when it has one, and overdue from the day after; a step
//! without a deadline is due on the day it counts as stalled (`flow::reminders::due`). An
//! earlier nudge or reminder does not make a step due. What falls due on the days off before
//! the next working day is listed too, with its date (Friday's digest shows Sunday's). Recorded per
//! server and day after posting, and each part is sent with a nonce made of the server, the
//! day and the part, so a crash in between does not post it twice.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Europe::Oslo;
use flow::StepId;
use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Http, Nonce};
use storage::GuildSettings;

use super::problems;
use super::render::CONTENT_MAX;
use crate::i18n::{escape, Tr};
use crate::server;
use crate::types::{BotError, Data};

/// The server's schedule, or the default when it has none or an unreadable one.
pub fn schedule_of(settings: &GuildSettings) -> Option<cron::Schedule> {
    let expr = settings
        .reminders
        .digest_cron
        .as_deref()
        .unwrap_or(crate::DEFAULT_DIGEST_CRON);
    crate::digest_schedule(expr)
        .or_else(|_| crate::digest_schedule(crate::DEFAULT_DIGEST_CRON))
        .ok()
}

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

/// The earliest next digest of any server, for the loop's sleep.
pub async fn next_run(data: &Data, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let db = data.db.pool();
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

/// Servers whose digest could not be posted: the HR channel it failed in, how often, and when
/// to try again. Without it a deleted HR channel would have every open case read again on
/// every pass of the loop, for ever.
#[derive(Default)]
pub struct Waiting(HashMap<u64, (u64, u32, DateTime<Utc>)>);

/// Posts every server's digest that is due and not yet done. Errors are logged, and a place
/// problem is recorded (HR is told, `/oppsett vis` shows it); the server's digest is tried
/// again after a wait that doubles up to an hour, at once when its HR channel is changed (the
/// day is recorded only once it is posted).
pub async fn run_due(data: &Data, http: &Http, waiting: &mut Waiting) {
    let guilds = match storage::configured_guilds(data.db.pool()).await {
        Ok(g) => g,
        Err(e) => return tracing::warn!(error = %e, "digest: cannot list servers"),
    };
    for guild in guilds {
        match run_for(data, http, guild, waiting).await {
            Ok(()) => {}
            Err((hr, e)) => {
                let now = data.clock.now();
                let failures = match waiting.0.get(&guild) {
                    Some((was, n, _)) if *was == hr => n + 1,
                    _ => 1,
                };
                let wait = super::dispatcher::backoff(failures - 1);
                tracing::warn!(error = %e, guild, retry_in_s = wait.num_seconds(), "digest not posted; will try again");
                if let Some(problem) = problems::classify_bot(&e).and_then(problems::problem_of) {
                    let place = problems::channel_place(hr);
                    problems::record(data, guild, &place, problem, None, &e.to_string()).await;
                }
                waiting.0.insert(guild, (hr, failures, now + wait));
            }
        }
    }
}

/// Posts the server's digest if it is due; on failure, the HR channel it failed in.
async fn run_for(
    data: &Data,
    http: &Http,
    guild: u64,
    waiting: &mut Waiting,
) -> Result<(), (u64, BotError)> {
    let db = data.db.pool();
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
        waiting.0.remove(&guild);
        return Ok(());
    }
    if waiting
        .0
        .get(&guild)
        .is_some_and(|(was, _, until)| *was == hr && *until > now)
    {
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
        problems::worked(data, guild, &problems::channel_place(hr)).await;
    }
    storage::record_digest(db, guild, today, parts.len() as u32, now)
        .await
        .map_err(|e| failed(e.into()))?;
    waiting.0.remove(&guild);
    Ok(())
}

/// The nonce of a part of a day's digest in one HR channel (unique across channels, so a
/// digest tried again in a new HR channel is never taken for the one the old channel lost).
fn nonce(guild: u64, channel: u64, day: NaiveDate, part: usize) -> String {
    storage::nonce("d", &format!("{guild}:{channel}:{day}:{part}"))
}

/// An action of a case that is overdue (`true`) or due today (`false`).
struct Due {
    overdue: bool,
    line: String,
}

/// The digest's messages; none when nothing is overdue or due today.
pub async fn compose(
    data: &Data,
    settings: &GuildSettings,
    now: DateTime<Utc>,
) -> Result<Vec<String>, BotError> {
    let db = data.db.pool();
    let tr = Tr::shared(&data.texts, settings);
    let today = flow::engine::oslo_today(now);
    let rs = server::reminder_settings(settings);
    let mut by_phase: BTreeMap<usize, (String, Vec<Due>)> = BTreeMap::new();
    for case_id in storage::open_cases(db, settings.guild).await? {
        let Some(case) = storage::load_case(db, settings.guild, case_id).await? else {
            continue;
        };
        let thread = storage::card(db, settings.guild, case_id)
            .await?
            .map(|c| c.thread.unwrap_or(c.channel));
        // What is due by the next working day, by the step's deadline (or, without one, the
        // day it counts as stalled): see `flow::reminders::due`.
        let next_working_day = flow::calendar::working_day_on_or_after(today + Days::new(1));
        let worst: Vec<(StepId, NaiveDate)> = flow::reminders::due(&data.process, &case, &rs)
            .into_iter()
            .filter(|d| d.date < next_working_day)
            .map(|d| (d.step, d.date))
            .collect();
        for (step, day) in worst {
            let Some(phase) = data.process.phase_of(&step) else {
                continue;
            };
            let index = data.process.phase_index(phase);
            let id = match day.cmp(&today) {
                std::cmp::Ordering::Less => "digest-line-overdue",
                std::cmp::Ordering::Equal => "digest-line-today",
                // Due on the days off before the next working day: listed today.
                std::cmp::Ordering::Greater => "digest-line-soon",
            };
            // The thread's link reads "#1 Rådgiver – Bydel Frogner"; without one, the case.
            let link = thread.map(|t| format!("<#{t}>")).unwrap_or_else(|| {
                tr.args(
                    "case-ref",
                    &[
                        ("case", case.id.0.into()),
                        ("title", escape(case.title.as_str()).as_str().into()),
                    ],
                )
            });
            let line = tr.args(
                id,
                &[
                    ("thread", link.as_str().into()),
                    ("case", case.id.0.into()),
                    ("title", escape(case.title.as_str()).as_str().into()),
                    ("step", tr.step(&step).as_str().into()),
                    ("date", tr.date(day).as_str().into()),
                ],
            );
            let entry = by_phase
                .entry(index)
                .or_insert_with(|| (tr.t(&flow::texts::ids::phase(phase)), Vec::new()));
            entry.1.push(Due {
                overdue: day < today,
                line,
            });
        }
    }
    if by_phase.is_empty() {
        return Ok(Vec::new());
    }
    let mut lines = vec![tr.args(
        "digest-heading",
        &[("date", tr.date(today).as_str().into())],
    )];
    for (_, (title, mut dues)) in by_phase {
        dues.sort_by_key(|d| !d.overdue);
        lines.push(format!("**{title}**"));
        lines.extend(dues.into_iter().map(|d| d.line));
    }
    Ok(split(&lines, CONTENT_MAX))
}

/// Lines packed into messages of at most `max` characters (a longer line is cut).
pub fn split(lines: &[String], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        let line = crate::i18n::clip(line, max);
        let needed =
            current.chars().count() + line.chars().count() + usize::from(!current.is_empty());
        if needed > max && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_digests_are_split_under_the_limit() {
        let lines: Vec<String> = (0..300)
            .map(|i| format!("linje {i} {}", "x".repeat(40)))
            .collect();
        let parts = split(&lines, CONTENT_MAX);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.chars().count() <= CONTENT_MAX));
        assert_eq!(parts.join("\n").lines().count(), 300);
    }

    #[test]
    fn the_default_schedule_parses() {
        assert!(crate::digest_schedule(crate::DEFAULT_DIGEST_CRON).is_ok());
    }
}
