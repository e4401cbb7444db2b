//! Selects and modals: picking by visible label, filling in fields by their label.

use serde_json::{json, Map, Value};

use super::options::typed;
use super::{components, Actor, ActorError, Answer};
use crate::state::id_of;

impl Actor {
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
        self.select_ids_in_channel(placeholder, users, channel_id)
            .await
    }

    /// Picks users, roles or channels (by id) in the user, role, mentionable or channel select
    /// whose placeholder is `placeholder`, on the latest bot message in `channel_id` that has it.
    pub async fn select_ids_in_channel(
        &self,
        placeholder: &str,
        ids: &[u64],
        channel_id: u64,
    ) -> Result<Answer, ActorError> {
        let msg = self.latest_with(channel_id, |m| find_select(m, placeholder).is_some())?;
        self.clone()
            .in_channel(channel_id)
            .select_on(placeholder, Pick::Ids(ids), msg)
            .await
    }

    /// The `resolved` data and values for an id select of `kind`.
    fn resolve_ids(&self, kind: u64, ids: &[u64]) -> Result<(Value, Vec<String>), ActorError> {
        let s = self.sb.shared().read();
        let w = self.sb.world();
        let mut resolved = Map::new();
        for id in ids {
            // The option type whose resolution matches: 6 user, 7 channel, 8 role.
            let t = match kind {
                5 => 6,
                6 => 8,
                8 => 7,
                _ if w.members.iter().any(|m| m.id == *id) => 6,
                _ => 8,
            };
            typed(&s, self, t, &id.to_string(), &mut resolved).map_err(ActorError::Usage)?;
        }
        Ok((
            Value::Object(resolved),
            ids.iter().map(u64::to_string).collect(),
        ))
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
            (5..=8, Pick::Ids(ids)) => {
                let (resolved, values) = self.resolve_ids(kind, ids)?;
                data["resolved"] = resolved;
                values
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
}

enum Pick<'a> {
    Labels(&'a [&'a str]),
    Ids(&'a [u64]),
}

fn find_select<'m>(m: &'m Value, placeholder: &str) -> Option<&'m Value> {
    components(m).find(|c| {
        matches!(c["type"].as_u64(), Some(3 | 5 | 6 | 7 | 8)) && c["placeholder"] == placeholder
    })
}
