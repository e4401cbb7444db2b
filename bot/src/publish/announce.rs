//! Sending what a stored change owes Discord: the case's thread and card if they do not exist
//! yet, one line in the thread saying what happened and who is asked next, the card shown
//! anew, and the onboarding checklist refreshed. Each is tried on its own, so a card that
//! cannot be edited does not keep the line from being posted, nor the other way round.
//!
//! The change wrote its announcement into the outbox in the same transaction
//! (`storage::announcements`). The handler that made the change sends it at once
//! ([`send_owed`]); what it could not finish is tried again by the reminder loop
//! ([`send_due`]), which also takes up announcements of a process that died before sending
//! them. The line goes out with the announcement's nonce, so a line posted just before a crash
//! is not posted again (within Discord's nonce window), and each thing is recorded as soon as
//! it is done: the starter message, the thread, the card, the line.
//!
//! Archived threads: Discord archives a thread after a week without activity, the normal state
//! of a case waiting for its application deadline. Sending a message unarchives it; editing
//! does not (400, code 50083), so the line goes first, and an edit refused as archived
//! unarchives the thread and tries once more.

use chrono::{DateTime, NaiveTime, Utc};
use flow::{Case, CaseId, EventKind};
use serenity::all::{
    AutoArchiveDuration, ChannelId, CreateAllowedMentions, CreateMessage, CreateThread,
    EditMessage, EditThread, Http, MessageId, Nonce, RoleId, UserId,
};
use serenity::http::Route;
use storage::{Announcement, AnnouncementKind, CaseCard, GuildSettings, Pinged, Settled};

use super::delivery::{self, backoff, channel_place, GIVE_UP};
use super::turns::CaseState;
use super::{checklist, scope, shared, shared_card};
use crate::guild;
use crate::i18n::{clip, escape, CONTENT_MAX};
use crate::render::{lines, notify, thread};
use crate::types::{discord_code, BotError, Data};

/// Discord's code for a request refused because the thread is archived.
pub const ARCHIVED: isize = 50083;

/// Announcements the reminder loop takes up in one pass at most.
const PER_PASS: u32 = 200;

/// What sending a case's owed announcements achieved, for the handler's reply.
#[derive(Debug, Default)]
pub struct Published {
    /// The case's thread, if it exists now.
    pub thread: Option<u64>,
    /// The first thing that failed (it is tried again later).
    pub error: Option<BotError>,
}

/// Sends everything the case owes its thread, oldest change first. Never fails: what could
/// not be done is recorded and tried again by the reminder loop.
pub async fn send_owed(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: CaseId,
) -> Published {
    let state = data.announcing.of(settings.guild, case);
    let _turn = state.turn.lock().await;
    match storage::owed_for_case(&data.db, settings.guild, case).await {
        Ok(owed) => send_case(http, data, settings, case, &state, &owed).await,
        Err(e) => Published {
            thread: None,
            error: Some(e.into()),
        },
    }
}

/// The reminder loop's share: announcements whose next attempt has come (retries, and those
/// of a process that died before sending them). Returns how many were tried.
pub async fn send_due(http: &Http, data: &Data) -> usize {
    let now = data.clock.now();
    let due = match storage::announcements_due(&data.db, now, PER_PASS).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "announcements: cannot read the outbox");
            return 0;
        }
    };
    let mut by_case: Vec<((u64, CaseId), Vec<Announcement>)> = Vec::new();
    for a in &due {
        match by_case.last_mut() {
            Some((key, rows)) if *key == (a.guild, a.case) => rows.push(a.clone()),
            _ => by_case.push(((a.guild, a.case), vec![a.clone()])),
        }
    }
    for ((guild, case), rows) in by_case {
        let settings = match guild::settings_or_default(data, guild).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, guild, "announcements: no settings");
                continue;
            }
        };
        let state = data.announcing.of(guild, case);
        let _turn = state.turn.lock().await;
        send_case(http, data, &settings, case, &state, &rows).await;
    }
    due.len()
}

