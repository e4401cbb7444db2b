//! A line language for acting as people, for the demo and for trying things by hand:
//!
//! ```text
//! kari #rekruttering /rekruttering ny stilling:"HR-rådgiver" leder:1002
//! kari #rekruttering press Utført
//! kari #rekruttering select "Velg steg" Intervju
//! kari modal Tekst:"God kandidat"
//! kari #rekruttering say Takk!
//! show #rekruttering
//! failures
//! ```
//!
//! A person is a member's name or id; `#channel` (name or id, threads too) is optional and
//! defaults to the first text channel.

use serde_json::Value;

use crate::actor::{button_labels, message_text, ActorError, Answer};
use crate::Sandbox;

/// Runs one line and returns what a person would see, as text.
pub async fn run(sb: &Sandbox, line: &str) -> String {
    match run_inner(sb, line).await {
        Ok(s) => s,
        Err(e) => format!("error: {e}"),
    }
}

async fn run_inner(sb: &Sandbox, line: &str) -> Result<String, String> {
    let words = split(line)?;
    let Some(first) = words.first() else {
        return Ok(String::new());
    };
    match first.as_str() {
        "help" => return Ok(HELP.into()),
        "failures" => {
            let f = sb.failures();
            return Ok(if f.is_empty() {
                "no failures".into()
            } else {
                f.iter()
                    .map(|f| format!("{} {}: {}", f.route, f.path, f.reason))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        "show" => {
            let channel = channel(sb, words.get(1).map(String::as_str).unwrap_or(""))?;
            return Ok(sb
                .messages(channel)
                .iter()
                .map(show_message)
                .collect::<Vec<_>>()
                .join("\n---\n"));
        }
        _ => {}
    }
    let user = person(sb, first)?;
    let mut rest = &words[1..];
    let mut actor = sb.member(user);
    if let Some(ch) = rest.first().filter(|w| w.starts_with('#')) {
        actor = actor.in_channel(channel(sb, ch)?);
        rest = &rest[1..];
    }
    let Some(verb) = rest.first() else {
        return Err("what should they do? (see `help`)".into());
    };
    let args = &rest[1..];
    let answer = if let Some(cmd) = verb.strip_prefix('/') {
        let path: Vec<&str> = args
            .iter()
            .take_while(|a| !a.contains(':'))
            .map(String::as_str)
            .collect();
        let opts: Vec<(&str, &str)> = args.iter().filter_map(|a| a.split_once(':')).collect();
        actor.slash(cmd, &path, &opts).await
    } else {
        match verb.as_str() {
            "press" => {
                actor
                    .press_in_channel(&args.join(" "), actor.channel_id())
                    .await
            }
            "select" => {
                let (placeholder, labels) = args
                    .split_first()
                    .ok_or("select \"placeholder\" label...")?;
                let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
                actor
                    .select_in_channel(placeholder, &labels, actor.channel_id())
                    .await
            }
            "say" => {
                let m = actor.say(&args.join(" ")).map_err(|e| e.to_string())?;
                return Ok(format!(
                    "(said in <#{}>)",
                    m["channel_id"].as_str().unwrap_or("")
                ));
            }
            "modal" => {
                let fields: Vec<(&str, &str)> =
                    args.iter().filter_map(|a| a.split_once(':')).collect();
                actor.submit_modal(&fields).await
            }
            other => return Err(format!("unknown action {other:?} (see `help`)")),
        }
    };
    answer
        .map(|a| show_answer(&a))
        .map_err(|e: ActorError| e.to_string())
}

const HELP: &str = "PERSON [#CHANNEL] /COMMAND [SUB...] [OPTION:VALUE...]
PERSON [#CHANNEL] press LABEL
PERSON [#CHANNEL] select \"PLACEHOLDER\" LABEL...
PERSON modal FIELD:VALUE...
PERSON [#CHANNEL] say TEXT
show #CHANNEL | failures | help";

fn person(sb: &Sandbox, who: &str) -> Result<u64, String> {
    sb.world()
        .members
        .iter()
        .find(|m| m.name == who || m.id.to_string() == who)
        .map(|m| m.id)
        .ok_or_else(|| format!("no member {who:?}"))
}

fn channel(sb: &Sandbox, name: &str) -> Result<u64, String> {
    let name = name.trim_start_matches('#');
    let s = sb.shared().read();
    s.channels
        .values()
        .find(|c| c.name == name || c.id.to_string() == name)
        .map(|c| c.id)
        .ok_or_else(|| format!("no channel #{name}"))
}

/// Splits on whitespace, keeping "quoted parts" together (quotes removed).
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err("unclosed quote".into());
    }
    if any {
        words.push(cur);
    }
    Ok(words)
}

fn show_message(m: &Value) -> String {
    let mut out = message_text(m);
    if m["author"]["bot"] != true {
        out = format!("{}: {out}", m["author"]["username"].as_str().unwrap_or("?"));
    }
    let buttons = button_labels(m);
    if !buttons.is_empty() {
        out.push_str(&format!("\n[{}]", buttons.join("] [")));
    }
    for row in m["components"].as_array().into_iter().flatten() {
        for c in row["components"].as_array().into_iter().flatten() {
            if let Some(p) = c["placeholder"].as_str() {
                out.push_str(&format!("\n<{p}>"));
            }
        }
    }
    if m["flags"].as_u64().unwrap_or(0) & 64 != 0 {
        out.push_str("\n(only you can see this)");
    }
    out
}

fn show_answer(a: &Answer) -> String {
    let mut parts: Vec<String> = a.messages.iter().map(show_message).collect();
    if let Some(modal) = &a.modal {
        let fields: Vec<String> = modal["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["components"].as_array().into_iter().flatten())
            .filter_map(|c| c["label"].as_str().map(|l| format!("  {l}: ___")))
            .collect();
        parts.push(format!(
            "modal \"{}\"\n{}",
            modal["title"].as_str().unwrap_or(""),
            fields.join("\n")
        ));
    }
    if !a.choices.is_empty() {
        let names: Vec<&str> = a
            .choices
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        parts.push(format!("choices: {}", names.join(", ")));
    }
    for p in &a.posted {
        parts.push(format!(
            "(in <#{}>) {}",
            p["channel_id"].as_str().unwrap_or(""),
            show_message(p)
        ));
    }
    if parts.is_empty() {
        parts.push(format!("(acknowledged, callback type {})", a.callback_type));
    }
    parts.join("\n---\n")
}
