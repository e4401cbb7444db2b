//! Every word a user reads, from Fluent files in `prompts/nb/` and `prompts/en/`.

use std::fmt;
use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::process::LoadError;

/// The languages the bot speaks. Norwegian bokmål first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Nb,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nb, Lang::En];

    /// The folder under `prompts/`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }

    /// Picks the language from a chat client's locale (`no`, `nb`, `nn`, `en-US`, `en-GB`);
    /// anything else gets bokmål.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.starts_with("en") {
            Lang::En
        } else {
            Lang::Nb
        }
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Lang::Nb => unic_langid::langid!("nb"),
            Lang::En => unic_langid::langid!("en"),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dir())
    }
}

/// An argument for a message, as text or number.
pub enum Arg<'a> {
    Str(&'a str),
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Num(n as i64)
    }
}

/// The Fluent bundles of both languages.
pub struct Texts {
    nb: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Texts { nb, en }")
    }
}

impl Texts {
    /// Reads every `*.ftl` file in `dir/nb` and `dir/en`.
    pub fn load(dir: &Path) -> Result<Texts, LoadError> {
        let mut sources: Vec<(Lang, String, String)> = Vec::new();
        for lang in Lang::ALL {
            let lang_dir = dir.join(lang.dir());
            let entries = std::fs::read_dir(&lang_dir)
                .map_err(|e| LoadError::file(&lang_dir, format!("cannot read the folder: {e}")))?;
            let mut files: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            files.sort();
            for path in files {
                let src = std::fs::read_to_string(&path)
                    .map_err(|e| LoadError::file(&path, format!("cannot read: {e}")))?;
                sources.push((lang, path.display().to_string(), src));
            }
        }
        Texts::from_sources(sources.iter().map(|(l, n, s)| (*l, n.as_str(), s.as_str())))
    }

    /// Builds the bundles from `(language, file name, Fluent source)`.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (Lang, &'a str, &'a str)>,
    ) -> Result<Texts, LoadError> {
        let mut nb = FluentBundle::new_concurrent(vec![Lang::Nb.langid()]);
        let mut en = FluentBundle::new_concurrent(vec![Lang::En.langid()]);
        // Discord shows the bidi isolation marks Fluent puts around arguments as junk.
        nb.set_use_isolating(false);
        en.set_use_isolating(false);
        for (lang, name, src) in sources {
            let resource = FluentResource::try_new(src.to_owned()).map_err(|(_, errors)| {
                LoadError::file(
                    Path::new(name),
                    format!("Fluent syntax error: {:?}", errors.first()),
                )
            })?;
            let bundle = match lang {
                Lang::Nb => &mut nb,
                Lang::En => &mut en,
            };
            bundle.add_resource(resource).map_err(|errors| {
                LoadError::file(
                    Path::new(name),
                    format!("a message is defined twice: {:?}", errors.first()),
                )
            })?;
        }
        Ok(Texts { nb, en })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Nb => &self.nb,
            Lang::En => &self.en,
        }
    }

    /// Whether the language has a message with a value under this id.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang)
            .get_message(id)
            .is_some_and(|m| m.value().is_some())
    }

    /// The message in the language, falling back to bokmål and then to the id itself, so a
    /// missing text shows up as its id instead of failing the reply.
    pub fn get(&self, lang: Lang, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.try_get(lang, id, args)
            .or_else(|| self.try_get(Lang::Nb, id, args))
            .unwrap_or_else(|| id.to_owned())
    }

    /// Shorthand for a message without arguments.
    pub fn plain(&self, lang: Lang, id: &str) -> String {
        self.get(lang, id, &[])
    }

    /// A message's value (`attr = None`) or one of its attributes, without fallback: for
    /// optional texts such as command localizations.
    pub fn attribute(&self, lang: Lang, id: &str, attr: Option<&str>) -> Option<String> {
        let bundle = self.bundle(lang);
        let message = bundle.get_message(id)?;
        let pattern = match attr {
            None => message.value()?,
            Some(a) => message.get_attribute(a)?.value(),
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, None, &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    fn try_get(&self, lang: Lang, id: &str, args: &[(&str, Arg<'_>)]) -> Option<String> {
        let bundle = self.bundle(lang);
        let pattern = bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Str(s) => fluent_args.set(*name, FluentValue::from(*s)),
                Arg::Num(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        Some(text.into_owned())
    }
}

/// The Fluent ids of the texts the process needs.
pub mod ids {
    use crate::ids::{OutcomeId, PhaseId, Role, StepId, SystemId};

    pub fn step_title(step: &StepId) -> String {
        format!("step-{step}")
    }

    pub fn step_guide(step: &StepId) -> String {
        format!("step-{step}-guide")
    }

    pub fn outcome(step: &StepId, outcome: &OutcomeId) -> String {
        format!("outcome-{step}-{outcome}")
    }

    pub fn phase(phase: &PhaseId) -> String {
        format!("phase-{phase}")
    }

    pub fn role(role: Role) -> String {
        format!("role-{role}")
    }

    pub fn system(system: &SystemId) -> String {
        format!("system-{system}")
    }
}
