//! Channels, messages, threads, DMs and reactions.

use serde_json::{json, Value};

use super::permissions::check_permissions;
use super::{ApiError, Ctx, Reply};
use crate::payloads;
use crate::state::{channel_json, dispatch, id_of, ChannelRec, Ping, State};
use crate::world::{kinds, perms, World};

const GUILDS: u64 = 1;
const GUILD_MESSAGES: u64 = 1 << 9;
const DIRECT_MESSAGES: u64 = 1 << 12;

fn channel(s: &State, id: u64) -> Result<&ChannelRec, ApiError> {
    s.channels
        .get(&id)
        .ok_or_else(|| ApiError::unknown("Channel", 10003))
}

fn guild_of(w: &World, ch: &ChannelRec) -> Option<u64> {
    (ch.kind != kinds::DM).then_some(w.guild_id)
}

fn message_intent(ch: &ChannelRec) -> u64 {
    if ch.kind == kinds::DM {
        DIRECT_MESSAGES
    } else {
        GUILD_MESSAGES
    }
}

/// 400 / 50083: Discord's answer to changing anything in an archived thread.
pub fn thread_archived() -> ApiError {
    ApiError::new(400, 50083, "Thread is archived").expected()
}

/// 400 / 160005: a locked thread, for someone without MANAGE_THREADS.
fn thread_locked() -> ApiError {
    ApiError::new(400, 160_005, "Thread is locked").expected()
}

/// Refuses changing a message (edit, reaction, new member) in an archived thread, and in a
/// locked thread without MANAGE_THREADS.
fn check_thread_open(s: &State, w: &World, ch: &ChannelRec) -> Result<(), ApiError> {
    if ch.archived() {
        return Err(thread_archived());
    }
    if ch.locked() && s.bot_permissions_in(w, ch.id) & perms::MANAGE_THREADS == 0 {
        return Err(thread_locked());
    }
    Ok(())
}

/// A new message in a thread: refused in a locked thread without MANAGE_THREADS (archived:
/// 50083 "Thread is archived", else 160005 "Thread is locked"); otherwise an archived thread is
/// unarchived first ("the API will helpfully automatically unarchive a thread when sending a
/// message in that thread"), dispatching THREAD_UPDATE.
pub fn open_thread_for_message(s: &mut State, w: &World, channel_id: u64) -> Result<(), ApiError> {
    let Some(ch) = s.channels.get(&channel_id).filter(|c| c.is_thread()) else {
        return Ok(());
    };
    if ch.locked() && s.bot_permissions_in(w, channel_id) & perms::MANAGE_THREADS == 0 {
        return Err(if ch.archived() {
            thread_archived()
        } else {
            thread_locked()
        });
    }
    if ch.archived() {
        s.set_archived(w, channel_id, false);
    }
    Ok(())
}

/// Discord refuses a message without content, embeds, components, stickers, poll or files.
pub fn check_not_empty(body: &Value) -> Result<(), ApiError> {
    let empty = [
        "content",
        "embeds",
        "components",
        "sticker_ids",
        "poll",
        "attachments",
    ]
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

/// Whether a channel of this type takes messages: a category does not (50008), a forum takes
/// them only in its posts (40058).
fn check_takes_messages(ch: &ChannelRec) -> Result<(), ApiError> {
    match ch.kind {
        kinds::CATEGORY => Err(ApiError::new(
            400,
            50008,
            "Cannot send messages in a non-text channel",
        )),
        kinds::FORUM => Err(ApiError::new(
            400,
            40058,
            "Cannot send a message in a forum channel",
        )),
        _ => Ok(()),
    }
}

/// Stores a message from the bot in a channel and dispatches MESSAGE_CREATE.
pub fn post_message(
    s: &mut State,
    w: &World,
    channel_id: u64,
    body: &Value,
) -> Result<Value, ApiError> {
    let ch = channel(s, channel_id)?.clone();
    if ch.kind == kinds::DM {
        // DMs need the DMs open, and a server in common: someone who left the guild can no
        // longer be written to (Discord: 50007).
        let open = ch
            .recipient
            .filter(|r| !s.removed_members.contains(r))
            .and_then(|r| w.members.iter().find(|m| m.id == r))
            .is_some_and(|m| m.dms_open);
        if !open {
            return Err(ApiError::new(403, 50007, "Cannot send messages to this user").expected());
        }
    }
    check_takes_messages(&ch)?;
    check_not_empty(body)?;
    if let Some(existing) = same_nonce(s, w, channel_id, body) {
        return Ok(existing);
    }
    open_thread_for_message(s, w, channel_id)?;
    let mut msg = store_message(s, w, channel_id, body, true, &[]);
    let ping = notified(channel_id, id_of(&msg), body);
    s.pings.push(ping);
    if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
        msg["nonce"] = nonce.clone();
        let id = id_of(&msg);
        if let Some(stored) = s.find_message_mut(channel_id, id) {
            stored["nonce"] = nonce.clone();
        }
        let now = s.now();
        s.nonces.insert((channel_id, nonce_key(nonce)), (id, now));
    }
    Ok(msg)
}

