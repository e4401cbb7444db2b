//! Norwegian working days: weekends and public holidays (helligdager) are computed, not listed.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday of a year (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a real date")
}

/// Whether the day is a Norwegian public holiday: 1 January, Maundy Thursday, Good Friday,
/// Easter Sunday and Monday, 1 May, 17 May, Ascension Day, Whit Sunday and Monday, 25 and 26
/// December.
pub fn is_public_holiday(date: NaiveDate) -> bool {
    let fixed = matches!(
        (date.month(), date.day()),
        (1 | 5, 1) | (5, 17) | (12, 25 | 26)
    );
    if fixed {
        return true;
    }
    let easter = easter_sunday(date.year());
    let offset = (date - easter).num_days();
    matches!(offset, -3 | -2 | 0 | 1 | 39 | 49 | 50)
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}

/// The day itself if it is a working day, otherwise the last working day before it: a
/// deadline that falls on a weekend is reminded of on the Friday before.
pub fn working_day_on_or_before(mut date: NaiveDate) -> NaiveDate {
    while !is_working_day(date) {
        date = date - Days::new(1);
    }
    date
}

/// The day itself if it is a working day, otherwise the next one.
pub fn working_day_on_or_after(mut date: NaiveDate) -> NaiveDate {
    while !is_working_day(date) {
        date = date + Days::new(1);
    }
    date
}

/// The working day `n` working days after `date` (n = 0 gives `date` moved to a working day).
pub fn add_working_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut day = working_day_on_or_after(date);
    for _ in 0..n {
        day = working_day_on_or_after(day + Days::new(1));
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_of_known_years() {
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
        assert_eq!(easter_sunday(2028), d(2028, 4, 16));
    }

    #[test]
    fn holidays_of_2027() {
        for h in [
            d(2027, 1, 1),
            d(2027, 3, 25),
            d(2027, 3, 26),
            d(2027, 3, 29),
            d(2027, 5, 1),
            d(2027, 5, 6),
            d(2027, 5, 17),
            d(2027, 5, 17),
            d(2027, 12, 25),
            d(2027, 12, 26),
        ] {
            assert!(is_public_holiday(h), "{h}");
        }
        assert!(!is_public_holiday(d(2027, 3, 24)));
        assert!(!is_public_holiday(d(2027, 5, 18)));
    }

    #[test]
    fn weekends_and_easter_move_deadlines_back() {
        // Sunday 28 March 2027 is Easter; Thursday 25 and Friday 26 are holidays too.
        assert_eq!(working_day_on_or_before(d(2027, 3, 29)), d(2027, 3, 24));
        assert_eq!(working_day_on_or_before(d(2027, 11, 28)), d(2027, 11, 26));
        assert_eq!(add_working_days(d(2027, 3, 24), 1), d(2027, 3, 30));
    }
}
