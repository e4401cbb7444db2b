//! Hooks for the benchmark program (`bench/`): put a thread and a card in place as if the bot
//! had posted them earlier, press a button by its `custom_id` without waiting, and read how
//! long each interaction took from the dispatch of INTERACTION_CREATE to the arrival of its
//! initial response (both instants are taken by the sandbox itself).

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

impl Sandbox {
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
