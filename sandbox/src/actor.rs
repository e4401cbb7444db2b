//! A scripted person: types slash commands, presses buttons by their label, picks from selects,
//! fills in modals, and reads what the bot answered.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::gateway::dispatch;
use crate::payloads::{self, InteractionSpec};
use crate::rest::channel_json;
use crate::state::{id_of, Failure, State};
use crate::world::Member;
use crate::Sandbox;

/// Why an actor's step did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    #[error("the bot is not connected to the sandbox gateway")]
    NotConnected,
    #[error("the bot did not {what} within {waited:?}")]
    NoAnswer { what: String, waited: Duration },
    #[error("the sandbox refused the bot's answer: {0:?}")]
    Refused(Vec<Failure>),
    #[error("{0}")]
    NotFound(String),
    #[error("a person could not do this in Discord: {0}")]
    Usage(String),
}

/// What the bot answered to one interaction.
#[derive(Debug, Clone)]
pub struct Answer {
    pub interaction_id: u64,
    /// 4 reply, 5 deferred reply, 6 deferred update, 7 update message, 8 autocomplete, 9 modal.
    pub callback_type: u8,
    /// The callback body as the bot sent it.
    pub callback: Value,
    /// The `@original` message as it is now (reply or updated message), then the follow-ups.
    pub messages: Vec<Value>,
    /// The modal, for callback type 9.
    pub modal: Option<Value>,
    /// The autocomplete choices, for callback type 8.
    pub choices: Vec<Value>,
}

impl Answer {
    /// The first message of the answer.
    pub fn message(&self) -> Option<&Value> {
        self.messages.first()
    }
    /// Content of the first message ("" if none).
    pub fn content(&self) -> &str {
        self.message()
            .and_then(|m| m["content"].as_str())
            .unwrap_or("")
    }
    /// All visible text of all messages: content, embed titles, descriptions, fields, footers.
    pub fn text(&self) -> String {
        self.messages
            .iter()
            .map(message_text)
            .collect::<Vec<_>>()
            .join("\n")
    }
    /// Whether the first message is ephemeral.
    pub fn ephemeral(&self) -> bool {
        self.message()
            .and_then(|m| m["flags"].as_u64())
            .unwrap_or(0)
            & 64
            != 0
    }
    /// Labels of all buttons on the first message.
    pub fn buttons(&self) -> Vec<String> {
        self.message().map(button_labels).unwrap_or_default()
    }
}

/// The visible text of a message.
pub fn message_text(m: &Value) -> String {
    let mut out = vec![m["content"].as_str().unwrap_or("").to_string()];
    for e in m["embeds"].as_array().into_iter().flatten() {
        for k in ["title", "description"] {
            out.extend(e[k].as_str().map(str::to_string));
        }
        out.extend(e["author"]["name"].as_str().map(str::to_string));
        for f in e["fields"].as_array().into_iter().flatten() {
            out.extend(f["name"].as_str().map(str::to_string));
            out.extend(f["value"].as_str().map(str::to_string));
        }
        out.extend(e["footer"]["text"].as_str().map(str::to_string));
    }
    out.retain(|s| !s.is_empty());
    out.join("\n")
}

fn components(m: &Value) -> impl Iterator<Item = &Value> {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
}

pub fn button_labels(m: &Value) -> Vec<String> {
    components(m)
        .filter(|c| c["type"] == 2)
        .filter_map(|c| c["label"].as_str().map(str::to_string))
        .collect()
}

/// An interaction that was dispatched; `answer` waits for the bot.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: u64,
    pub token: String,
    what: String,
}

/// A member of the test's guild, acting in one channel.
#[derive(Clone)]
pub struct Actor {
    sb: Sandbox,
    member: Member,
    channel_id: u64,
}

impl Actor {
    pub(crate) fn new(sb: Sandbox, member: Member, channel_id: u64) -> Self {
        Actor {
            sb,
            member,
            channel_id,
        }
    }

    pub fn id(&self) -> u64 {
        self.member.id
    }

    /// The same person acting in another channel or thread.
    pub fn in_channel(mut self, channel_id: u64) -> Self {
        self.channel_id = channel_id;
        self
    }

    /// The same person acting in their DM with the bot (the DM channel is opened if needed).
    pub fn in_dm(mut self) -> Self {
        let user = self.member.id;
        self.channel_id = self.sb.shared().write(|s| {
            if let Some(c) = s
                .channels
                .values()
                .find(|c| c.kind == 1 && c.recipient == Some(user))
            {
                return c.id;
            }
            let id = s.snowflake();
            let rec = crate::state::ChannelRec {
                id,
                kind: 1,
                name: String::new(),
                parent_id: None,
                recipient: Some(user),
                members: vec![],
            };
            s.channels.insert(id, rec);
            id
        });
        self
    }

