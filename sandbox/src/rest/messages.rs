//! Channels, messages, threads, DMs and reactions.

use serde_json::{json, Value};

use super::{ApiError, Ctx, Reply};
use crate::gateway::dispatch;
use crate::payloads;
use crate::state::{id_of, ChannelRec, State};
use crate::world::World;

const GUILDS: u64 = 1;
const GUILD_MESSAGES: u64 = 1 << 9;
const DIRECT_MESSAGES: u64 = 1 << 12;

/// The JSON object of a channel the sandbox holds.
pub fn channel_json(w: &World, ch: &ChannelRec) -> Value {
    if ch.kind == 1 {
        let r = ch
            .recipient
            .and_then(|r| w.members.iter().find(|m| m.id == r));
        let user = r
            .map(|m| payloads::user(m.id, &m.name, false))
            .unwrap_or(Value::Null);
        return payloads::dm_channel(ch.id, &user);
    }
    let mut c = payloads::channel(ch.id, ch.kind, &ch.name, Some(w.guild_id), ch.parent_id);
    if ch.kind == 11 || ch.kind == 12 {
        c["owner_id"] = json!(w.bot_id.to_string());
        c["member_count"] = json!(ch.members.len());
    }
    c
}

fn channel(s: &State, id: u64) -> Result<&ChannelRec, ApiError> {
    s.channels
        .get(&id)
        .ok_or_else(|| ApiError::unknown("Channel", 10003))
}

fn guild_of(w: &World, ch: &ChannelRec) -> Option<u64> {
    (ch.kind != 1).then_some(w.guild_id)
}

fn message_intent(ch: &ChannelRec) -> u64 {
    if ch.kind == 1 {
        DIRECT_MESSAGES
    } else {
        GUILD_MESSAGES
    }
}

/// Discord refuses a message without content, embeds, components, stickers or poll.
pub fn check_not_empty(body: &Value) -> Result<(), ApiError> {
    let empty = ["content", "embeds", "components", "sticker_ids", "poll"]
        .iter()
        .all(|k| {
            body.get(*k)
                .is_none_or(|v| v.is_null() || v == "" || v.as_array().is_some_and(Vec::is_empty))
        });
    if empty {
        return Err(ApiError::new(400, 50006, "Cannot send an empty message"));
    }
    Ok(())
}

/// Stores a message from the bot in a channel and dispatches MESSAGE_CREATE.
pub fn post_message(
    s: &mut State,
    w: &World,
    channel_id: u64,
    body: &Value,
) -> Result<Value, ApiError> {
    let ch = channel(s, channel_id)?.clone();
    if ch.kind == 1 {
        let open = ch
            .recipient
            .and_then(|r| w.members.iter().find(|m| m.id == r))
            .is_some_and(|m| m.dms_open);
        if !open {
            return Err(ApiError::new(403, 50007, "Cannot send messages to this user").expected());
        }
    }
    check_not_empty(body)?;
    if let Some(existing) = same_nonce(s, channel_id, body) {
        return Ok(existing);
    }
    let mut msg = store_message(s, w, channel_id, body, true);
    if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
        msg["nonce"] = nonce.clone();
        if let Some(stored) = s.find_message_mut(channel_id, id_of(&msg)) {
            stored["nonce"] = nonce.clone();
        }
    }
    Ok(msg)
}

/// Discord's de-duplication: with `enforce_nonce`, a message whose nonce the bot already used
/// in this channel is not posted again; the existing message is returned instead. (Discord
/// remembers nonces for a few minutes; the sandbox for its whole life.)
fn same_nonce(s: &State, channel_id: u64, body: &Value) -> Option<Value> {
    if body.get("enforce_nonce") != Some(&Value::Bool(true)) {
        return None;
    }
    let nonce = body.get("nonce").filter(|n| !n.is_null())?;
    s.messages
        .get(&channel_id)?
        .iter()
        .find(|m| m.get("nonce") == Some(nonce))
        .cloned()
}

/// Stores a message from the bot (no checks); dispatches MESSAGE_CREATE if `dispatched`.
pub fn store_message(
    s: &mut State,
    w: &World,
    channel_id: u64,
    body: &Value,
    dispatched: bool,
) -> Value {
    let guild = s
        .channels
        .get(&channel_id)
        .filter(|ch| ch.kind != 1)
        .map(|_| w.guild_id);
    let intent = s
        .channels
        .get(&channel_id)
        .map(message_intent)
        .unwrap_or(GUILD_MESSAGES);
    let id = s.snowflake();
    let author = payloads::user(w.bot_id, &w.bot_name, true);
    let msg = payloads::message(id, channel_id, guild, author, body);
    s.messages.entry(channel_id).or_default().push(msg.clone());
    if dispatched {
        dispatch(s, intent, "MESSAGE_CREATE", msg.clone());
    }
    msg
}

