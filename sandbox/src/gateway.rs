//! The gateway (docs: events--gateway.mdx): plain `ws://`, JSON text frames.
//! HELLO → IDENTIFY → READY + GUILD_CREATE; heartbeats; RESUME with replay; RECONNECT and
//! INVALID_SESSION on demand.

use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State as AxState;
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::payloads;
use crate::rest::Server;
use crate::sessions::{send_dispatch, shard_of, Session};
use crate::state::{channel_json, Outgoing, Shared};
pub use crate::state::{dispatch, send_op};

/// Heartbeat interval announced in HELLO (ms).
pub const HEARTBEAT_INTERVAL: u64 = 41_250;

pub async fn upgrade(AxState(server): AxState<Arc<Server>>, ws: WebSocketUpgrade) -> Response {
    let shared = server.shared.clone();
    let refused = shared.write(|s| {
        if s.gateway.outage {
            s.gateway.refused += 1;
        }
        s.gateway.outage
    });
    if refused {
        return axum::response::IntoResponse::into_response((
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the gateway is unavailable",
        ));
    }
    ws.on_upgrade(move |socket| connection(shared, socket))
}

enum Step {
    Continue,
    Close(u16, &'static str),
}

async fn connection(shared: Arc<Shared>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn_id = shared.write(|s| {
        s.gateway.next_conn += 1;
        s.gateway.next_conn
    });
    tracing::debug!(conn_id, "gateway connection");
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": HEARTBEAT_INTERVAL }, "s": null, "t": null });
    if sink
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outgoing::Frame(v)) => {
                    if sink.send(Message::Text(v.to_string().into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Drop) | None => break,
            },
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(t))) => match frame(&shared, conn_id, &tx, t.as_str()) {
                    Step::Continue => {}
                    Step::Close(code, reason) => {
                        let close = CloseFrame { code, reason: reason.into() };
                        let _ = sink.send(Message::Close(Some(close))).await;
                        break;
                    }
                },
                Some(Ok(Message::Binary(_))) => {
                    let _ = sink.send(Message::Close(Some(CloseFrame { code: 4002, reason: "Decode error".into() }))).await;
                    shared.record_failure("gateway", "", "binary frame; the sandbox speaks JSON text frames");
                    break;
                }
                // The bot closes: answer its close frame, as Discord does (RFC 6455 §5.5.1),
                // so it does not wait for one in vain.
                Some(Ok(Message::Close(_))) => {
                    // The reply is queued by the WebSocket; closing flushes it.
                    let _ = sink.close().await;
                    break;
                }
                Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    shared.write(|s| s.gateway.closed(conn_id));
    tracing::debug!(conn_id, "gateway connection closed");
}

