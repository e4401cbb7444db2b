//! HR's digest: its cron schedule in Oslo time across both summer-time changes, nothing when
//! nothing is due, and once a day with links to the threads, also across a restart.

use chrono::{Duration, TimeZone, Utc};
use los::jobs::digest::{due_today, next_after};
use los_e2e::*;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// HR's digest of a day as posted in the HR channel, its messages joined.
fn digest(kit: &Kit, day: chrono::NaiveDate) -> String {
    let heading = format!("HR-sammendrag {}", day.format("%d.%m.%Y"));
    kit.lines_with(HR_CHANNEL, &heading)
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_default_schedule_is_eight_on_weekdays_in_oslo_across_both_time_changes() {
    let s = los::guild::digest_schedule(los::guild::DEFAULT_DIGEST_CRON).unwrap();
    // Friday 26 March 2027 (winter time) → Monday 29 March (summer time since Sunday).
    assert_eq!(
        next_after(&s, utc(2027, 3, 26, 7, 1)),
        Some(utc(2027, 3, 29, 6, 0))
    );
    // Friday 29 October 2027 (summer time) → Monday 1 November (winter time since Sunday).
    assert_eq!(
        next_after(&s, utc(2027, 10, 29, 6, 1)),
        Some(utc(2027, 11, 1, 7, 0))
    );
    // Due on the day from 08:00 Oslo, not a minute before; never on a Sunday.
    assert_eq!(due_today(&s, utc(2027, 3, 29, 5, 59)), None);
    assert_eq!(
        due_today(&s, utc(2027, 3, 29, 6, 0)),
        Some(utc(2027, 3, 29, 6, 0))
    );
    assert_eq!(
        due_today(&s, utc(2027, 3, 29, 21, 0)),
        Some(utc(2027, 3, 29, 6, 0))
    );
    assert_eq!(due_today(&s, utc(2027, 3, 28, 12, 0)), None);
}

#[test]
fn a_daily_schedule_keeps_oslo_wall_time_on_the_days_the_clocks_change() {
    let s = los::guild::digest_schedule("0 30 7 * * *").unwrap();
    assert_eq!(
        next_after(&s, utc(2027, 3, 27, 7, 0)),
        Some(utc(2027, 3, 28, 5, 30))
    );
    assert_eq!(
        next_after(&s, utc(2027, 10, 30, 6, 0)),
        Some(utc(2027, 10, 31, 6, 30))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_due_posts_nothing() {
    let kit = Kit::reminders().start().await;
    kit.open("Rådgiver").await;
    // Tuesday 08:00: the case's first reminders are days away.
    kit.at(eight(date(2027, 1, 5))).await;
    kit.at(eight(date(2027, 1, 5)) + Duration::hours(1)).await;
    let hr = kit.messages(HR_CHANNEL);
    assert_eq!(count(&hr, "HR-sammendrag"), 0, "{hr:#?}");
    assert!(
        storage::digest_done(kit.db(), kit.guild(), date(2027, 1, 5))
            .await
            .unwrap()
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_work_is_listed_once_a_day_with_its_thread() {
    let mut kit = Kit::reminders().start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let day = date(2027, 2, 9);
    kit.at(eight(day) - Duration::minutes(1)).await;
    assert_eq!(kit.count_in(HR_CHANNEL, "HR-sammendrag 09.02.2027"), 0);
    kit.at(eight(day)).await;
    let digest = kit.lines_with(HR_CHANNEL, "HR-sammendrag 09.02.2027");
    assert_eq!(digest.len(), 1, "{:#?}", kit.messages(HR_CHANNEL));
    let text = digest[0]["content"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("<#{thread}>")), "{text}");
    assert!(
        text.contains(&format!(
            "«{}», forfalt 08.02.2027",
            kit.title("bestiller_utstyr")
        )),
        "{text}"
    );
    assert!(
        text.contains("**Mottak av nyansatt**"),
        "grouped by phase: {text}"
    );
    assert!(text.chars().count() <= 2000);
    // Later the same day, and after a restart: not again.
    kit.at(eight(day) + Duration::hours(2)).await;
    kit.restart().await;
    kit.kick().await;
    assert_eq!(kit.count_in(HR_CHANNEL, "HR-sammendrag 09.02.2027"), 1);
    // The next working day has its own.
    kit.at(eight(date(2027, 2, 10))).await;
    assert_eq!(kit.count_in(HR_CHANNEL, "HR-sammendrag 10.02.2027"), 1);
    kit.down().await;
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_is_overdue_only_after_its_deadline() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    // The start date on Monday 1 March: the welcome package is due on Friday 19 February,
    // six weeks after it opened on Monday 4 January.
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let package = kit.title("bestiller_velkomstpakke");
    // Wednesday 13 January, well before its deadline: the welcome package is not in HR's
    // digest at all, though it has been open more than five working days.
    kit.at(eight(date(2027, 1, 13))).await;
    let early = digest(&kit, date(2027, 1, 13));
    assert!(!early.contains(&package), "{early}");
    // Nor was anyone told it has been open a long time: it is waiting for its date.
    assert_eq!(
        kit.count_everywhere(&format!("«{package}» har stått åpen")),
        0
    );
    // On its deadline it is due today; the Monday after, overdue since Friday.
    kit.at(eight(date(2027, 2, 19))).await;
    let on_the_day = digest(&kit, date(2027, 2, 19));
    assert!(
        on_the_day.contains(&format!("«{package}», i dag")),
        "{on_the_day}"
    );
    kit.at(eight(date(2027, 2, 22))).await;
    let after = digest(&kit, date(2027, 2, 22));
    assert!(
        after.contains(&format!("«{package}», forfalt 19.02.2027")),
        "{after}"
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_applicant_list_is_due_on_its_legal_deadline_not_on_the_reminder_the_day_before() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    // Application deadline Monday 18 January: the applicant list is due Tuesday 19 January
    // (offentleglova § 25); the manager is reminded on the Monday.
    kit.play_until(case, "arkiverer_sokerliste").await;
    let list = kit.title("arkiverer_sokerliste");
    kit.at(eight(date(2027, 1, 18))).await;
    let before = digest(&kit, date(2027, 1, 18));
    assert!(!before.contains(&list), "not due before its day: {before}");
    assert_eq!(
        kit.count_in_dms(
            LEDER,
            &format!("lovpålagt frist for «{list}» er 19.01.2027")
        ),
        1,
        "the manager's reminder the day before"
    );
    kit.at(eight(date(2027, 1, 19))).await;
    assert!(digest(&kit, date(2027, 1, 19)).contains(&format!("«{list}», i dag")));
    kit.at(eight(date(2027, 1, 20))).await;
    let after = digest(&kit, date(2027, 1, 20));
    assert!(
        after.contains(&format!("«{list}», forfalt 19.01.2027")),
        "{after}"
    );
    kit.stop().await;
}
