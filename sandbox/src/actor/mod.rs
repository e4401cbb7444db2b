//! A scripted person: types slash commands, presses buttons by their label, picks from selects,
//! fills in modals, and reads what the bot answered.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::gateway::dispatch;
use crate::payloads::{self, InteractionSpec};
use crate::rest::channel_json;
use crate::state::{id_of, Failure, State};

mod answer;
mod options;
mod say;
mod select;
mod snapshot;

use crate::world::Member;
use crate::Sandbox;
use answer::components;
pub use answer::{answer_of, button_labels, message_text, Answer};
use options::build_options;

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
            s.channels
                .insert(id, crate::state::ChannelRec::dm(id, user));
            id
        });
        self
    }

    /// The channel this person acts in.
    pub fn channel_id(&self) -> u64 {
        self.channel_id
    }

    /// Someone who left the guild can act only in their DM.
    fn check_in_guild(&self, s: &State, ch: &crate::state::ChannelRec) -> Result<(), ActorError> {
        if ch.kind != 1 && s.removed_members.contains(&self.member.id) {
            return Err(ActorError::Usage(format!(
                "{} has left the server and cannot act in #{}",
                self.member.name, ch.name
            )));
        }
        Ok(())
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
                .find(|c| {
                    let context = if in_dm { 1 } else { 0 };
                    let offered = c["contexts"]
                        .as_array()
                        .is_none_or(|cs| cs.iter().any(|x| x == context));
                    c["name"] == command && c["type"].as_u64().unwrap_or(1) == 1 && offered
                })
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

    /// Waits until the answer to this person's last interaction satisfies `f` (e.g. a second
    /// follow-up arrived, or `@original` was edited to say something).
    pub async fn wait_reply(&self, f: impl Fn(&Answer) -> bool) -> Result<Answer, ActorError> {
        let user = self.member.id;
        let timeout = self.sb.world().config.answer_timeout;
        self.sb
            .shared()
            .wait_for(timeout, |s| {
                let id = *s.last_interaction.get(&user)?;
                answer_of(s, id).filter(|a| f(a))
            })
            .await
            .ok_or(ActorError::NoAnswer {
                what: "give the expected answer".into(),
                waited: timeout,
            })
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
                // Answered once the callback is in the state and in the request log too (a
                // request is logged when its answer is made, just after its effect): a test
                // counting requests after an answer then sees this one.
                let callback = format!("/interactions/{id}/");
                let logged = s
                    .requests
                    .iter()
                    .rev()
                    .any(|r| r.path.contains(&callback) && r.path.ends_with("/callback"));
                s.interactions
                    .get(&id)
                    .and_then(|i| i.callback.as_ref())
                    .filter(|_| logged)
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
        self.settle().await;
        answer_of(&self.sb.shared().read(), id).ok_or(ActorError::NotConnected)
    }

    /// Waits until no message has been created, edited or deleted for `Config::answer_settle`
    /// (at most `answer_timeout` in all).
    async fn settle(&self) {
        let config = &self.sb.world().config;
        if config.answer_settle.is_zero() {
            return;
        }
        let deadline = tokio::time::Instant::now() + config.answer_timeout;
        loop {
            let version = self.sb.shared().read().message_version;
            let changed = self
                .sb
                .shared()
                .wait_for(config.answer_settle, |s| {
                    (s.message_version != version).then_some(())
                })
                .await;
            if changed.is_none() || tokio::time::Instant::now() >= deadline {
                return;
            }
        }
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
            let ch = s.channels.get(&self.channel_id).cloned().ok_or_else(|| {
                ActorError::NotFound(format!("channel {} does not exist", self.channel_id))
            })?;
            // The interaction goes to the shard of its guild; from a DM, to shard 0.
            let guild = (ch.kind != crate::world::kinds::DM).then_some(w.guild_id);
            if !s.gateway.has_session_for(guild) {
                return Err(ActorError::NotConnected);
            }
            // A private thread is seen only by its members (and moderators, not modelled).
            if ch.kind == 12 && !ch.members.contains(&self.member.id) {
                return Err(ActorError::Usage(format!(
                    "{} is not a member of the private thread #{} and cannot see it",
                    self.member.name, ch.name
                )));
            }
            self.check_in_guild(s, &ch)?;
            // Discord's client unarchives an archived thread before it sends an interaction
            // from it (PATCH archived: false as the person); a locked one it cannot, and the
            // interaction is sent as it is.
            if ch.archived() && !ch.locked() {
                s.set_archived(w, ch.id, false);
            }
            // The person as they are now (roles the bot gave or took).
            let member = s
                .member(w, self.member.id)
                .unwrap_or_else(|| self.member.clone());
            let id = s.snowflake();
            let token = format!("aW50ZXJhY3Rpb24{id}sandbox");
            let source_message = msg.as_ref().map(id_of);
            let payload = payloads::interaction(InteractionSpec {
                id,
                token: &token,
                kind,
                data,
                world: w,
                member: &member,
                channel: channel_json(w, &ch),
                in_guild: ch.kind != 1,
                message: msg,
                permissions: s.permissions_in(w, self.member.id, ch.id),
                app_permissions: s.bot_permissions_in(w, ch.id),
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
                    dispatched: s.now(),
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
