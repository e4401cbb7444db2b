//! Faults on demand: 500s, 429 bursts, slow replies, INVALID_SESSION, RECONNECT, dropped
//! connections; the request log and its JSON-lines file.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sandbox::Sandbox;
use serde_json::json;
use serenity::model::event::{Event, GatewayEvent};

async fn start() -> Sandbox {
    init_tracing();
    Sandbox::start(world()).await.expect("sandbox")
}

#[tokio::test]
async fn a_500_then_success() {
    let sb = start().await;
    sb.fail_next("GET /users/@me", 2);
    assert_eq!(call(&sb, "GET", "/users/@me", None).await.0, 500);
    assert_eq!(call(&sb, "GET", "/users/@me", None).await.0, 500);
    assert_eq!(call(&sb, "GET", "/users/@me", None).await.0, 200);
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_429_burst_on_one_route() {
    let sb = start().await;
    sb.rate_limit_next("POST /channels/{channel_id}/messages", 2, 1.5, true);
    let path = format!("/channels/{GENERELT}/messages");
    for _ in 0..2 {
        let (s, h, b) = call(&sb, "POST", &path, Some(json!({ "content": "x" }))).await;
        assert_eq!(s, 429);
        // Whole seconds, rounded up, in the header; the exact value in the body.
        assert_eq!(
            h.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("2")
        );
        assert!(h.contains_key("x-ratelimit-global"));
        assert_eq!(b["retry_after"], 1.5);
    }
    assert_eq!(
        call(&sb, "GET", "/users/@me", None).await.0,
        200,
        "other routes are not affected"
    );
    assert_eq!(
        call(&sb, "POST", &path, Some(json!({ "content": "x" })))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_slow_reply() {
    let sb = start().await;
    sb.delay_next("*", 1, Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(call(&sb, "GET", "/users/@me", None).await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn gateway_faults_reach_the_client() {
    let sb = start().await;
    let mut bot = RawBot::connect(&sb).await;
    bot.next_event("GUILD_CREATE").await;
    assert!(sb.invalid_session(true));
    let invalid = bot.next().await;
    assert_eq!(invalid, json!({ "op": 9, "d": true, "s": null, "t": null }));
    assert!(matches!(
        parse(&invalid),
        GatewayEvent::InvalidateSession(true)
    ));
    assert!(sb.reconnect());
    assert!(matches!(parse(&bot.next().await), GatewayEvent::Reconnect));
    // A RESUME with the session id replays what was missed, then RESUMED.
    register_commands(&sb).await;
    sb.member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let missed = bot.next_event("INTERACTION_CREATE").await;
    assert!(sb.drop_connection());
    let session = sb.dispatched()[0]["d"]["session_id"]
        .as_str()
        .expect("session")
        .to_string();
    let seq = missed["s"].as_u64().expect("seq") - 1;
    let mut again = reconnect_raw(&sb).await;
    again.send.send(json!({ "op": 6, "d": { "token": sb.world().token, "session_id": session, "seq": seq } })).expect("send");
    assert_eq!(
        again.next().await,
        missed,
        "the missed dispatch is replayed"
    );
    let resumed = again.next().await;
    assert_eq!(resumed["t"], "RESUMED");
    assert!(matches!(
        parse(&resumed),
        GatewayEvent::Dispatch(_, Event::Resumed(_))
    ));
    assert_eq!(sb.gateway_ops().iter().filter(|o| **o == 6).count(), 1);
    // A heartbeat is acknowledged.
    again
        .send
        .send(json!({ "op": 1, "d": seq + 2 }))
        .expect("send");
    let ack = again.next().await;
    assert!(matches!(parse(&ack), GatewayEvent::HeartbeatAck));
}

/// Parses a frame as serenity's shard does.
fn parse(frame: &serde_json::Value) -> GatewayEvent {
    serde_json::from_value(frame.clone()).unwrap_or_else(|e| panic!("{e}: {frame}"))
}

/// A second raw connection that has only received HELLO.
async fn reconnect_raw(sb: &Sandbox) -> RawBot {
    use futures::{SinkExt, StreamExt};
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}?v=10", sb.gateway_url()))
        .await
        .expect("connect");
    let (mut sink, mut stream) = ws.split();
    let (in_tx, in_rx) = tokio::sync::mpsc::unbounded_channel();
    let (out_tx, mut out_rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    tokio::spawn(async move {
        while let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) = stream.next().await {
            let _ = in_tx.send(serde_json::from_str(t.as_str()).expect("JSON"));
        }
    });
    tokio::spawn(async move {
        while let Some(v) = out_rx.recv().await {
            let _ = sink
                .send(tokio_tungstenite::tungstenite::Message::Text(
                    v.to_string().into(),
                ))
                .await;
        }
    });
    let mut bot = RawBot {
        frames: in_rx,
        send: out_tx,
    };
    assert_eq!(bot.next().await["op"], 10);
    bot
}

#[tokio::test]
async fn requests_are_written_as_json_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sandbox.jsonl");
    // `Config::log_path` defaults to the env var LOS_SANDBOX_LOG.
    let config = sandbox::Config {
        log_path: Some(file.clone()),
        ..Default::default()
    };
    let sb = Sandbox::start(world().config(config))
        .await
        .expect("sandbox");
    call(&sb, "GET", "/users/@me", None).await;
    call(&sb, "GET", "/nope", None).await;
    let text = std::fs::read_to_string(&file).expect("log file");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert!(lines
        .iter()
        .any(|l| l["kind"] == "request" && l["record"]["route"] == "/users/@me"));
    assert!(lines.iter().any(|l| l["kind"] == "failure"));
}
