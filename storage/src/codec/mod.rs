//! How domain values become column values and back.
//!
//! Discord ids are `u64`; SQLite integers are `i64`. The cast is bit for bit both ways, so no id
//! is lost (snowflakes fit in 63 bits anyway and sort the same). Times are fixed-width UTC text
//! with nanoseconds, so text order is time order and a `DateTime` round-trips exactly.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use flow::{PersonId, PersonRef};

use crate::error::corrupt;
use crate::{Result, StorageError};

pub(crate) mod nonce;

/// The name left where a person was, and the text left where a reason was, once the
/// retention purge has erased them.
pub const ERASED: &str = "slettet";

pub(crate) fn id(v: u64) -> i64 {
    v as i64
}

pub(crate) fn id_back(v: i64) -> u64 {
    v as u64
}

pub(crate) fn opt_id(v: Option<u64>) -> Option<i64> {
    v.map(id)
}

pub(crate) fn opt_id_back(v: Option<i64>) -> Option<u64> {
    v.map(id_back)
}

/// The years a stored time or date may have: text order is time order only for four-digit
/// years. Year 10000 would be written `+10000-…` and sort before every real date, so a
/// reminder planned then would be due at once, and would not parse back.
const YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

/// A time as stored; refused (`Invalid`) outside [`YEARS`].
pub(crate) fn ts(t: DateTime<Utc>) -> Result<String> {
    if !YEARS.contains(&t.year()) {
        return Err(StorageError::Invalid(format!(
            "the time {t} is outside the years 0000 to 9999 that can be stored"
        )));
    }
    Ok(t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string())
}

pub(crate) fn opt_ts(t: Option<DateTime<Utc>>) -> Result<Option<String>> {
    t.map(ts).transpose()
}

pub(crate) fn ts_back(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(format!("time {s:?}: {e}")))
}

pub(crate) fn opt_ts_back(s: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    s.map(ts_back).transpose()
}

/// A date as stored; refused (`Invalid`) outside [`YEARS`].
pub(crate) fn date(d: NaiveDate) -> Result<String> {
    if !YEARS.contains(&d.year()) {
        return Err(StorageError::Invalid(format!(
            "the date {d} is outside the years 0000 to 9999 that can be stored"
        )));
    }
    Ok(d.format("%Y-%m-%d").to_string())
}

pub(crate) fn opt_date(d: Option<NaiveDate>) -> Result<Option<String>> {
    d.map(date).transpose()
}

pub(crate) fn opt_date_back(s: Option<&str>) -> Result<Option<NaiveDate>> {
    s.map(|s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(format!("date {s:?}: {e}")))
    })
    .transpose()
}

pub(crate) fn time(t: NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

pub(crate) fn opt_time_back(s: Option<&str>) -> Result<Option<NaiveTime>> {
    s.map(|s| {
        NaiveTime::parse_from_str(s, "%H:%M:%S").map_err(|e| corrupt(format!("time {s:?}: {e}")))
    })
    .transpose()
}

pub(crate) fn person(id: i64, name: String) -> PersonRef {
    PersonRef {
        id: PersonId(id_back(id)),
        name,
    }
}

pub(crate) fn opt_person(id: Option<i64>, name: Option<String>) -> Option<PersonRef> {
    Some(person(id?, name.unwrap_or_default()))
}

/// Parses a stored text with a domain parser, or says which column did not parse.
pub(crate) fn parsed<T>(what: &str, s: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| corrupt(format!("{what} {s:?}")))
}

/// One change's rows as a JSON object: the single parameter of a multi-statement write (sqlx
/// numbers `?NNN` across the statements of one query, which goes wrong when a statement skips
/// a number, so each statement reads what it needs from `?1`).
pub(crate) type JsonMap = serde_json::Map<String, serde_json::Value>;

/// A JSON array of strings, for `IN (SELECT value FROM json_each(?))`.
pub(crate) fn json_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::Value::from(items.into_iter().collect::<Vec<_>>()).to_string()
}

/// Reminder ids as the outbox stores them (a JSON list of texts).
pub(crate) fn id_list(ids: &[i64]) -> String {
    let s: Vec<String> = ids.iter().map(i64::to_string).collect();
    json_list(s.iter().map(String::as_str))
}

/// The reminder ids an outbox row's `reminder_ids` holds.
pub(crate) fn ids_back(text: &str) -> Result<Vec<i64>> {
    Ok(serde_json::from_str::<Vec<String>>(text)
        .map_err(|e| StorageError::Invalid(format!("outbox ids: {e}")))?
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ids_round_trip_bit_for_bit() {
        for v in [0, 1, 1_234_567_890_123_456_789, u64::MAX, 1 << 63] {
            assert_eq!(id_back(id(v)), v);
        }
    }

    #[test]
    fn times_round_trip_and_sort_as_text() {
        let a = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let b = a + chrono::Duration::nanoseconds(1);
        let c = a + chrono::Duration::seconds(1);
        for t in [a, b, c] {
            assert_eq!(ts_back(&ts(t).unwrap()).unwrap(), t);
        }
        assert!(ts(a).unwrap() < ts(b).unwrap() && ts(b).unwrap() < ts(c).unwrap());
    }

    #[test]
    fn a_time_whose_text_would_not_sort_is_refused() {
        let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(ts(last).unwrap(), "9999-12-31T23:59:59.000000000Z");
        assert!(
            ts(last).unwrap() > ts(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()).unwrap()
        );
        let too_late = last + chrono::Duration::seconds(1);
        assert!(matches!(ts(too_late), Err(StorageError::Invalid(_))));
        let before_year_zero =
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap() - chrono::Duration::seconds(1);
        assert!(matches!(
            ts(before_year_zero),
            Err(StorageError::Invalid(_))
        ));
        let d = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
        assert!(matches!(date(d), Err(StorageError::Invalid(_))));
        assert_eq!(
            date(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()).unwrap(),
            "9999-12-31"
        );
    }
}
