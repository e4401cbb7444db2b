//! The user's language and the texts in it (every word comes from `prompts/*/*.ftl`), text a
//! person typed made safe to show, and Discord's limits on what a message may hold.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Oslo;
use flow::texts::Arg;
use flow::{DateKey, Lang, Role, StepId, Texts};
use storage::GuildSettings;

// Discord's limits, in characters: every text is `clip`ped to the one it goes into.

/// A message's content.
pub const CONTENT_MAX: usize = 2000;
/// An embed's title, and the name of an embed's field.
pub const TITLE_MAX: usize = 256;
/// The value of an embed's field.
pub const FIELD_MAX: usize = 1024;
/// A button's label.
pub const LABEL_MAX: usize = 80;
/// A component's `custom_id` (see `crate::custom_id`).
pub const CUSTOM_ID_MAX: usize = 100;
/// A form's (modal's) title.
pub const MODAL_TITLE_MAX: usize = 45;
/// The placeholder of a form's text input.
pub const PLACEHOLDER_MAX: usize = 100;
/// The placeholder of a select menu.
pub const SELECT_PLACEHOLDER_MAX: usize = 150;
/// The label of a select menu's option, and the name of an autocomplete choice.
pub const OPTION_MAX: usize = 100;
/// A thread's name.
pub const THREAD_NAME_MAX: usize = 100;
/// Choices in an autocomplete answer.
pub const CHOICES_MAX: usize = 25;
/// Action rows in one message, and buttons in one row.
pub const ROWS_MAX: usize = 5;

/// Texts in one language, for one reply.
///
/// Shared messages (the card, its buttons, thread lines) are in the server's shared language,
/// so what a person is told alone names steps, buttons and fields the way those messages show
/// them (`shown`), with the person's own words in parentheses when the two differ.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    pub texts: &'a Texts,
    /// The language of the sentences.
    pub lang: Lang,
    /// The language the reader's screen names steps, buttons and fields in.
    pub shown: Lang,
}

impl<'a> Tr<'a> {
    /// For someone whose screen shows nothing of a server (or only this reply): everything in
    /// the language of their locale.
    pub fn new(texts: &'a Texts, locale: &str) -> Tr<'a> {
        Tr::of(texts, Lang::from_locale(locale))
    }

    /// Everything in one language.
    pub fn of(texts: &'a Texts, lang: Lang) -> Tr<'a> {
        Tr {
            texts,
            lang,
            shown: lang,
        }
    }

    /// What everyone on the server reads: the card, thread lines, reminders in channels.
    pub fn shared(texts: &'a Texts, settings: &GuildSettings) -> Tr<'a> {
        Tr::of(texts, settings.language)
    }

    /// What one person reads (a reply, a refusal, a form): in their locale's language, naming
    /// steps, buttons and fields as the server's shared messages show them.
    pub fn reader(texts: &'a Texts, locale: &str, settings: &GuildSettings) -> Tr<'a> {
        Tr {
            texts,
            lang: Lang::from_locale(locale),
            shown: settings.language,
        }
    }

    /// The same reader's words, naming things in their own language only (for what they see
    /// nowhere else, such as their own copy of a card).
    pub fn own(self) -> Tr<'a> {
        Tr::of(self.texts, self.lang)
    }

    /// The shared language's words, for what the reader sees among the shared messages.
    pub fn as_shown(self) -> Tr<'a> {
        Tr::of(self.texts, self.shown)
    }

    /// A name of something on the shared messages (a step, a button, a field): as they show it,
    /// then the reader's own word for it in parentheses when that differs.
    pub fn named(&self, id: &str) -> String {
        let own = self.t(id);
        if self.shown == self.lang {
            return own;
        }
        let shown = self.texts.plain(self.shown, id);
        if shown == own {
            return own;
        }
        self.args(
            "name-shown-own",
            &[
                ("shown", shown.as_str().into()),
                ("own", own.as_str().into()),
            ],
        )
    }

    pub fn t(&self, id: &str) -> String {
        self.texts.plain(self.lang, id)
    }

    pub fn args(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.texts.get(self.lang, id, args)
    }

    /// A step's title, as the shared messages name it (see [`Tr::named`]).
    pub fn step(&self, step: &StepId) -> String {
        self.named(&flow::texts::ids::step_title(step))
    }

    /// The name of one of the case's dates, as the card names it.
    pub fn date_name(&self, key: DateKey) -> String {
        self.named(&format!("date-{key}"))
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
