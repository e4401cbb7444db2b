//! JSON objects in Discord's shapes. Every builder here is round-tripped through serenity's model
//! types in `tests/payloads.rs`, because serenity silently drops what it cannot parse.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::world::{Member, Role, World};

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds: snowflakes count from it.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Milliseconds since the Unix epoch.
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Current time as Discord writes it (ISO 8601). The sandbox itself writes its own clock's
/// time ([`timestamp`]); this is real time.
pub fn now() -> String {
    serenity::model::Timestamp::now().to_string()
}

/// A time as Discord writes it (ISO 8601).
pub fn timestamp(t: std::time::SystemTime) -> String {
    let ms = unix_ms(t) as i64;
    serenity::model::Timestamp::from_millis(ms)
        .unwrap_or_else(|_| serenity::model::Timestamp::now())
        .to_string()
}

/// The time a snowflake was made, as Discord writes it.
pub fn snowflake_timestamp(id: u64) -> String {
    let ms = (id >> 22) + DISCORD_EPOCH_MS;
    timestamp(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
}

pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": null,
        "bot": bot,
        "public_flags": 0,
    })
}

pub fn role(r: &Role, position: usize) -> Value {
    json!({
        "id": r.id.to_string(),
        "name": r.name,
        "color": 0,
        "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": r.permissions.to_string(),
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

/// The guild's @everyone role (its id is the guild id).
pub fn everyone(world: &World) -> Role {
    Role {
        id: world.guild_id,
        name: "@everyone".into(),
        permissions: world.everyone_permissions,
    }
}

/// The bot's managed role.
pub fn bot_role(world: &World, position: usize) -> Value {
    let r = Role {
        id: world.bot_role_id,
        name: world.bot_name.clone(),
        permissions: world.bot_permissions,
    };
    let mut v = role(&r, position);
    v["managed"] = json!(true);
    v["tags"] = json!({ "bot_id": world.bot_id.to_string() });
    v
}

pub fn member(m: &Member) -> Value {
    json!({
        "user": user(m.id, &m.name, false),
        "nick": null,
        "avatar": null,
        "roles": m.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
    })
}

/// A guild member as it appears in an interaction (with the computed permissions).
pub fn interaction_member(m: &Member, permissions: u64) -> Value {
    let mut v = member(m);
    v["permissions"] = json!(permissions.to_string());
    v
}

/// A channel object. `kind`: see `world::kinds`. A thread gets an active `thread_metadata`
/// (`state::channel_json` fills in the real one).
pub fn channel(
    id: u64,
    kind: u8,
    name: &str,
    guild_id: Option<u64>,
    parent_id: Option<u64>,
) -> Value {
    let mut c = json!({
        "id": id.to_string(),
        "type": kind,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "last_message_id": null,
        "flags": 0,
    });
    if let Some(g) = guild_id {
        c["guild_id"] = json!(g.to_string());
    }
    if let Some(p) = parent_id {
        c["parent_id"] = json!(p.to_string());
    }
    match kind {
        k if crate::world::kinds::is_thread(k) => {
            c["thread_metadata"] = json!({
                "archived": false,
                "auto_archive_duration": 1440,
                "archive_timestamp": now(),
                "locked": false,
            });
            c["member_count"] = json!(1);
            c["message_count"] = json!(0);
            c["total_message_sent"] = json!(0);
        }
        crate::world::kinds::VOICE => {
            c["bitrate"] = json!(64000);
            c["user_limit"] = json!(0);
            c["rtc_region"] = Value::Null;
        }
        crate::world::kinds::CATEGORY => {
            if let Some(o) = c.as_object_mut() {
                o.remove("last_message_id");
            }
        }
        crate::world::kinds::FORUM => {
            c["available_tags"] = json!([]);
            c["default_reaction_emoji"] = Value::Null;
            c["default_sort_order"] = Value::Null;
            c["default_forum_layout"] = json!(0);
            c["default_thread_rate_limit_per_user"] = json!(0);
        }
        _ => {}
    }
    c
}

/// `permission_overwrites` as Discord writes them (bits as decimal strings).
pub fn overwrites(list: &[crate::world::Overwrite]) -> Value {
    Value::Array(
        list.iter()
            .map(|o| {
                json!({
                    "id": o.id.to_string(),
                    "type": o.kind,
                    "allow": o.allow.to_string(),
                    "deny": o.deny.to_string(),
                })
            })
            .collect(),
    )
}

pub fn dm_channel(id: u64, recipient: &Value) -> Value {
    json!({
        "id": id.to_string(),
        "type": 1,
        "last_message_id": null,
        "recipients": [recipient],
        "flags": 0,
    })
}

pub fn ready(world: &World, session_id: &str, resume_url: &str) -> Value {
    json!({
        "v": 10,
        "user": {
            "id": world.bot_id.to_string(),
            "username": world.bot_name,
            "global_name": null,
            "discriminator": "0",
            "avatar": null,
            "bot": true,
            "verified": true,
            "mfa_enabled": false,
            "flags": 0,
        },
        "guilds": [{ "id": world.guild_id.to_string(), "unavailable": true }],
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "shard": [0, 1],
        "application": { "id": world.application_id.to_string(), "flags": 0 },
        "private_channels": [],
        "presences": [],
        "relationships": [],
    })
}

/// GUILD_CREATE. `with_members`: the bot has the GUILD_MEMBERS intent; without it Discord sends
/// only the bot's own member.
pub fn guild_create(
    world: &World,
    people: &[Member],
    channels: Vec<Value>,
    threads: Vec<Value>,
    with_members: bool,
) -> Value {
    let mut roles = vec![role(&everyone(world), 0)];
    roles.extend(world.roles.iter().enumerate().map(|(i, r)| role(r, i + 1)));
    roles.push(bot_role(world, world.roles.len() + 1));
    let mut members: Vec<Value> = if with_members {
        people.iter().map(member).collect()
    } else {
        Vec::new()
    };
    members.push(json!({
        "user": user(world.bot_id, &world.bot_name, true),
        "roles": [world.bot_role_id.to_string()], "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0,
    }));
    json!({
        "id": world.guild_id.to_string(),
        "name": world.guild_name,
        "icon": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": world.members.first().map(|m| m.id).unwrap_or(1).to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "no",
        "public_updates_channel_id": null,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "large": false,
        "unavailable": false,
        "member_count": world.members.len() + 1,
        "voice_states": [],
        "members": members,
        "channels": channels,
        "threads": threads,
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    })
}

/// A message object. `fields` is the request body (content, embeds, components, flags); only
/// fields a message carries are taken.
pub fn message(
    id: u64,
    channel_id: u64,
    guild_id: Option<u64>,
    author: Value,
    fields: &Value,
) -> Value {
    let mut m = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": author,
        "content": "",
        "timestamp": snowflake_timestamp(id),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
    });
    if let Some(g) = guild_id {
        m["guild_id"] = json!(g.to_string());
    }
    apply_edit(&mut m, fields);
    m
}

/// Applies an edit body to a stored message (the fields Discord replaces).
pub fn apply_edit(m: &mut Value, fields: &Value) {
    for key in [
        "content",
        "embeds",
        "components",
        "flags",
        "tts",
        "attachments",
    ] {
        match fields.get(key) {
            Some(Value::Null) | None => {}
            Some(v) => m[key] = normalise(key, v),
        }
    }
}

/// Discord fills defaults the request may omit (embed `type`, button `style` etc. pass through).
fn normalise(key: &str, v: &Value) -> Value {
    let mut v = v.clone();
    if key == "embeds" {
        for e in v.as_array_mut().into_iter().flatten() {
            if e.get("type").is_none() {
                e["type"] = json!("rich");
            }
        }
    }
    if key == "flags" {
        // Kept: ephemeral (64), loading (128), suppress embeds (4), suppress notifications (4096).
        v = json!(v.as_u64().unwrap_or(0) & (64 | 128 | 4 | 4096));
    }
    v
}

/// An INTERACTION_CREATE payload. `kind`: 2 command, 3 component, 4 autocomplete, 5 modal submit.
pub struct InteractionSpec<'a> {
    pub id: u64,
    pub token: &'a str,
    pub kind: u8,
    pub data: Value,
    pub world: &'a World,
    pub member: &'a Member,
    pub channel: Value,
    pub in_guild: bool,
    pub message: Option<Value>,
    /// The person's permissions in the channel, overwrites applied (`member.permissions`).
    pub permissions: u64,
    /// The bot's permissions in the channel, overwrites applied (`app_permissions`).
    pub app_permissions: u64,
}

pub fn interaction(s: InteractionSpec<'_>) -> Value {
    let channel_id = s.channel["id"].clone();
    let mut i = json!({
        "id": s.id.to_string(),
        "application_id": s.world.application_id.to_string(),
        "type": s.kind,
        "data": s.data,
        "channel": s.channel,
        "channel_id": channel_id,
        "token": s.token,
        "version": 1,
        "locale": s.member.locale,
        "entitlements": [],
        "authorizing_integration_owners": { "0": s.world.guild_id.to_string() },
        "attachment_size_limit": 10_485_760,
        "app_permissions": s.app_permissions.to_string(),
    });
    if s.in_guild {
        i["guild_id"] = json!(s.world.guild_id.to_string());
        i["guild_locale"] = json!("no");
        i["member"] = interaction_member(s.member, s.permissions);
        i["context"] = json!(0);
    } else {
        i["user"] = user(s.member.id, &s.member.name, false);
        i["context"] = json!(1);
    }
    if let Some(m) = s.message {
        i["message"] = m;
    }
    i
}