    /// The channel this person acts in.
    pub fn channel_id(&self) -> u64 {
        self.channel_id
    }

    /// `/command sub... option:value ...`. `path` names the subcommand group/subcommand;
    /// option values are typed as text and converted by the option's registered type.
    pub async fn slash(
        &self,
        command: &str,
        path: &[&str],
        options: &[(&str, &str)],
    ) -> Result<Answer, ActorError> {
        let p = self.start_slash(command, path, options, None)?;
        self.wait(p).await
    }

    /// Types `/command ...` with the option `focused` partly typed; answers the choices.
    pub async fn autocomplete(
        &self,
        command: &str,
        path: &[&str],
        options: &[(&str, &str)],
        focused: &str,
    ) -> Result<Answer, ActorError> {
        let p = self.start_slash(command, path, options, Some(focused))?;
        self.wait(p).await
    }

    /// Dispatches the slash command without waiting (for tests of the interaction rules).
    pub fn start_slash(
        &self,
        command: &str,
        path: &[&str],
        options: &[(&str, &str)],
        focused: Option<&str>,
    ) -> Result<Pending, ActorError> {
        let (data, kind) = {
            let s = self.sb.shared().read();
            // Guild commands are not offered in DMs.
            let in_dm = s
                .channels
                .get(&self.channel_id)
                .is_some_and(|c| c.kind == 1);
            let cmd = s
                .guild_commands
                .get(&self.sb.world().guild_id)
                .filter(|_| !in_dm)
                .into_iter()
                .flatten()
                .chain(s.global_commands.iter())
                .find(|c| c["name"] == command && c["type"].as_u64().unwrap_or(1) == 1)
                .cloned()
                .ok_or_else(|| {
                    ActorError::NotFound(format!("no slash command /{command} is registered"))
                })?;
            let mut resolved = Map::new();
            let opts = build_options(
                &s,
                self,
                &cmd["options"],
                path,
                options,
                focused,
                &mut resolved,
            )?;
            let mut data = json!({ "id": cmd["id"], "name": command, "type": 1, "options": opts });
            if let Some(g) = cmd.get("guild_id") {
                data["guild_id"] = g.clone();
            }
            if !resolved.is_empty() {
                data["resolved"] = Value::Object(resolved);
            }
            (data, if focused.is_some() { 4 } else { 2 })
        };
        let what = format!("answer /{command} {}", path.join(" "));
        self.dispatch(kind, data, None, what)
    }

    /// Presses the button labelled `label` on message `message_id`.
    pub async fn press(&self, label: &str, message_id: u64) -> Result<Answer, ActorError> {
        let msg = self.visible_message(message_id)?;
        self.press_on(label, msg).await
    }

    /// Presses the button labelled `label` on the latest bot message in `channel_id` that has it.
    pub async fn press_in_channel(
        &self,
        label: &str,
        channel_id: u64,
    ) -> Result<Answer, ActorError> {
        let msg = self.latest_with(channel_id, |m| button_labels(m).iter().any(|l| l == label))?;
        self.clone()
            .in_channel(channel_id)
            .press_on(label, msg)
            .await
    }

    async fn press_on(&self, label: &str, msg: Value) -> Result<Answer, ActorError> {
        let button = components(&msg)
            .find(|c| c["type"] == 2 && c["label"] == label)
            .cloned()
            .ok_or_else(|| {
                ActorError::NotFound(format!(
                    "no button labelled {label:?} on message {}",
                    id_of(&msg)
                ))
            })?;
        if button["disabled"] == true {
            return Err(ActorError::Usage(format!(
                "the button {label:?} is disabled"
            )));
        }
        let Some(custom_id) = button["custom_id"].as_str() else {
            return Err(ActorError::Usage(format!(
                "the button {label:?} is a link or premium button"
            )));
        };
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        let p = self.dispatch_on(3, data, msg, format!("answer the button {label:?}"))?;
        self.wait(p).await
    }

    /// Picks the options labelled `labels` in the select whose placeholder is `placeholder`,
    /// on the latest bot message in `channel_id` that has it.
    pub async fn select_in_channel(
        &self,
        placeholder: &str,
        labels: &[&str],
        channel_id: u64,
    ) -> Result<Answer, ActorError> {
        let msg = self.latest_with(channel_id, |m| find_select(m, placeholder).is_some())?;
        self.clone()
            .in_channel(channel_id)
            .select_on(placeholder, Pick::Labels(labels), msg)
            .await
    }

