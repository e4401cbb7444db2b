//! Interaction callbacks, follow-ups and `@original` (docs: interactions--receiving-and-responding).

use serde_json::{json, Value};

use super::messages::{
    check_not_empty, delete_message, edit_message, store_message, thread_archived,
};
use super::{ApiError, Ctx, Reply};
use crate::state::{InteractionRec, State};

/// Message flags: EPHEMERAL and LOADING (a deferred reply's "thinking" message).
const EPHEMERAL: u64 = 64;
const LOADING: u64 = 128;

pub fn handle(c: &Ctx<'_>) -> Reply {
    if c.m.op.operation_id == "create_interaction_response" {
        return callback(c);
    }
    webhook(c)
}

fn callback(c: &Ctx<'_>) -> Reply {
    let w = &c.shared.world;
    let id = c.m.id("interaction_id");
    let token = c.m.param("interaction_token");
    c.shared.write(|s| {
        let Some(rec) = s.interactions.get(&id).filter(|i| i.token == token).cloned() else {
            return Err(ApiError::new(404, 10062, "Unknown interaction"));
        };
        if rec.callback.is_some() {
            return Err(ApiError::new(400, 40060, "Interaction has already been acknowledged."));
        }
        let elapsed = c.received.saturating_duration_since(rec.dispatched);
        if elapsed > w.config.initial_response_window {
            return Err(ApiError::new(
                404,
                10062,
                format!(
                    "Unknown interaction (initial response {} ms after the dispatch; Discord allows {} ms)",
                    elapsed.as_millis(),
                    w.config.initial_response_window.as_millis()
                ),
            ));
        }
        let kind = c.body["type"].as_u64().unwrap_or(0) as u8;
        let allowed: &[u8] = match rec.kind {
            2 => &[4, 5, 9],
            3 => &[4, 5, 6, 7, 9],
            4 => &[8],
            5 => &[4, 5, 6, 7],
            _ => &[],
        };
        if !allowed.contains(&kind) {
            return Err(form_error(
                "type",
                format!("Interaction callback type {kind} is not valid for interaction type {}", rec.kind),
            ));
        }
        let data = &c.body["data"];
        let original = match kind {
            4 | 5 => {
                let mut body = data.clone();
                if kind == 5 {
                    let flags = data["flags"].as_u64().unwrap_or(0) & EPHEMERAL;
                    body = json!({ "content": "", "flags": flags | LOADING });
                }
                Some(interaction_message(s, c, &rec, &body)?)
            }
            // A modal opened by a slash command has no message: DEFERRED_UPDATE_MESSAGE only
            // closes it (poise's `execute_modal` does that).
            6 if rec.source_message.is_none() && rec.kind == 5 => None,
            6 | 7 => {
                let Some(src) = rec.source_message else {
                    return Err(form_error(
                        "type",
                        "Update callbacks need a message (component interaction)".into(),
                    ));
                };
                if kind == 7 {
                    edit_message(s, w, rec.channel_id, src, data)?;
                }
                Some(src)
            }
            9 => {
                s.modals.insert(rec.user_id, (rec.id, data.clone()));
                None
            }
            _ => None,
        };
        if let Some(i) = s.interactions.get_mut(&id) {
            i.callback = Some((kind, c.body.clone()));
            i.original = original;
        }
        s.answered.insert(id, c.received);
        Ok((204, Value::Null))
    })
}

/// 400 Invalid Form Body with one error at `field`.
fn form_error(field: &str, message: String) -> ApiError {
    let mut e = ApiError::new(400, 50035, "Invalid Form Body");
    e.errors = Some(
        json!({ field: { "_errors": [{ "code": "INTERACTION_CALLBACK_TYPE_INVALID", "message": message }] } }),
    );
    e
}

/// A message made by an interaction response; ephemeral ones are seen only by the actor.
fn interaction_message(
    s: &mut State,
    c: &Ctx<'_>,
    rec: &InteractionRec,
    body: &Value,
) -> Result<u64, ApiError> {
    let w = &c.shared.world;
    let flags = body["flags"].as_u64().unwrap_or(0);
    // A deferred reply's "thinking" message is empty until it is edited.
    if flags & LOADING == 0 {
        check_not_empty(body)?;
    }
    // In a thread: a locked one refuses the answer (Discord answers 50083 "Thread is archived"
    // even to a moderator bot); an archived one is unarchived by the new message.
    if let Some(ch) = s.channels.get(&rec.channel_id).filter(|c| c.is_thread()) {
        if ch.locked() {
            return Err(thread_archived());
        }
        if ch.archived() {
            s.set_archived(w, rec.channel_id, false);
        }
    }
    // The person started the interaction, so closed DMs do not matter; ephemeral messages are
    // not dispatched.
    let mut extra = vec![("webhook_id", json!(w.application_id.to_string()))];
    if let Some(meta) = metadata(w, rec) {
        extra.push(("interaction_metadata", meta));
    }
    let msg = store_message(s, w, rec.channel_id, body, flags & EPHEMERAL == 0, &extra);
    let id = crate::state::id_of(&msg);
    if flags & EPHEMERAL != 0 {
        s.ephemeral_for.insert(id, rec.user_id);
    }
    Ok(id)
}

