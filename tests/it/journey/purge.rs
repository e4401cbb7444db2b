//! The end of a journey's data: HR's "deleted in a week" notice counts from the same moment as
//! the purge (the journey's close, not the case's end), and after the purge the journey's
//! private thread names nobody, even when Discord refused the edit for a while (done on a
//! later pass, after a restart).

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_purge_the_journey_thread_names_nobody_even_after_refused_edits() {
    let (mut kit, case) = case_at_start(start()).await;
    name_new_hire(&kit, LEDER, case, Some(FRIDA)).await;
    let thread = journey_threads(&kit)[0].id;
    let list = id_of(&checklist(&kit, thread).await);
    kit.press_in(NORA, thread, "✓ Hent adgangskortet", list)
        .await;
    kit.press_in(FRIDA, thread, "✓ Omvisning og lunsj med fadderen", list)
        .await;
    kit.press_in(LEDER, thread, "✓ Velkomstsamtale med lederen", list)
        .await;
    close_case(&kit, case).await;
    decide(&kit, thread, list).await;

    let people = [
        format!("<@{NORA}>"),
        format!("<@{FRIDA}>"),
        format!("<@{LEDER}>"),
        "Nora Ny".to_string(),
        "Frida Fadder".to_string(),
        "Lise Leder".to_string(),
    ];
    let all_text = |kit: &Kit| -> String {
        kit.messages(thread)
            .iter()
            .map(text)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let before = all_text(&kit);
    for p in &people {
        assert!(
            before.contains(p.as_str()),
            "{p} was there before: {before}"
        );
    }
    let ids = |kit: &Kit| -> Vec<u64> { kit.messages(thread).iter().map(id_of).collect() };
    let ids_before = ids(&kit);

    // A year and more after the decision the case is purged, while Discord refuses every
    // request about the journey's thread (403 Missing Permissions). The case thread is
    // emptied; the journey's waits, tried again on the next pass.
    kit.discord().forbid_channel(thread, 50013);
    kit.advance(Duration::days(400));
    kit.kick().await;
    assert_eq!(kit.case_by_id(case).await.owner.id.0, 0, "purged");
    kit.kick().await;
    let refused = kit
        .requests_on("PATCH /channels/{channel_id}/messages/{message_id}")
        .iter()
        .filter(|r| r.status == 403 && r.path.contains(&format!("/channels/{thread}/")))
        .count();
    assert!(refused >= 2, "refused, and tried again: {refused}");
    assert!(
        all_text(&kit).contains(&format!("<@{NORA}>")),
        "not edited yet"
    );

    // Not given up: once Discord takes it, after a restart, the next pass does it.
    kit.discord().allow_channel(thread);
    kit.restart().await;
    kit.kick().await;
    let after = all_text(&kit);
    for p in &people {
        assert!(
            !after.contains(p.as_str()),
            "{p} is still in Discord: {after}"
        );
    }
    assert!(after.contains("slettet"), "{after}");
    assert_eq!(ids(&kit), ids_before, "the same messages, emptied");
    assert!(
        kit.is_archived(thread),
        "the thread was archived again after the edit"
    );
    kit.stop().await;
}
