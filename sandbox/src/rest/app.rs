//! Gateway discovery, the bot's user and application, the guild, and application commands.

use serde_json::{json, Value};

use super::{ApiError, Ctx, Reply};
use crate::payloads;
use crate::state::id_of;
use crate::world::perms;

pub fn handle(c: &Ctx<'_>) -> Reply {
    let w = &c.shared.world;
    match c.m.op.operation_id.as_str() {
        "get_gateway" => Ok((200, json!({ "url": c.server.gateway_url }))),
        "get_bot_gateway" => Ok((
            200,
            json!({
                "url": c.server.gateway_url,
                "shards": w.config.shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000_u32.saturating_sub(c.shared.read().gateway.identifies),
                    "reset_after": 14_400_000,
                    "max_concurrency": w.config.max_concurrency,
                },
            }),
        )),
        "get_my_user" => {
            let mut u = payloads::user(w.bot_id, &w.bot_name, true);
            u["verified"] = json!(true);
            u["mfa_enabled"] = json!(false);
            u["flags"] = json!(0);
            Ok((200, u))
        }
        "get_my_oauth2_application" => Ok((
            200,
            json!({
                "id": w.application_id.to_string(),
                "name": w.bot_name,
                "icon": null,
                "description": "",
                "bot_public": false,
                "bot_require_code_grant": false,
                "verify_key": "0".repeat(64),
                "owner": payloads::user(w.members.first().map(|m| m.id).unwrap_or(1), "owner", false),
                "team": null,
                "flags": 0,
                "summary": "",
                "bot": payloads::user(w.bot_id, &w.bot_name, true),
            }),
        )),
        "get_user" => {
            let id = c.m.id("user_id");
            if id == w.bot_id {
                return Ok((200, payloads::user(w.bot_id, &w.bot_name, true)));
            }
            let m = w
                .members
                .iter()
                .find(|m| m.id == id)
                .ok_or_else(|| ApiError::unknown("User", 10013))?;
            Ok((200, payloads::user(m.id, &m.name, false)))
        }
        "get_guild" => {
            guild(c)?;
            let mut g = payloads::guild_create(w, &[], vec![], vec![], false);
            if let Some(o) = g.as_object_mut() {
                for k in [
                    "members",
                    "channels",
                    "threads",
                    "presences",
                    "voice_states",
                    "joined_at",
                    "large",
                    "member_count",
                ] {
                    o.remove(k);
                }
            }
            Ok((200, g))
        }
        "get_guild_member" => {
            guild(c)?;
            let id = c.m.id("user_id");
            let m = c
                .shared
                .read()
                .member(w, id)
                .ok_or_else(|| ApiError::unknown("Member", 10007))?;
            Ok((200, payloads::member(&m)))
        }
        "add_guild_member_role" | "delete_guild_member_role" => member_role(c),
        "list_guild_members" | "search_guild_members" => {
            guild(c)?;
            // Privileged: needs the GUILD_MEMBERS intent enabled for the application.
            if w.privileged_intents & (1 << 1) == 0 {
                return Err(ApiError::new(
                    403,
                    50001,
                    "Missing Access (GUILD_MEMBERS intent is not enabled)",
                ));
            }
            let max = 1000;
            let limit: usize = c
                .query
                .get("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(1);
            if !(1..=max).contains(&limit) {
                return Err(ApiError::new(
                    400,
                    50035,
                    "Invalid Form Body (limit must be 1 to 1000)",
                ));
            }
            let after: u64 = c
                .query
                .get("after")
                .and_then(|a| a.parse().ok())
                .unwrap_or(0);
            let query = c.query.get("query").map(|q| q.to_lowercase());
            if c.m.op.operation_id == "search_guild_members" && query.is_none() {
                return Err(ApiError::new(
                    400,
                    50035,
                    "Invalid Form Body (query is required)",
                ));
            }
            let people = c.shared.read().members(w);
            let mut members: Vec<&crate::world::Member> = people
                .iter()
                .filter(|m| m.id > after)
                .filter(|m| {
                    query
                        .as_ref()
                        .is_none_or(|q| m.name.to_lowercase().starts_with(q))
                })
                .collect();
            members.sort_by_key(|m| m.id);
            let list = members
                .into_iter()
                .take(limit)
                .map(payloads::member)
                .collect();
            Ok((200, Value::Array(list)))
        }
        "list_guild_roles" => {
            guild(c)?;
            let mut roles = vec![payloads::role(&payloads::everyone(w), 0)];
            roles.extend(
                w.roles
                    .iter()
                    .enumerate()
                    .map(|(i, r)| payloads::role(r, i + 1)),
            );
            roles.push(payloads::bot_role(w, w.roles.len() + 1));
            Ok((200, Value::Array(roles)))
        }
        "get_active_guild_threads" => {
            guild(c)?;
            let st = c.shared.read();
            let threads: Vec<Value> = st
                .channels
                .values()
                .filter(|ch| ch.is_thread() && !ch.archived())
                .map(|ch| super::channel_json(w, ch))
                .collect();
            Ok((200, json!({ "threads": threads, "members": [] })))
        }
        "list_guild_channels" => {
            guild(c)?;
            let st = c.shared.read();
            let chans = st
                .channels
                .values()
                .filter(|ch| ch.kind != crate::world::kinds::DM && !ch.is_thread())
                .map(|ch| super::channel_json(w, ch))
                .collect::<Vec<_>>();
            Ok((200, Value::Array(chans)))
        }
        _ => commands(c),
    }
}

