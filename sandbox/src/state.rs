//! The sandbox's state: what the bot sent, what the server holds, and waiting on changes.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::world::{Member, World};

/// One request the bot sent, as the sandbox answered it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    /// Spec path template, e.g. `/channels/{channel_id}/messages` (the raw path when unknown).
    pub route: String,
    pub path: String,
    pub body: Option<Value>,
    pub status: u16,
}

/// Something the bot did that Discord would refuse, or that the sandbox cannot answer.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// `POST /channels/{channel_id}/messages` or a gateway / interaction rule.
    pub route: String,
    pub path: String,
    pub reason: String,
}

/// A channel the sandbox holds: guild text channel, thread or DM.
#[derive(Debug, Clone)]
pub struct ChannelRec {
    pub id: u64,
    /// 0 text, 1 DM, 11 public thread, 12 private thread.
    pub kind: u8,
    pub name: String,
    pub parent_id: Option<u64>,
    /// For a DM: the other person.
    pub recipient: Option<u64>,
    /// For a thread: its members.
    pub members: Vec<u64>,
}

/// One interaction the sandbox dispatched, and how the bot answered it.
#[derive(Debug, Clone)]
pub struct InteractionRec {
    pub id: u64,
    pub token: String,
    /// 2 command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u8,
    pub user_id: u64,
    pub channel_id: u64,
    /// For a component interaction: the message the component is on.
    pub source_message: Option<u64>,
    pub dispatched: Instant,
    /// Callback type and body of the initial response.
    pub callback: Option<(u8, Value)>,
    /// The message `@original` refers to.
    pub original: Option<u64>,
    pub followups: Vec<u64>,
    /// Edits of `@original` after the initial response.
    pub original_edits: u32,
}

/// A fault the test asked for, on one route.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answer 500 Internal Server Error.
    ServerError,
    /// Answer 429 with this `Retry-After` (seconds); `global` adds `X-RateLimit-Global`.
    RateLimited { retry_after: f64, global: bool },
    /// Answer normally after this delay.
    Delay(Duration),
    /// Carry the request out, then never answer (as if the caller died before the reply).
    LoseReply,
}

#[derive(Debug, Clone)]
pub struct Fault {
    /// `POST /channels/{channel_id}/messages`, or `*` for every route.
    pub route: String,
    pub remaining: u32,
    pub kind: FaultKind,
}

/// What the gateway connection task is told to do.
#[derive(Debug)]
pub enum Outgoing {
    Frame(Value),
    /// Close the socket without a close frame (a dropped connection).
    Drop,
}

#[derive(Debug, Default)]
pub struct GatewayState {
    pub session_id: Option<String>,
    pub seq: u64,
    /// Dispatches of the current session, for RESUME replay.
    pub log: Vec<(u64, Value)>,
    /// The live connection: id and sender.
    pub conn: Option<(u64, mpsc::UnboundedSender<Outgoing>)>,
    pub next_conn: u64,
    pub intents: u64,
    pub identifies: u32,
    pub resumes: u32,
    pub heartbeats: u32,
    /// Every opcode received from the bot, in order.
    pub received_ops: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct State {
    next_id: u64,
    pub requests: Vec<RequestRecord>,
    pub failures: Vec<Failure>,
    pub channels: BTreeMap<u64, ChannelRec>,
    /// Channel id → messages in order (edits applied, deleted ones removed).
    pub messages: BTreeMap<u64, Vec<Value>>,
    /// Ephemeral message id → the one person who sees it.
    pub ephemeral_for: HashMap<u64, u64>,
    pub global_commands: Vec<Value>,
    pub guild_commands: BTreeMap<u64, Vec<Value>>,
    /// Number of command registrations (PUT/POST) answered 2xx.
    pub registrations: u32,
    pub interactions: BTreeMap<u64, InteractionRec>,
    /// Interaction id → when its initial response arrived (for the benchmarks' latencies).
    pub answered: HashMap<u64, Instant>,
    /// User id → the last modal the bot opened for them (interaction id, modal data).
    pub modals: HashMap<u64, (u64, Value)>,
    /// User id → the last interaction they made.
    pub last_interaction: HashMap<u64, u64>,
    pub faults: Vec<Fault>,
    pub gateway: GatewayState,
    /// Bumped on every message created, edited or deleted (for settling answers).
    pub message_version: u64,
    /// Members' roles as the bot changed them (user id → roles), over the World's.
    pub member_roles: HashMap<u64, Vec<u64>>,
}

impl State {
    /// A new snowflake, increasing.
    pub fn snowflake(&mut self) -> u64 {
        if self.next_id == 0 {
            let ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            self.next_id = (ms.saturating_sub(1_420_070_400_000)) << 22;
        }
        self.next_id += 1;
        self.next_id
    }

