//! The end of a journey's data: HR's "deleted in a week" notice counts from the same moment as
//! the purge (the journey's close, not the case's end).

use chrono::{Duration, NaiveTime};
use los_e2e::*;

use super::common::*;

/// Monday 1 March 2027: probation ends on 31 August.
fn start() -> chrono::NaiveDate {
    date(2027, 3, 1)
}

/// The case closed by its manager today, its journey still running.
async fn close_case(kit: &Kit, case: flow::CaseId) {
    let id = case.0.to_string();
    let answer = kit
        .slash(
            LEDER,
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "Stillingen er besatt")],
        )
        .await;
    assert!(answer.ephemeral(), "{}", answer.text());
    assert!(matches!(
        kit.case_by_id(case).await.status,
        flow::CaseStatus::Closed { .. }
    ));
}

/// The manager records the probation decision in the thread; the thread is archived.
async fn decide(kit: &Kit, thread: u64, list: u64) {
    kit.press_in(LEDER, thread, "Ansettelsen fortsetter", list)
        .await;
    let path = format!("/channels/{thread}");
    kit.request_where(|r| {
        r.method == "PATCH"
            && r.path.ends_with(&path)
            && r.body.as_ref().is_some_and(|b| b["archived"] == true)
    })
    .await;
    assert!(kit.is_archived(thread));
}

fn notice_at(d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    flow::oslo_instant(d, NaiveTime::from_hms_opt(8, 0, 0).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hrs_deletion_notice_waits_for_the_journey_and_counts_from_its_close() {
    let (kit, case) = case_at_start(start()).await;
    name_new_hire(&kit, LEDER, case, Some(FRIDA)).await;
    let thread = journey_threads(&kit)[0].id;
    let list = id_of(&checklist(&kit, thread).await);
    // Ended on Monday 4 January 2027, while the journey has yet to begin.
    close_case(&kit, case).await;
    let notice = format!("personopplysningene i sak #{}", case.0);

    // Decided on Friday 20 August 2027 (the journey ran on after the case ended).
    kit.at(notice_at(date(2027, 8, 20))).await;
    decide(&kit, thread, list).await;

    // Counted from the case's end, the notice would come on 28 December 2027, a week before
    // a purge that does not come then (it counts from the decision). Nor does the notice.
    kit.at(notice_at(date(2027, 12, 28)) + Duration::hours(1))
        .await;
    assert_eq!(
        kit.count_in(HR_CHANNEL, &notice),
        0,
        "not from the case's end"
    );
    kit.at(notice_at(date(2028, 1, 5))).await;
    assert_eq!(kit.case_by_id(case).await.owner.id.0, LEDER, "kept");
    assert_eq!(kit.count_in(HR_CHANNEL, &notice), 0);

    // The purge counts from the decision: 20 August 2028. The notice a week before, once.
    let week_before = notice_at(date(2028, 8, 13));
    kit.at(week_before - Duration::minutes(1)).await;
    assert_eq!(kit.count_in(HR_CHANNEL, &notice), 0);
    kit.at(week_before).await;
    assert_eq!(
        kit.count_in(HR_CHANNEL, &notice),
        1,
        "a week before the purge"
    );
    assert_eq!(
        kit.count_in(HR_CHANNEL, &format!("{notice} Rådgiver slettes 20.08.2028")),
        1,
        "naming the day of the real purge"
    );
    // Still there the day before, gone the day of.
    kit.at(notice_at(date(2028, 8, 19))).await;
    assert_eq!(
        kit.case_by_id(case).await.owner.id.0,
        LEDER,
        "not purged yet"
    );
    kit.at(notice_at(date(2028, 8, 20))).await;
    assert_eq!(kit.case_by_id(case).await.owner.id.0, 0, "purged");
    assert_eq!(kit.count_in(HR_CHANNEL, &notice), 1);
    kit.stop().await;
}