/// Who a new message notifies, as Discord decides it: the mentions in its content that its
/// `allowed_mentions` let ping (everything mentioned when it has none).
fn notified(channel: u64, message: u64, body: &Value) -> Ping {
    use std::sync::LazyLock;
    static USER: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"<@!?(\d+)>").expect("a regex"));
    static ROLE: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"<@&(\d+)>").expect("a regex"));
    let content = body["content"].as_str().unwrap_or("");
    let mentioned = |re: &regex::Regex| -> Vec<u64> {
        let mut ids: Vec<u64> = re
            .captures_iter(content)
            .filter_map(|c| c[1].parse().ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let allowed = body.get("allowed_mentions").filter(|a| !a.is_null());
    let parses = |kind: &str| {
        allowed.is_none_or(|a| {
            a["parse"]
                .as_array()
                .is_some_and(|p| p.iter().any(|x| x == kind))
        })
    };
    let listed = |kind: &str, id: u64| {
        allowed.is_some_and(|a| {
            a[kind].as_array().is_some_and(|l| {
                l.iter()
                    .any(|x| x.as_str() == Some(&id.to_string()) || x.as_u64() == Some(id))
            })
        })
    };
    let users = mentioned(&USER)
        .into_iter()
        .filter(|u| parses("users") || listed("users", *u))
        .collect();
    let roles = mentioned(&ROLE)
        .into_iter()
        .filter(|r| parses("roles") || listed("roles", *r))
        .collect();
    let everyone =
        (content.contains("@everyone") || content.contains("@here")) && parses("everyone");
    Ping {
        channel,
        message,
        users,
        roles,
        everyone,
    }
}

/// A nonce as Discord compares it (an integer and its decimal string are the same).
fn nonce_key(nonce: &Value) -> String {
    match nonce {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Discord's de-duplication: with `enforce_nonce`, a message whose nonce the bot used in this
/// channel within `Config::nonce_window` (of the sandbox clock) is not posted again; the
/// existing message is returned instead. After the window the nonce is forgotten, and the same
/// request posts a duplicate, as on Discord ("checked for uniqueness in the past few minutes").
fn same_nonce(s: &State, w: &World, channel_id: u64, body: &Value) -> Option<Value> {
    if body.get("enforce_nonce") != Some(&Value::Bool(true)) {
        return None;
    }
    let nonce = body.get("nonce").filter(|n| !n.is_null())?;
    let (id, at) = s.nonces.get(&(channel_id, nonce_key(nonce)))?;
    if s.now().saturating_duration_since(*at) >= w.config.nonce_window {
        return None;
    }
    s.find_message(channel_id, *id).cloned()
}

/// Stores a message from the bot (no checks) with `extra` fields set; dispatches
/// MESSAGE_CREATE if `dispatched`. A message in a thread is activity (it delays auto-archive).
pub fn store_message(
    s: &mut State,
    w: &World,
    channel_id: u64,
    body: &Value,
    dispatched: bool,
    extra: &[(&str, Value)],
) -> Value {
    let guild = s
        .channels
        .get(&channel_id)
        .filter(|ch| ch.kind != kinds::DM)
        .map(|_| w.guild_id);
    let intent = s
        .channels
        .get(&channel_id)
        .map(message_intent)
        .unwrap_or(GUILD_MESSAGES);
    let now = s.now();
    if let Some(t) = s
        .channels
        .get_mut(&channel_id)
        .and_then(|c| c.thread.as_mut())
    {
        t.last_activity = now;
    }
    let id = s.snowflake();
    let author = payloads::user(w.bot_id, &w.bot_name, true);
    let mut msg = payloads::message(id, channel_id, guild, author, body);
    for (k, v) in extra {
        msg[*k] = v.clone();
    }
    s.messages.entry(channel_id).or_default().push(msg.clone());
    s.message_version += 1;
    if dispatched {
        dispatch(s, intent, "MESSAGE_CREATE", msg.clone());
    }
    msg
}

/// Applies an edit to a stored message and dispatches MESSAGE_UPDATE. Refused in an archived
/// thread (400 / 50083), as on Discord: an edit does not unarchive.
pub fn edit_message(
    s: &mut State,
    w: &World,
    channel_id: u64,
    message_id: u64,
    body: &Value,
) -> Result<Value, ApiError> {
    if let Some(ch) = s.channels.get(&channel_id) {
        check_thread_open(s, w, ch)?;
    }
    let intent = s
        .channels
        .get(&channel_id)
        .map(message_intent)
        .unwrap_or(GUILD_MESSAGES);
    let now = payloads::timestamp(s.clock.system());
    let m = s
        .find_message_mut(channel_id, message_id)
        .ok_or_else(|| ApiError::unknown("Message", 10008))?;
    payloads::apply_edit(m, body);
    m["edited_timestamp"] = json!(now);
    let m = m.clone();
    s.message_version += 1;
    // Ephemeral messages are not dispatched.
    if !s.ephemeral_for.contains_key(&message_id) {
        dispatch(s, intent, "MESSAGE_UPDATE", m.clone());
    }
    Ok(m)
}

/// Deletes a stored message and dispatches MESSAGE_DELETE. Allowed in an archived thread
/// unless it is also locked (and the bot lacks MANAGE_THREADS).
pub fn delete_message(
    s: &mut State,
    w: &World,
    channel_id: u64,
    message_id: u64,
) -> Result<(), ApiError> {
    let ch = channel(s, channel_id)?.clone();
    if ch.locked() && s.bot_permissions_in(w, channel_id) & perms::MANAGE_THREADS == 0 {
        return Err(if ch.archived() {
            thread_archived()
        } else {
            thread_locked()
        });
    }
    remove_message(s, w, channel_id, message_id)
        .then_some(())
        .ok_or_else(|| ApiError::unknown("Message", 10008))
}

/// Removes a message for good and dispatches MESSAGE_DELETE (no checks); false if it is not
/// there.
pub fn remove_message(s: &mut State, w: &World, channel_id: u64, message_id: u64) -> bool {
    let Some(ch) = s.channels.get(&channel_id).cloned() else {
        return false;
    };
    let list = s.messages.entry(channel_id).or_default();
    let before = list.len();
    list.retain(|m| id_of(m) != message_id);
    if before == list.len() {
        return false;
    }
    s.message_version += 1;
    let mut d = json!({ "id": message_id.to_string(), "channel_id": channel_id.to_string() });
    if let Some(g) = guild_of(w, &ch) {
        d["guild_id"] = json!(g.to_string());
    }
    if s.ephemeral_for.remove(&message_id).is_none() {
        dispatch(s, message_intent(&ch), "MESSAGE_DELETE", d);
    }
    true
}

/// Deletes a channel for good, with its threads and messages; dispatches CHANNEL_DELETE for a
/// guild channel and THREAD_DELETE for each thread (GUILDS intent), as Discord does. A DM
/// channel just goes (Discord sends bots nothing when a person closes a DM). False if there was
/// no such channel.
pub fn remove_channel(s: &mut State, w: &World, id: u64) -> bool {
    let Some(ch) = s.channels.remove(&id) else {
        return false;
    };
    let threads: Vec<u64> = s
        .channels
        .values()
        .filter(|c| c.parent_id == Some(id) && c.is_thread())
        .map(|c| c.id)
        .collect();
    for t in threads {
        remove_channel(s, w, t);
    }
    if s.messages.remove(&id).is_some() {
        s.message_version += 1;
    }
    s.forbidden.remove(&id);
    match ch.kind {
        kinds::DM => {}
        k if kinds::is_thread(k) => {
            let d = json!({
                "id": id.to_string(),
                "guild_id": w.guild_id.to_string(),
                "parent_id": ch.parent_id.map(|p| p.to_string()),
                "type": k,
            });
            dispatch(s, GUILDS, "THREAD_DELETE", d);
        }
        _ => {
            let d = channel_json(w, &ch);
            dispatch(s, GUILDS, "CHANNEL_DELETE", d);
        }
    }
    true
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
    c.shared.write(|s| {
        check_permissions(s, w, c.m.op.operation_id.as_str(), channel_id, c.body)?;
        operation(c, s, w, channel_id, message_id)
    })
}

fn operation(c: &Ctx<'_>, s: &mut State, w: &World, channel_id: u64, message_id: u64) -> Reply {
    match c.m.op.operation_id.as_str() {
        "get_channel" => Ok((200, channel_json(w, channel(s, channel_id)?))),
        "update_channel" => update_thread(c, s, w, channel_id),
        "trigger_typing_indicator" => channel(s, channel_id).map(|_| (204, Value::Null)),
        "create_message" => post_message(s, w, channel_id, c.body).map(|m| (200, m)),
        "get_message" | "update_message" | "delete_message"
            if s.ephemeral_for.contains_key(&message_id) =>
        {
            // Ephemeral messages exist only for the interaction's webhook routes.
            Err(ApiError::unknown("Message", 10008))
        }
        "get_message" => {
            check_takes_messages(channel(s, channel_id)?)?;
            let m = s
                .find_message(channel_id, message_id)
                .ok_or_else(|| ApiError::unknown("Message", 10008))?;
            Ok((200, m.clone()))
        }
        "list_messages" => {
            check_takes_messages(channel(s, channel_id)?)?;
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
                .filter(|m| {
                    before.is_none_or(|b| id_of(m) < b) && after.is_none_or(|a| id_of(m) > a)
                })
                .take(limit)
                .cloned()
                .collect();
            Ok((200, Value::Array(list)))
        }
        "update_message" => {
            channel(s, channel_id)?;
            let m = s
                .find_message(channel_id, message_id)
                .ok_or_else(|| ApiError::unknown("Message", 10008))?;
            if m["author"]["id"] != json!(w.bot_id.to_string()) {
                return Err(ApiError::new(
                    403,
                    50005,
                    "Cannot edit a message authored by another user",
                ));
            }
            edit_message(s, w, channel_id, message_id, c.body).map(|m| (200, m))
        }
        "delete_message" => {
            // Someone else's message: MANAGE_MESSAGES in a guild, never in a DM.
            let others = s
                .find_message(channel_id, message_id)
                .is_some_and(|m| m["author"]["id"] != json!(w.bot_id.to_string()));
            if others {
                let dm = s
                    .channels
                    .get(&channel_id)
                    .is_some_and(|c| c.kind == kinds::DM);
                if dm {
                    return Err(ApiError::new(
                        403,
                        50003,
                        "Cannot execute action on a DM channel",
                    ));
                }
                if s.bot_permissions_in(w, channel_id) & perms::MANAGE_MESSAGES == 0 {
                    return Err(ApiError::new(
                        403,
                        50013,
                        "Missing Permissions (MANAGE_MESSAGES)",
                    ));
                }
            }
            delete_message(s, w, channel_id, message_id).map(|_| (204, Value::Null))
        }
        "create_thread_from_message" | "create_thread" => create_thread(c, s, w, channel_id),
        "add_thread_member" | "join_thread" => {
            let user = if c.m.op.operation_id == "join_thread" {
                w.bot_id
            } else {
                c.m.id("user_id")
            };
            if user != w.bot_id && s.member(w, user).is_none() {
                return Err(ApiError::unknown("Member", 10007));
            }
            let ch = channel(s, channel_id)?;
            if !ch.is_thread() {
                return Err(ApiError::new(
                    400,
                    50024,
                    "Cannot execute action on this channel type",
                ));
            }
            check_thread_open(s, w, ch)?;
            let ch = s
                .channels
                .get_mut(&channel_id)
                .ok_or_else(|| ApiError::unknown("Channel", 10003))?;
            if !ch.members.contains(&user) {
                ch.members.push(user);
            }
            Ok((204, Value::Null))
        }
        "list_thread_members" => {
            let ch = channel(s, channel_id)?;
            let joined = payloads::timestamp(s.clock.system());
            let list = ch
                .members
                .iter()
                .map(|u| {
                    json!({ "id": channel_id.to_string(), "user_id": u.to_string(),
                            "join_timestamp": joined, "flags": 0 })
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
            let existing = s
                .channels
                .values()
                .find(|ch| ch.kind == kinds::DM && ch.recipient == Some(rid))
                .cloned();
            let rec = match existing {
                Some(r) => r,
                None => {
                    let rec = ChannelRec::dm(s.snowflake(), rid);
                    s.channels.insert(rec.id, rec.clone());
                    rec
                }
            };
            Ok((200, channel_json(w, &rec)))
        }
        "add_my_message_reaction" | "delete_my_message_reaction" => {
            let add = c.m.op.operation_id == "add_my_message_reaction";
            let emoji = decode(c.m.param("emoji_name"));
            check_thread_open(s, w, channel(s, channel_id)?)?;
            let m = s
                .find_message_mut(channel_id, message_id)
                .ok_or_else(|| ApiError::unknown("Message", 10008))?;
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
        other => Err(ApiError::new(
            501,
            0,
            format!("501: Not Implemented ({other})"),
        )),
    }
}

/// Start Thread from Message / without Message / in a Forum (docs: resources--channel.mdx).
/// From a message: a text channel gives a public thread, an announcement channel an
/// announcement thread, a forum or any other type is refused (50024). Without a message: a
/// text channel gives the asked `type` (private by default), an announcement channel an
/// announcement thread, a forum a post whose first message is `message`.
fn create_thread(c: &Ctx<'_>, s: &mut State, w: &World, channel_id: u64) -> Reply {
    let parent = channel(s, channel_id)?.clone();
    let from_message = c.m.op.operation_id == "create_thread_from_message";
    let wrong_type = || ApiError::new(400, 50024, "Cannot execute action on this channel type");
    let forum = parent.kind == kinds::FORUM;
    let kind = match (parent.kind, from_message) {
        (kinds::TEXT, true) => kinds::PUBLIC_THREAD,
        (kinds::TEXT, false) => c.body["type"].as_u64().unwrap_or(12) as u8,
        (kinds::ANNOUNCEMENT, _) => kinds::ANNOUNCEMENT_THREAD,
        (kinds::FORUM, false) => kinds::PUBLIC_THREAD,
        _ => return Err(wrong_type()),
    };
    if !kinds::is_thread(kind)
        || (kind == kinds::ANNOUNCEMENT_THREAD) != (parent.kind == kinds::ANNOUNCEMENT)
    {
        return Err(wrong_type());
    }
    let first = if forum {
        let m = c
            .body
            .get("message")
            .filter(|m| m.is_object())
            .ok_or_else(|| {
                let mut e = ApiError::new(400, 50035, "Invalid Form Body");
                e.errors = Some(json!({ "message": { "_errors": [{
                "code": "BASE_TYPE_REQUIRED", "message": "This field is required" }] } }));
                e
            })?;
        check_not_empty(m)?;
        Some(m.clone())
    } else {
        None
    };
    let message_id = c.m.id("message_id");
    let id = if from_message {
        s.find_message(channel_id, message_id)
            .ok_or_else(|| ApiError::unknown("Message", 10008))?;
        message_id
    } else {
        s.snowflake()
    };
    if s.channels.contains_key(&id) {
        return Err(ApiError::new(
            400,
            160004,
            "A thread has already been created for this message",
        ));
    }
    let duration = c.body["auto_archive_duration"].as_u64().unwrap_or(1440) as u32;
    let name = c.body["name"].as_str().unwrap_or("");
    let rec = ChannelRec::thread(
        id,
        kind,
        name,
        channel_id,
        vec![w.bot_id],
        duration,
        &s.clock,
    );
    s.channels.insert(id, rec.clone());
    let mut thread = channel_json(w, &rec);
    if from_message {
        let intent = message_intent(&parent);
        if let Some(m) = s.find_message_mut(channel_id, message_id) {
            m["thread"] = thread.clone();
            let m = m.clone();
            dispatch(s, intent, "MESSAGE_UPDATE", m);
        }
    }
    let mut event = thread.clone();
    event["newly_created"] = json!(true);
    dispatch(s, GUILDS, "THREAD_CREATE", event);
    if let Some(m) = first {
        thread["message"] = store_message(s, w, id, &m, true, &[]);
    }
    Ok((201, thread))
}

/// Modify Channel on a thread (docs: resources--channel.mdx, JSON Params (Thread)). Unarchiving
/// an unlocked thread needs only SEND_MESSAGES; locking, unlocking and unarchiving a locked
/// thread need MANAGE_THREADS. While the thread is
/// archived, a change that does not also unarchive it is refused (50083). Dispatches
/// THREAD_UPDATE. Other channels are not modelled (501).
fn update_thread(c: &Ctx<'_>, s: &mut State, w: &World, channel_id: u64) -> Reply {
    let ch = channel(s, channel_id)?.clone();
    let Some(meta) = ch.thread.clone() else {
        return Err(ApiError::new(
            501,
            0,
            "501: Not Implemented (the sandbox changes threads only, not channels)",
        ));
    };
    let have = s.bot_permissions_in(w, channel_id);
    let missing = |what: &str| ApiError::new(403, 50013, format!("Missing Permissions ({what})"));
    let manage = have & perms::MANAGE_THREADS != 0;
    let archived = c.body["archived"].as_bool();
    let locked = c.body["locked"].as_bool();
    if meta.archived && archived != Some(false) {
        return Err(thread_archived());
    }
    if archived == Some(false) && meta.archived {
        let still_locked = locked.unwrap_or(meta.locked);
        if still_locked && !manage {
            return Err(missing("MANAGE_THREADS to unarchive a locked thread"));
        }
        if !still_locked && have & perms::SEND_MESSAGES == 0 && !manage {
            return Err(missing("SEND_MESSAGES to unarchive a thread"));
        }
    }
    if locked.is_some_and(|l| l != meta.locked) && !manage {
        return Err(missing("MANAGE_THREADS to lock or unlock a thread"));
    }
    // Archiving needs MANAGE_THREADS or being the thread's creator, and every thread in the
    // sandbox is the bot's own.
    let now = s.now();
    let system = s.clock.system();
    let rec = s
        .channels
        .get_mut(&channel_id)
        .ok_or_else(|| ApiError::unknown("Channel", 10003))?;
    if let Some(name) = c.body["name"].as_str() {
        rec.name = name.to_string();
    }
    if let Some(t) = rec.thread.as_mut() {
        if let Some(l) = locked {
            t.locked = l;
        }
        if let Some(d) = c.body["auto_archive_duration"].as_u64() {
            t.auto_archive_duration = d as u32;
            t.last_activity = now;
        }
        if let Some(a) = archived {
            if a != t.archived {
                t.archived = a;
                t.archive_timestamp = system;
            }
            if !a {
                t.last_activity = now;
            }
        }
    }
    let v = channel_json(w, rec);
    dispatch(s, GUILDS, "THREAD_UPDATE", v.clone());
    Ok((200, v))
}
