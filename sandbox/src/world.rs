//! What a test describes: the bot, one guild with roles, members and text channels.

use std::collections::HashMap;
use std::time::Duration;

/// A role in the guild.
#[derive(Debug, Clone)]
pub struct Role {
    pub id: u64,
    pub name: String,
    /// Permission bits as Discord sends them (a decimal string in JSON).
    pub permissions: u64,
}

/// A person in the guild.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: u64,
    pub name: String,
    pub roles: Vec<u64>,
    /// `no` or `en-US` (any Discord locale).
    pub locale: String,
    /// `false`: the member has DMs closed; sending to their DM channel answers 403 / 50007.
    pub dms_open: bool,
}

impl Member {
    pub fn new(id: u64, name: &str) -> Self {
        Member {
            id,
            name: name.into(),
            roles: Vec::new(),
            locale: "no".into(),
            dms_open: true,
        }
    }
    pub fn roles(mut self, roles: &[u64]) -> Self {
        self.roles = roles.to_vec();
        self
    }
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.into();
        self
    }
    pub fn dms_closed(mut self) -> Self {
        self.dms_open = false;
        self
    }
}

/// A guild channel (text unless `kind` says otherwise).
#[derive(Debug, Clone)]
pub struct TextChannel {
    pub id: u64,
    pub name: String,
    /// Discord's channel type: 0 text, 2 voice, 4 category, 5 announcement, 15 forum.
    pub kind: u8,
    /// `permission_overwrites` of the channel (threads use their parent's).
    pub overwrites: Vec<Overwrite>,
}

/// One permission overwrite on a channel (docs: resources--channel.mdx, Overwrite Object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overwrite {
    /// A role id (the guild id for @everyone) or a user id.
    pub id: u64,
    /// 0 role, 1 member.
    pub kind: u8,
    pub allow: u64,
    pub deny: u64,
}

/// Channel types (docs: resources--channel.mdx, Channel Types).
pub mod kinds {
    pub const TEXT: u8 = 0;
    pub const DM: u8 = 1;
    pub const VOICE: u8 = 2;
    pub const CATEGORY: u8 = 4;
    pub const ANNOUNCEMENT: u8 = 5;
    pub const ANNOUNCEMENT_THREAD: u8 = 10;
    pub const PUBLIC_THREAD: u8 = 11;
    pub const PRIVATE_THREAD: u8 = 12;
    pub const FORUM: u8 = 15;

    /// A thread of any kind.
    pub fn is_thread(kind: u8) -> bool {
        matches!(kind, ANNOUNCEMENT_THREAD | PUBLIC_THREAD | PRIVATE_THREAD)
    }
}

/// Permission bits (docs: topics--permissions.mdx).
pub mod perms {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_CHANNELS: u64 = 1 << 4;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const MANAGE_ROLES: u64 = 1 << 28;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const ADD_REACTIONS: u64 = 1 << 6;
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const CREATE_PRIVATE_THREADS: u64 = 1 << 36;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    /// Every permission (what ADMINISTRATOR gives).
    pub const ALL: u64 = (1 << 51) - 1;

    /// What members may do in a fresh guild.
    pub const EVERYONE_DEFAULT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | SEND_MESSAGES_IN_THREADS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | EMBED_LINKS
        | ATTACH_FILES
        | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS;

    /// What the bot's own (managed) role grants by default.
    pub const BOT_DEFAULT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | SEND_MESSAGES_IN_THREADS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | MANAGE_THREADS
        | EMBED_LINKS
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS;
}

/// Timing and rate-limit settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Discord: the initial response must come within 3 seconds of the dispatch.
    pub initial_response_window: Duration,
    /// Discord: the interaction token is valid for 15 minutes.
    pub followup_window: Duration,
    /// How long an `Actor` waits for the bot's answer.
    pub answer_timeout: Duration,
    /// After the answer, an `Actor` step also waits until the bot has created, edited or deleted
    /// no message for this long, so follow-ups and posts that come right after are included.
    pub answer_settle: Duration,
    /// Requests per `global_window` over all routes (Discord: 50 per second).
    pub global_limit: u32,
    /// The window of the global limit (Discord: one second). Tests of the limit itself may
    /// widen it, so that a slow machine does not see the window end between two requests.
    pub global_window: Duration,
    /// Per-route buckets: route (`POST /channels/{channel_id}/messages`) → (limit, window).
    /// The bucket is kept per top-level resource (channel, guild or webhook).
    pub buckets: HashMap<String, (u32, Duration)>,
    /// Bucket for routes not in `buckets`.
    pub default_bucket: (u32, Duration),
    /// Discord: with `enforce_nonce`, a nonce is checked for uniqueness "in the past few
    /// minutes"; after this long (of the sandbox clock) the same nonce posts a new message.
    pub nonce_window: Duration,
    /// The shard count `GET /gateway/bot` recommends (Discord: one per 1,000 guilds or so).
    pub shards: u32,
    /// IDENTIFYs allowed per five seconds, one per `shard_id % max_concurrency` key.
    pub max_concurrency: u32,
    /// Hold IDENTIFYs to `max_concurrency` per five seconds, as Discord does (one too soon gets
    /// INVALID_SESSION). On demand: tests that restart the bot several times within seconds
    /// (a process Discord would make wait) leave it off.
    pub identify_spacing: bool,
    /// JSON-lines log of requests and failures; defaults to env var `LOS_SANDBOX_LOG`.
    pub log_path: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        let mut buckets = HashMap::new();
        buckets.insert(
            "POST /channels/{channel_id}/messages".to_string(),
            (5, Duration::from_secs(5)),
        );
        Config {
            initial_response_window: Duration::from_secs(3),
            followup_window: Duration::from_secs(15 * 60),
            answer_timeout: Duration::from_secs(10),
            answer_settle: Duration::from_millis(100),
            global_limit: 50,
            global_window: Duration::from_secs(1),
            buckets,
            default_bucket: (50, Duration::from_secs(1)),
            nonce_window: Duration::from_secs(5 * 60),
            shards: 1,
            max_concurrency: 1,
            identify_spacing: false,
            log_path: std::env::var_os("LOS_SANDBOX_LOG").map(Into::into),
        }
    }
}

