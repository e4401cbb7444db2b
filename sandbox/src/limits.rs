//! Documented limits that the OpenAPI document cannot express (see `spec/SOURCE.md`).

use serde_json::Value;

use crate::spec::Violation;

/// Discord's locales (docs: reference.mdx, "Locales"). Norwegian is `no`.
pub const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

fn v(path: impl Into<String>, rule: &str, message: impl Into<String>) -> Violation {
    Violation {
        path: path.into(),
        rule: rule.into(),
        message: message.into(),
    }
}

fn chars(v: &Value) -> usize {
    v.as_str().map(|s| s.chars().count()).unwrap_or(0)
}

/// Which kind of body an operation takes, for the checks below.
pub enum BodyKind {
    /// A message: create/edit, webhook execute/edit, interaction message callbacks.
    Message,
    /// An interaction callback (dispatches on `type`).
    Callback,
    /// One application command.
    Command,
    /// A list of application commands (bulk overwrite).
    Commands,
    Other,
}

pub fn kind_of(operation_id: &str) -> BodyKind {
    match operation_id {
        "create_message"
        | "update_message"
        | "execute_webhook"
        | "update_original_webhook_message"
        | "update_webhook_message" => BodyKind::Message,
        "create_interaction_response" => BodyKind::Callback,
        "create_application_command"
        | "update_application_command"
        | "create_guild_application_command"
        | "update_guild_application_command" => BodyKind::Command,
        "bulk_set_application_commands" | "bulk_set_guild_application_commands" => {
            BodyKind::Commands
        }
        _ => BodyKind::Other,
    }
}

pub fn check(kind: BodyKind, body: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    match kind {
        BodyKind::Message => message(body, "", &mut out),
        BodyKind::Callback => match body["type"].as_u64() {
            Some(4 | 7) => message(&body["data"], "/data", &mut out),
            Some(9) => modal(&body["data"], "/data", &mut out),
            Some(8) => {
                let n = body["data"]["choices"]
                    .as_array()
                    .map(Vec::len)
                    .unwrap_or(0);
                if n > 25 {
                    out.push(v(
                        "/data/choices",
                        "limit",
                        format!("{n} autocomplete choices; at most 25"),
                    ));
                }
            }
            _ => {}
        },
        BodyKind::Command => command(body, "", &mut out),
        BodyKind::Commands => {
            for (i, c) in body.as_array().into_iter().flatten().enumerate() {
                command(c, &format!("/{i}"), &mut out);
            }
        }
        BodyKind::Other => {}
    }
    out
}

fn message(m: &Value, at: &str, out: &mut Vec<Violation>) {
    let n = chars(&m["content"]);
    if n > 2000 {
        out.push(v(
            format!("{at}/content"),
            "limit",
            format!("content is {n} characters; at most 2000"),
        ));
    }
    if let Some(embeds) = m["embeds"].as_array() {
        let total: usize = embeds.iter().map(embed_chars).sum();
        if total > 6000 {
            out.push(v(
                format!("{at}/embeds"),
                "limit",
                format!("embeds hold {total} characters in all; at most 6000"),
            ));
        }
    }
    if let Some(rows) = m["components"].as_array() {
        components(rows, &format!("{at}/components"), out);
    }
}

