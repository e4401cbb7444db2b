//! What the bot answered, as a person sees it.

use serde_json::Value;

use crate::state::{id_of, State};

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
    /// Other messages the bot posted anywhere since the interaction (in the channel, a new
    /// thread, a DM...) that this person can see, as they are now, oldest first.
    pub posted: Vec<Value>,
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

pub(crate) fn components(m: &Value) -> impl Iterator<Item = &Value> {
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
    let answered: Vec<u64> = messages.iter().map(id_of).collect();
    let mut posted: Vec<Value> = s
        .messages
        .values()
        .flatten()
        .filter(|m| id_of(m) > id && !answered.contains(&id_of(m)))
        .filter(|m| m["author"]["bot"] == true)
        .filter(|m| {
            s.ephemeral_for
                .get(&id_of(m))
                .is_none_or(|u| *u == i.user_id)
        })
        .cloned()
        .collect();
    posted.sort_by_key(id_of);
    Some(Answer {
        posted,
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
