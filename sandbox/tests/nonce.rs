//! Discord's message de-duplication: a repeated nonce with `enforce_nonce` returns the message
//! already posted instead of posting it again.

mod common;

use common::*;
use sandbox::{HttpMode, Sandbox};
use serenity::builder::CreateMessage;
use serenity::model::channel::Nonce;
use serenity::model::id::ChannelId;

fn with_nonce(text: &str, nonce: &str, enforce: bool) -> CreateMessage {
    CreateMessage::new()
        .content(text)
        .nonce(Nonce::String(nonce.into()))
        .enforce_nonce(enforce)
}

#[tokio::test]
async fn an_enforced_nonce_posts_once_and_answers_the_first_message() {
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let first = ch
        .send_message(&http, with_nonce("påminnelse", "abc123", true))
        .await
        .expect("first send");
    let again = ch
        .send_message(&http, with_nonce("påminnelse igjen", "abc123", true))
        .await
        .expect("second send");
    assert_eq!(first.id, again.id);
    assert_eq!(again.content, "påminnelse");
    let other = ch
        .send_message(&http, with_nonce("en annen", "def456", true))
        .await
        .expect("other nonce");
    assert_ne!(other.id, first.id);
    assert_eq!(sb.messages(REKRUTTERING).len(), 2);
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_nonce_without_enforce_does_not_deduplicate() {
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    for _ in 0..2 {
        ch.send_message(&http, with_nonce("hei", "same", false))
            .await
            .expect("send");
    }
    assert_eq!(sb.messages(REKRUTTERING).len(), 2);
}

#[tokio::test]
async fn a_nonce_longer_than_25_characters_is_refused() {
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let long = "x".repeat(26);
    let sent = ChannelId::new(REKRUTTERING)
        .send_message(&http, with_nonce("hei", &long, true))
        .await;
    assert!(sent.is_err(), "{sent:?}");
    assert!(sb.messages(REKRUTTERING).is_empty());
}

#[tokio::test]
async fn a_lost_reply_still_posts_and_the_retry_with_its_nonce_finds_it() {
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = std::sync::Arc::new(sb.http(HttpMode::Proxy).expect("http"));
    let ch = ChannelId::new(REKRUTTERING);
    sb.lose_reply_next("POST /channels/{channel_id}/messages", 1);
    let sender = http.clone();
    let lost = tokio::spawn(async move {
        ch.send_message(&sender, with_nonce("påminnelse", "lost1", true))
            .await
    });
    let posted = sb
        .wait_for_message(REKRUTTERING, |m| m["content"] == "påminnelse")
        .await
        .expect("posted although unanswered");
    assert!(!lost.is_finished(), "the reply should never come");
    lost.abort();
    let retry = ch
        .send_message(&http, with_nonce("påminnelse", "lost1", true))
        .await
        .expect("the retry is answered");
    assert_eq!(
        retry.id.to_string(),
        posted["id"].as_str().unwrap_or_default()
    );
    assert_eq!(sb.messages(REKRUTTERING).len(), 1);
}

#[tokio::test]
async fn a_nonce_is_forgotten_after_the_window_and_the_same_send_posts_a_duplicate() {
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let window = sb.world().config.nonce_window;
    assert_eq!(
        window,
        std::time::Duration::from_secs(5 * 60),
        "the default"
    );
    let first = ch
        .send_message(&http, with_nonce("påminnelse", "r1", true))
        .await
        .expect("first send");
    // Within the window the retry finds the first message.
    sb.advance(window - std::time::Duration::from_secs(10));
    let retry = ch
        .send_message(&http, with_nonce("påminnelse", "r1", true))
        .await
        .expect("retry");
    assert_eq!(retry.id, first.id);
    // After it, Discord has forgotten the nonce: the same request posts again.
    sb.advance(std::time::Duration::from_secs(11));
    let late = ch
        .send_message(&http, with_nonce("påminnelse", "r1", true))
        .await
        .expect("late retry");
    assert_ne!(late.id, first.id, "a duplicate, as on Discord");
    assert_eq!(sb.messages(REKRUTTERING).len(), 2);
    // The duplicate starts a new window of its own.
    let again = ch
        .send_message(&http, with_nonce("påminnelse", "r1", true))
        .await
        .expect("retry of the duplicate");
    assert_eq!(again.id, late.id);
    sb.assert_no_failures();
}