    /// Picks on message `message_id`.
    pub async fn select(
        &self,
        placeholder: &str,
        labels: &[&str],
        message_id: u64,
    ) -> Result<Answer, ActorError> {
        let msg = self.visible_message(message_id)?;
        self.select_on(placeholder, Pick::Labels(labels), msg).await
    }

    /// Picks members in the user select whose placeholder is `placeholder`.
    pub async fn select_users_in_channel(
        &self,
        placeholder: &str,
        users: &[u64],
        channel_id: u64,
    ) -> Result<Answer, ActorError> {
        let msg = self.latest_with(channel_id, |m| find_select(m, placeholder).is_some())?;
        self.clone()
            .in_channel(channel_id)
            .select_on(placeholder, Pick::Users(users), msg)
            .await
    }

    async fn select_on(
        &self,
        placeholder: &str,
        pick: Pick<'_>,
        msg: Value,
    ) -> Result<Answer, ActorError> {
        let sel = find_select(&msg, placeholder).ok_or_else(|| {
            ActorError::NotFound(format!(
                "no select {placeholder:?} on message {}",
                id_of(&msg)
            ))
        })?;
        if sel["disabled"] == true {
            return Err(ActorError::Usage(format!(
                "the select {placeholder:?} is disabled"
            )));
        }
        let kind = sel["type"].as_u64().unwrap_or(3);
        let mut data = json!({ "custom_id": sel["custom_id"], "component_type": kind });
        let values: Vec<String> = match (kind, pick) {
            (3, Pick::Labels(labels)) => labels
                .iter()
                .map(|l| {
                    sel["options"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|o| o["label"] == *l)
                        .and_then(|o| o["value"].as_str().map(str::to_string))
                        .ok_or_else(|| {
                            ActorError::NotFound(format!(
                                "select {placeholder:?} has no option {l:?}"
                            ))
                        })
                })
                .collect::<Result<_, _>>()?,
            (5, Pick::Users(users)) => {
                let w = self.sb.world();
                let mut rusers = Map::new();
                let mut rmembers = Map::new();
                for u in users {
                    let m = w.members.iter().find(|m| m.id == *u).ok_or_else(|| {
                        ActorError::Usage(format!("user {u} is not a member of the guild"))
                    })?;
                    rusers.insert(u.to_string(), payloads::user(m.id, &m.name, false));
                    let mut pm = payloads::member(m);
                    if let Some(o) = pm.as_object_mut() {
                        o.remove("user");
                    }
                    pm["permissions"] = json!("0");
                    rmembers.insert(u.to_string(), pm);
                }
                data["resolved"] = json!({ "users": rusers, "members": rmembers });
                users.iter().map(u64::to_string).collect()
            }
            (k, _) => {
                return Err(ActorError::Usage(format!(
                    "select {placeholder:?} is of type {k}; pick other values"
                )))
            }
        };
        let min = sel["min_values"].as_u64().unwrap_or(1) as usize;
        let max = sel["max_values"].as_u64().unwrap_or(1) as usize;
        if values.len() < min || values.len() > max {
            return Err(ActorError::Usage(format!(
                "select {placeholder:?} takes {min}..={max} values, not {}",
                values.len()
            )));
        }
        data["values"] = json!(values);
        let p = self.dispatch_on(3, data, msg, format!("answer the select {placeholder:?}"))?;
        self.wait(p).await
    }