fn embed_chars(e: &Value) -> usize {
    let fields: usize = e["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| chars(&f["name"]) + chars(&f["value"]))
        .sum();
    chars(&e["title"])
        + chars(&e["description"])
        + chars(&e["footer"]["text"])
        + chars(&e["author"]["name"])
        + fields
}

fn components(rows: &[Value], at: &str, out: &mut Vec<Violation>) {
    if rows.len() > 5 {
        out.push(v(
            at,
            "limit",
            format!("{} action rows; at most 5", rows.len()),
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        let rat = format!("{at}/{r}");
        if row["type"].as_u64() != Some(1) {
            out.push(v(
                format!("{rat}/type"),
                "limit",
                "top-level components must be action rows (type 1)",
            ));
            continue;
        }
        let items = row["components"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let selects = items
            .iter()
            .filter(|c| matches!(c["type"].as_u64(), Some(3 | 5 | 6 | 7 | 8)))
            .count();
        if selects > 0 && items.len() > 1 {
            out.push(v(
                format!("{rat}/components"),
                "limit",
                "a select menu takes a whole action row",
            ));
        }
        if items.len() > 5 {
            out.push(v(
                format!("{rat}/components"),
                "limit",
                format!("{} buttons in a row; at most 5", items.len()),
            ));
        }
        if items.is_empty() {
            out.push(v(
                format!("{rat}/components"),
                "limit",
                "an action row needs 1 to 5 components",
            ));
        }
        for (i, c) in items.iter().enumerate() {
            let cat = format!("{rat}/components/{i}");
            custom_id(c, &cat, out);
            if c["type"].as_u64() == Some(2) {
                button(c, &cat, out);
            }
        }
    }
    // custom_ids must be unique within a message.
    let mut seen = std::collections::HashSet::new();
    for c in rows
        .iter()
        .flat_map(|r| r["components"].as_array().into_iter().flatten())
    {
        if let Some(id) = c["custom_id"].as_str() {
            if !seen.insert(id) {
                out.push(v(
                    at,
                    "unique",
                    format!("custom_id {id:?} is used twice in one message"),
                ));
            }
        }
    }
}

/// Docs (components--reference): link buttons (style 5) take a url and no custom_id, premium
/// buttons (6) a sku_id, the others a custom_id; a button needs a label or an emoji.
fn button(c: &Value, at: &str, out: &mut Vec<Violation>) {
    let style = c["style"].as_u64().unwrap_or(0);
    let has = |k: &str| !c[k].is_null();
    let problem = match style {
        5 if !has("url") || has("custom_id") => Some("a link button takes a url and no custom_id"),
        6 if !has("sku_id") => Some("a premium button takes a sku_id"),
        1..=4 if !has("custom_id") || has("url") => {
            Some("a non-link button takes a custom_id and no url")
        }
        _ => None,
    };
    if let Some(p) = problem {
        out.push(v(at, "button", p));
    }
    if style != 6 && !has("label") && !has("emoji") {
        out.push(v(at, "button", "a button needs a label or an emoji"));
    }
}

fn custom_id(c: &Value, at: &str, out: &mut Vec<Violation>) {
    let n = chars(&c["custom_id"]);
    if n > 100 {
        out.push(v(
            format!("{at}/custom_id"),
            "limit",
            format!("custom_id is {n} characters; at most 100"),
        ));
    }
}

fn modal(m: &Value, at: &str, out: &mut Vec<Violation>) {
    let n = chars(&m["title"]);
    if n > 45 {
        out.push(v(
            format!("{at}/title"),
            "limit",
            format!("modal title is {n} characters; at most 45"),
        ));
    }
    custom_id(m, at, out);
    let rows = m["components"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let inputs: usize = rows
        .iter()
        .map(|r| r["components"].as_array().map(Vec::len).unwrap_or(1))
        .sum();
    if rows.len() > 5 || inputs > 5 {
        out.push(v(
            format!("{at}/components"),
            "limit",
            format!("modal has {inputs} inputs; at most 5"),
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, c) in row["components"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            custom_id(c, &format!("{at}/components/{r}/components/{i}"), out);
        }
    }
}

fn command(c: &Value, at: &str, out: &mut Vec<Violation>) {
    let chat_input = c["type"].as_u64().unwrap_or(1) == 1;
    name_and_localizations(c, at, chat_input, out);
    if chat_input {
        description(c, at, out);
        // Docs: name, description and options (names, descriptions, choices) ≤ 4000 in all.
        let total = command_chars(c);
        if total > 4000 {
            out.push(v(
                at,
                "limit",
                format!("command holds {total} characters in all; at most 4000"),
            ));
        }
    }
    option_list(&c["options"], &format!("{at}/options"), out);
}

fn command_chars(c: &Value) -> usize {
    let own = chars(&c["name"]) + chars(&c["description"]);
    let choices: usize = c["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ch| chars(&ch["name"]) + ch["value"].as_str().map_or(0, |s| s.chars().count()))
        .sum();
    let opts: usize = c["options"]
        .as_array()
        .into_iter()
        .flatten()
        .map(command_chars)
        .sum();
    own + choices + opts
}

/// Docs: chat-input commands and their options take a description of 1 to 100 characters.
fn description(c: &Value, at: &str, out: &mut Vec<Violation>) {
    let n = chars(&c["description"]);
    if !(1..=100).contains(&n) {
        out.push(v(
            format!("{at}/description"),
            "limit",
            format!("description is {n} characters; 1 to 100"),
        ));
    }
}

fn option_list(opts: &Value, at: &str, out: &mut Vec<Violation>) {
    let list = opts.as_array().map(Vec::as_slice).unwrap_or(&[]);
    // Docs: required options come before optional ones.
    if let Some(first_optional) = list.iter().position(|o| o["required"] != true) {
        if let Some(late) = list[first_optional..]
            .iter()
            .position(|o| o["required"] == true)
        {
            out.push(v(
                format!("{at}/{}", first_optional + late),
                "order",
                "required options must be listed before optional ones",
            ));
        }
    }
    for (i, o) in list.iter().enumerate() {
        let oat = format!("{at}/{i}");
        name_and_localizations(o, &oat, true, out);
        description(o, &oat, out);
        for (j, ch) in o["choices"].as_array().into_iter().flatten().enumerate() {
            localizations(
                &ch["name_localizations"],
                &format!("{oat}/choices/{j}/name_localizations"),
                out,
            );
        }
        option_list(&o["options"], &format!("{oat}/options"), out);
    }
}

fn name_and_localizations(c: &Value, at: &str, chat_input: bool, out: &mut Vec<Violation>) {
    let name_rule = regex_name();
    let name = c["name"].as_str().unwrap_or("");
    if chat_input && (!name_rule.is_match(name) || name.to_lowercase() != name) {
        out.push(v(
            format!("{at}/name"),
            "pattern",
            format!(
                "command name {name:?} must match ^[-_\\p{{L}}\\p{{N}}]{{1,32}}$ and be lowercase"
            ),
        ));
    }
    if let Some(map) = c["name_localizations"].as_object() {
        for (loc, n) in map {
            let n = n.as_str().unwrap_or("");
            if chat_input && (!name_rule.is_match(n) || n.to_lowercase() != n) {
                out.push(v(
                    format!("{at}/name_localizations/{loc}"),
                    "pattern",
                    format!("localized name {n:?} must match ^[-_\\p{{L}}\\p{{N}}]{{1,32}}$ and be lowercase"),
                ));
            }
        }
    }
    localizations(
        &c["name_localizations"],
        &format!("{at}/name_localizations"),
        out,
    );
    localizations(
        &c["description_localizations"],
        &format!("{at}/description_localizations"),
        out,
    );
}

fn localizations(map: &Value, at: &str, out: &mut Vec<Violation>) {
    for key in map.as_object().into_iter().flat_map(|m| m.keys()) {
        if !LOCALES.contains(&key.as_str()) {
            let hint = if key == "nb" {
                " (Norwegian is `no`)"
            } else {
                ""
            };
            out.push(v(
                format!("{at}/{key}"),
                "locale",
                format!("{key:?} is not a Discord locale{hint}"),
            ));
        }
    }
}

fn regex_name() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"^[-_\p{L}\p{N}]{1,32}$").expect("valid regex"))
}
