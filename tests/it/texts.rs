//! Every text id the bot's code names exists in bokmål and English: found by reading the code
//! (`bot/src`), so a new id without its texts fails here, not in front of a user.

use std::path::Path;

use flow::{DateKey, Lang};

fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// String literals in the code that look like Fluent ids of the bot's own texts.
fn literal_ids() -> Vec<String> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../bot/src"),
        &mut files,
    );
    let prefixes = [
        "btn-",
        "card-",
        "form-",
        "field-",
        "line-",
        "reply-",
        "mine-",
        "overview-",
        "history-",
        "setup-",
        "refusal-",
        "input-",
        "error-",
        "case-",
        "view-",
        "reopen-",
        "name-",
        "thread-",
        "reminder-",
        "digest-",
        "quoted",
    ];
    let mut ids = Vec::new();
    for text in files {
        for piece in text.split('"').skip(1).step_by(2) {
            let is_id = prefixes.iter().any(|p| piece.starts_with(p))
                && piece.len() > 4
                && !piece.ends_with('-')
                && piece
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_');
            if is_id {
                ids.push(piece.to_owned());
            }
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn every_text_the_bot_names_exists_in_both_languages() {
    let (_, texts) = los::prompts::load().unwrap();
    let mut ids = literal_ids();
    assert!(ids.len() > 40, "the scan found too little: {ids:?}");
    // Ids the code builds with format!.
    for key in DateKey::ALL {
        ids.push(format!("date-{key}"));
        ids.push(format!("btn-date-{key}"));
        ids.push(format!("form-date-title-{key}"));
    }
    for m in [
        "role-hr",
        "role-union_rep",
        "role-approver",
        "channel-cases",
        "channel-hr",
        "channel-onboarding",
    ] {
        ids.push(format!("setup-{m}"));
    }
    for f in ["title", "unit", "note", "reason", "candidates", "days"] {
        ids.push(format!("field-{f}"));
    }
    for a in ["waiting", "offered", "accepted", "declined"] {
        ids.push(format!("answer-{a}"));
    }
    for k in flow::EventKind::ALL {
        ids.push(format!("event-{}", k.as_str()));
    }
    ids.extend(flow::Refusal::MESSAGE_IDS.iter().map(|s| s.to_string()));
    for lang in Lang::ALL {
        ids.push(format!("language-{}", lang.dir()));
    }
    for level in storage::NotificationLevel::ALL {
        ids.push(format!("notifications-{}", level.as_str()));
    }
    let missing: Vec<String> = Lang::ALL
        .iter()
        .flat_map(|lang| {
            ids.iter()
                .filter(|id| !texts.has(*lang, id))
                .map(move |id| format!("{lang}: {id}"))
        })
        .collect();
    assert_eq!(missing, Vec::<String>::new());
}

#[test]
fn every_command_and_option_has_a_name_and_description_in_both_languages() {
    let (_, texts) = los::prompts::load().unwrap();
    fn walk(
        cmd: &poise::Command<std::sync::Arc<los::types::Data>, los::types::BotError>,
        parent: &str,
        texts: &flow::Texts,
        missing: &mut Vec<String>,
    ) {
        let id = format!("{parent}-{}", cmd.name);
        for lang in Lang::ALL {
            for attr in [None, Some("description".to_string())].into_iter().chain(
                cmd.parameters.iter().flat_map(|p| {
                    [
                        Some(p.name.to_string()),
                        Some(format!("{}-description", p.name)),
                    ]
                }),
            ) {
                if texts.attribute(lang, &id, attr.as_deref()).is_none() {
                    missing.push(format!("{lang}: {id} {attr:?}"));
                }
            }
            // Each choice's label, keyed by the choice's name in the code.
            for p in &cmd.parameters {
                for choice in p.choices.iter() {
                    let attr = format!("{}-{}", p.name, choice.name);
                    if texts.attribute(lang, &id, Some(&attr)).is_none() {
                        missing.push(format!("{lang}: {id} {attr}"));
                    }
                }
            }
        }
        for sub in &cmd.subcommands {
            walk(sub, &id, texts, missing);
        }
    }
    let mut missing = Vec::new();
    for cmd in los::commands::all() {
        walk(&cmd, "cmd", &texts, &mut missing);
    }
    assert_eq!(missing, Vec::<String>::new());
}
