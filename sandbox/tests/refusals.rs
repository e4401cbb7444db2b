//! Refusals on demand, as Discord answers them: one route failing with a given error (for one
//! channel or all), a channel closed to the bot, a channel or message deleted, a request that
//! hangs.

mod common;

use std::time::Duration;

use common::*;
use sandbox::{HttpMode, Sandbox};
use serde_json::json;
use serenity::builder::{CreateMessage, CreateThread, EditMessage};
use serenity::model::channel::ChannelType;
use serenity::model::event::{Event, GatewayEvent};
use serenity::model::id::{ChannelId, MessageId};

const SEND: &str = "POST /channels/{channel_id}/messages";

/// Discord's status, code and message in a serenity error.
fn discord_error(e: &serenity::Error) -> (u16, isize, String) {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => (
            r.status_code.as_u16(),
            r.error.code,
            r.error.message.clone(),
        ),
        other => panic!("not a Discord error: {other}"),
    }
}

fn event(frame: &serde_json::Value) -> Event {
    match serde_json::from_value::<GatewayEvent>(frame.clone())
        .unwrap_or_else(|e| panic!("{e}: {frame}"))
    {
        GatewayEvent::Dispatch(_, e) => e,
        other => panic!("not a dispatch: {other:?}"),
    }
}

#[tokio::test]
async fn fail_next_with_answers_discords_error_for_one_channel_only() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    sb.fail_next_with(SEND, Some(REKRUTTERING), 403, 50013, 2);
    // Another channel is not touched, and does not use up the fault.
    ChannelId::new(GENERELT)
        .say(&http, "hei")
        .await
        .expect("other channel");
    for _ in 0..2 {
        let e = ChannelId::new(REKRUTTERING)
            .say(&http, "hei")
            .await
            .expect_err("refused");
        assert_eq!(
            discord_error(&e),
            (403, 50013, "Missing Permissions".into())
        );
    }
    assert!(
        sb.messages(REKRUTTERING).is_empty(),
        "nothing was carried out"
    );
    ChannelId::new(REKRUTTERING)
        .say(&http, "hei")
        .await
        .expect("after n refusals, accepted");
    // Any route: `*`, and a 5xx with Discord's body.
    sb.fail_next_with("*", None, 503, 0, 1);
    let (s, _, b) = call(&sb, "GET", "/users/@me", None).await;
    assert_eq!(s, 503);
    assert_eq!(
        b,
        json!({ "code": 0, "message": "503: Service Unavailable" })
    );
    // Injected refusals are what the test asked for, not the bot's mistakes.
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_forbidden_channel_answers_403_until_allowed_and_missing_access_covers_its_threads() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let card = ch.say(&http, "kort").await.expect("sent");
    let thread = ch
        .create_thread_from_message(&http, card.id, CreateThread::new("Sak"))
        .await
        .expect("thread");

    sb.forbid_channel(REKRUTTERING, 50013);
    let e = ch.say(&http, "hei").await.expect_err("send refused");
    assert_eq!(
        discord_error(&e),
        (403, 50013, "Missing Permissions".into())
    );
    let e = ch
        .edit_message(&http, card.id, EditMessage::new().content("endret"))
        .await
        .expect_err("edit refused");
    assert_eq!(discord_error(&e).1, 50013);
    // Missing Permissions on the parent does not close its threads...
    thread.id.say(&http, "i tråden").await.expect("thread open");

    // ...Missing Access does: the channel, its messages and its threads.
    sb.forbid_channel(REKRUTTERING, 50001);
    let e = ch.message(&http, card.id).await.expect_err("read refused");
    assert_eq!(discord_error(&e), (403, 50001, "Missing Access".into()));
    let e = thread
        .id
        .say(&http, "hei")
        .await
        .expect_err("thread closed");
    assert_eq!(discord_error(&e), (403, 50001, "Missing Access".into()));
    let e = ch
        .create_thread(
            &http,
            CreateThread::new("Ny").kind(ChannelType::PublicThread),
        )
        .await
        .expect_err("no thread from it");
    assert_eq!(discord_error(&e).1, 50001);
    assert_eq!(sb.messages(REKRUTTERING).len(), 1, "nothing changed");
    assert_eq!(
        sb.messages(REKRUTTERING)[0]["content"],
        "kort",
        "nothing edited"
    );

    sb.allow_channel(REKRUTTERING);
    ch.say(&http, "igjen").await.expect("allowed again");
    thread.id.say(&http, "igjen").await.expect("thread too");
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_deleted_channel_is_unknown_and_dispatched_as_channel_and_thread_delete() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let card = ch.say(&http, "kort").await.expect("sent");
    let thread = ch
        .create_thread_from_message(&http, card.id, CreateThread::new("Sak"))
        .await
        .expect("thread");
    thread.id.say(&http, "linje").await.expect("sent");

    // A moderator deletes the thread: THREAD_DELETE, then 404 / 10003 for good.
    assert!(sb.delete_channel(thread.id.get()));
    let f = bot.next_event("THREAD_DELETE").await;
    match event(&f) {
        Event::ThreadDelete(e) => {
            assert_eq!(e.thread.id, thread.id);
            assert_eq!(e.thread.parent_id, ch);
        }
        other => panic!("{other:?}"),
    }
    let e = thread.id.say(&http, "hei").await.expect_err("gone");
    assert_eq!(discord_error(&e), (404, 10003, "Unknown Channel".into()));
    assert!(sb.messages(thread.id.get()).is_empty());
    assert!(sb.channel(thread.id.get()).is_none());

    // The channel: CHANNEL_DELETE, and its messages are unknown.
    assert!(sb.delete_channel(REKRUTTERING));
    let f = bot.next_event("CHANNEL_DELETE").await;
    match event(&f) {
        Event::ChannelDelete(e) => assert_eq!(e.channel.id, ch),
        other => panic!("{other:?}"),
    }
    let e = ch.message(&http, card.id).await.expect_err("gone");
    assert_eq!(discord_error(&e).0, 404);
    assert_eq!(discord_error(&e).1, 10003);
    let (s, _, b) = call(&sb, "GET", &format!("/channels/{REKRUTTERING}"), None).await;
    assert_eq!((s, b["code"].as_u64()), (404, Some(10003)));
    assert!(!sb.delete_channel(REKRUTTERING), "already gone");
    // A correct bot meets these; they are not failures.
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_deleted_thread_goes_with_its_channel() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let thread = ChannelId::new(REKRUTTERING)
        .create_thread(
            &http,
            CreateThread::new("Sak").kind(ChannelType::PublicThread),
        )
        .await
        .expect("thread");
    assert!(sb.delete_channel(REKRUTTERING));
    let f = bot.next_event("THREAD_DELETE").await;
    assert_eq!(f["d"]["id"], thread.id.to_string());
    bot.next_event("CHANNEL_DELETE").await;
    let e = thread.id.say(&http, "hei").await.expect_err("gone");
    assert_eq!(discord_error(&e).1, 10003);
}