/// Sends a case's announcements `rows` (oldest first) and records what became of each: the
/// card shown as the case is now, each row's line, the checklist. One case at a time (the
/// caller holds its lock), so two presses in a row never post a line twice or show an older
/// card over a newer one.
#[tracing::instrument(name = "announce", skip_all, fields(guild = settings.guild, case = case_id.0))]
async fn send_case(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case_id: CaseId,
    state: &CaseState,
    rows: &[Announcement],
) -> Published {
    let now = data.clock.now();
    let mut published = Published::default();
    if rows.is_empty() {
        if let Ok(Some(place)) = storage::case_place(&data.db, settings.guild, case_id).await {
            published.thread = place.thread;
        }
        return published;
    }
    let sent = send_rows(http, data, settings, case_id, state, rows).await;
    let (lines, shared) = match sent {
        Ok(sent) => {
            published.thread = sent.thread;
            (sent.lines, sent.shared)
        }
        Err(e) => (rows.iter().map(|_| Ok(None)).collect(), Err(e)),
    };
    tell_problems(data, settings, case_id, published.thread, &lines, &shared).await;
    for (a, line) in rows.iter().zip(lines) {
        let (line, error) = match line {
            Ok(line) => (line, shared.as_ref().err()),
            Err(ref e) => (None, Some(e)),
        };
        let settled = Settled {
            done: error.is_none(),
            retry: error.map(|e| (e.to_string(), now + backoff(a.attempts))),
            line,
        };
        let settled = give_up_if_old(a, settled, now);
        if let Some((why, _)) = &settled.retry {
            tracing::warn!(case = a.case.0, version = a.version, attempt = a.attempts + 1, error = %why, "announcement not finished; will retry");
        }
        if let Err(e) = data.db.settle_announcement(a.id, settled, now).await {
            tracing::error!(case = a.case.0, error = %e, "announcement sent but not recorded");
        }
    }
    published.error = shared.err();
    published
}

/// A place that refuses what the case owes it is a delivery problem HR hears of (as for
/// reminders, see `crate::publish::delivery`); a line that got through ends the thread's problems.
async fn tell_problems(
    data: &Data,
    settings: &GuildSettings,
    case: CaseId,
    thread: Option<u64>,
    lines: &[Result<Line, BotError>],
    shared: &Result<(), BotError>,
) {
    // Without a thread, what failed was opening it, in the case channel.
    let Some(channel) = thread.or(settings.case_channel) else {
        return;
    };
    let place = channel_place(channel);
    let errors = lines.iter().filter_map(|l| l.as_ref().err());
    let failed = errors.chain(shared.as_ref().err()).find_map(|e| {
        let problem = delivery::classify_bot(e).and_then(delivery::problem_of)?;
        Some((problem, e))
    });
    match failed {
        Some((problem, e)) => {
            delivery::record(
                data,
                settings.guild,
                place,
                problem,
                Some(case),
                &e.to_string(),
            )
            .await;
        }
        None if lines.iter().any(|l| matches!(l, Ok(Some(_)))) => {
            delivery::worked(data, settings.guild, place).await;
        }
        None => {}
    }
}

fn give_up_if_old(a: &Announcement, settled: Settled, now: DateTime<Utc>) -> Settled {
    // Tried as long as a reminder is: a line about a change weeks old would only confuse, and
    // the card is shown anew by the next change.
    if settled.done || now - a.created_at < GIVE_UP {
        return settled;
    }
    tracing::error!(
        case = a.case.0,
        version = a.version,
        "announcement given up"
    );
    Settled {
        done: true,
        retry: None,
        ..settled
    }
}

/// A line posted now: channel, message, pings.
type Line = Option<(u64, u64, Pinged)>;

struct SentRows {
    thread: Option<u64>,
    /// Each row's line (posted now, or nothing to post), or why it failed.
    lines: Vec<Result<Line, BotError>>,
    /// The card and the checklist, shared by all rows.
    shared: Result<(), BotError>,
}