fn frame(
    shared: &Arc<Shared>,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outgoing>,
    text: &str,
) -> Step {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        shared.record_failure("gateway", "", format!("frame is not JSON: {text}"));
        return Step::Close(4002, "Decode error");
    };
    let op = v["op"].as_u64().unwrap_or(u64::MAX);
    shared.write(|s| s.gateway.received_ops.push(op.min(255) as u8));
    let w = &shared.world;
    match op {
        1 => {
            shared.write(|s| s.gateway.heartbeats += 1);
            let _ = tx.send(Outgoing::Frame(
                json!({ "op": 11, "d": null, "s": null, "t": null }),
            ));
            Step::Continue
        }
        2 => {
            if v["d"]["token"]
                .as_str()
                .map(|t| t.trim_start_matches("Bot "))
                != Some(w.token.as_str())
            {
                shared.record_failure("gateway IDENTIFY", "", "wrong token");
                return Step::Close(4004, "Authentication failed.");
            }
            let Some(intents) = v["d"]["intents"].as_u64() else {
                shared.record_failure("gateway IDENTIFY", "", "no intents");
                return Step::Close(4013, "Invalid intent(s).");
            };
            let privileged = (1 << 1) | (1 << 8) | (1 << 15);
            let disallowed = intents & privileged & !w.privileged_intents;
            if disallowed != 0 {
                shared.record_failure(
                    "gateway IDENTIFY",
                    "",
                    format!(
                        "privileged intents {disallowed:#x} are not enabled for the application"
                    ),
                );
                return Step::Close(4014, "Disallowed intent(s).");
            }
            // `shard: [shard_id, num_shards]`; none is `[0, 1]`.
            let shard = match &v["d"]["shard"] {
                Value::Null => [0, 1],
                s => match (s[0].as_u64(), s[1].as_u64()) {
                    (Some(id), Some(num)) if num >= 1 && id < num && num <= 4096 => {
                        #[allow(clippy::cast_possible_truncation)] // bounded just above
                        [id as u32, num as u32]
                    }
                    _ => {
                        shared.record_failure("gateway IDENTIFY", "", format!("invalid shard {s}"));
                        return Step::Close(4010, "Invalid shard.");
                    }
                },
            };
            let max_concurrency = w.config.max_concurrency;
            let allowed = !w.config.identify_spacing
                || shared.write(|s| {
                    s.gateway
                        .identify_allowed(shard[0], max_concurrency, std::time::Instant::now())
                });
            if !allowed {
                // Discord: an app over its max_concurrency gets INVALID_SESSION.
                let _ = tx.send(Outgoing::Frame(
                    json!({ "op": 9, "d": false, "s": null, "t": null }),
                ));
                return Step::Continue;
            }
            shared.write(|s| {
                let session_id = format!("sandbox-session-{}", s.snowflake());
                s.gateway.identifies += 1;
                s.gateway.open(Session {
                    session_id: session_id.clone(),
                    shard,
                    intents,
                    seq: 0,
                    log: Vec::new(),
                    conn: Some((conn_id, tx.clone())),
                });
                let resume_url = "ws://127.0.0.1/gateway".to_string();
                let on_shard = shard_of(Some(w.guild_id), shard[1]) == shard[0];
                let mut ready = payloads::ready(w, &session_id, &resume_url);
                ready["shard"] = json!(shard);
                if !on_shard {
                    ready["guilds"] = json!([]);
                }
                // Every guild channel with its type and overwrites; only active threads, as
                // Discord sends them.
                s.archive_idle_threads(w);
                let (channels, threads): (Vec<Value>, Vec<Value>) = {
                    let all: Vec<_> = s
                        .channels
                        .values()
                        .filter(|c| c.kind != crate::world::kinds::DM)
                        .cloned()
                        .collect();
                    let ch = all
                        .iter()
                        .filter(|c| !c.is_thread())
                        .map(|c| channel_json(w, c))
                        .collect();
                    let th = all
                        .iter()
                        .filter(|c| c.is_thread() && !c.archived())
                        .map(|c| channel_json(w, c))
                        .collect();
                    (ch, th)
                };
                let people = s.members(w);
                let session = s.gateway.session_on(conn_id).expect("just opened");
                send_dispatch(session, 0, "READY", ready);
                if on_shard {
                    let guild = payloads::guild_create(
                        w,
                        &people,
                        channels,
                        threads,
                        intents & (1 << 1) != 0,
                    );
                    send_dispatch(session, 0, "GUILD_CREATE", guild);
                }
            });
            Step::Continue
        }
        6 => {
            let session = v["d"]["session_id"].as_str().unwrap_or("").to_string();
            let seq = v["d"]["seq"].as_u64().unwrap_or(0);
            let ok = shared.write(|s| {
                let Some(i) = s
                    .gateway
                    .sessions
                    .iter()
                    .position(|x| x.session_id == session)
                else {
                    return false;
                };
                // Another live session on its shard is an overlap (its own old connection,
                // replaced now, is not).
                let shard = s.gateway.sessions[i].shard;
                s.gateway.sessions[i].conn = None;
                s.gateway.note_overlap(shard);
                let x = &mut s.gateway.sessions[i];
                for (_, f) in x.log.iter().filter(|(n, _)| *n > seq) {
                    let _ = tx.send(Outgoing::Frame(f.clone()));
                }
                x.conn = Some((conn_id, tx.clone()));
                send_dispatch(x, 0, "RESUMED", json!({}));
                s.gateway.resumes += 1;
                true
            });
            if !ok {
                let _ = tx.send(Outgoing::Frame(
                    json!({ "op": 9, "d": false, "s": null, "t": null }),
                ));
            }
            Step::Continue
        }
        3 | 4 | 8 => Step::Continue,
        _ => {
            shared.record_failure("gateway", "", format!("unknown opcode in {text}"));
            Step::Close(4001, "Unknown opcode.")
        }
    }
}
