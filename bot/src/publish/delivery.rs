//! When Discord will not take what the bot sends: what the error means, what becomes of the
//! message, and who is told.
//!
//! | Discord answers | means | the bot |
//! |---|---|---|
//! | 403 / 50007 to a DM | the person takes no DMs from the bot | sends it to the case thread instead |
//! | 404 / 10003 for a case's own thread | the thread was deleted: it never comes back | gives up what was for that thread (nothing else of the case), tells HR |
//! | 404 / 10003 for any other channel | the channel was deleted; an administrator can pick another (`/oppsett kanaler`) | tries again, backing off, for [`GIVE_UP`]; tells HR |
//! | 403 / 50001, 50013, any other 403 or 404 | the bot may not see or write there (permissions, a locked thread) | tries again, backing off, for [`GIVE_UP`]; tells HR |
//! | any other 4xx (400 …) | Discord refused the message itself | tries again, backing off, for [`GIVE_UP`] (the case may change it); logged as an error, HR told when given up |
//! | 429, 5xx, a network error, no answer within `LOS_DISCORD_TIMEOUT_SECS` | passing trouble; the message may even have been posted | tries again, backing off, with the **same nonce**, for [`GIVE_UP`]; HR told when given up |
//!
//! A refused message was not posted, so its reminders go back to the queue and come out in a
//! new message, to wherever they belong by then (an HR channel set anew is used at once). A
//! message that may have been posted is sent again with its nonce. Backing off: 30 s, doubling,
//! at most an hour apart, so a permission fixed on Monday still gets Friday's reminder out
//! within the hour; after [`GIVE_UP`] past its time a reminder is given up.
//!
//! Telling HR: each place and problem is told once, in the HR channel, while it lasts, with
//! the place and what to fix; several at once share a message. The message has a nonce and
//! goes through the pacer; if it cannot be posted (the HR channel is the place with the
//! problem, or none is set) it is tried again later, backing off, and an administrator sees
//! every open problem in `/oppsett vis`. A message that gets through to a place again ends its
//! problems there, so a new problem is told anew.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use flow::CaseId;
use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Http, HttpError, Nonce};
use storage::Destination;

use crate::i18n::{clip, Tr, CONTENT_MAX};
use crate::types::{BotError, Data};

/// 30 s, 1 min, 2 min, … at most an hour: how long to wait before trying a place again.
pub fn backoff(failed_attempts: u32) -> Duration {
    let secs = 30_i64.saturating_mul(1_i64 << failed_attempts.min(7));
    Duration::seconds(secs.min(3600))
}

/// How long after its time a reminder is still tried.
pub const GIVE_UP: Duration = Duration::days(14);

/// What a failed request means for what was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The person does not take direct messages from the bot (50007).
    DmClosed,
    /// The channel or thread is gone (10003).
    Gone,
    /// The bot may not see or write in the place.
    Place(Problem),
    /// Discord refused the message itself.
    Refused,
    /// Rate limits, Discord's 5xx, the network, a timeout: it may have been posted.
    Transient,
}

/// What is wrong at a place, as told to HR and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    MissingAccess,
    MissingPermissions,
    UnknownChannel,
    Refused,
    /// Not delivered for [`GIVE_UP`]: given up.
    Unreachable,
}