/// Gives or takes a role (MANAGE_ROLES; not @everyone or a managed role; the bot's own role is
/// the highest, so every other role is below it). Dispatches GUILD_MEMBER_UPDATE.
fn member_role(c: &Ctx<'_>) -> Reply {
    let w = &c.shared.world;
    guild(c)?;
    let (user, role) = (c.m.id("user_id"), c.m.id("role_id"));
    if w.bot_guild_permissions() & (perms::MANAGE_ROLES | perms::ADMINISTRATOR) == 0 {
        return Err(ApiError::new(
            403,
            50013,
            "Missing Permissions (MANAGE_ROLES)",
        ));
    }
    if role == w.guild_id || role == w.bot_role_id {
        return Err(ApiError::new(
            403,
            50013,
            "Missing Permissions (@everyone or a managed role)",
        ));
    }
    if !w.roles.iter().any(|r| r.id == role) {
        return Err(ApiError::unknown("Role", 10011));
    }
    let add = c.m.op.operation_id == "add_guild_member_role";
    c.shared.write(|s| {
        let mut m = s
            .member(w, user)
            .ok_or_else(|| ApiError::unknown("Member", 10007))?;
        m.roles.retain(|r| *r != role);
        if add {
            m.roles.push(role);
        }
        s.member_roles.insert(user, m.roles.clone());
        let mut d = payloads::member(&m);
        d["guild_id"] = json!(w.guild_id.to_string());
        crate::state::dispatch(s, 1 << 1, "GUILD_MEMBER_UPDATE", d);
        Ok((204, Value::Null))
    })
}

fn guild(c: &Ctx<'_>) -> Result<(), ApiError> {
    if c.m.id("guild_id") != c.shared.world.guild_id {
        return Err(ApiError::unknown("Guild", 10004));
    }
    Ok(())
}

fn app(c: &Ctx<'_>) -> Result<(), ApiError> {
    if c.m.id("application_id") != c.shared.world.application_id {
        return Err(ApiError::new(
            403,
            50001,
            "Missing Access (not this bot's application id)",
        ));
    }
    Ok(())
}

/// Fills the fields Discord adds to a registered command.
fn stored(c: &Ctx<'_>, id: u64, guild_id: Option<u64>, mut cmd: Value) -> Value {
    cmd["id"] = json!(id.to_string());
    cmd["application_id"] = json!(c.shared.world.application_id.to_string());
    cmd["version"] = json!(id.to_string());
    if cmd.get("type").is_none_or(Value::is_null) {
        cmd["type"] = json!(1);
    }
    if let Some(g) = guild_id {
        cmd["guild_id"] = json!(g.to_string());
    }
    // Discord answers with the permissions as a string, and "" as the description of
    // context-menu commands.
    cmd["default_member_permissions"] = match &cmd["default_member_permissions"] {
        Value::Number(n) => json!(n.to_string()),
        Value::String(p) => json!(p),
        _ => Value::Null,
    };
    if cmd["description"].is_null() {
        cmd["description"] = json!("");
    }
    if cmd["nsfw"].is_null() {
        cmd["nsfw"] = json!(false);
    }
    cmd
}

fn commands(c: &Ctx<'_>) -> Reply {
    app(c)?;
    let guild_id =
        c.m.params
            .contains_key("guild_id")
            .then(|| c.m.id("guild_id"));
    if guild_id.is_some() {
        guild(c)?;
    }
    let op = c.m.op.operation_id.replace("_guild_", "_");
    c.shared.write(|s| {
        let mut list = match guild_id {
            Some(g) => s.guild_commands.get(&g).cloned().unwrap_or_default(),
            None => s.global_commands.clone(),
        };
        let cmd_id = c.m.id("command_id");
        let reply = match op.as_str() {
            "list_application_commands" => (200, Value::Array(list.clone())),
            "bulk_set_application_commands" => {
                let mut new = Vec::new();
                for cmd in c.body.as_array().cloned().unwrap_or_default() {
                    // Keep the id of a command with the same name, as Discord does.
                    let id = list
                        .iter()
                        .find(|o| o["name"] == cmd["name"] && o["type"] == cmd["type"])
                        .map(id_of)
                        .unwrap_or_else(|| s.snowflake());
                    new.push(stored(c, id, guild_id, cmd));
                }
                list = new;
                s.registrations += 1;
                (200, Value::Array(list.clone()))
            }
            "create_application_command" => {
                let id = s.snowflake();
                let cmd = stored(c, id, guild_id, c.body.clone());
                list.retain(|o| o["name"] != cmd["name"]);
                list.push(cmd.clone());
                s.registrations += 1;
                (201, cmd)
            }
            "get_application_command" => match list.iter().find(|o| id_of(o) == cmd_id) {
                Some(cmd) => (200, cmd.clone()),
                None => return Err(ApiError::unknown("application command", 10063)),
            },
            "delete_application_command" => {
                let before = list.len();
                list.retain(|o| id_of(o) != cmd_id);
                if before == list.len() {
                    return Err(ApiError::unknown("application command", 10063));
                }
                (204, Value::Null)
            }
            "update_application_command" => match list.iter_mut().find(|o| id_of(o) == cmd_id) {
                Some(cmd) => {
                    for (k, v) in c.body.as_object().into_iter().flatten() {
                        cmd[k] = v.clone();
                    }
                    (200, cmd.clone())
                }
                None => return Err(ApiError::unknown("application command", 10063)),
            },
            other => {
                return Err(ApiError::new(
                    501,
                    0,
                    format!("501: Not Implemented ({other})"),
                ))
            }
        };
        match guild_id {
            Some(g) => {
                s.guild_commands.insert(g, list);
            }
            None => s.global_commands = list,
        }
        Ok(reply)
    })
}