/// Everything the sandbox starts with.
#[derive(Debug, Clone)]
pub struct World {
    pub token: String,
    pub application_id: u64,
    pub bot_id: u64,
    pub bot_name: String,
    pub guild_id: u64,
    pub guild_name: String,
    pub roles: Vec<Role>,
    pub members: Vec<Member>,
    pub channels: Vec<TextChannel>,
    /// Privileged intents enabled for the application (Developer Portal switches):
    /// GUILD_MEMBERS `1 << 1`, GUILD_PRESENCES `1 << 8`, MESSAGE_CONTENT `1 << 15`.
    /// IDENTIFY asking for others is closed with 4014 "Disallowed intent(s)".
    pub privileged_intents: u64,
    /// Permissions of @everyone (`perms::EVERYONE_DEFAULT`).
    pub everyone_permissions: u64,
    /// The bot's managed role: id and permissions (`perms::BOT_DEFAULT`).
    pub bot_role_id: u64,
    pub bot_permissions: u64,
    pub config: Config,
}

impl Default for World {
    fn default() -> Self {
        World {
            token: "sandbox-token".into(),
            application_id: 900_000_000_000_000_001,
            bot_id: 900_000_000_000_000_001,
            bot_name: "los".into(),
            guild_id: 800_000_000_000_000_001,
            guild_name: "Oslo kommune".into(),
            roles: Vec::new(),
            members: Vec::new(),
            channels: vec![TextChannel {
                id: 700_000_000_000_000_001,
                name: "generelt".into(),
                kind: kinds::TEXT,
                overwrites: Vec::new(),
            }],
            privileged_intents: 0,
            everyone_permissions: perms::EVERYONE_DEFAULT,
            bot_role_id: 900_000_000_000_000_002,
            bot_permissions: perms::BOT_DEFAULT,
            config: Config::default(),
        }
    }
}

impl World {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn role(mut self, id: u64, name: &str) -> Self {
        self.roles.push(Role {
            id,
            name: name.into(),
            permissions: 0,
        });
        self
    }
    /// A role with permission bits (see [`perms`]).
    pub fn role_with(mut self, id: u64, name: &str, permissions: u64) -> Self {
        self.roles.push(Role {
            id,
            name: name.into(),
            permissions,
        });
        self
    }

    /// What the bot's role grants (Discord answers 403 / 50013 when it lacks one).
    pub fn bot_permissions(mut self, bits: u64) -> Self {
        self.bot_permissions = bits;
        self
    }

    /// The permissions of @everyone.
    pub fn everyone_permissions(mut self, bits: u64) -> Self {
        self.everyone_permissions = bits;
        self
    }

    /// The bot's permissions in the guild: @everyone and its own role.
    pub fn bot_guild_permissions(&self) -> u64 {
        self.everyone_permissions | self.bot_permissions
    }

    /// A member's permissions in the guild: @everyone and their roles.
    pub fn member_permissions(&self, m: &Member) -> u64 {
        self.roles
            .iter()
            .filter(|r| m.roles.contains(&r.id))
            .fold(self.everyone_permissions, |acc, r| acc | r.permissions)
    }

    pub fn member(mut self, member: Member) -> Self {
        self.members.push(member);
        self
    }
    /// Adds a text channel (the default world has `#generelt`).
    pub fn channel(self, id: u64, name: &str) -> Self {
        self.channel_kind(id, name, kinds::TEXT)
    }

    /// Adds a guild channel of another type (see [`kinds`]): a category (4), a forum (15), a
    /// voice channel (2) or an announcement channel (5) answer as Discord's do.
    pub fn channel_kind(mut self, id: u64, name: &str, kind: u8) -> Self {
        self.channels.push(TextChannel {
            id,
            name: name.into(),
            kind,
            overwrites: Vec::new(),
        });
        self
    }

    /// A permission overwrite on `channel` for a role (`kind` 0; the guild id is @everyone) or
    /// a member (`kind` 1), replacing one for the same target. Panics if the test's world has no
    /// such channel (a mistake in the test).
    pub fn channel_overwrite(mut self, channel: u64, overwrite: Overwrite) -> Self {
        let ch = self
            .channels
            .iter_mut()
            .find(|c| c.id == channel)
            .unwrap_or_else(|| panic!("the test's world has no channel {channel}"));
        ch.overwrites
            .retain(|o| (o.id, o.kind) != (overwrite.id, overwrite.kind));
        ch.overwrites.push(overwrite);
        self
    }

    /// The bot's own member overwrite on `channel`: what it is allowed and denied there over its
    /// guild permissions.
    pub fn bot_channel_permissions(self, channel: u64, allow: u64, deny: u64) -> Self {
        let id = self.bot_id;
        self.channel_overwrite(
            channel,
            Overwrite {
                id,
                kind: 1,
                allow,
                deny,
            },
        )
    }
    /// Enables privileged intents (see [`World::privileged_intents`]).
    pub fn privileged_intents(mut self, bits: u64) -> Self {
        self.privileged_intents = bits;
        self
    }
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }
}
