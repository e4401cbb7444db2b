//! The process and every text, built into the binary so `los` runs from anywhere.

use flow::journey::{JourneyError, Template};
use flow::{Lang, LoadError, Process, Texts};

/// The shipped process file, as built in.
pub const PROCESS: &str = include_str!("../../prompts/process.toml");

const TEXTS: [(Lang, &str, &str); 10] = [
    (
        Lang::Nb,
        "prompts/nb/process.ftl",
        include_str!("../../prompts/nb/process.ftl"),
    ),
    (
        Lang::Nb,
        "prompts/nb/refusals.ftl",
        include_str!("../../prompts/nb/refusals.ftl"),
    ),
    (
        Lang::Nb,
        "prompts/nb/bot.ftl",
        include_str!("../../prompts/nb/bot.ftl"),
    ),
    (
        Lang::Nb,
        "prompts/nb/pictures.ftl",
        include_str!("../../prompts/nb/pictures.ftl"),
    ),
    (
        Lang::Nb,
        "prompts/nb/journey.ftl",
        include_str!("../../prompts/nb/journey.ftl"),
    ),
    (
        Lang::En,
        "prompts/en/process.ftl",
        include_str!("../../prompts/en/process.ftl"),
    ),
    (
        Lang::En,
        "prompts/en/refusals.ftl",
        include_str!("../../prompts/en/refusals.ftl"),
    ),
    (
        Lang::En,
        "prompts/en/bot.ftl",
        include_str!("../../prompts/en/bot.ftl"),
    ),
    (
        Lang::En,
        "prompts/en/pictures.ftl",
        include_str!("../../prompts/en/pictures.ftl"),
    ),
    (
        Lang::En,
        "prompts/en/journey.ftl",
        include_str!("../../prompts/en/journey.ftl"),
    ),
];

/// The shipped onboarding journey, as built in.
pub const ONBOARDING: &str = include_str!("../../prompts/onboarding.toml");

/// The shipped onboarding journey, checked against the process and texts.
pub fn journey(process: &Process, texts: &Texts) -> Result<Template, JourneyError> {
    Template::parse("prompts/onboarding.toml", ONBOARDING, process, texts)
}

/// The shipped process and texts, checked as the loader checks any process file.
pub fn load() -> Result<(Process, Texts), LoadError> {
    let texts = Texts::from_sources(TEXTS)?;
    let process = Process::parse("prompts/process.toml", PROCESS, &texts)?;
    Ok((process, texts))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_prompts_load() {
        let (process, _) = super::load().unwrap();
        assert_eq!(process.steps().len(), 38);
    }

    #[test]
    fn the_embedded_journey_loads() {
        let (process, texts) = super::load().unwrap();
        let journey = super::journey(&process, &texts).unwrap();
        assert_eq!(journey.probation_months, 6);
        assert!(journey.decision().is_some());
    }
}
