//! Threads that archive and lock as Discord's do: after `auto_archive_duration` minutes without
//! activity on the sandbox clock, or on demand. In an archived thread an edit is refused and a
//! message unarchives it; a locked thread is closed to a bot without MANAGE_THREADS.

mod common;

use std::time::Duration;

use common::*;
use sandbox::world::perms;
use sandbox::{HttpMode, Sandbox};
use serde_json::{json, Value};
use serenity::builder::{
    CreateActionRow, CreateButton, CreateMessage, CreateThread, EditMessage, EditThread,
};
use serenity::http::Http;
use serenity::model::channel::{AutoArchiveDuration, Channel, GuildChannel, Message};
use serenity::model::id::{ChannelId, UserId};

/// Discord's status and code in a serenity error.
fn discord_error(e: &serenity::Error) -> (u16, isize) {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            (r.status_code.as_u16(), r.error.code)
        }
        other => panic!("not a Discord error: {other}"),
    }
}

/// A card with a button in #rekruttering and a thread started from it, archiving after an
/// hour; answers the thread and its first line.
async fn case_thread(http: &Http) -> (GuildChannel, Message) {
    let ch = ChannelId::new(REKRUTTERING);
    let card = ch.say(http, "Sak").await.expect("card");
    let thread = ch
        .create_thread_from_message(
            http,
            card.id,
            CreateThread::new("Sak").auto_archive_duration(AutoArchiveDuration::OneHour),
        )
        .await
        .expect("thread");
    let button = CreateButton::new("done").label("Utført");
    let line = thread
        .id
        .send_message(
            http,
            CreateMessage::new()
                .content("Neste steg")
                .components(vec![CreateActionRow::Buttons(vec![button])]),
        )
        .await
        .expect("line");
    (thread, line)
}

/// The thread as `GET /channels/{id}` answers it, through serenity.
async fn fetched(http: &Http, id: ChannelId) -> GuildChannel {
    match id.to_channel(http).await.expect("GET channel") {
        Channel::Guild(g) => g,
        other => panic!("not a guild channel: {other:?}"),
    }
}

fn archived(c: &GuildChannel) -> bool {
    c.thread_metadata.expect("thread_metadata").archived
}

/// The next THREAD_UPDATE's `thread_metadata`.
async fn next_thread_update(bot: &mut RawBot) -> Value {
    let f = bot.next_event("THREAD_UPDATE").await;
    let parsed: serenity::model::event::GatewayEvent =
        serde_json::from_value(f.clone()).unwrap_or_else(|e| panic!("{e}: {f}"));
    assert!(
        matches!(
            parsed,
            serenity::model::event::GatewayEvent::Dispatch(
                _,
                serenity::model::event::Event::ThreadUpdate(_)
            )
        ),
        "serenity reads it: {f}"
    );
    f["d"]["thread_metadata"].clone()
}

#[tokio::test]
async fn a_thread_archives_after_its_auto_archive_duration_without_activity() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let (thread, _) = case_thread(&http).await;
    sb.advance(Duration::from_secs(50 * 60));
    assert!(!archived(&fetched(&http, thread.id).await));
    // A message is activity: the hour starts again.
    thread.id.say(&http, "aktivitet").await.expect("sent");
    sb.advance(Duration::from_secs(50 * 60));
    assert!(!archived(&fetched(&http, thread.id).await));
    sb.advance(Duration::from_secs(11 * 60));
    let meta = next_thread_update(&mut bot).await;
    assert_eq!(meta["archived"], true);
    assert_eq!(meta["auto_archive_duration"], 60);
    let now = fetched(&http, thread.id).await;
    assert!(archived(&now));
    assert!(sb.channel(thread.id.get()).expect("thread").archived());
    // Archived threads are not among the guild's active threads.
    let active = serenity::model::id::GuildId::new(sb.world().guild_id)
        .get_active_threads(&http)
        .await
        .expect("active threads");
    assert!(active.threads.is_empty());
    sb.assert_no_failures();
}

#[tokio::test]
async fn in_an_archived_thread_an_edit_is_refused_and_a_message_unarchives_it() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let (thread, line) = case_thread(&http).await;
    assert!(sb.archive_thread(thread.id.get()));
    assert_eq!(next_thread_update(&mut bot).await["archived"], true);

    let e = thread
        .id
        .edit_message(&http, line.id, EditMessage::new().content("endret"))
        .await
        .expect_err("edit in an archived thread");
    assert_eq!(discord_error(&e), (400, 50083));
    let e = line.react(&http, '✅').await.expect_err("reaction too");
    assert_eq!(discord_error(&e), (400, 50083));
    let e = thread
        .id
        .add_thread_member(&http, UserId::new(KARI))
        .await
        .expect_err("adding a member too");
    assert_eq!(discord_error(&e), (400, 50083));
    assert_eq!(sb.messages(thread.id.get())[0]["content"], "Neste steg");

    // Sending a message unarchives it (THREAD_UPDATE), and the edit then goes through.
    thread.id.say(&http, "ny linje").await.expect("accepted");
    assert_eq!(next_thread_update(&mut bot).await["archived"], false);
    assert!(!archived(&fetched(&http, thread.id).await));
    thread
        .id
        .edit_message(&http, line.id, EditMessage::new().content("endret"))
        .await
        .expect("edit after unarchiving");
    sb.assert_no_failures();
}