    /// Fills in and submits the modal the bot last opened for this person. Fields are given by
    /// their visible label.
    pub async fn submit_modal(&self, fields: &[(&str, &str)]) -> Result<Answer, ActorError> {
        let (opener, modal) = self
            .sb
            .shared()
            .read()
            .modals
            .get(&self.member.id)
            .cloned()
            .ok_or_else(|| {
                ActorError::NotFound("the bot has not opened a modal for this person".into())
            })?;
        let mut rows = Vec::new();
        for row in modal["components"].as_array().into_iter().flatten() {
            let mut inputs = Vec::new();
            for input in row["components"].as_array().into_iter().flatten() {
                let label = input["label"].as_str().unwrap_or("");
                let value = fields.iter().find(|(l, _)| *l == label).map(|(_, v)| *v);
                if value.is_none_or(str::is_empty) && input["required"] != false {
                    return Err(ActorError::Usage(format!(
                        "the modal field {label:?} is required"
                    )));
                }
                inputs.push(json!({ "type": 4, "custom_id": input["custom_id"], "value": value.unwrap_or("") }));
            }
            rows.push(json!({ "type": 1, "components": inputs }));
        }
        for (l, _) in fields {
            let known = modal["components"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| {
                    r["components"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| c["label"] == *l)
                });
            if !known {
                return Err(ActorError::NotFound(format!(
                    "the modal has no field labelled {l:?}"
                )));
            }
        }
        self.sb.shared().write(|s| s.modals.remove(&self.member.id));
        let data = json!({ "custom_id": modal["custom_id"], "components": rows });
        let source = self
            .sb
            .shared()
            .read()
            .interactions
            .get(&opener)
            .and_then(|i| i.source_message);
        let msg = source.and_then(|m| {
            let s = self.sb.shared().read();
            s.channel_of_message(m)
                .and_then(|c| s.find_message(c, m).cloned())
        });
        let seen = {
            let s = self.sb.shared().read();
            s.interactions
                .get(&opener)
                .map(|i| (i.followups.len(), i.original_edits))
        };
        let p = self.dispatch(5, data, msg, "answer the modal".into())?;
        let mut answer = self.wait(p).await?;
        // Closing the modal (DEFERRED_UPDATE_MESSAGE without a message) shows nothing: the bot
        // answers through the interaction that opened the modal.
        if answer.callback_type == 6 && answer.messages.is_empty() {
            let (followups, edits) = seen.unwrap_or_default();
            let timeout = self.sb.world().config.answer_timeout;
            let more = self
                .sb
                .shared()
                .wait_for(timeout, |s| {
                    let i = s.interactions.get(&opener)?;
                    let find = |mid: u64| {
                        s.channel_of_message(mid)
                            .and_then(|c| s.find_message(c, mid))
                            .cloned()
                    };
                    if i.followups.len() > followups {
                        Some(
                            i.followups[followups..]
                                .iter()
                                .filter_map(|m| find(*m))
                                .collect(),
                        )
                    } else if i.original_edits > edits {
                        Some(i.original.and_then(find).into_iter().collect::<Vec<_>>())
                    } else {
                        None
                    }
                })
                .await;
            match more {
                Some(m) => answer.messages = m,
                None => {
                    return Err(ActorError::NoAnswer {
                        what: "show anything after the modal was submitted".into(),
                        waited: timeout,
                    })
                }
            }
        }
        Ok(answer)
    }

    /// What the bot answered to this person's last interaction, as it is now.
    pub fn last_reply(&self) -> Option<Answer> {
        let s = self.sb.shared().read();
        let id = *s.last_interaction.get(&self.member.id)?;
        answer_of(&s, id)
    }

    /// Waits for the bot's answer to a dispatched interaction.
    pub async fn wait(&self, p: Pending) -> Result<Answer, ActorError> {
        let timeout = self.sb.world().config.answer_timeout;
        let failures_before = self.sb.shared().read().failures.len();
        let token = p.token.clone();
        let refused = move |s: &State| -> Option<Vec<Failure>> {
            let new: Vec<Failure> = s.failures[failures_before.min(s.failures.len())..]
                .iter()
                .filter(|f| f.path.contains(&token) || f.path.contains(&p.id.to_string()))
                .cloned()
                .collect();
            (!new.is_empty()).then_some(new)
        };
        let id = p.id;
        let first = self
            .sb
            .shared()
            .wait_for(timeout, |s| {
                if let Some(f) = refused(s) {
                    return Some(Err(f));
                }
                s.interactions
                    .get(&id)
                    .and_then(|i| i.callback.as_ref())
                    .map(|(t, _)| Ok(*t))
            })
            .await;
        let kind = match first {
            None => {
                return Err(ActorError::NoAnswer {
                    what: p.what,
                    waited: timeout,
                })
            }
            Some(Err(f)) => return Err(ActorError::Refused(f)),
            Some(Ok(k)) => k,
        };
        if kind == 5 {
            let done = self
                .sb
                .shared()
                .wait_for(timeout, |s| {
                    if let Some(f) = refused(s) {
                        return Some(Err(f));
                    }
                    let i = s.interactions.get(&id)?;
                    (!i.followups.is_empty() || i.original_edits > 0).then_some(Ok(()))
                })
                .await;
            match done {
                None => {
                    return Err(ActorError::NoAnswer {
                        what: format!(
                            "{} after deferring (no follow-up, no @original edit)",
                            p.what
                        ),
                        waited: timeout,
                    })
                }
                Some(Err(f)) => return Err(ActorError::Refused(f)),
                Some(Ok(())) => {}
            }
        }
        answer_of(&self.sb.shared().read(), id).ok_or(ActorError::NotConnected)
    }

