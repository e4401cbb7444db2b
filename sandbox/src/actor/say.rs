//! People writing messages, as the bot receives them on the gateway.

use serde_json::{json, Value};

use super::{Actor, ActorError};
use crate::gateway::dispatch;
use crate::payloads;

const GUILD_MESSAGES: u64 = 1 << 9;
const DIRECT_MESSAGES: u64 = 1 << 12;
const MESSAGE_CONTENT: u64 = 1 << 15;

impl Actor {
    /// Writes `text` in this person's channel (a channel, thread or their DM with the bot).
    /// The bot gets MESSAGE_CREATE; as on Discord, without the MESSAGE_CONTENT intent (enabled
    /// for the application and asked for) a guild message arrives with empty content unless it
    /// mentions the bot.
    pub fn say(&self, text: &str) -> Result<Value, ActorError> {
        let w = self.sb.world();
        let user = self.member.id;
        self.sb.shared().write(|s| {
            if !s.gateway.has_session_for(Some(w.guild_id)) {
                return Err(ActorError::NotConnected);
            }
            let ch = s.channels.get(&self.channel_id).cloned().ok_or_else(|| {
                ActorError::NotFound(format!("channel {} does not exist", self.channel_id))
            })?;
            if ch.kind == 12 && !ch.members.contains(&user) {
                return Err(ActorError::Usage(format!(
                    "{} is not a member of the private thread #{}",
                    self.member.name, ch.name
                )));
            }
            self.check_in_guild(s, &ch)?;
            // A message unarchives an archived thread; in a locked one a person without
            // MANAGE_THREADS cannot write.
            if ch.locked()
                && s.permissions_in(w, user, ch.id) & crate::world::perms::MANAGE_THREADS == 0
            {
                return Err(ActorError::Usage(format!(
                    "{} cannot write in the locked thread #{}",
                    self.member.name, ch.name
                )));
            }
            if ch.archived() {
                s.set_archived(w, ch.id, false);
            }
            let now = s.now();
            if let Some(t) = s.channels.get_mut(&ch.id).and_then(|c| c.thread.as_mut()) {
                t.last_activity = now;
            }
            let dm = ch.kind == 1;
            let id = s.snowflake();
            let author = payloads::user(user, &self.member.name, false);
            let guild = (!dm).then_some(w.guild_id);
            let mut msg = payloads::message(id, ch.id, guild, author, &json!({ "content": text }));
            let mention = format!("<@{}>", w.bot_id);
            if text.contains(&mention) {
                msg["mentions"] = json!([payloads::user(w.bot_id, &w.bot_name, true)]);
            }
            s.messages.entry(ch.id).or_default().push(msg.clone());
            s.message_version += 1;
            let mut event = msg.clone();
            if !dm {
                let mut member = payloads::member(&self.member);
                if let Some(o) = member.as_object_mut() {
                    o.remove("user");
                }
                event["member"] = member;
            }
            let content_intent =
                s.gateway.intents_for(Some(w.guild_id)) & w.privileged_intents & MESSAGE_CONTENT
                    != 0;
            if !dm && !content_intent && !text.contains(&mention) {
                event["content"] = json!("");
            }
            let intent = if dm { DIRECT_MESSAGES } else { GUILD_MESSAGES };
            dispatch(s, intent, "MESSAGE_CREATE", event);
            Ok(msg)
        })
    }
}
