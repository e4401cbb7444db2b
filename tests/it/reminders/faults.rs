//! The database failing under the reminder loop: a claim that never reached the outbox, and a
//! row that does not parse, hold nothing up and wait for no restart.

use chrono::Duration;
use los_e2e::*;
use storage::faults::{self, Failure};
use storage::ReminderState;

const ONBOARDING: [&str; 3] = ["bestiller_utstyr", "bestiller_velkomstpakke", "tar_imot"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_whose_outbox_row_failed_goes_out_once_its_lease_runs_out_without_a_restart() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    // The outbox refuses its next rows: the reminders are claimed, their message never written.
    let fault = faults::fail_statements(kit.db(), "INSERT", "reminder_outbox", Failure::Abort)
        .await
        .unwrap();
    let due = eight(date(2027, 3, 1)) + Duration::hours(1);
    // (The pass that meets the fault may be one the loop began by itself once the clock
    // moved, before the one asked for here: what it leaves behind is what counts.)
    kit.at(due).await;
    assert!(kit
        .reminders_of(case)
        .await
        .iter()
        .any(|r| r.state == ReminderState::Claimed));
    fault.clear().await.unwrap();

    // A pass within the lease leaves the claims to their sender, who might still be at work.
    kit.at(due + storage::CLAIM_LEASE - Duration::seconds(1))
        .await;
    assert_eq!(kit.count_in_dms(LEDER, &kit.manager_line("tar_imot")), 0);
    // The next pass after it takes them back and sends them, once each.
    let sent = kit
        .at(due + storage::CLAIM_LEASE + Duration::minutes(1))
        .await;
    assert_eq!(sent.error, None);
    let dms = kit.dms(LEDER);
    for step in ONBOARDING {
        assert_eq!(count(&dms, &kit.manager_line(step)), 1, "{step}");
    }
    assert!(kit
        .reminders_of(case)
        .await
        .iter()
        .all(|r| r.state != ReminderState::Claimed));
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_row_that_does_not_parse_holds_up_none_of_the_others() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    // What an older version stored for a søknadsfrist of 31.12.9999: a reminder in year 10000,
    // whose text sorts before every real date.
    sqlx::query(
        "INSERT INTO reminders (key, guild_id, case_id, step, kind, target, due_at,
                                next_attempt_at, nonce, created_at)
         VALUES ('far', ?1, ?2, 'tar_imot', 'onboarding', 'responsible', ?3, ?3, 'far', ?3)",
    )
    .bind(kit.guild() as i64)
    .bind(case.0)
    .bind("+10000-01-02T08:00:00.000000000Z")
    .execute(kit.db().sqlite_pool())
    .await
    .unwrap();

    let out = kit.at(eight(date(2027, 3, 1)) + Duration::hours(1)).await;
    assert_eq!(out.error, None);
    let dms = kit.dms(LEDER);
    for step in ONBOARDING {
        assert_eq!(count(&dms, &kit.manager_line(step)), 1, "{step}");
    }
    let (state, why): (String, Option<String>) =
        sqlx::query_as("SELECT state, last_error FROM reminders WHERE key = 'far'")
            .fetch_one(kit.db().sqlite_pool())
            .await
            .unwrap();
    assert_eq!(state, "failed");
    assert!(why.is_some_and(|w| w.contains("+10000")));
    kit.stop().await;
}
