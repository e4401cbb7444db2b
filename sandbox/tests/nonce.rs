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
