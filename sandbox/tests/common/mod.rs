//! Helpers shared by the sandbox's tests.
#![allow(dead_code)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use sandbox::{Member, Sandbox, World};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

pub const LEDER: u64 = 501;
pub const RADGIVER: u64 = 502;
pub const KARI: u64 = 1001;
pub const JOHN: u64 = 1002;
pub const STENGT: u64 = 1003;
pub const GENERELT: u64 = 700_000_000_000_000_001;
pub const REKRUTTERING: u64 = 700_000_000_000_000_002;

pub fn world() -> World {
    World::new()
        .role(LEDER, "Leder")
        .role(RADGIVER, "HR-rådgiver")
        .member(Member::new(KARI, "kari").roles(&[LEDER]).locale("no"))
        .member(Member::new(JOHN, "john").roles(&[RADGIVER]).locale("en-US"))
        .member(Member::new(STENGT, "stengt").dms_closed())
        .channel(REKRUTTERING, "rekruttering")
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A plain HTTP call to the sandbox as the bot: (status, headers, JSON body or Null).
pub async fn call(
    sb: &Sandbox,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}/api/v10{path}", sb.http_url());
    let mut req = client
        .request(method.parse().expect("method"), url)
        .header("authorization", format!("Bot {}", sb.world().token));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("sandbox answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// A bare gateway client: identifies and keeps every frame it receives.
pub struct RawBot {
    pub frames: mpsc::UnboundedReceiver<Value>,
    pub send: mpsc::UnboundedSender<Value>,
}

impl RawBot {
    /// Connects with GUILDS, GUILD_MESSAGES and DIRECT_MESSAGES.
    pub async fn connect(sb: &Sandbox) -> RawBot {
        Self::connect_with(sb, 1 | (1 << 9) | (1 << 12)).await
    }

    pub async fn connect_with(sb: &Sandbox, intents: u64) -> RawBot {
        let (ws, _) =
            tokio_tungstenite::connect_async(format!("{}?v=10&encoding=json", sb.gateway_url()))
                .await
                .expect("gateway connects");
        let (mut sink, mut stream) = ws.split();
        let (in_tx, in_rx) = mpsc::unbounded_channel();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            while let Some(Ok(m)) = stream.next().await {
                if let Message::Text(t) = m {
                    let _ =
                        in_tx.send(serde_json::from_str::<Value>(t.as_str()).expect("JSON frame"));
                }
            }
        });
        tokio::spawn(async move {
            while let Some(v) = out_rx.recv().await {
                if sink
                    .send(Message::Text(v.to_string().into()))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
        let mut bot = RawBot {
            frames: in_rx,
            send: out_tx,
        };
        let hello = bot.next().await;
        assert_eq!(hello["op"], 10, "first frame is HELLO");
        bot.send
            .send(
                json!({ "op": 2, "d": { "token": sb.world().token, "intents": intents,
                "properties": { "os": "linux", "browser": "test", "device": "test" } } }),
            )
            .expect("send IDENTIFY");
        sb.wait_connected().await.expect("identified");
        bot
    }

    pub async fn next(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(10), self.frames.recv())
            .await
            .expect("a frame within 10 s")
            .expect("connection open")
    }

    /// The next dispatch named `t`.
    pub async fn next_event(&mut self, t: &str) -> Value {
        loop {
            let f = self.next().await;
            if f["t"] == t {
                return f;
            }
        }
    }
}

/// Registers the commands the tests use, through the REST API.
pub async fn register_commands(sb: &Sandbox) {
    let app = sb.world().application_id;
    let cmds = json!([{
        "name": "rekruttering",
        "description": "Rekruttering",
        "name_localizations": { "en-US": "recruitment" },
        "description_localizations": { "en-US": "Recruitment" },
        "options": [{
            "type": 1, "name": "ny", "description": "Ny rekruttering",
            "options": [
                { "type": 3, "name": "stilling", "description": "Stilling", "required": true },
                { "type": 6, "name": "leder", "description": "Leder" },
                { "type": 4, "name": "antall", "description": "Antall" },
                { "type": 3, "name": "sted", "description": "Sted", "autocomplete": true }
            ]
        }]
    }]);
    let (status, _, body) = call(
        sb,
        "PUT",
        &format!("/applications/{app}/commands"),
        Some(cmds),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
