//! The sandbox's state: what the bot sent, what the server holds, and waiting on changes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::payloads::{self, unix_ms, DISCORD_EPOCH_MS};
use crate::world::{kinds, perms, Member, Overwrite, World};

/// The sandbox's notion of now: real time plus what the test moved it forward
/// (`Sandbox::advance`). Everything the sandbox decides by time reads it: the interaction
/// windows, nonce memory, thread auto-archive, message timestamps and snowflakes. Rate limits
/// stay on real time (they are about how fast requests really come).
#[derive(Debug, Clone)]
pub struct Clock {
    start_instant: Instant,
    start_system: SystemTime,
    offset: Duration,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            start_instant: Instant::now(),
            start_system: SystemTime::now(),
            offset: Duration::ZERO,
        }
    }
}

impl Clock {
    /// Now, as an instant (for measuring windows).
    pub fn now(&self) -> Instant {
        Instant::now() + self.offset
    }
    /// Now, as wall-clock time.
    pub fn system(&self) -> SystemTime {
        self.start_system + self.now().saturating_duration_since(self.start_instant)
    }
    /// Wall-clock time of an instant of this clock.
    pub fn system_at(&self, at: Instant) -> SystemTime {
        self.start_system + at.saturating_duration_since(self.start_instant)
    }
    /// Moves the clock forward.
    pub fn advance(&mut self, by: Duration) {
        self.offset += by;
    }
    /// How far the test has moved the clock in all.
    pub fn offset(&self) -> Duration {
        self.offset
    }
}

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

/// Who a message the bot posted in a channel notified, as Discord decides it: the users and
/// roles mentioned in its content that its `allowed_mentions` let ping (all of them when it has
/// none). A mention that is not allowed still shows, as a name, but notifies nobody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ping {
    pub channel: u64,
    pub message: u64,
    pub users: Vec<u64>,
    pub roles: Vec<u64>,
    pub everyone: bool,
}

/// Something the bot did that Discord would refuse, or that the sandbox cannot answer.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// `POST /channels/{channel_id}/messages` or a gateway / interaction rule.
    pub route: String,
    pub path: String,
    pub reason: String,
}

/// A channel the sandbox holds: guild channel, thread or DM.
#[derive(Debug, Clone)]
pub struct ChannelRec {
    pub id: u64,
    /// Discord's channel type (`world::kinds`): 0 text, 1 DM, 2 voice, 4 category,
    /// 5 announcement, 10 announcement thread, 11 public thread, 12 private thread, 15 forum.
    pub kind: u8,
    pub name: String,
    pub parent_id: Option<u64>,
    /// For a DM: the other person.
    pub recipient: Option<u64>,
    /// For a thread: its members.
    pub members: Vec<u64>,
    /// For a thread: archived, locked, when it archives.
    pub thread: Option<ThreadMeta>,
    /// For a guild channel: its permission overwrites (a thread uses its parent's).
    pub overwrites: Vec<Overwrite>,
}

/// A thread's `thread_metadata`, and when it last saw activity.
#[derive(Debug, Clone)]
pub struct ThreadMeta {
    pub archived: bool,
    pub locked: bool,
    /// Minutes without activity after which the thread archives (60, 1440, 4320, 10080).
    pub auto_archive_duration: u32,
    /// When the archive status last changed (Discord's `archive_timestamp`).
    pub archive_timestamp: SystemTime,
    /// Sandbox-clock instant of the last activity (creation, a message, unarchiving, changing
    /// the auto-archive duration).
    pub last_activity: Instant,
}

impl ChannelRec {
    /// A guild channel (not a thread) of type `kind`.
    pub fn guild(id: u64, kind: u8, name: &str) -> Self {
        ChannelRec {
            id,
            kind,
            name: name.into(),
            parent_id: None,
            recipient: None,
            members: Vec::new(),
            thread: None,
            overwrites: Vec::new(),
        }
    }

    /// A DM channel with `recipient`.
    pub fn dm(id: u64, recipient: u64) -> Self {
        ChannelRec {
            recipient: Some(recipient),
            ..ChannelRec::guild(id, kinds::DM, "")
        }
    }

