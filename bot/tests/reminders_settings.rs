//! `/oppsett paminnelser` moves the reminders of open cases: days before the start date and
//! the time of day, in Oslo time.

mod common;

use chrono::{Duration, NaiveTime};
use common::*;
use los::harness::cast::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_settings_replan_open_cases() {
    let bot = Bot::start("settings").await;
    let (case, _) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    bot.h
        .member(ADMIN)
        .slash(
            "oppsett",
            &["paminnelser"],
            &[("utstyr", "28"), ("klokkeslett", "09:30")],
        )
        .await
        .unwrap();
    bot.kick().await;
    // 28 days before Monday 1 March: Monday 1 February, at 09:30 Oslo time.
    let due = flow::oslo_instant(date(2027, 2, 1), NaiveTime::from_hms_opt(9, 30, 0).unwrap());
    let line = bot.manager_line("bestiller_utstyr");
    bot.at(due - Duration::minutes(1)).await;
    assert_eq!(Bot::count(&bot.everywhere(), &line), 0);
    bot.at(due).await;
    assert_eq!(Bot::count(&bot.h.sandbox.dms(LEDER), &line), 1);
    // The old day (8 February, 21 days before) brings nothing more.
    bot.at(eight(date(2027, 2, 8)) + Duration::hours(2)).await;
    assert_eq!(Bot::count(&bot.everywhere(), &line), 1);
    assert!(
        bot.h.sandbox.failures().is_empty(),
        "{:?}",
        bot.h.sandbox.failures()
    );
    bot.stop().await;
}