impl Problem {
    pub const ALL: [Problem; 5] = [
        Problem::MissingAccess,
        Problem::MissingPermissions,
        Problem::UnknownChannel,
        Problem::Refused,
        Problem::Unreachable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Problem::MissingAccess => "missing_access",
            Problem::MissingPermissions => "missing_permissions",
            Problem::UnknownChannel => "unknown_channel",
            Problem::Refused => "refused",
            Problem::Unreachable => "unreachable",
        }
    }

    pub fn parse(s: &str) -> Option<Problem> {
        Problem::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What a failed request to Discord means (see the module's table).
pub fn classify(e: &serenity::Error) -> Failure {
    crate::ops::metrics::discord_error(e);
    let serenity::Error::Http(HttpError::UnsuccessfulRequest(resp)) = e else {
        return Failure::Transient;
    };
    match (resp.status_code.as_u16(), resp.error.code) {
        (403, 50007) => Failure::DmClosed,
        (404, 10003) => Failure::Gone,
        (403, 50001) => Failure::Place(Problem::MissingAccess),
        (403, _) => Failure::Place(Problem::MissingPermissions),
        (404, _) => Failure::Place(Problem::UnknownChannel),
        // 401: the token is wrong for every request; the operator fixes it, nothing else can.
        (401 | 408 | 429 | 500..=599, _) => Failure::Transient,
        _ => Failure::Refused,
    }
}

/// A Discord error inside the bot's own error, classified; `None` for any other error.
pub fn classify_bot(e: &BotError) -> Option<Failure> {
    match e {
        BotError::Discord(e) => Some(classify(e)),
        _ => None,
    }
}

/// The problem a failure is at its place, if it is one to tell.
pub fn problem_of(failure: Failure) -> Option<Problem> {
    match failure {
        Failure::Gone => Some(Problem::UnknownChannel),
        Failure::Place(p) => Some(p),
        Failure::Refused => Some(Problem::Refused),
        Failure::DmClosed | Failure::Transient => None,
    }
}

/// The place a channel is, as the outbox names it.
pub fn channel_place(channel: u64) -> Destination {
    Destination::channel(Some(channel))
}

/// Remembers that delivering to `place` failed with `problem`; when it is news, HR will be
/// told (the dispatcher is woken to tell them).
pub async fn record(
    data: &Data,
    guild: u64,
    place: Destination,
    problem: Problem,
    case: Option<CaseId>,
    error: &str,
) {
    let now = data.clock.now();
    tracing::warn!(
        guild,
        %place,
        problem = problem.as_str(),
        error,
        "cannot deliver there"
    );
    match storage::record_problem(&data.db, guild, place, problem.as_str(), case, error, now).await
    {
        Ok(news) => {
            troubled(data).insert((guild, place));
            if news {
                data.reminders_changed.notify_one();
            }
        }
        Err(e) => tracing::warn!(error = %e, guild, %place, "delivery problem not recorded"),
    }
}

/// Something got through to `place`: its open problems, if any, are over.
pub async fn worked(data: &Data, guild: u64, place: Destination) {
    let key = (guild, place);
    if !troubled(data).contains(&key) {
        return;
    }
    match storage::resolve_problems(&data.db, guild, place, data.clock.now()).await {
        Ok(n) => {
            troubled(data).remove(&key);
            if n > 0 {
                tracing::info!(guild, %place, "delivering there works again");
            }
        }
        Err(e) => tracing::warn!(error = %e, guild, %place, "delivery problem not resolved"),
    }
}

/// Loads the places with open problems (each pass), so that [`worked`] writes only when a
/// place that had a problem works again.
pub async fn refresh(data: &Data) {
    if let Ok(places) = storage::problem_places(&data.db).await {
        let mut set = troubled(data);
        set.clear();
        set.extend(places);
    }
}

fn troubled(data: &Data) -> std::sync::MutexGuard<'_, HashSet<(u64, Destination)>> {
    data.troubled.lock().unwrap_or_else(|e| e.into_inner())
}

/// Problems told in one message at most.
const PER_NOTICE: usize = 15;

/// Tells HR, in each server's HR channel, of the problems they have not heard of yet.
pub async fn tell(data: &Data, http: &Http) {
    let db = &data.db;
    let now = data.clock.now();
    let due = match storage::problems_to_tell(db, now, 200).await {
        Ok(p) => p,
        Err(e) => return tracing::warn!(error = %e, "delivery problems not read"),
    };
    let mut by_guild: BTreeMap<u64, Vec<storage::DeliveryProblem>> = BTreeMap::new();
    for p in due {
        by_guild.entry(p.guild).or_default().push(p);
    }
    for (guild, problems) in by_guild {
        tell_guild(data, http, guild, problems, now).await;
    }
}

async fn tell_guild(
    data: &Data,
    http: &Http,
    guild: u64,
    problems: Vec<storage::DeliveryProblem>,
    now: DateTime<Utc>,
) {
    let db = &data.db;
    let key = |p: &storage::DeliveryProblem| (p.place, p.problem.clone());
    let settings = match storage::load_settings(db, guild).await {
        Ok(s) => s,
        Err(e) => return tracing::warn!(error = %e, guild, "settings not read"),
    };
    // Nowhere to tell, or the HR channel is itself the trouble: `/oppsett vis` shows it; try
    // again later (an HR channel may be set or fixed meanwhile).
    // A channel no longer in use (an HR channel replaced by another) is not news any more.
    let (problems, obsolete): (Vec<_>, Vec<_>) = problems
        .into_iter()
        .partition(|p| current(settings.as_ref(), p));
    if !obsolete.is_empty() {
        let keys: Vec<_> = obsolete.iter().map(key).collect();
        let _ = storage::problems_noticed(db, guild, &keys, now, None).await;
    }
    let hr = settings.as_ref().and_then(|s| s.hr_channel);
    let (here, elsewhere): (Vec<_>, Vec<_>) = problems
        .into_iter()
        .partition(|p| hr.is_some_and(|hr| p.place != channel_place(hr)));
    if !elsewhere.is_empty() {
        let keys: Vec<_> = elsewhere.iter().map(key).collect();
        let tries = elsewhere.iter().map(|p| p.notice_tries).max().unwrap_or(0);
        let retry = now + backoff(tries.saturating_add(4));
        let _ = storage::problems_noticed(db, guild, &keys, now, Some(retry)).await;
    }
    let Some(hr) = hr else { return };
    for chunk in here.chunks(PER_NOTICE) {
        let tr = match settings.as_ref() {
            Some(s) => Tr::shared(&data.texts, s),
            None => Tr::of(&data.texts, flow::Lang::Nb),
        };
        let days = GIVE_UP.num_days();
        let mut lines = vec![tr.args("delivery-heading", &[("days", days.into())])];
        lines.extend(chunk.iter().map(|p| line(tr, p)));
        let ids: Vec<String> = chunk
            .iter()
            .map(|p| format!("{}|{}|{}", p.place, p.problem, p.first_at.timestamp()))
            .collect();
        let nonce = storage::nonce("r", &format!("p{guild}:{}", ids.join(",")));
        let channel = ChannelId::new(hr);
        data.pacer
            .ready(
                http,
                serenity::http::Route::ChannelMessages {
                    channel_id: channel,
                },
            )
            .await;
        let message = CreateMessage::new()
            .content(clip(&lines.join("\n"), CONTENT_MAX))
            .nonce(Nonce::String(nonce))
            .enforce_nonce(true)
            .allowed_mentions(CreateAllowedMentions::new());
        let keys: Vec<_> = chunk.iter().map(key).collect();
        match channel.send_message(http, message).await {
            Ok(_) => {
                let _ = storage::problems_noticed(db, guild, &keys, now, None).await;
                worked(data, guild, channel_place(hr)).await;
            }
            Err(e) => {
                let failure = classify(&e);
                if let Some(problem) = problem_of(failure) {
                    record(
                        data,
                        guild,
                        channel_place(hr),
                        problem,
                        None,
                        &e.to_string(),
                    )
                    .await;
                }
                let tries = chunk.iter().map(|p| p.notice_tries).max().unwrap_or(0);
                let retry = now + backoff(tries);
                let _ = storage::problems_noticed(db, guild, &keys, now, Some(retry)).await;
                return;
            }
        }
    }
}

/// Whether a problem is about a place still in use: a person's DMs, a case's thread, or one
/// of the server's channels as set now.
pub fn current(settings: Option<&storage::GuildSettings>, p: &storage::DeliveryProblem) -> bool {
    if p.case.is_some() || !matches!(p.place, Destination::Channel(_)) {
        return true;
    }
    settings.is_some_and(|s| {
        [s.case_channel, s.hr_channel, s.onboarding_channel]
            .into_iter()
            .flatten()
            .any(|c| p.place == channel_place(c))
    })
}

/// One problem as a line: the place, what is wrong, what to do.
pub fn line(tr: Tr<'_>, p: &storage::DeliveryProblem) -> String {
    let problem = Problem::parse(&p.problem).unwrap_or(Problem::Refused);
    let place = match p.place {
        Destination::User(user) => tr.args(
            "delivery-place-dm",
            &[("user", format!("<@{user}>").as_str().into())],
        ),
        Destination::Channel(channel) => format!("<#{channel}>"),
        Destination::Nowhere => "<#0>".to_owned(),
    };
    let id = match (problem, p.case) {
        (Problem::UnknownChannel, Some(_)) => "delivery-thread-gone",
        (Problem::UnknownChannel, None) => "delivery-unknown-channel",
        (Problem::MissingAccess, _) => "delivery-missing-access",
        (Problem::MissingPermissions, _) => "delivery-missing-permissions",
        (Problem::Refused, _) => "delivery-refused",
        (Problem::Unreachable, _) => "delivery-unreachable",
    };
    let case = p.case.map(|c| c.0).unwrap_or(0);
    tr.args(
        id,
        &[
            ("place", place.as_str().into()),
            ("case", case.into()),
            ("since", tr.when(p.first_at).as_str().into()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_round_trip() {
        for p in Problem::ALL {
            assert_eq!(Problem::parse(p.as_str()), Some(p));
        }
    }
}