    /// An active thread under `parent`, created now on `clock`.
    pub fn thread(
        id: u64,
        kind: u8,
        name: &str,
        parent: u64,
        members: Vec<u64>,
        auto_archive_duration: u32,
        clock: &Clock,
    ) -> Self {
        ChannelRec {
            parent_id: Some(parent),
            members,
            thread: Some(ThreadMeta {
                archived: false,
                locked: false,
                auto_archive_duration,
                archive_timestamp: clock.system(),
                last_activity: clock.now(),
            }),
            ..ChannelRec::guild(id, kind, name)
        }
    }

    pub fn is_thread(&self) -> bool {
        kinds::is_thread(self.kind)
    }

    pub fn archived(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| t.archived)
    }

    pub fn locked(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| t.locked)
    }
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
    /// When INTERACTION_CREATE was sent (sandbox clock).
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
    /// Answer `status` with Discord's error body `{code, message}`, doing nothing.
    Error { status: u16, code: u32 },
    /// Accept the request, never carry it out and never answer it (the connection stays open
    /// until the client gives up).
    Hang,
}

#[derive(Debug, Clone)]
pub struct Fault {
    /// `POST /channels/{channel_id}/messages`, or `*` for every route.
    pub route: String,
    /// Only requests about this channel (its `channel_id`, or the channel of the interaction a
    /// callback or follow-up belongs to).
    pub channel: Option<u64>,
    pub remaining: u32,
    pub kind: FaultKind,
}

pub use crate::sessions::Outgoing;

pub use crate::sessions::GatewayState;

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
    /// The sandbox clock.
    pub clock: Clock,
    /// `(channel, nonce)` → the message posted with it and when (sandbox clock).
    pub nonces: HashMap<(u64, String), (u64, Instant)>,
    /// Channels the test forbade (`Sandbox::forbid_channel`): channel → error code.
    pub forbidden: HashMap<u64, u32>,
    /// Members who left the guild (`Sandbox::remove_member`).
    pub removed_members: HashSet<u64>,
    /// Who each message the bot posted in a channel notified, in order.
    pub pings: Vec<Ping>,
    /// Files the bot attached to messages, by attachment id (`crate::attachments`).
    pub uploads: crate::attachments::Uploads,
}

impl State {
    /// A new snowflake, increasing, carrying the sandbox clock's time as Discord's do.
    pub fn snowflake(&mut self) -> u64 {
        let ms = unix_ms(self.clock.system());
        let at = ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
        self.next_id = (self.next_id + 1).max(at);
        self.next_id
    }

