//! Dates a person types, `dd.mm.åååå`, and the date fields of a case.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A calendar date typed by a person as `dd.mm.åååå` (also `d.m.åååå`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Dato(NaiveDate);

/// Why a typed date was not accepted; carries the input for the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a date in the form dd.mm.åååå: {input:?}")]
pub struct DatoError {
    pub input: String,
}

impl Dato {
    pub fn parse(input: &str) -> Result<Dato, DatoError> {
        let err = || DatoError {
            input: input.chars().take(40).collect(),
        };
        let mut parts = input.trim().split('.');
        let (Some(d), Some(m), Some(y), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        let num = |s: &str, max_len: usize| -> Option<u32> {
            if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (Some(d), Some(m)) = (num(d, 2), num(m, 2)) else {
            return Err(err());
        };
        if y.len() != 4 {
            return Err(err());
        }
        let Some(y) = num(y, 4) else {
            return Err(err());
        };
        NaiveDate::from_ymd_opt(y as i32, m, d)
            .map(Dato)
            .ok_or_else(err)
    }

    pub fn from_naive(date: NaiveDate) -> Dato {
        Dato(date)
    }

    pub fn naive(self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for Dato {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%d.%m.%Y"))
    }
}

/// The dates of a case that deadlines and reminders hang on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateKey {
    /// Søknadsfrist: the application deadline set when the position is announced.
    Soknadsfrist,
    /// Tiltredelse: the new hire's first day.
    Startdato,
}

impl DateKey {
    pub const ALL: [DateKey; 2] = [DateKey::Soknadsfrist, DateKey::Startdato];

    pub fn as_str(self) -> &'static str {
        match self {
            DateKey::Soknadsfrist => "soknadsfrist",
            DateKey::Startdato => "startdato",
        }
    }

    pub fn parse(s: &str) -> Option<DateKey> {
        DateKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for DateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_norwegian_dates() {
        assert_eq!(
            Dato::parse("01.03.2027").unwrap().naive(),
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
        );
        assert_eq!(Dato::parse(" 1.3.2027 ").unwrap().to_string(), "01.03.2027");
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "31.02.2027",
            "2027-03-01",
            "1.3.27",
            "01.13.2027",
            "aa.bb.cccc",
            "1.3.2027.",
            "+1.3.2027",
            "01.03.20277",
        ] {
            assert!(Dato::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