async fn send_rows(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case_id: CaseId,
    state: &CaseState,
    rows: &[Announcement],
) -> Result<SentRows, BotError> {
    let db = &data.db;
    let now = data.clock.now();
    let nothing = |thread| SentRows {
        thread,
        lines: rows.iter().map(|_| Ok(None)).collect(),
        shared: Ok(()),
    };
    let Some(case) = storage::load_case(db, settings.guild, case_id).await? else {
        return Ok(nothing(None));
    };
    let Some(place) = ensure_place(http, data, settings, &case).await? else {
        // A case that ended before its thread could be opened has nothing to show there.
        return Ok(nothing(None));
    };
    let thread = ChannelId::new(place.thread);
    if place.card_posted {
        let mut shown = state.card.lock().await;
        *shown = (*shown).max(Some(case.version));
    }
    // The card first, then the lines (people read the card, then what happened). An
    // archived thread refuses the edit; a line unarchives it, and the card is shown after.
    let mut archived = false;
    let mut shared: Result<(), BotError> = Ok(());
    match show_card(http, data, settings, case_id, state, place.card).await {
        Err(e) if e.discord_code() == Some(ARCHIVED) => archived = true,
        other => shared = other,
    }
    let mut lines = Vec::with_capacity(rows.len());
    let mut any_line = false;
    for a in rows {
        if a.line.is_some() {
            lines.push(Ok(None));
            continue;
        }
        let line = match compose(data, settings, &case, a, now).await {
            Ok(Some((text, pings))) => send_line(http, data, thread, &text, &pings, &a.nonce)
                .await
                .map(|message| Some((place.thread, message, pings)))
                .map_err(BotError::from),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        any_line |= matches!(line, Ok(Some(_)));
        lines.push(line);
    }
    if archived && !any_line {
        paced(data, http, Route::Channel { channel_id: thread }).await;
        if let Err(e) = unarchive(http, thread).await {
            shared = Err(e.into());
        }
    }
    if shared.is_ok() {
        // Again, in case the case changed while the lines went out (or the thread was
        // archived): nothing is sent if the card shows the latest version already.
        shared = show_card(http, data, settings, case_id, state, place.card).await;
    }
    if let Err(e) = checklist::refresh(data, http, settings, &case).await {
        shared = shared.and(Err(e));
    }
    Ok(SentRows {
        thread: Some(place.thread),
        lines,
        shared,
    })
}

/// Shows the case as it is now on its card, unless the card shows that version already.
/// Under the card's lock, rendering the case as read under it: the card never goes back.
async fn show_card(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case_id: CaseId,
    state: &CaseState,
    card: CaseCard,
) -> Result<(), BotError> {
    let mut shown = state.card.lock().await;
    let Some(case) = storage::load_case(&data.db, settings.guild, case_id).await? else {
        return Ok(());
    };
    if shown.is_some_and(|v| v >= case.version) {
        return Ok(());
    }
    edit_card(http, data, settings, &case, card).await?;
    *shown = Some(case.version);
    Ok(())
}

/// The case's thread and card, as they are now that they exist.
struct Place {
    thread: u64,
    card: CaseCard,
    /// The card was posted just now, showing the case as it is.
    card_posted: bool,
}

/// Opens the case's thread and posts its card where that has not happened yet (the first
/// announcement of a case, or one whose thread could not be opened before). Each step is
/// recorded as soon as it is done. `None` for an ended case without a thread.
async fn ensure_place(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
) -> Result<Option<Place>, BotError> {
    let db = &data.db;
    let guild = settings.guild;
    let place = storage::case_place(db, guild, case.id)
        .await?
        .ok_or(BotError::CaseNotFound(case.id.0))?;
    if let (Some(thread), Some(card)) = (place.thread, place.card) {
        return Ok(Some(Place {
            thread,
            card,
            card_posted: false,
        }));
    }
    if place.thread.is_none() && !case.status.is_open() {
        return Ok(None);
    }
    let channel = ChannelId::new(
        settings
            .case_channel
            .ok_or(BotError::NotSetUp(vec!["channel-cases"]))?,
    );
    let thread = match place.thread {
        Some(thread) => thread,
        None => {
            let starter = match place.starter {
                Some(starter) => starter,
                None => {
                    paced(
                        data,
                        http,
                        Route::ChannelMessages {
                            channel_id: channel,
                        },
                    )
                    .await;
                    let message = channel
                        .send_message(http, starter_message(data, settings, case))
                        .await?;
                    storage::set_starter_message(db, guild, case.id, message.id.get()).await?;
                    message.id.get()
                }
            };
            let name = thread::name(shared(data, settings), case);
            let route = Route::ChannelMessageThreads {
                channel_id: channel,
                message_id: MessageId::new(starter),
            };
            paced(data, http, route).await;
            let opened = channel
                .create_thread_from_message(
                    http,
                    MessageId::new(starter),
                    CreateThread::new(name).auto_archive_duration(AutoArchiveDuration::OneWeek),
                )
                .await;
            let thread = match opened {
                Ok(thread) => thread.id.get(),
                // Opened before, and the bot died before recording it: a thread started from a
                // message has the message's id.
                Err(e) if discord_code(&e) == Some(160004) => starter,
                Err(e) => return Err(e.into()),
            };
            storage::set_case_thread(db, guild, case.id, thread).await?;
            thread
        }
    };
    if let Some(card) = place.card {
        return Ok(Some(Place {
            thread,
            card,
            card_posted: false,
        }));
    }
    let card = post_card(http, data, settings, case, channel.get(), thread, 0).await?;
    Ok(Some(Place {
        thread,
        card,
        card_posted: true,
    }))
}

/// The message in the case channel the thread is started from.
fn starter_message(data: &Data, settings: &GuildSettings, case: &Case) -> CreateMessage {
    let text = thread::starter_text(shared(data, settings), case);
    CreateMessage::new()
        .content(clip(&text, CONTENT_MAX))
        .nonce(Nonce::String(format!("s{}", case.id.0)))
        .enforce_nonce(true)
        .allowed_mentions(CreateAllowedMentions::new())
}

/// Posts the card in the thread and records it. `generation` tells a card posted anew (after
/// the old one was deleted) from the first, so their nonces differ.
async fn post_card(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    channel: u64,
    thread: u64,
    generation: i64,
) -> Result<CaseCard, BotError> {
    let rendered = shared_card(data, settings, case);
    let nonce = if generation == 0 {
        format!("k{}", case.id.0)
    } else {
        format!("k{}g{generation}", case.id.0)
    };
    let channel_id = ChannelId::new(thread);
    paced(data, http, Route::ChannelMessages { channel_id }).await;
    let message = channel_id
        .send_message(
            http,
            CreateMessage::new()
                .embed(rendered.embed)
                .components(rendered.rows)
                .nonce(Nonce::String(nonce))
                .enforce_nonce(true)
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .await?;
    let card = CaseCard {
        channel,
        thread: Some(thread),
        message: message.id.get(),
    };
    storage::set_card(&data.db, settings.guild, case.id, card).await?;
    Ok(card)
}

/// Shows the case as it is now on its card; a card someone deleted is posted anew. An
/// archived thread refuses the edit with [`ARCHIVED`].
async fn edit_card(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    card: CaseCard,
) -> Result<(), BotError> {
    let thread = ChannelId::new(card.thread.unwrap_or(card.channel));
    let message_id = MessageId::new(card.message);
    let edit = || async {
        let rendered = shared_card(data, settings, case);
        let route = Route::ChannelMessage {
            channel_id: thread,
            message_id,
        };
        paced(data, http, route).await;
        thread
            .edit_message(
                http,
                message_id,
                EditMessage::new()
                    .embed(rendered.embed)
                    .components(rendered.rows),
            )
            .await
    };
    match edit().await {
        Ok(_) => Ok(()),
        Err(e) if discord_code(&e) == Some(10008) => {
            tracing::info!(case = case.id.0, "the card was deleted: posted anew");
            post_card(
                http,
                data,
                settings,
                case,
                card.channel,
                thread.get(),
                case.version,
            )
            .await
            .map(|_| ())
        }
        Err(e) => Err(e.into()),
    }
}

/// Takes a thread out of the archive, so its messages can be edited.
pub async fn unarchive(http: &Http, thread: ChannelId) -> serenity::Result<()> {
    thread
        .edit_thread(http, EditThread::new().archived(false))
        .await
        .map(|_| ())
}

/// Posts a line in the thread with its nonce, pinging only `pings`. Returns its message id.
async fn send_line(
    http: &Http,
    data: &Data,
    thread: ChannelId,
    text: &str,
    pings: &Pinged,
    nonce: &str,
) -> serenity::Result<u64> {
    paced(data, http, Route::ChannelMessages { channel_id: thread }).await;
    let message = thread
        .send_message(
            http,
            CreateMessage::new()
                .content(clip(text, CONTENT_MAX))
                .nonce(Nonce::String(nonce.to_owned()))
                .enforce_nonce(true)
                .allowed_mentions(
                    CreateAllowedMentions::new()
                        .users(pings.users.iter().map(|u| UserId::new(*u)))
                        .roles(pings.roles.iter().map(|r| RoleId::new(*r))),
                ),
        )
        .await?;
    Ok(message.id.get())
}

/// The line an announcement posts, with its pings; `None` when there is nothing to say.
async fn compose(
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    a: &Announcement,
    now: DateTime<Utc>,
) -> Result<Option<(String, Pinged)>, BotError> {
    let db = &data.db;
    let tr = shared(data, settings);
    let view = guild::view(settings);
    let scope = scope(data, &view);
    let level = guild::notification_level(settings);
    match &a.kind {
        AnnouncementKind::Help { asker } => {
            let Some(hr) = settings.roles.hr else {
                return Err(BotError::NotSetUp(vec!["role-hr"]));
            };
            let text = tr.args(
                "line-help",
                &[
                    ("hr", format!("<@&{hr}>").as_str().into()),
                    ("who", escape(&asker.name).as_str().into()),
                    ("title", escape(case.title.as_str()).as_str().into()),
                ],
            );
            let pings = Pinged {
                users: Vec::new(),
                roles: if level == storage::NotificationLevel::DigestOnly {
                    Vec::new()
                } else {
                    vec![hr]
                },
            };
            Ok(Some((text, pings)))
        }
        AnnouncementKind::Change => {
            let events = storage::events_of_version(db, a.guild, a.case, a.version).await?;
            let mut text = lines::change_lines(&data.process, &events, tr);
            let opened: Vec<&flow::Step> = events
                .iter()
                .filter(|e| e.kind == EventKind::StepOpened)
                .filter_map(|e| e.step.as_ref())
                .filter(|s| case.is_step_open(s))
                .filter_map(|s| data.process.step(s))
                .collect();
            let presser = events.iter().find_map(|e| e.actor.as_ref()).map(|p| p.id.0);
            let today = storage::pinged_since(db, case.id, start_of_oslo_day(now)).await?;
            let asked = notify::asked_next(scope, case, &opened, presser, level, &today, tr);
            text.extend(asked.lines);
            if text.is_empty() {
                return Ok(None);
            }
            Ok(Some((text.join("\n"), asked.pings)))
        }
    }
}

/// Waits for the bot's pace before a request: after an outage, many announcements are sent at
/// once, beside the reminders, under Discord's global limit.
async fn paced(data: &Data, http: &Http, route: Route<'_>) {
    data.pacer.ready(http, route).await;
}

/// Midnight in Oslo on the day `now` falls on.
fn start_of_oslo_day(now: DateTime<Utc>) -> DateTime<Utc> {
    flow::oslo_instant(flow::engine::oslo_today(now), NaiveTime::MIN)
}
