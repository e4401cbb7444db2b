//! What happens to the world while the bot runs, on the test's word: the clock moves, channels
//! and messages are deleted or closed to the bot, threads archive and lock, overwrites change,
//! members leave. Each answers later requests and dispatches gateway events as Discord does.

use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::gateway::dispatch;
use crate::rest::{channel_json, remove_channel, remove_message};
use crate::world::Overwrite;
use crate::Sandbox;

const GUILDS: u64 = 1;
const GUILD_MEMBERS: u64 = 1 << 1;

impl Sandbox {
    /// The sandbox clock: real time plus every [`Sandbox::advance`] so far.
    pub fn now(&self) -> SystemTime {
        self.shared().read().clock.system()
    }

    /// Moves the sandbox clock forward by `by`. Everything the sandbox decides by time follows
    /// it: the 3-second and 15-minute interaction windows, nonce memory, thread auto-archive
    /// (threads idle past their `auto_archive_duration` archive now, with THREAD_UPDATE),
    /// message timestamps and snowflakes. Rate limits stay on real time.
    pub fn advance(&self, by: Duration) {
        let w = self.world();
        self.shared().write(|s| {
            s.clock.advance(by);
            s.archive_idle_threads(w);
        });
    }

    /// From now on, requests about `channel` (the channel, its messages, threads started from
    /// it) answer 403 with `code`: 50001 "Missing Access" or 50013 "Missing Permissions", as
    /// Discord writes them. With 50001 its threads are closed to the bot too. Interaction
    /// callbacks and follow-ups still work (they do not need the channel's permissions).
    pub fn forbid_channel(&self, channel: u64, code: u32) {
        self.shared().write(|s| s.forbidden.insert(channel, code));
    }

    /// Lifts [`Sandbox::forbid_channel`].
    pub fn allow_channel(&self, channel: u64) {
        self.shared().write(|s| s.forbidden.remove(&channel));
    }

    /// Deletes a channel or thread for good (a channel with its threads), as a moderator would:
    /// later requests answer 404 / 10003 Unknown Channel. Dispatches CHANNEL_DELETE, or
    /// THREAD_DELETE for a thread (GUILDS intent). False if there was no such channel.
    pub fn delete_channel(&self, channel: u64) -> bool {
        let w = self.world();
        self.shared().write(|s| remove_channel(s, w, channel))
    }

    /// Deletes a message for good, as its author or a moderator would: later requests answer
    /// 404 / 10008 Unknown Message. Dispatches MESSAGE_DELETE (GUILD_MESSAGES intent, or
    /// DIRECT_MESSAGES in a DM). False if there was no such message.
    pub fn delete_message(&self, channel: u64, message: u64) -> bool {
        let w = self.world();
        self.shared()
            .write(|s| remove_message(s, w, channel, message))
    }

    /// Archives a thread now, as a moderator (or its idle time) would; THREAD_UPDATE.
    /// False if `id` is not a thread.
    pub fn archive_thread(&self, id: u64) -> bool {
        let w = self.world();
        self.shared().write(|s| {
            if !s.channels.get(&id).is_some_and(|c| c.is_thread()) {
                return false;
            }
            s.set_archived(w, id, true);
            true
        })
    }

    /// Locks a thread, as a moderator would (it stays active until it archives): only
    /// MANAGE_THREADS may then write in it or unarchive it. THREAD_UPDATE. False if `id` is not
    /// a thread.
    pub fn lock_thread(&self, id: u64) -> bool {
        let w = self.world();
        self.shared().write(|s| {
            let Some(t) = s.channels.get_mut(&id).and_then(|c| c.thread.as_mut()) else {
                return false;
            };
            if !t.locked {
                t.locked = true;
                s.thread_updated(w, id);
            }
            true
        })
    }

    /// Sets the bot's own member overwrite on a guild channel (as a moderator would in the
    /// channel's settings): `allow` and `deny` over its guild permissions. Dispatches
    /// CHANNEL_UPDATE (GUILDS intent). False if there is no such guild channel.
    pub fn set_bot_overwrite(&self, channel: u64, allow: u64, deny: u64) -> bool {
        let w = self.world();
        self.shared().write(|s| {
            let Some(ch) = s.channels.get_mut(&channel).filter(|c| c.thread.is_none()) else {
                return false;
            };
            ch.overwrites.retain(|o| !(o.kind == 1 && o.id == w.bot_id));
            ch.overwrites.push(Overwrite {
                id: w.bot_id,
                kind: 1,
                allow,
                deny,
            });
            let v = channel_json(w, ch);
            dispatch(s, GUILDS, "CHANNEL_UPDATE", v);
            true
        })
    }

    /// The bot's permissions in a channel or thread as the sandbox enforces them: @everyone and
    /// its role, then the channel's overwrites (a thread's parent's).
    pub fn bot_permissions_in(&self, channel: u64) -> u64 {
        let w = self.world();
        self.shared().read().bot_permissions_in(w, channel)
    }

    /// `user` leaves the guild: `GET /guilds/{guild_id}/members/{user_id}` answers 404 / 10007
    /// Unknown Member, GUILD_MEMBER_REMOVE is dispatched (only with the privileged
    /// GUILD_MEMBERS intent, as on Discord), they leave its threads, and as an actor they can
    /// no longer act in the guild. Their DM channel stays: they can still press buttons on the
    /// bot's messages there (the interaction carries `user`, not `member`), and the bot's
    /// answers to those interactions arrive; but a new message from the bot to them is refused
    /// (403 / 50007), since Discord lets a bot write only to people it shares a server with.
    /// False if they were not a member.
    pub fn remove_member(&self, user: u64) -> bool {
        let w = self.world();
        self.shared().write(|s| {
            let Some(m) = s.member(w, user) else {
                return false;
            };
            s.removed_members.insert(user);
            for ch in s.channels.values_mut().filter(|c| c.is_thread()) {
                ch.members.retain(|u| *u != user);
            }
            let d = json!({
                "guild_id": w.guild_id.to_string(),
                "user": crate::payloads::user(m.id, &m.name, false),
            });
            dispatch(s, GUILD_MEMBERS, "GUILD_MEMBER_REMOVE", d);
            true
        })
    }
}
