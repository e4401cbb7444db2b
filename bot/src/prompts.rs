//! The process and every text, built into the binary so `los` runs from anywhere.

use flow::{Lang, LoadError, Process, Texts};

/// The shipped process file, as built in.
pub const PROCESS: &str = include_str!("../../prompts/process.toml");

const TEXTS: [(Lang, &str, &str); 8] = [
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
        Lang::En,
        "prompts/en/pictures.ftl",
        include_str!("../../prompts/en/pictures.ftl"),
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
];

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
}
