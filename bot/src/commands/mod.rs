//! The slash commands, with their nb and en names and descriptions from the Fluent files.

pub mod journey;
pub mod oppsett;
pub mod pictures;
pub mod rekruttering;

use std::sync::Arc;

use flow::{Lang, Texts};

use crate::i18n::discord_locales;
use crate::types::{BotError, Data};

pub fn all() -> Vec<poise::Command<Arc<Data>, BotError>> {
    vec![rekruttering::rekruttering(), oppsett::oppsett()]
}

/// Fills in every command's and option's description in bokmål (the default) and its names and
/// descriptions under Discord's locale keys (`no`, `en-US`, `en-GB`) from `cmd-*` messages:
/// `cmd-<path>` is the name, `.description` its description, `.<option>` and
/// `.<option>-description` the option's, `.<option>-<choice>` the label of one of its choices
/// (the choice's name in the code is its key).
pub fn localize(commands: &mut [poise::Command<Arc<Data>, BotError>], texts: &Texts) {
    for command in commands {
        localize_one(command, texts, "cmd");
    }
}

fn localize_one(command: &mut poise::Command<Arc<Data>, BotError>, texts: &Texts, parent: &str) {
    let id = format!("{parent}-{}", command.name);
    let get = |lang, attr: Option<&str>| texts.attribute(lang, &id, attr);
    if let Some(d) = get(Lang::Nb, Some("description")) {
        command.description = Some(d.into());
    }
    for lang in Lang::ALL {
        for locale in discord_locales(lang) {
            if let Some(name) = get(lang, None) {
                command
                    .name_localizations
                    .to_mut()
                    .push(((*locale).into(), name.into()));
            }
            if let Some(d) = get(lang, Some("description")) {
                command
                    .description_localizations
                    .to_mut()
                    .push(((*locale).into(), d.into()));
            }
        }
    }
    for p in &mut command.parameters {
        let name_attr = p.name.to_string();
        let desc_attr = format!("{}-description", p.name);
        if let Some(d) = get(Lang::Nb, Some(&desc_attr)) {
            p.description = Some(d.into());
        }
        for lang in Lang::ALL {
            for locale in discord_locales(lang) {
                if let Some(n) = get(lang, Some(&name_attr)) {
                    p.name_localizations
                        .to_mut()
                        .push(((*locale).into(), n.into()));
                }
                if let Some(d) = get(lang, Some(&desc_attr)) {
                    p.description_localizations
                        .to_mut()
                        .push(((*locale).into(), d.into()));
                }
            }
        }
        for choice in p.choices.to_mut() {
            let attr = format!("{}-{}", p.name, choice.name);
            let labels: Vec<(Lang, String)> = Lang::ALL
                .into_iter()
                .filter_map(|lang| get(lang, Some(&attr)).map(|l| (lang, l)))
                .collect();
            for (lang, label) in &labels {
                for locale in discord_locales(*lang) {
                    choice
                        .localizations
                        .to_mut()
                        .push(((*locale).into(), label.clone().into()));
                }
            }
            if let Some((_, nb)) = labels.iter().find(|(l, _)| *l == Lang::Nb) {
                choice.name = nb.clone().into();
            }
        }
    }
    for sub in &mut command.subcommands {
        localize_one(sub, texts, &id);
    }
}