    /// Now on the sandbox clock.
    pub fn now(&self) -> Instant {
        self.clock.now()
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

    /// The guild's members as they are now (roles the bot changed applied, those who left
    /// gone).
    pub fn members(&self, w: &World) -> Vec<Member> {
        w.members
            .iter()
            .filter(|m| !self.removed_members.contains(&m.id))
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

    /// A user's permissions in a channel (docs: topics--permissions.mdx): @everyone and their
    /// roles, ADMINISTRATOR gives all, then the channel's overwrites for @everyone, their roles
    /// and them, in that order. A thread uses its parent's overwrites. The implicit rules (no
    /// VIEW_CHANNEL means nothing) are applied where permissions are enforced.
    pub fn permissions_in(&self, w: &World, user: u64, channel_id: u64) -> u64 {
        let roles: Vec<u64> = if user == w.bot_id {
            vec![w.bot_role_id]
        } else {
            self.member(w, user).map(|m| m.roles).unwrap_or_default()
        };
        let base = if user == w.bot_id {
            w.bot_guild_permissions()
        } else {
            w.roles
                .iter()
                .filter(|r| roles.contains(&r.id))
                .fold(w.everyone_permissions, |acc, r| acc | r.permissions)
        };
        if base & perms::ADMINISTRATOR != 0 {
            return perms::ALL;
        }
        let Some(mut ch) = self.channels.get(&channel_id) else {
            return base;
        };
        if ch.is_thread() {
            match ch.parent_id.and_then(|p| self.channels.get(&p)) {
                Some(p) => ch = p,
                None => return base,
            }
        }
        let mut p = base;
        let ow = &ch.overwrites;
        if let Some(o) = ow.iter().find(|o| o.kind == 0 && o.id == w.guild_id) {
            p = (p & !o.deny) | o.allow;
        }
        let (allow, deny) = ow
            .iter()
            .filter(|o| o.kind == 0 && o.id != w.guild_id && roles.contains(&o.id))
            .fold((0, 0), |(a, d), o| (a | o.allow, d | o.deny));
        p = (p & !deny) | allow;
        if let Some(o) = ow.iter().find(|o| o.kind == 1 && o.id == user) {
            p = (p & !o.deny) | o.allow;
        }
        p
    }

    /// The bot's permissions in a channel (see [`State::permissions_in`]).
    pub fn bot_permissions_in(&self, w: &World, channel_id: u64) -> u64 {
        self.permissions_in(w, w.bot_id, channel_id)
    }

    /// Archives every active thread whose auto-archive time has passed on the sandbox clock,
    /// dispatching THREAD_UPDATE for each (GUILDS intent), as Discord does.
    pub fn archive_idle_threads(&mut self, w: &World) {
        let now = self.clock.now();
        let idle: Vec<u64> = self
            .channels
            .values()
            .filter(|c| {
                c.thread.as_ref().is_some_and(|t| {
                    !t.archived
                        && now.saturating_duration_since(t.last_activity)
                            >= Duration::from_secs(u64::from(t.auto_archive_duration) * 60)
                })
            })
            .map(|c| c.id)
            .collect();
        for id in idle {
            self.set_archived(w, id, true);
        }
    }

    /// Archives or unarchives a thread (no permission checks); dispatches THREAD_UPDATE if it
    /// changed. Unarchiving counts as activity.
    pub fn set_archived(&mut self, w: &World, id: u64, archived: bool) {
        let now = self.clock.now();
        let system = self.clock.system();
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let Some(t) = ch.thread.as_mut() else {
            return;
        };
        if !archived {
            t.last_activity = now;
        }
        if t.archived == archived {
            return;
        }
        t.archived = archived;
        t.archive_timestamp = system;
        self.thread_updated(w, id);
    }

    /// Dispatches THREAD_UPDATE with the thread as it is now.
    pub fn thread_updated(&mut self, w: &World, id: u64) {
        if let Some(ch) = self.channels.get(&id) {
            let v = channel_json(w, ch);
            dispatch(self, 1, "THREAD_UPDATE", v);
        }
    }

    pub fn interaction_by_token(&self, token: &str) -> Option<u64> {
        self.interactions
            .values()
            .find(|i| i.token == token)
            .map(|i| i.id)
    }
}

/// Gateway frames sent from the state as it changes (the connection itself is
/// `crate::gateway`'s; routing by shard is `crate::sessions`').
pub fn dispatch(s: &mut State, intent: u64, t: &str, d: Value) {
    s.gateway.dispatch(intent, t, &d);
}

/// Sends a non-dispatch frame to every live connection; false if there is none.
pub fn send_op(s: &State, frame: &Value) -> bool {
    s.gateway.send_op(frame)
}

/// The JSON object of a channel the sandbox holds.
pub fn channel_json(w: &World, ch: &ChannelRec) -> Value {
    if ch.kind == kinds::DM {
        let r = ch
            .recipient
            .and_then(|r| w.members.iter().find(|m| m.id == r));
        let user = r
            .map(|m| payloads::user(m.id, &m.name, false))
            .unwrap_or(Value::Null);
        return payloads::dm_channel(ch.id, &user);
    }
    let mut c = payloads::channel(ch.id, ch.kind, &ch.name, Some(w.guild_id), ch.parent_id);
    match &ch.thread {
        Some(t) => {
            c["owner_id"] = json!(w.bot_id.to_string());
            c["member_count"] = json!(ch.members.len());
            c["thread_metadata"] = json!({
                "archived": t.archived,
                "auto_archive_duration": t.auto_archive_duration,
                "archive_timestamp": payloads::timestamp(t.archive_timestamp),
                "locked": t.locked,
            });
        }
        None => c["permission_overwrites"] = payloads::overwrites(&ch.overwrites),
    }
    c
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