#[tokio::test]
async fn patch_archived_false_unarchives_and_other_changes_to_an_archived_thread_are_refused() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let (thread, line) = case_thread(&http).await;
    sb.archive_thread(thread.id.get());
    next_thread_update(&mut bot).await;
    let e = thread
        .id
        .edit_thread(&http, EditThread::new().name("Nytt navn"))
        .await
        .expect_err("renaming an archived thread");
    assert_eq!(discord_error(&e), (400, 50083));
    let opened = thread
        .id
        .edit_thread(&http, EditThread::new().archived(false))
        .await
        .expect("unarchived");
    assert!(!archived(&opened));
    assert_eq!(next_thread_update(&mut bot).await["archived"], false);
    thread
        .id
        .edit_message(&http, line.id, EditMessage::new().content("endret"))
        .await
        .expect("edit");
    // Unarchiving is activity: the thread has its hour again.
    sb.advance(Duration::from_secs(59 * 60));
    assert!(!archived(&fetched(&http, thread.id).await));
    // The bot may archive its own thread.
    let closed = thread
        .id
        .edit_thread(&http, EditThread::new().archived(true))
        .await
        .expect("archived");
    assert!(archived(&closed));
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_locked_thread_is_closed_to_a_bot_without_manage_threads() {
    init_tracing();
    let world = world().bot_permissions(perms::BOT_DEFAULT & !perms::MANAGE_THREADS);
    let sb = Sandbox::start(world).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let (thread, line) = case_thread(&http).await;
    assert!(sb.lock_thread(thread.id.get()));
    assert_eq!(next_thread_update(&mut bot).await["locked"], true);
    let e = thread.id.say(&http, "hei").await.expect_err("locked");
    assert_eq!(discord_error(&e), (400, 160005));
    let e = thread
        .id
        .edit_message(&http, line.id, EditMessage::new().content("endret"))
        .await
        .expect_err("locked");
    assert_eq!(discord_error(&e), (400, 160005));
    // Locked and archived: a message cannot unarchive it, and neither can the bot.
    sb.archive_thread(thread.id.get());
    let e = thread.id.say(&http, "hei").await.expect_err("locked");
    assert_eq!(discord_error(&e), (400, 50083));
    let e = thread
        .id
        .edit_thread(&http, EditThread::new().archived(false))
        .await
        .expect_err("only MANAGE_THREADS unarchives a locked thread");
    assert_eq!(discord_error(&e), (403, 50013));
    assert!(sb.channel(thread.id.get()).expect("thread").archived());
    assert_eq!(sb.messages(thread.id.get()).len(), 1);
}

#[tokio::test]
async fn a_bot_with_manage_threads_writes_in_a_locked_thread_and_unarchives_it() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let (thread, _) = case_thread(&http).await;
    sb.lock_thread(thread.id.get());
    sb.archive_thread(thread.id.get());
    thread.id.say(&http, "moderator").await.expect("accepted");
    let now = fetched(&http, thread.id).await;
    let meta = now.thread_metadata.expect("metadata");
    assert!(!meta.archived, "unarchived by the message");
    assert!(meta.locked, "still locked");
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_press_in_an_archived_thread_unarchives_it_first_as_discords_client_does() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let (thread, line) = case_thread(&http).await;
    sb.archive_thread(thread.id.get());
    next_thread_update(&mut bot).await;
    let kari = sb.member(KARI).in_channel(thread.id.get());
    let card = kari.snapshot(line.id.get()).expect("visible");
    let p = kari.start_press_on("Utført", &card).expect("dispatched");
    // The client's PATCH comes first: THREAD_UPDATE, then the interaction.
    assert_eq!(next_thread_update(&mut bot).await["archived"], false);
    let f = bot.next_event("INTERACTION_CREATE").await;
    assert_eq!(f["d"]["id"], p.id.to_string());
    let (s, _, b) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", p.id, p.token),
        Some(json!({ "type": 7, "data": { "content": "Utført ✅", "components": [] } })),
    )
    .await;
    assert_eq!(s, 204, "{b}");
    assert_eq!(sb.messages(thread.id.get())[0]["content"], "Utført ✅");
}

#[tokio::test]
async fn answers_in_a_locked_thread_are_refused_as_thread_is_archived() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let (thread, line) = case_thread(&http).await;
    sb.lock_thread(thread.id.get());
    sb.archive_thread(thread.id.get());
    let kari = sb.member(KARI).in_channel(thread.id.get());
    let card = kari.snapshot(line.id.get()).expect("visible");
    let p = kari.start_press_on("Utført", &card).expect("dispatched");
    bot.next_event("INTERACTION_CREATE").await;
    assert!(
        sb.channel(thread.id.get()).expect("thread").archived(),
        "a person cannot unarchive a locked thread"
    );
    let cb = format!("/interactions/{}/{}/callback", p.id, p.token);
    let (s, _, b) = call(
        &sb,
        "POST",
        &cb,
        Some(json!({ "type": 7, "data": { "content": "Utført ✅" } })),
    )
    .await;
    assert_eq!((s, b["code"].as_u64()), (400, Some(50083)), "{b}");
    let (s, _, b) = call(
        &sb,
        "POST",
        &cb,
        Some(json!({ "type": 4, "data": { "content": "Ferdig" } })),
    )
    .await;
    assert_eq!((s, b["code"].as_u64()), (400, Some(50083)), "{b}");
}