/// Applies an edit to a stored message and dispatches MESSAGE_UPDATE.
pub fn edit_message(
    s: &mut State,
    channel_id: u64,
    message_id: u64,
    body: &Value,
) -> Result<Value, ApiError> {
    let intent = s
        .channels
        .get(&channel_id)
        .map(message_intent)
        .unwrap_or(GUILD_MESSAGES);
    let m = s
        .find_message_mut(channel_id, message_id)
        .ok_or_else(|| ApiError::unknown("Message", 10008))?;
    payloads::apply_edit(m, body);
    m["edited_timestamp"] = json!(payloads::now());
    let m = m.clone();
    dispatch(s, intent, "MESSAGE_UPDATE", m.clone());
    Ok(m)
}

pub fn delete_message(
    s: &mut State,
    w: &World,
    channel_id: u64,
    message_id: u64,
) -> Result<(), ApiError> {
    let ch = channel(s, channel_id)?.clone();
    let list = s.messages.entry(channel_id).or_default();
    let before = list.len();
    list.retain(|m| id_of(m) != message_id);
    if before == list.len() {
        return Err(ApiError::unknown("Message", 10008));
    }
    let mut d = json!({ "id": message_id.to_string(), "channel_id": channel_id.to_string() });
    if let Some(g) = guild_of(w, &ch) {
        d["guild_id"] = json!(g.to_string());
    }
    dispatch(s, message_intent(&ch), "MESSAGE_DELETE", d);
    Ok(())
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn handle(c: &Ctx<'_>) -> Reply {
    let w = &c.shared.world;
    let channel_id = c.m.id("channel_id");
    let message_id = c.m.id("message_id");
    c.shared.write(|s| match c.m.op.operation_id.as_str() {
        "get_channel" => Ok((200, channel_json(w, channel(s, channel_id)?))),
        "trigger_typing_indicator" => channel(s, channel_id).map(|_| (204, Value::Null)),
        "create_message" => post_message(s, w, channel_id, c.body).map(|m| (200, m)),
        "get_message" | "update_message" | "delete_message"
            if s.ephemeral_for.contains_key(&message_id) =>
        {
            // Ephemeral messages exist only for the interaction's webhook routes.
            Err(ApiError::unknown("Message", 10008))
        }
        "get_message" => {
            channel(s, channel_id)?;
            let m = s.find_message(channel_id, message_id).ok_or_else(|| ApiError::unknown("Message", 10008))?;
            Ok((200, m.clone()))
        }
        "list_messages" => {
            channel(s, channel_id)?;
            let limit: usize = match c.query.get("limit") {
                None => 50,
                Some(l) => match l.parse() {
                    Ok(n) if (1..=100).contains(&n) => n,
                    _ => {
                        let mut e = ApiError::new(400, 50035, "Invalid Form Body");
                        e.errors = Some(json!({ "limit": { "_errors": [{
                            "code": "NUMBER_TYPE_MAX", "message": "limit must be 1 to 100" }] } }));
                        return Err(e);
                    }
                },
            };
            let before: Option<u64> = c.query.get("before").and_then(|l| l.parse().ok());
            let after: Option<u64> = c.query.get("after").and_then(|l| l.parse().ok());
            let list: Vec<Value> = s
                .messages
                .get(&channel_id)
                .into_iter()
                .flatten()
                .rev()
                .filter(|m| !s.ephemeral_for.contains_key(&id_of(m)))
                .filter(|m| before.is_none_or(|b| id_of(m) < b) && after.is_none_or(|a| id_of(m) > a))
                .take(limit)
                .cloned()
                .collect();
            Ok((200, Value::Array(list)))
        }
        "update_message" => {
            channel(s, channel_id)?;
            let m = s.find_message(channel_id, message_id).ok_or_else(|| ApiError::unknown("Message", 10008))?;
            if m["author"]["id"] != json!(w.bot_id.to_string()) {
                return Err(ApiError::new(403, 50005, "Cannot edit a message authored by another user"));
            }
            edit_message(s, channel_id, message_id, c.body).map(|m| (200, m))
        }
        "delete_message" => delete_message(s, w, channel_id, message_id).map(|_| (204, Value::Null)),
        "create_thread_from_message" | "create_thread" => {
            let parent = channel(s, channel_id)?.clone();
            if parent.kind != 0 {
                return Err(ApiError::new(400, 50024, "Cannot execute action on this channel type"));
            }
            let from_message = c.m.op.operation_id == "create_thread_from_message";
            let (id, kind) = if from_message {
                s.find_message(channel_id, message_id).ok_or_else(|| ApiError::unknown("Message", 10008))?;
                (message_id, 11)
            } else {
                (s.snowflake(), c.body["type"].as_u64().unwrap_or(12) as u8)
            };
            if s.channels.contains_key(&id) {
                return Err(ApiError::new(400, 160004, "A thread has already been created for this message"));
            }
            let rec = ChannelRec {
                id,
                kind,
                name: c.body["name"].as_str().unwrap_or("").to_string(),
                parent_id: Some(channel_id),
                recipient: None,
                members: vec![w.bot_id],
            };
            s.channels.insert(id, rec.clone());
            let thread = channel_json(w, &rec);
            if from_message {
                if let Some(m) = s.find_message_mut(channel_id, message_id) {
                    m["thread"] = thread.clone();
                }
            }
            let mut event = thread.clone();
            event["newly_created"] = json!(true);
            dispatch(s, GUILDS, "THREAD_CREATE", event);
            Ok((201, thread))
        }
        "add_thread_member" | "join_thread" => {
            let user = if c.m.op.operation_id == "join_thread" { w.bot_id } else { c.m.id("user_id") };
            if user != w.bot_id && !w.members.iter().any(|m| m.id == user) {
                return Err(ApiError::unknown("Member", 10007));
            }
            let ch = s.channels.get_mut(&channel_id).ok_or_else(|| ApiError::unknown("Channel", 10003))?;
            if ch.kind != 11 && ch.kind != 12 {
                return Err(ApiError::new(400, 50024, "Cannot execute action on this channel type"));
            }
            if !ch.members.contains(&user) {
                ch.members.push(user);
            }
            Ok((204, Value::Null))
        }
        "list_thread_members" => {
            let ch = channel(s, channel_id)?;
            let list = ch
                .members
                .iter()
                .map(|u| {
                    json!({ "id": channel_id.to_string(), "user_id": u.to_string(),
                            "join_timestamp": payloads::now(), "flags": 0 })
                })
                .collect();
            Ok((200, Value::Array(list)))
        }
        "create_dm" => {
            let rid = match &c.body["recipient_id"] {
                Value::String(x) => x.parse().unwrap_or(0),
                v => v.as_u64().unwrap_or(0),
            };
            if !w.members.iter().any(|m| m.id == rid) {
                return Err(ApiError::unknown("User", 10013));
            }
            let existing = s.channels.values().find(|ch| ch.kind == 1 && ch.recipient == Some(rid)).cloned();
            let rec = match existing {
                Some(r) => r,
                None => {
                    let rec = ChannelRec {
                        id: s.snowflake(),
                        kind: 1,
                        name: String::new(),
                        parent_id: None,
                        recipient: Some(rid),
                        members: vec![],
                    };
                    s.channels.insert(rec.id, rec.clone());
                    rec
                }
            };
            Ok((200, channel_json(w, &rec)))
        }
        "add_my_message_reaction" | "delete_my_message_reaction" => {
            let add = c.m.op.operation_id == "add_my_message_reaction";
            let emoji = decode(c.m.param("emoji_name"));
            channel(s, channel_id)?;
            let m = s.find_message_mut(channel_id, message_id).ok_or_else(|| ApiError::unknown("Message", 10008))?;
            let mut list = m["reactions"].as_array().cloned().unwrap_or_default();
            list.retain(|r| r["emoji"]["name"] != json!(emoji));
            if add {
                list.push(json!({
                    "count": 1, "count_details": { "burst": 0, "normal": 1 }, "me": true, "me_burst": false,
                    "emoji": { "id": null, "name": emoji }, "burst_colors": [],
                }));
            }
            m["reactions"] = Value::Array(list);
            Ok((204, Value::Null))
        }
        other => Err(ApiError::new(501, 0, format!("501: Not Implemented ({other})"))),
    })
}