#[tokio::test]
async fn a_deleted_message_is_unknown_and_dispatched_as_message_delete() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let card = ch
        .send_message(&http, CreateMessage::new().content("kort"))
        .await
        .expect("sent");
    let other = ch.say(&http, "annen").await.expect("sent");
    assert!(sb.delete_message(REKRUTTERING, card.id.get()));
    let f = bot.next_event("MESSAGE_DELETE").await;
    match event(&f) {
        Event::MessageDelete(e) => {
            assert_eq!(e.message_id, card.id);
            assert_eq!(e.channel_id, ch);
        }
        other => panic!("{other:?}"),
    }
    let e = ch
        .edit_message(&http, card.id, EditMessage::new().content("endret"))
        .await
        .expect_err("gone");
    assert_eq!(discord_error(&e), (404, 10008, "Unknown Message".into()));
    let e = ch
        .message(&http, MessageId::new(card.id.get()))
        .await
        .expect_err("gone");
    assert_eq!(discord_error(&e).1, 10008);
    assert_eq!(sb.messages(REKRUTTERING).len(), 1);
    assert_eq!(sb.messages(REKRUTTERING)[0]["id"], other.id.to_string());
    assert!(!sb.delete_message(REKRUTTERING, card.id.get()));
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_hung_request_is_never_carried_out_nor_answered() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    sb.hang_next(SEND, 1);
    // A client that gives up after a while, as a bounded call does.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let url = format!("{}/api/v10/channels/{REKRUTTERING}/messages", sb.http_url());
    let sent = client
        .post(&url)
        .header("authorization", format!("Bot {}", sb.world().token))
        .json(&json!({ "content": "henger" }))
        .send()
        .await;
    let err = sent.expect_err("no answer");
    assert!(err.is_timeout(), "{err}");
    let hung = sb.requests_on(SEND);
    assert_eq!(hung.len(), 1, "the request arrived");
    assert_eq!(hung[0].status, 0, "and was never answered");
    assert!(
        sb.messages(REKRUTTERING).is_empty(),
        "and never carried out"
    );
    // The next one goes through.
    let http = sb.http(HttpMode::Proxy).expect("http");
    ChannelId::new(REKRUTTERING)
        .say(&http, "neste")
        .await
        .expect("answered");
    assert_eq!(sb.messages(REKRUTTERING).len(), 1);
}
