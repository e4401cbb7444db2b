//! The user's language and the texts in it: every word comes from `prompts/*/*.ftl`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Oslo;
use flow::texts::Arg;
use flow::{Lang, Role, StepId, Texts};

/// Discord's limit for a message's content, in characters.
pub const CONTENT_MAX: usize = 2000;

/// Texts in one language, for one reply.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    pub texts: &'a Texts,
    pub lang: Lang,
}

impl<'a> Tr<'a> {
    pub fn new(texts: &'a Texts, locale: &str) -> Tr<'a> {
        Tr {
            texts,
            lang: Lang::from_locale(locale),
        }
    }

    pub fn t(&self, id: &str) -> String {
        self.texts.plain(self.lang, id)
    }

    pub fn args(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.texts.get(self.lang, id, args)
    }

    pub fn step(&self, step: &StepId) -> String {
        self.t(&flow::texts::ids::step_title(step))
    }

    pub fn role(&self, role: Role) -> String {
        self.t(&flow::texts::ids::role(role))
    }

    pub fn roles(&self, roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| self.role(*r))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An instant as people in Oslo read it: `26.11.2026 kl. 14:05`.
    pub fn when(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&Oslo);
        match self.lang {
            Lang::Nb => local.format("%d.%m.%Y kl. %H:%M").to_string(),
            Lang::En => local.format("%d.%m.%Y at %H:%M").to_string(),
        }
    }

    pub fn date(&self, d: NaiveDate) -> String {
        d.format("%d.%m.%Y").to_string()
    }
}

/// Discord's locale keys for each language: Norwegian is `no`; English has two.
pub fn discord_locales(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Nb => &["no"],
        Lang::En => &["en-US", "en-GB"],
    }
}

/// Text a person typed, made safe to show: markdown is escaped so it shows as typed. (Pings
/// are prevented separately, by `allowed_mentions` on every message.)
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '\\' | '@' | '<'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Cuts a text to at most `max` characters, marking the cut with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_shows_as_typed() {
        assert_eq!(
            escape("**hei** @everyone <@1>"),
            "\\*\\*hei\\*\\* \\@everyone \\<\\@1\\>"
        );
    }

    #[test]
    fn clipping_counts_characters_not_bytes() {
        assert_eq!(clip("ærlig talt", 5), "ærli…");
        assert_eq!(clip("kort", 5), "kort");
    }
}
