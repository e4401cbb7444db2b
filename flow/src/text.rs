//! Free text a person types, validated once at the edge so the engine never sees junk.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is {len} characters long; at most {max} are allowed")]
    TooLong { len: usize, max: usize },
    #[error("the text must be on one line")]
    MultiLine,
}

fn clean(input: &str, max: usize, one_line: bool) -> Result<String, TextError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(TextError::TooLong { len, max });
    }
    if one_line && trimmed.contains(['\n', '\r']) {
        return Err(TextError::MultiLine);
    }
    // Control characters other than line breaks have no business in a case.
    Ok(trimmed
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $max:expr, $one_line:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(input: &str) -> Result<Self, TextError> {
                clean(input, $max, $one_line).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(s: String) -> Result<Self, TextError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(t: $name) -> String {
                t.0
            }
        }
    };
}

text_type!(
    /// Why a step was skipped, a recommendation rejected, or a case closed.
    Reason, 1000, false
);
text_type!(
    /// A candidate's display name, the only thing kept about an applicant.
    CandidateName, 100, true
);
text_type!(
    /// The position title, the unit, or the manager's note on a case.
    CaseText, 200, false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_is_trimmed_and_bounded() {
        assert_eq!(Reason::parse("  fordi  ").unwrap().as_str(), "fordi");
        assert_eq!(Reason::parse("   "), Err(TextError::Empty));
        assert_eq!(
            Reason::parse(&"x".repeat(4000)),
            Err(TextError::TooLong {
                len: 4000,
                max: 1000
            })
        );
    }

    #[test]
    fn candidate_name_is_one_line() {
        assert_eq!(
            CandidateName::parse("Kari\nNordmann"),
            Err(TextError::MultiLine)
        );
        assert_eq!(
            CandidateName::parse("Kari Nordmann").unwrap().as_str(),
            "Kari Nordmann"
        );
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(CaseText::parse("Lærer\u{0007}").unwrap().as_str(), "Lærer");
    }
}
