//! Hooks for the benchmark program (`bench/`): put a thread and a card in place as if the bot
//! had posted them earlier, press a button by its `custom_id` without waiting, read how
//! long each interaction took from the dispatch of INTERACTION_CREATE to the arrival of its
//! initial response (both instants are taken by the sandbox itself), and how long Discord's
//! limits allow for the messages the bot sent ([`Sandbox::ideal`]).

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::actor::ActorError;
use crate::gateway::dispatch;
use crate::payloads::{self, InteractionSpec};
use crate::rest::channel_json;
use crate::state::{ChannelRec, InteractionRec};
use crate::Sandbox;

/// An interaction whose initial response arrived.
#[derive(Debug, Clone, Copy)]
pub struct Answered {
    pub id: u64,
    /// From writing INTERACTION_CREATE to the arrival of the callback request.
    pub latency: Duration,
    /// The callback type (7 UPDATE_MESSAGE, 4 a message, ...).
    pub callback: u8,
}

/// What Discord's limits allow for the messages a bot sent: [`Sandbox::ideal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ideal {
    /// The least time the requests counted could take: the global limit over all of them,
    /// and each channel's bucket over its messages, whichever is longer.
    pub time: Duration,
    /// The requests counted: messages posted and DM channels opened, answered 2xx.
    pub requests: usize,
    /// Of them, messages.
    pub messages: usize,
}

impl Sandbox {
    /// The time the world's limits (Discord's: 50 requests per second over all routes, 5
    /// messages per 5 seconds in each channel) allow for the messages posted and the DM
    /// channels opened so far, counting those answered 2xx: a dispatcher that sends them in
    /// that time wastes none of the limit (the benchmark's part 2, and the process test of
    /// reminders due at once).
    pub fn ideal(&self) -> Ideal {
        const MESSAGES: &str = "/channels/{channel_id}/messages";
        const DM_CHANNELS: &str = "/users/@me/channels";
        let c = &self.world().config;
        let (limit, window) = c
            .buckets
            .get(&format!("POST {MESSAGES}"))
            .copied()
            .unwrap_or(c.default_bucket);
        // The least time `n` requests take under `limit` per `window`: the first window's
        // requests go at once, each further window's after another window.
        let least = |n: usize, limit: u32, window: Duration| {
            let windows = n.div_ceil(limit.max(1) as usize).saturating_sub(1);
            window * u32::try_from(windows).unwrap_or(u32::MAX)
        };
        let mut requests = 0;
        let mut per_channel: HashMap<&str, usize> = HashMap::new();
        let s = self.shared().read();
        for r in s.requests.iter().filter(|r| {
            r.status < 300 && r.method == "POST" && (r.route == MESSAGES || r.route == DM_CHANNELS)
        }) {
            requests += 1;
            if r.route == MESSAGES {
                *per_channel.entry(r.path.as_str()).or_default() += 1;
            }
        }
        let channel = per_channel
            .values()
            .map(|m| least(*m, limit, window))
            .max()
            .unwrap_or_default();
        Ideal {
            time: least(requests, c.global_limit, c.global_window).max(channel),
            requests,
            messages: per_channel.values().sum(),
        }
    }

    /// A public thread `id` under `parent`, as if the bot had opened it.
    pub fn add_thread(&self, parent: u64, id: u64, name: &str) {
        self.shared().write(|s| {
            let rec = ChannelRec::thread(id, 11, name, parent, vec![], 10080, &s.clock);
            s.channels.insert(id, rec)
        });
    }

    /// A message by the bot with this id (`body`: content, embeds, components), as if the bot
    /// had posted it earlier. Nothing is dispatched.
    pub fn add_bot_message(&self, channel: u64, id: u64, body: &Value) {
        let w = self.world();
        let author = payloads::user(w.bot_id, &w.bot_name, true);
        let msg = payloads::message(id, channel, Some(w.guild_id), author, body);
        self.shared()
            .write(|s| s.messages.entry(channel).or_default().push(msg));
    }

    /// A message as it is now.
    pub fn message(&self, channel: u64, id: u64) -> Option<Value> {
        self.shared().read().find_message(channel, id).cloned()
    }

    /// Member `user` presses the button `custom_id` on message `message` in `channel`; answers
    /// the interaction id at once, without waiting for the bot.
    pub fn start_press(
        &self,
        user: u64,
        channel: u64,
        message: u64,
        custom_id: &str,
    ) -> Result<u64, ActorError> {
        let w = self.world();
        let member = w
            .members
            .iter()
            .find(|m| m.id == user)
            .ok_or_else(|| ActorError::NotFound(format!("no member {user}")))?;
        self.shared().write(|s| {
            let not_found = || ActorError::NotFound(format!("message {message} in {channel}"));
            let ch = s.channels.get(&channel).cloned().ok_or_else(not_found)?;
            let guild = (ch.kind != crate::world::kinds::DM).then_some(w.guild_id);
            if !s.gateway.has_session_for(guild) {
                return Err(ActorError::NotConnected);
            }
            let msg = s
                .find_message(channel, message)
                .cloned()
                .ok_or_else(not_found)?;
            let id = s.snowflake();
            let token = format!("aW50ZXJhY3Rpb24{id}sandbox");
            let payload = payloads::interaction(InteractionSpec {
                id,
                token: &token,
                kind: 3,
                data: json!({ "custom_id": custom_id, "component_type": 2 }),
                world: w,
                member,
                channel: channel_json(w, &ch),
                in_guild: ch.kind != 1,
                message: Some(msg),
                permissions: s.permissions_in(w, user, channel),
                app_permissions: s.bot_permissions_in(w, channel),
            });
            s.interactions.insert(
                id,
                InteractionRec {
                    id,
                    token,
                    kind: 3,
                    user_id: user,
                    channel_id: channel,
                    source_message: Some(message),
                    dispatched: s.now(),
                    callback: None,
                    original: None,
                    followups: Vec::new(),
                    original_edits: 0,
                },
            );
            s.last_interaction.insert(user, id);
            dispatch(s, 0, "INTERACTION_CREATE", payload);
            Ok(id)
        })
    }

    /// Waits until at least one of `ids` has its initial response; answers those that have
    /// (empty after `timeout`). One waiter for many presses, so waiting costs little.
    pub async fn wait_answered(&self, ids: &[u64], timeout: Duration) -> Vec<Answered> {
        self.shared()
            .wait_for(timeout, |s| {
                let done: Vec<Answered> = ids
                    .iter()
                    .filter_map(|id| {
                        let rec = s.interactions.get(id)?;
                        let at = s.answered.get(id)?;
                        Some(Answered {
                            id: *id,
                            latency: at.saturating_duration_since(rec.dispatched),
                            callback: rec.callback.as_ref()?.0,
                        })
                    })
                    .collect();
                (!done.is_empty()).then_some(done)
            })
            .await
            .unwrap_or_default()
    }
}
