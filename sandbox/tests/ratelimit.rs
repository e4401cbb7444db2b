//! Rate limits like Discord's: headers on every reply, per-route buckets, the global limit, and
//! serenity's own rate limiter (over TLS for `discord.com`) waiting out a 429.

mod common;

use std::time::Duration;

use common::*;
use sandbox::{Config, HttpMode, Sandbox};
use serde_json::json;
use serenity::builder::CreateMessage;
use serenity::model::id::ChannelId;

fn header(h: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[tokio::test]
async fn headers_are_on_every_reply_and_the_bucket_answers_429() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let path = format!("/channels/{GENERELT}/messages");
    let (s, h, _) = call(&sb, "GET", "/users/@me", None).await;
    assert_eq!(s, 200);
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-reset-after",
        "x-ratelimit-bucket",
    ] {
        assert!(h.contains_key(name), "{name} on GET /users/@me");
    }
    for i in 0..5 {
        let (s, h, b) = call(
            &sb,
            "POST",
            &path,
            Some(json!({ "content": format!("{i}") })),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(header(&h, "x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(
            header(&h, "x-ratelimit-remaining"),
            Some((4 - i).to_string())
        );
        let reset_after: f64 = header(&h, "x-ratelimit-reset-after")
            .expect("reset-after")
            .parse()
            .expect("float");
        assert!(reset_after > 0.0 && reset_after <= 5.0, "{reset_after}");
    }
    let (s, h, b) = call(&sb, "POST", &path, Some(json!({ "content": "6" }))).await;
    assert_eq!(s, 429, "{b}");
    let retry: f64 = header(&h, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("float");
    assert!(retry > 0.0 && retry <= 5.0);
    assert!(header(&h, "x-ratelimit-global").is_none());
    assert_eq!(header(&h, "x-ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(b["message"], "You are being rate limited.");
    assert_eq!(b["global"], false);
    assert!(b["retry_after"].as_f64().expect("retry_after") > 0.0);
    assert_eq!(
        sb.messages(GENERELT).len(),
        5,
        "the refused message is not stored"
    );
    // The bucket is per channel.
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/channels/{REKRUTTERING}/messages"),
        Some(json!({ "content": "x" })),
    )
    .await;
    assert_eq!(s, 200);
    // The 429 is in the request log, and is not a failure: Discord answers it to correct bots.
    assert_eq!(sb.requests().iter().filter(|r| r.status == 429).count(), 1);
    sb.assert_no_failures();
}

#[tokio::test]
async fn the_global_limit_answers_429_with_the_global_header() {
    init_tracing();
    // A window no machine is slow enough to see end within the test.
    let config = Config {
        global_limit: 3,
        global_window: Duration::from_secs(60),
        ..Config::default()
    };
    let sb = Sandbox::start(world().config(config))
        .await
        .expect("sandbox");
    for _ in 0..3 {
        let (s, _, _) = call(&sb, "GET", "/users/@me", None).await;
        assert_eq!(s, 200);
    }
    let (s, h, b) = call(&sb, "GET", "/oauth2/applications/@me", None).await;
    assert_eq!(s, 429, "{b}");
    assert_eq!(header(&h, "x-ratelimit-global").as_deref(), Some("true"));
    assert!(header(&h, "retry-after").is_some());
    assert_eq!(b["global"], true);
    assert!(b["retry_after"].as_f64().expect("retry_after") <= 60.0);
    assert!(
        header(&h, "x-ratelimit-bucket").is_none(),
        "no route headers on a global 429"
    );
}

#[tokio::test]
async fn interaction_endpoints_are_not_bound_by_the_global_limit() {
    init_tracing();
    // A window no machine is slow enough to see end within the test.
    let config = Config {
        global_limit: 1,
        global_window: Duration::from_secs(60),
        ..Config::default()
    };
    let sb = Sandbox::start(world().config(config))
        .await
        .expect("sandbox");
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await; // uses up the global limit for this window
    let p = sb
        .member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let cb = format!("/interactions/{}/{}/callback", p.id, p.token);
    let (s, h, _) = call(&sb, "POST", &cb, Some(json!({ "type": 5 }))).await;
    assert_eq!(s, 204);
    assert!(
        header(&h, "x-ratelimit-limit").is_none(),
        "callbacks are not limited"
    );
    let app = sb.world().application_id;
    let followup = format!("/webhooks/{app}/{}", p.token);
    let (s, h, b) = call(&sb, "POST", &followup, Some(json!({ "content": "Ferdig" }))).await;
    assert_eq!(s, 200, "{b}");
    assert!(
        header(&h, "x-ratelimit-limit").is_some(),
        "follow-ups have a route bucket"
    );
    // Other routes are still bound by it: the commands used up the window's one request.
    let (s, _, _) = call(&sb, "GET", "/users/@me", None).await;
    assert_eq!(s, 429, "other routes are still bound by the global limit");
}

#[tokio::test]
async fn serenitys_rate_limiter_waits_out_a_429_over_tls() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Tls).expect("http");
    let user = http
        .get_current_user()
        .await
        .expect("GET /users/@me over TLS");
    assert_eq!(user.id.get(), sb.world().bot_id);

    sb.rate_limit_next("POST /channels/{channel_id}/messages", 1, 0.2, false);
    let started = std::time::Instant::now();
    let msg = ChannelId::new(GENERELT)
        .send_message(&http, CreateMessage::new().content("etter ventetid"))
        .await
        .expect("the request succeeds after the 429");
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "serenity waited Retry-After"
    );
    assert_eq!(msg.content, "etter ventetid");
    let statuses: Vec<u16> = sb
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![429, 200]);
    sb.assert_no_failures();
}

#[tokio::test]
async fn serenitys_rate_limiter_follows_the_bucket_headers() {
    init_tracing();
    let mut config = Config::default();
    config.buckets.insert(
        "POST /channels/{channel_id}/messages".into(),
        (2, Duration::from_millis(500)),
    );
    let sb = Sandbox::start(world().config(config))
        .await
        .expect("sandbox");
    let http = sb.http(HttpMode::Tls).expect("http");
    for i in 0..3 {
        ChannelId::new(GENERELT)
            .send_message(&http, CreateMessage::new().content(format!("{i}")))
            .await
            .expect("sent");
    }
    // serenity read remaining=0 and waited for the reset instead of running into a 429.
    assert!(
        sb.requests().iter().all(|r| r.status == 200),
        "{:?}",
        sb.requests()
    );
    assert_eq!(sb.messages(GENERELT).len(), 3);
}
