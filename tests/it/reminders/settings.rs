//! `/oppsett paminnelser` moves the reminders of open cases: days before the start date and
//! the time of day, in Oslo time.

use chrono::{Duration, NaiveTime};
use los_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_settings_replan_open_cases() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.slash(
        ADMIN,
        "oppsett",
        &["paminnelser"],
        &[("utstyr", "28"), ("klokkeslett", "09:30")],
    )
    .await;
    kit.kick().await;
    // 28 days before Monday 1 March: Monday 1 February, at 09:30 Oslo time.
    let due = flow::oslo_instant(date(2027, 2, 1), NaiveTime::from_hms_opt(9, 30, 0).unwrap());
    let line = kit.manager_line("bestiller_utstyr");
    kit.at(due - Duration::minutes(1)).await;
    assert_eq!(kit.count_everywhere(&line), 0);
    kit.at(due).await;
    assert_eq!(kit.count_in_dms(LEDER, &line), 1);
    // The old day (8 February, 21 days before) brings nothing more.
    kit.at(eight(date(2027, 2, 8)) + Duration::hours(2)).await;
    assert_eq!(kit.count_everywhere(&line), 1);
    kit.stop().await;
}

/// A restart plans nothing again unless the settings (or the process) changed since the
/// cases were last planned; if the bot died between saving settings and replanning (the
/// fingerprint still the old one), the next start replans every open case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_replans_only_what_changed_meanwhile() {
    let mut kit = Kit::reminders().start().await;
    let (first, _) = kit.open("Rådgiver").await;
    let (second, _) = kit.open("Konsulent").await;
    kit.kick().await;

    kit.restart().await;
    kit.kick().await;
    assert_eq!(
        kit.db().write_stats().changes,
        0,
        "nothing changed: no case was planned again"
    );

    storage::set_reminders_planned_with(kit.db(), kit.guild(), "settings saved, replan never ran")
        .await
        .unwrap();
    kit.restart().await;
    kit.kick().await;
    assert_eq!(
        kit.db().write_stats().changes,
        2,
        "both open cases ({first}, {second}) planned again"
    );
    let stored = storage::reminders_planned_with(kit.db(), kit.guild())
        .await
        .unwrap();
    assert_eq!(
        stored.as_deref(),
        Some(los::jobs::replan::fingerprint(&kit.settings().await).as_str())
    );
    kit.stop().await;
}