    fn visible(&self, s: &State, m: &Value) -> bool {
        s.ephemeral_for
            .get(&id_of(m))
            .is_none_or(|u| *u == self.member.id)
            && m["author"]["id"] == json!(self.sb.world().bot_id.to_string())
    }

    fn visible_message(&self, message_id: u64) -> Result<Value, ActorError> {
        let s = self.sb.shared().read();
        s.channel_of_message(message_id)
            .and_then(|c| s.find_message(c, message_id))
            .filter(|m| self.visible(&s, m))
            .cloned()
            .ok_or_else(|| {
                ActorError::NotFound(format!(
                    "message {message_id} is not there (or not visible to this person)"
                ))
            })
    }

    fn latest_with(
        &self,
        channel_id: u64,
        f: impl Fn(&Value) -> bool,
    ) -> Result<Value, ActorError> {
        let s = self.sb.shared().read();
        s.messages
            .get(&channel_id)
            .into_iter()
            .flatten()
            .rev()
            .find(|m| self.visible(&s, m) && f(m))
            .cloned()
            .ok_or_else(|| {
                ActorError::NotFound(format!(
                    "no bot message in channel {channel_id} has that component"
                ))
            })
    }

    fn dispatch_on(
        &self,
        kind: u8,
        data: Value,
        msg: Value,
        what: String,
    ) -> Result<Pending, ActorError> {
        self.dispatch(kind, data, Some(msg), what)
    }

    fn dispatch(
        &self,
        kind: u8,
        data: Value,
        msg: Option<Value>,
        what: String,
    ) -> Result<Pending, ActorError> {
        let sb = &self.sb;
        let w = sb.world();
        sb.shared().write(|s| {
            if s.gateway.session_id.is_none() {
                return Err(ActorError::NotConnected);
            }
            let ch = s.channels.get(&self.channel_id).cloned().ok_or_else(|| {
                ActorError::NotFound(format!("channel {} does not exist", self.channel_id))
            })?;
            let id = s.snowflake();
            let token = format!("aW50ZXJhY3Rpb24{id}sandbox");
            let source_message = msg.as_ref().map(id_of);
            let payload = payloads::interaction(InteractionSpec {
                id,
                token: &token,
                kind,
                data,
                world: w,
                member: &self.member,
                channel: channel_json(w, &ch),
                in_guild: ch.kind != 1,
                message: msg,
            });
            s.interactions.insert(
                id,
                crate::state::InteractionRec {
                    id,
                    token: token.clone(),
                    kind,
                    user_id: self.member.id,
                    channel_id: self.channel_id,
                    source_message,
                    dispatched: std::time::Instant::now(),
                    callback: None,
                    original: None,
                    followups: Vec::new(),
                    original_edits: 0,
                },
            );
            s.last_interaction.insert(self.member.id, id);
            dispatch(s, 0, "INTERACTION_CREATE", payload);
            Ok(Pending { id, token, what })
        })
    }
}

enum Pick<'a> {
    Labels(&'a [&'a str]),
    Users(&'a [u64]),
}

fn find_select<'m>(m: &'m Value, placeholder: &str) -> Option<&'m Value> {
    components(m).find(|c| {
        matches!(c["type"].as_u64(), Some(3 | 5 | 6 | 7 | 8)) && c["placeholder"] == placeholder
    })
}

/// The answer to interaction `id` as it is now.
pub fn answer_of(s: &State, id: u64) -> Option<Answer> {
    let i = s.interactions.get(&id)?;
    let (kind, body) = i.callback.clone()?;
    let find = |mid: u64| {
        s.channel_of_message(mid)
            .and_then(|c| s.find_message(c, mid))
            .cloned()
    };
    let mut messages: Vec<Value> = i.original.and_then(find).into_iter().collect();
    for f in &i.followups {
        if Some(*f) != i.original {
            messages.extend(find(*f));
        }
    }
    Some(Answer {
        interaction_id: id,
        callback_type: kind,
        modal: (kind == 9).then(|| body["data"].clone()),
        choices: body["data"]["choices"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        callback: body,
        messages,
    })
}

/// Builds the `options` of a command interaction along `path`, typing each value.
fn build_options(
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

fn typed(
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
            let m = w
                .members
                .iter()
                .find(|m| m.id == u)
                .ok_or(format!("user {u} is not in the guild"))?;
            let users = resolved.entry("users").or_insert_with(|| json!({}));
            users[u.to_string()] = payloads::user(m.id, &m.name, false);
            let mut pm = payloads::member(m);
            if let Some(o) = pm.as_object_mut() {
                o.remove("user");
            }
            pm["permissions"] = json!("0");
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
            cj["permissions"] = json!("0");
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
