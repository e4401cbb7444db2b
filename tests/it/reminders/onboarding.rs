//! Onboarding reminders counted back from the start date fire at 08:00 Oslo time on the right
//! working day: to the manager by DM and to HR, once, whatever the day or the time change.

use chrono::{Duration, NaiveDate, Timelike};
use los_e2e::*;

/// Drives a case to `start`, then walks the clock to a minute before and to each expected
/// instant: nothing before, exactly one manager line and one HR line at it.
async fn fires_on(start: NaiveDate, expected: [(&str, NaiveDate); 3]) {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, start).await;
    for (step, day) in expected {
        let due = eight(day);
        kit.at(due - Duration::minutes(1)).await;
        let before = kit.everywhere();
        assert_eq!(
            count(&before, &kit.manager_line(step)),
            0,
            "{step} went out before {due}"
        );
        assert_eq!(
            count(&before, &kit.hr_line(step)),
            0,
            "{step} went to HR before {due}"
        );
        kit.at(due).await;
        assert_eq!(
            kit.count_in_dms(LEDER, &kit.manager_line(step)),
            1,
            "{step} to the manager at {due}"
        );
        assert_eq!(
            kit.count_in(HR_CHANNEL, &kit.hr_line(step)),
            1,
            "{step} to HR at {due}"
        );
    }
    // A day after the last one, still exactly once each.
    let last = expected[2].1;
    kit.at(eight(last) + Duration::days(1)).await;
    let all = kit.everywhere();
    for (step, _) in expected {
        assert_eq!(count(&all, &kit.manager_line(step)), 1, "{step} twice");
        assert_eq!(count(&all, &kit.hr_line(step)), 1, "{step} twice to HR");
    }
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_on_a_monday() {
    fires_on(
        date(2027, 3, 1),
        [
            ("bestiller_utstyr", date(2027, 2, 8)),
            ("bestiller_velkomstpakke", date(2027, 2, 19)),
            ("tar_imot", date(2027, 3, 1)),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_on_a_sunday_moves_each_to_the_working_day_before() {
    fires_on(
        date(2027, 2, 28),
        [
            // 7 February is a Sunday; 28 February too.
            ("bestiller_utstyr", date(2027, 2, 5)),
            ("bestiller_velkomstpakke", date(2027, 2, 18)),
            ("tar_imot", date(2027, 2, 26)),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn across_summer_time_and_easter_2027() {
    // Summer time starts on Easter Sunday, 28 March 2027. The welcome package, due Easter
    // Monday, moves back over Easter (Good Friday, Maundy Thursday) to Wednesday 24 March.
    assert_eq!(eight(date(2027, 3, 24)).hour(), 7, "08:00 CET is 07:00 UTC");
    assert_eq!(eight(date(2027, 4, 8)).hour(), 6, "08:00 CEST is 06:00 UTC");
    fires_on(
        date(2027, 4, 8),
        [
            ("bestiller_utstyr", date(2027, 3, 18)),
            ("bestiller_velkomstpakke", date(2027, 3, 24)),
            ("tar_imot", date(2027, 4, 8)),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn across_the_end_of_summer_time_2027() {
    assert_eq!(eight(date(2027, 10, 29)).hour(), 6);
    assert_eq!(eight(date(2027, 11, 8)).hour(), 7);
    fires_on(
        date(2027, 11, 8),
        [
            ("bestiller_utstyr", date(2027, 10, 18)),
            ("bestiller_velkomstpakke", date(2027, 10, 29)),
            ("tar_imot", date(2027, 11, 8)),
        ],
    )
    .await;
}
