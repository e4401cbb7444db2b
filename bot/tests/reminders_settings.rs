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

/// A restart plans nothing again unless the settings (or the process) changed since the
/// cases were last planned; if the bot died between saving settings and replanning (the
/// fingerprint still the old one), the next start replans every open case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_replans_only_what_changed_meanwhile() {
    let mut bot = Bot::start("replan-restart").await;
    let (first, _) = bot.open("Rådgiver").await;
    let (second, _) = bot.open("Konsulent").await;
    bot.kick().await;
    let guild = bot.h.sandbox.world().guild_id;

    bot.h.restart().await.unwrap();
    bot.kick().await;
    assert_eq!(
        bot.h.data().db.write_stats().changes,
        0,
        "nothing changed: no case was planned again"
    );

    let db = bot.h.data().db.clone();
    storage::set_reminders_planned_with(db.pool(), guild, "settings saved, replan never ran")
        .await
        .unwrap();
    bot.h.restart().await.unwrap();
    bot.kick().await;
    assert_eq!(
        bot.h.data().db.write_stats().changes,
        2,
        "both open cases ({first}, {second}) planned again"
    );
    let stored = storage::reminders_planned_with(bot.h.data().db.pool(), guild)
        .await
        .unwrap();
    assert_eq!(
        stored.as_deref(),
        Some(
            los::jobs::replan::fingerprint(
                &storage::load_settings(bot.h.data().db.pool(), guild)
                    .await
                    .unwrap()
                    .unwrap()
            )
            .as_str()
        )
    );
    bot.stop().await;
}