    pub fn find_message(&self, channel_id: u64, message_id: u64) -> Option<&Value> {
        self.messages
            .get(&channel_id)?
            .iter()
            .find(|m| id_of(m) == message_id)
    }

    pub fn find_message_mut(&mut self, channel_id: u64, message_id: u64) -> Option<&mut Value> {
        self.messages
            .get_mut(&channel_id)?
            .iter_mut()
            .find(|m| id_of(m) == message_id)
    }

    /// The channel a message is in, searching all channels.
    pub fn channel_of_message(&self, message_id: u64) -> Option<u64> {
        self.messages
            .iter()
            .find(|(_, ms)| ms.iter().any(|m| id_of(m) == message_id))
            .map(|(c, _)| *c)
    }

    /// The guild's members as they are now (roles the bot changed applied).
    pub fn members(&self, w: &World) -> Vec<Member> {
        w.members
            .iter()
            .map(|m| {
                let mut m = m.clone();
                if let Some(r) = self.member_roles.get(&m.id) {
                    m.roles = r.clone();
                }
                m
            })
            .collect()
    }

    /// One member as they are now.
    pub fn member(&self, w: &World, id: u64) -> Option<Member> {
        self.members(w).into_iter().find(|m| m.id == id)
    }

    pub fn interaction_by_token(&self, token: &str) -> Option<u64> {
        self.interactions
            .values()
            .find(|i| i.token == token)
            .map(|i| i.id)
    }
}

/// The numeric id of a Discord object (`"id": "123"`).
pub fn id_of(v: &Value) -> u64 {
    match &v["id"] {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    }
}

/// State shared by the HTTP server, the gateway and the test.
pub struct Shared {
    pub world: World,
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    log_file: Option<Mutex<std::fs::File>>,
}

impl Shared {
    pub fn new(world: World, state: State) -> Self {
        let log_file = world.config.log_path.as_ref().and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| tracing::warn!("cannot open sandbox log {p:?}: {e}"))
                .ok()
                .map(Mutex::new)
        });
        Shared {
            world,
            state: Mutex::new(state),
            changed: watch::channel(0).0,
            log_file,
        }
    }

    /// Read-only look at the state (no change notification).
    pub fn read(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the state and wakes everyone waiting on it.
    pub fn write<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.read());
        self.changed.send_modify(|n| *n += 1);
        out
    }

    /// Waits until `f` returns `Some`, re-checking on every change; `None` after `timeout`.
    pub async fn wait_for<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(t) = f(&self.read()) {
                return Some(t);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => return None,
            }
        }
    }

    pub fn record_request(&self, rec: RequestRecord) {
        tracing::debug!(method = %rec.method, route = %rec.route, status = rec.status, "request");
        self.log_line("request", &rec);
        self.write(|s| s.requests.push(rec));
    }

    pub fn record_failure(&self, route: &str, path: &str, reason: impl Into<String>) {
        let f = Failure {
            route: route.into(),
            path: path.into(),
            reason: reason.into(),
        };
        tracing::warn!(route = %f.route, reason = %f.reason, "sandbox failure");
        self.log_line("failure", &f);
        self.write(|s| s.failures.push(f));
    }

    fn log_line(&self, kind: &str, v: &impl Serialize) {
        if let Some(file) = &self.log_file {
            let line = serde_json::json!({ "kind": kind, "record": v });
            let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(f, "{line}");
        }
    }
}