/// `interaction_metadata` of a message made by an interaction (docs: resources--message.mdx).
fn metadata(w: &crate::world::World, rec: &InteractionRec) -> Option<Value> {
    // The person, whether or not they are still in the guild.
    let person = w.members.iter().find(|m| m.id == rec.user_id)?;
    let mut meta = json!({
        "id": rec.id.to_string(),
        "type": rec.kind,
        "user": crate::payloads::user(person.id, &person.name, false),
        "authorizing_integration_owners": { "0": w.guild_id.to_string() },
    });
    if let Some(o) = rec.original {
        meta["original_response_message_id"] = json!(o.to_string());
    }
    match rec.kind {
        2 => Some(meta),
        3 => {
            meta["interacted_message_id"] = json!(rec.source_message?.to_string());
            Some(meta)
        }
        _ => None,
    }
}

fn webhook(c: &Ctx<'_>) -> Reply {
    let w = &c.shared.world;
    let token = c.m.param("webhook_token").to_string();
    let op = c.m.op.operation_id.as_str();
    c.shared.write(|s| {
        let rec = match s.interaction_by_token(&token) {
            Some(id) if c.m.id("webhook_id") == w.application_id => {
                s.interactions.get(&id).cloned()
            }
            _ => None,
        };
        let Some(rec) = rec else {
            return Err(ApiError::new(404, 10015, "Unknown Webhook"));
        };
        if c.received.saturating_duration_since(rec.dispatched) > w.config.followup_window {
            return Err(ApiError::new(
                401,
                50027,
                "Invalid Webhook Token (the interaction token expired after 15 minutes)",
            ));
        }
        if rec.callback.is_none() {
            return Err(ApiError::new(
                404,
                10015,
                "Unknown Webhook (follow-up before the initial response)",
            ));
        }
        let target = match op {
            "get_original_webhook_message"
            | "update_original_webhook_message"
            | "delete_original_webhook_message" => rec
                .original
                .ok_or_else(|| ApiError::unknown("Message", 10008))?,
            "execute_webhook" => 0,
            _ => {
                let mid = c.m.id("message_id");
                if rec.original != Some(mid) && !rec.followups.contains(&mid) {
                    return Err(ApiError::unknown("Message", 10008));
                }
                mid
            }
        };
        let channel_id = s.channel_of_message(target).unwrap_or(rec.channel_id);
        match op {
            "execute_webhook" => {
                // After a deferred reply, the first follow-up fills the "thinking" message.
                let loading = rec
                    .original
                    .and_then(|o| s.find_message(rec.channel_id, o))
                    .filter(|m| m["flags"].as_u64().unwrap_or(0) & LOADING != 0);
                let msg = match loading {
                    Some(m) => {
                        let mid = crate::state::id_of(m);
                        let mut body = c.body.clone();
                        let keep = m["flags"].as_u64().unwrap_or(0) & EPHEMERAL;
                        body["flags"] = json!(keep);
                        edit_message(s, w, rec.channel_id, mid, &body)?
                    }
                    None => {
                        let mid = interaction_message(s, c, &rec, c.body)?;
                        s.find_message(rec.channel_id, mid)
                            .cloned()
                            .unwrap_or(Value::Null)
                    }
                };
                let mid = crate::state::id_of(&msg);
                if let Some(i) = s.interactions.get_mut(&rec.id) {
                    i.followups.push(mid);
                }
                Ok((200, msg))
            }
            "get_original_webhook_message" | "get_webhook_message" => {
                let m = s
                    .find_message(channel_id, target)
                    .ok_or_else(|| ApiError::unknown("Message", 10008))?;
                Ok((200, m.clone()))
            }
            "update_original_webhook_message" | "update_webhook_message" => {
                let mut body = c.body.clone();
                let flags = s
                    .find_message(channel_id, target)
                    .and_then(|m| m["flags"].as_u64())
                    .unwrap_or(0);
                if flags & LOADING != 0 {
                    body["flags"] = json!(flags & EPHEMERAL);
                }
                let m = edit_message(s, w, channel_id, target, &body)?;
                if let Some(i) = s.interactions.get_mut(&rec.id) {
                    i.original_edits += u32::from(Some(target) == rec.original);
                }
                Ok((200, m))
            }
            _ => {
                delete_message(s, w, channel_id, target)?;
                Ok((204, Value::Null))
            }
        }
    })
}
