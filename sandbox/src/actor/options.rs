//! Typing a slash command's options: the values a person types, converted by the option's
//! registered type, with `resolved` users, members, channels and roles as Discord sends them.

use serde_json::{json, Map, Value};

use super::{Actor, ActorError};
use crate::payloads;
use crate::rest::channel_json;
use crate::state::State;

/// Builds the `options` of a command interaction along `path`, typing each value.
pub(super) fn build_options(
    s: &State,
    actor: &Actor,
    declared: &Value,
    path: &[&str],
    given: &[(&str, &str)],
    focused: Option<&str>,
    resolved: &mut Map<String, Value>,
) -> Result<Value, ActorError> {
    let declared = declared.as_array().cloned().unwrap_or_default();
    if let Some((first, rest)) = path.split_first() {
        let sub = declared
            .iter()
            .find(|o| o["name"] == *first && matches!(o["type"].as_u64(), Some(1 | 2)))
            .ok_or_else(|| ActorError::Usage(format!("no subcommand {first:?}")))?;
        let inner = build_options(s, actor, &sub["options"], rest, given, focused, resolved)?;
        return Ok(json!([{ "type": sub["type"], "name": first, "options": inner }]));
    }
    if declared
        .iter()
        .any(|o| matches!(o["type"].as_u64(), Some(1 | 2)))
    {
        return Err(ActorError::Usage("this command needs a subcommand".into()));
    }
    let mut out = Vec::new();
    for (name, raw) in given {
        let o = declared
            .iter()
            .find(|o| o["name"] == *name)
            .ok_or_else(|| ActorError::Usage(format!("the command has no option {name:?}")))?;
        let t = o["type"].as_u64().unwrap_or(3);
        if focused == Some(*name) {
            out.push(json!({ "type": t, "name": name, "value": raw, "focused": true }));
            continue;
        }
        let raw = o["choices"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == *raw))
            .map(|c| c["value"].to_string().trim_matches('"').to_string())
            .unwrap_or_else(|| raw.to_string());
        let value = typed(s, actor, t, &raw, resolved)
            .map_err(|e| ActorError::Usage(format!("option {name:?}: {e}")))?;
        out.push(json!({ "type": t, "name": name, "value": value }));
    }
    for o in &declared {
        // While typing (autocomplete), required options may still be empty.
        if focused.is_none() && o["required"] == true && !given.iter().any(|(n, _)| o["name"] == *n)
        {
            return Err(ActorError::Usage(format!(
                "the option {} is required",
                o["name"]
            )));
        }
    }
    Ok(Value::Array(out))
}

pub(super) fn typed(
    s: &State,
    actor: &Actor,
    t: u64,
    raw: &str,
    resolved: &mut Map<String, Value>,
) -> Result<Value, String> {
    let w = actor.sb.world();
    let id = || {
        raw.parse::<u64>()
            .map_err(|_| format!("{raw:?} is not an id"))
    };
    Ok(match t {
        3 => json!(raw),
        4 => json!(raw
            .parse::<i64>()
            .map_err(|_| format!("{raw:?} is not an integer"))?),
        5 => json!(raw
            .parse::<bool>()
            .map_err(|_| format!("{raw:?} is not true/false"))?),
        10 => json!(raw
            .parse::<f64>()
            .map_err(|_| format!("{raw:?} is not a number"))?),
        6 => {
            let u = id()?;
            let m = s
                .member(w, u)
                .ok_or(format!("user {u} is not in the guild"))?;
            let users = resolved.entry("users").or_insert_with(|| json!({}));
            users[u.to_string()] = payloads::user(m.id, &m.name, false);
            let mut pm = payloads::member(&m);
            if let Some(o) = pm.as_object_mut() {
                o.remove("user");
            }
            pm["permissions"] = json!(s.permissions_in(w, u, actor.channel_id).to_string());
            let members = resolved.entry("members").or_insert_with(|| json!({}));
            members[u.to_string()] = pm;
            json!(u.to_string())
        }
        7 => {
            let c = id()?;
            let ch = s
                .channels
                .get(&c)
                .ok_or(format!("channel {c} does not exist"))?;
            let mut cj = channel_json(w, ch);
            cj["permissions"] = json!(s.permissions_in(w, actor.member.id, c).to_string());
            let channels = resolved.entry("channels").or_insert_with(|| json!({}));
            channels[c.to_string()] = cj;
            json!(c.to_string())
        }
        8 => {
            let r = id()?;
            let (i, role) = w
                .roles
                .iter()
                .enumerate()
                .find(|(_, x)| x.id == r)
                .ok_or(format!("role {r} does not exist"))?;
            let roles = resolved.entry("roles").or_insert_with(|| json!({}));
            roles[r.to_string()] = payloads::role(role, i + 1);
            json!(r.to_string())
        }
        other => {
            return Err(format!(
                "option type {other} is not supported by the sandbox"
            ))
        }
    })
}
