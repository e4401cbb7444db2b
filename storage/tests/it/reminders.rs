//! The reminder queue: reconciling, claiming under contention, crashed claimers, retries.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use flow::{Applied, Case, PlannedReminder, ReminderKind, StepId, Target};
use storage::{Db, ReminderState, StorageError};

use crate::common::*;

fn planned(case: &Case, key: &str, due: DateTime<Utc>) -> PlannedReminder {
    PlannedReminder {
        key: key.to_owned(),
        case: case.id,
        step: Some(StepId::new("behov")),
        kind: ReminderKind::Stalled,
        target: Target::Responsible,
        due,
    }
}

/// A case whose reminders are exactly `keys`, all due at `due`.
async fn case_with(db: &Db, keys: &[String], due: DateTime<Utc>) -> Case {
    let p = process();
    storage::create_case(
        db,
        GUILD,
        |id| flow::start(&p, id, draft(), owner(), base()),
        |c| keys.iter().map(|k| planned(c, k, due)).collect(),
    )
    .await
    .unwrap()
}

/// Saves a no-op change of the case that wants `keys` now (the engine's result is reused
/// with the next version).
async fn want(db: &Db, case: &mut Case, keys: &[&str], due: DateTime<Utc>) {
    let mut next = case.clone();
    next.version += 1;
    let wanted: Vec<_> = keys.iter().map(|k| planned(case, k, due)).collect();
    let applied = Applied {
        case: next.clone(),
        events: vec![],
    };
    storage::save_applied(db, GUILD, case.version, &applied, &wanted)
        .await
        .unwrap();
    *case = next;
}

async fn states(db: &Db, case: &Case) -> Vec<(String, ReminderState)> {
    let mut all = storage::reminders_for_case(db, GUILD, case.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.key, r.state))
        .collect::<Vec<_>>();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

contract! {
async fn reconciling_cancels_the_unwanted_and_never_queues_a_key_twice(db: Db) {
    let due = base();
    let mut case = case_with(&db, &["a".into(), "b".into(), "c".into()], due).await;
    // `a` goes out.
    let claimed = storage::claim_due(&db, due, 1, "w").await.unwrap();
    assert_eq!(claimed[0].key, "a");
    assert_eq!(claimed[0].attempts, 1);
    assert!(send(&db, &claimed[..1], due, false).await);
    // Now the case wants `a` (sent: stays sent), `b`, and `d`; `c` is cancelled.
    want(&db, &mut case, &["a", "b", "d"], due).await;
    use ReminderState::*;
    assert_eq!(
        states(&db, &case).await,
        vec![
            ("a".into(), Sent),
            ("b".into(), Pending),
            ("c".into(), Cancelled),
            ("d".into(), Pending)
        ]
    );
    // `c` wanted again (e.g. a reopened step): it never went out, so it is owed again.
    want(&db, &mut case, &["a", "b", "c", "d"], due).await;
    assert_eq!(
        states(&db, &case).await,
        vec![
            ("a".into(), Sent),
            ("b".into(), Pending),
            ("c".into(), Pending),
            ("d".into(), Pending)
        ]
    );
    let all = storage::claim_due(&db, due, 100, "w").await.unwrap();
    assert_eq!(
        all.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["b", "c", "d"]
    );

    // Reminders of another case are refused.
    let other = case_with(&db, &[], due).await;
    let mut next = case.clone();
    next.version += 1;
    let err = storage::save_applied(
        &db,
        GUILD,
        case.version,
        &Applied {
            case: next,
            events: vec![],
        },
        &[planned(&other, "x", due)],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)));

    // Cancelling a case's reminders leaves what was sent or claimed alone.
    let fresh = case_with(&db, &["e".into(), "f".into()], due + Duration::days(1)).await;
    assert_eq!(
        storage::cancel_reminders_for_case(&db, GUILD, fresh.id)
            .await
            .unwrap(),
        2
    );
    assert!(states(&db, &fresh)
        .await
        .iter()
        .all(|(_, s)| *s == Cancelled));
}
}

contract! {
multi_thread;
async fn concurrent_claimers_never_get_the_same_reminder(db: Db) {
    let keys: Vec<String> = (0..300).map(|i| format!("r{i:03}")).collect();
    let now = base();
    case_with(&db, &keys, now - Duration::minutes(1)).await;
    let workers = (0..4).map(|w| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = storage::claim_due(&db, now, 7, &format!("worker-{w}"))
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch.into_iter().map(|r| r.id));
            }
        })
    });
    let mut all = Vec::new();
    for w in workers.collect::<Vec<_>>() {
        all.extend(w.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 300, "every reminder claimed");
    assert_eq!(distinct.len(), 300, "none claimed twice");
}
}

contract! {
async fn a_crashed_claim_is_released_after_the_timeout_and_claimed_once(db: Db) {
    let due = base();
    let case = case_with(&db, &["only".into()], due).await;
    assert_eq!(storage::next_due_at(&db).await.unwrap(), Some(due));
    assert!(storage::claim_due(&db, due - Duration::seconds(1), 10, "a")
        .await
        .unwrap()
        .is_empty());

    let t0 = due + Duration::seconds(5);
    let first = storage::claim_due(&db, t0, 10, "a").await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].claimed_at, t0);
    // Claimer `a` dies here. Nobody else gets it while the claim is fresh.
    assert!(storage::claim_due(&db, t0 + Duration::seconds(1), 10, "b")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(storage::next_due_at(&db).await.unwrap(), None);
    assert_eq!(
        storage::release_stale_claims(&db, t0).await.unwrap(),
        0,
        "not older than t0"
    );
    // After the stale timeout it is released, and claimed exactly once more.
    assert_eq!(
        storage::release_stale_claims(&db, t0 + Duration::minutes(10))
            .await
            .unwrap(),
        1
    );
    let t1 = t0 + Duration::minutes(11);
    let second = storage::claim_due(&db, t1, 10, "b").await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, first[0].id);
    assert_eq!(second[0].attempts, 2);
    assert!(storage::claim_due(&db, t1, 10, "c")
        .await
        .unwrap()
        .is_empty());
    assert!(send(&db, &second[..1], t1, true).await);
    let stored = &storage::reminders_for_case(&db, GUILD, case.id)
        .await
        .unwrap()[0];
    assert_eq!(
        (stored.state, stored.sent_at, stored.late),
        (ReminderState::Sent, Some(t1), true)
    );
    // Sending it again changes nothing: it is no longer claimed.
    assert!(!send(&db, &second[..1], t1 + Duration::minutes(1), false).await);
    let again = &storage::reminders_for_case(&db, GUILD, case.id)
        .await
        .unwrap()[0];
    assert_eq!((again.sent_at, again.late), (Some(t1), true));
}
}

contract! {
async fn a_failed_send_is_retried_after_its_backoff_or_given_up(db: Db) {
    let due = base();
    let case = case_with(&db, &["x".into()], due).await;
    let claimed = storage::claim_due(&db, due, 1, "a")
        .await
        .unwrap()
        .remove(0);
    let retry_at = due + Duration::minutes(5);
    refused(
        &db,
        std::slice::from_ref(&claimed),
        "discord said 503",
        retry_at,
        due,
    )
    .await;
    assert_eq!(storage::next_due_at(&db).await.unwrap(), Some(retry_at));
    assert!(
        storage::claim_due(&db, retry_at - Duration::seconds(1), 1, "a")
            .await
            .unwrap()
            .is_empty()
    );
    let again = storage::claim_due(&db, retry_at, 1, "a")
        .await
        .unwrap()
        .remove(0);
    assert_eq!(again.attempts, 2);
    assert_eq!(
        again.due, due,
        "the reminder's own day is kept, to tell that it is late"
    );
    give_up(&db, std::slice::from_ref(&again), "channel gone", retry_at).await;
    let stored = &storage::reminders_for_case(&db, GUILD, case.id)
        .await
        .unwrap()[0];
    assert_eq!(stored.state, ReminderState::Failed);
    assert_eq!(stored.last_error.as_deref(), Some("channel gone"));
    assert!(
        storage::claim_due(&db, retry_at + Duration::days(1), 1, "a")
            .await
            .unwrap()
            .is_empty()
    );
}
}

contract! {
/// The plan a change writes with it: pending reminders no longer wanted are cancelled, new
/// keys queued, a pending key takes the wanted time, a cancelled key wanted again is pending
/// again (never a second row for a key); cancelling a case's reminders; a reminder of
/// another case refused with its change. (What happens to a sent key: the SQLite test above.)
async fn reconciling_plans_with_the_change_and_never_queues_a_key_twice(db: Db) {
    let due = base();
    let mut case = case_with(&db, &["a".into(), "b".into(), "c".into()], due).await;
    use ReminderState::*;
    want(&db, &mut case, &["a", "b", "d"], due).await;
    assert_eq!(
        states(&db, &case).await,
        vec![
            ("a".into(), Pending),
            ("b".into(), Pending),
            ("c".into(), Cancelled),
            ("d".into(), Pending)
        ]
    );
    let later = due + Duration::days(2);
    want(&db, &mut case, &["a", "b", "c", "d"], later).await;
    let stored = storage::reminders_for_case(&db, GUILD, case.id).await.unwrap();
    assert_eq!(stored.len(), 4, "one row per key");
    assert!(stored
        .iter()
        .all(|r| r.state == Pending && r.due == later && r.next_attempt_at == later));
    assert_eq!(storage::next_due_at(&db).await.unwrap(), Some(later));

    let other = case_with(&db, &[], due).await;
    let mut next = case.clone();
    next.version += 1;
    let err = storage::save_applied(
        &db,
        GUILD,
        case.version,
        &Applied {
            case: next,
            events: vec![],
        },
        &[planned(&other, "x", due)],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)));
    assert_eq!(
        storage::load_case(&db, GUILD, case.id).await.unwrap().unwrap().version,
        case.version
    );

    assert_eq!(
        storage::cancel_reminders_for_case(&db, GUILD, case.id)
            .await
            .unwrap(),
        4
    );
    assert!(states(&db, &case).await.iter().all(|(_, s)| *s == Cancelled));
    assert_eq!(storage::next_due_at(&db).await.unwrap(), None);
}
}

contract! {
/// A case's reminders planned again move to the new times without changing the case; a plan
/// made from a read the case has moved past is Stale.
async fn replanning_follows_new_settings_but_not_over_a_newer_case(db: Db) {
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    assert_eq!(
        storage::open_cases(&db, GUILD).await.unwrap(),
        vec![case.id]
    );
    assert!(storage::open_cases(&db, OTHER_GUILD)
        .await
        .unwrap()
        .is_empty());
    let slower = flow::ReminderSettings {
        stall_days: 10,
        ..Default::default()
    };
    let new_plan = flow::plan_reminders(&p, &case, &slower);
    storage::replan_reminders(&db, GUILD, &case, &new_plan)
        .await
        .unwrap();
    let mut pending: Vec<(String, DateTime<Utc>)> =
        storage::reminders_for_case(&db, GUILD, case.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.state == ReminderState::Pending)
            .map(|r| (r.key, r.next_attempt_at))
            .collect();
    let mut want: Vec<(String, DateTime<Utc>)> =
        new_plan.iter().map(|r| (r.key.clone(), r.due)).collect();
    pending.sort();
    want.sort();
    assert_eq!(pending, want, "same keys, later days");
    let old_plan = wanted(&p, &case);
    assert!(old_plan
        .iter()
        .zip(&new_plan)
        .any(|(a, b)| a.key == b.key && a.due < b.due));
    assert_eq!(
        storage::load_case(&db, GUILD, case.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );

    // Through the group commit, the old plan again: the same keys move back.
    let before = db.write_stats();
    db.replan_reminders(GUILD, case.clone(), old_plan.clone())
        .await
        .unwrap();
    assert_eq!(db.write_stats().changes - before.changes, 1);
    let mut back: Vec<(String, DateTime<Utc>)> = storage::reminders_for_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.state == ReminderState::Pending)
        .map(|r| (r.key, r.due))
        .collect();
    let mut old: Vec<(String, DateTime<Utc>)> =
        old_plan.iter().map(|r| (r.key.clone(), r.due)).collect();
    back.sort();
    old.sort();
    assert_eq!(back, old);

    // Once the case moved on, a plan made from the old read is refused, either way.
    step_case(&db, &p, GUILD, case.id).await.unwrap();
    let err = storage::replan_reminders(&db, GUILD, &case, &new_plan)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Stale { .. }), "{err:?}");
    let err = db
        .replan_reminders(GUILD, case.clone(), new_plan.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Stale { .. }), "{err:?}");
}
}

contract! {
/// The sender's batch read: each case with its thread, gone ones and other servers' left out.
async fn a_batch_of_cases_is_read_with_its_threads_and_gone_ones_left_out(db: Db) {
    let p = process();
    let a = open_case(&db, &p, GUILD).await;
    let b = open_case(&db, &p, GUILD).await;
    let card = storage::CaseCard {
        channel: 7,
        thread: Some(70),
        message: 700,
    };
    storage::set_card(&db, GUILD, a.id, card).await.unwrap();
    let asked = [a.id, b.id, flow::CaseId(b.id.0 + 100)];
    let read = storage::cases_for_sending(&db, GUILD, &asked)
        .await
        .unwrap();
    let got: Vec<_> = read.iter().map(|c| (c.case.id, c.thread)).collect();
    assert_eq!(got, vec![(a.id, Some(70)), (b.id, None)]);
    assert_eq!(
        read[0].case,
        storage::load_case(&db, GUILD, a.id).await.unwrap().unwrap()
    );
    // Another server's cases are not this one's.
    let other = storage::cases_for_sending(&db, GUILD + 1, &asked)
        .await
        .unwrap();
    assert!(other.is_empty());
}
}

contract! {
/// A batch of outbox rows is written in one transaction: a bad nonce refuses the lot; a row
/// is opened only under the epoch its reminders are claimed under; a nonce already open under
/// that epoch is left as it was.
async fn a_batch_of_outbox_rows_is_written_whole_or_not_at_all(db: Db) {
    let now = base();
    let keys: Vec<String> = ["a", "b", "c"].iter().map(|k| k.to_string()).collect();
    case_with(&db, &keys, now).await;
    let claimed = storage::claim_due(&db, now, 10, "w").await.unwrap();
    let ids: Vec<i64> = claimed.iter().map(|r| r.id).collect();
    let epoch = claimed[0].epoch;
    let row = |nonce: &str, reminders: Vec<i64>| storage::Outgoing {
        nonce: nonce.into(),
        guild: GUILD,
        destination: storage::Destination::User(storage::UserId(5)),
        reminders,
        attempts: 0,
        last_error: None,
        next_attempt_at: now,
        epoch,
    };
    let bad = [row("r1", vec![ids[0]]), row(&"x".repeat(26), vec![ids[1]])];
    assert!(matches!(
        storage::open_outgoing_many(&db, &bad, now).await,
        Err(StorageError::Invalid(_))
    ));
    assert!(storage::outgoing_due(&db, None).await.unwrap().is_empty());
    let good = [row("r1", vec![ids[0], ids[1]]), row("r2", vec![ids[2]])];
    assert!(storage::open_outgoing_many(&db, &good, now)
        .await
        .unwrap()
        .is_empty());
    // Opening the same nonce again leaves the first as it was.
    assert!(storage::open_outgoing_many(&db, &[row("r1", vec![ids[0]])], now)
        .await
        .unwrap()
        .is_empty());
    let open = storage::outgoing_due(&db, Some(now)).await.unwrap();
    assert_eq!(open, good.to_vec());
    // A row for reminders not claimed under its epoch is not opened.
    let mut stale = row("r3", vec![ids[2]]);
    stale.epoch = epoch - 1;
    assert_eq!(
        storage::open_outgoing_many(&db, &[stale], now).await.unwrap(),
        vec!["r3".to_string()]
    );
    assert_eq!(storage::outgoing_due(&db, None).await.unwrap().len(), 2);
}
}

contract! {
/// A reminder in year 10000 is refused with its whole change; the latest time that sorts is
/// taken.
async fn a_reminder_planned_in_year_10000_is_refused_and_nothing_is_stored(db: Db) {
    // 31.12.9999 plus a reminder's offset: year 10000, whose text sorts before every real date.
    let far = chrono::TimeZone::with_ymd_and_hms(&Utc, 9999, 12, 31, 8, 0, 0).unwrap()
        + Duration::days(2);
    let p = process();
    let err = storage::create_case(
        &db,
        GUILD,
        |id| flow::start(&p, id, draft(), owner(), base()),
        |c| vec![planned(c, "far", far)],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(storage::open_cases(&db, GUILD).await.unwrap().is_empty());

    let mut case = case_with(&db, &["a".into()], base()).await;
    let mut next = case.clone();
    next.version += 1;
    let applied = Applied {
        case: next,
        events: vec![],
    };
    let err = storage::save_applied(
        &db,
        GUILD,
        case.version,
        &applied,
        &[planned(&case, "far", far)],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert_eq!(
        storage::load_case(&db, GUILD, case.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        case.version,
        "the change was not stored"
    );
    assert_eq!(
        states(&db, &case).await,
        vec![("a".into(), ReminderState::Pending)]
    );
    // The latest time that sorts is still taken.
    let last = chrono::TimeZone::with_ymd_and_hms(&Utc, 9999, 12, 31, 23, 0, 0).unwrap();
    want(&db, &mut case, &["last"], last).await;
    assert_eq!(storage::next_due_at(&db).await.unwrap(), Some(last));
}
}

/// Writes a reminder row as an older version could have, bypassing today's checks.
async fn raw_reminder(db: &Db, case: &Case, key: &str, kind: &str, due: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO reminders (key, guild_id, case_id, step, kind, target, due_at,
                                next_attempt_at, nonce, created_at)
         VALUES (?1, ?2, ?3, 'behov', ?4, 'responsible', ?5, ?5, ?1, ?5) RETURNING id",
    )
    .bind(key)
    .bind(GUILD as i64)
    .bind(case.id.0)
    .bind(kind)
    .bind(due)
    .fetch_one(db.sqlite_pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_claimed_row_that_does_not_parse_is_given_up_alone_and_the_good_ones_go_out() {
    let (_dir, db) = temp_db().await;
    let due = base();
    let case = case_with(&db, &["good1".into(), "good2".into()], due).await;
    // Year 10000 as an older version wrote it: `+10000-…` sorts before every real date, so
    // it is claimed first, every time.
    let far = raw_reminder(
        &db,
        &case,
        "far",
        "stalled",
        "+10000-01-02T08:00:00.000000000Z",
    )
    .await;
    let odd = raw_reminder(
        &db,
        &case,
        "odd",
        "no-such-kind",
        "2026-01-05T08:00:00.000000000Z",
    )
    .await;

    let claimed = storage::claim_due(&db, due, 10, "a").await.unwrap();
    assert_eq!(
        claimed.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["good1", "good2"]
    );
    let stored = storage::reminders_for_case(&db, GUILD, case.id).await;
    assert!(stored.is_err(), "the bad rows are still there, as rows");
    let bad: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, state, last_error FROM reminders WHERE id IN (?, ?) ORDER BY id",
    )
    .bind(far)
    .bind(odd)
    .fetch_all(db.sqlite_pool())
    .await
    .unwrap();
    assert_eq!(bad.len(), 2);
    for (id, state, why) in &bad {
        assert_eq!(
            state, "failed",
            "reminder {id} is given up, not left claimed"
        );
        assert!(
            why.as_deref().is_some_and(|w| w.contains("parse")),
            "{why:?}"
        );
    }
    assert!(bad[0].2.as_deref().unwrap().contains("+10000"));
    // Not claimed again, and nothing is left claimed that is not on its way.
    assert!(storage::claim_due(&db, due + Duration::days(1), 10, "a")
        .await
        .unwrap()
        .is_empty());
    assert!(send(&db, &claimed, due, false).await);
    let claimed_left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reminders WHERE state = 'claimed'")
            .fetch_one(db.sqlite_pool())
            .await
            .unwrap();
    assert_eq!(claimed_left, 0);

    // The same on the outbox's re-claim after a restart.
    let late = raw_reminder(
        &db,
        &case,
        "late",
        "no-such-kind",
        "2026-01-06T08:00:00.000000000Z",
    )
    .await;
    let good = case_with(&db, &["good3".into()], due).await;
    let good3 = storage::claim_due(&db, due, 10, "a").await.unwrap();
    assert_eq!(good3.len(), 1);
    assert_eq!(good3[0].case, good.id);
    // As an older version left it: the bad row claimed under the good one's epoch, both in
    // one open row whose sender died; the row is taken over without the bad one.
    sqlx::query(
        "UPDATE reminders SET state = 'claimed', claimed_at = ?1, claim_epoch = ?2 WHERE id = ?3",
    )
    .bind("2026-01-05T09:00:00.000000000Z")
    .bind(good3[0].epoch)
    .bind(late)
    .execute(db.sqlite_pool())
    .await
    .unwrap();
    let mut row = open_row(&db, &good3, due).await;
    row.reminders.push(late);
    sqlx::query("UPDATE reminder_outbox SET reminder_ids = ?1 WHERE nonce = ?2")
        .bind(format!("[\"{}\",\"{late}\"]", good3[0].id))
        .bind(&row.nonce)
        .execute(db.sqlite_pool())
        .await
        .unwrap();
    let taken = storage::claim_outgoing(&db, due + storage::CLAIM_LEASE, 10, "b")
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].0.nonce, row.nonce);
    assert_eq!(
        taken[0].1.iter().map(|r| r.id).collect::<Vec<_>>(),
        [good3[0].id]
    );
    let state: String = sqlx::query_scalar("SELECT state FROM reminders WHERE id = ?")
        .bind(late)
        .fetch_one(db.sqlite_pool())
        .await
        .unwrap();
    assert_eq!(state, "failed");
}

contract! {
async fn a_claim_no_outbox_row_holds_is_taken_back_once_its_lease_runs_out(db: Db) {
    let t0 = base();
    let case = case_with(&db, &["a".into(), "b".into(), "c".into()], t0).await;
    let claimed = storage::claim_due(&db, t0, 10, "died").await.unwrap();
    assert_eq!(claimed.len(), 3);
    // One of them made it into the outbox before its sender failed.
    open_row(&db, &claimed[..1], t0).await;

    let lease = storage::CLAIM_LEASE;
    assert_eq!(
        storage::release_expired_claims(&db, t0 + lease - Duration::seconds(1), "died")
            .await
            .unwrap(),
        0,
        "a claim within its lease is its sender's"
    );
    let t1 = t0 + lease + Duration::seconds(1);
    // Taken back by whoever looks, its own (stalled) sender too.
    assert_eq!(storage::release_expired_claims(&db, t1, "died").await.unwrap(), 2);
    let again = storage::claim_due(&db, t1, 10, "next").await.unwrap();
    assert_eq!(
        again.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["b", "c"]
    );
    assert!(again.iter().all(|r| r.attempts == 2 && r.claimed_at == t1));
    assert_eq!(again[0].id, claimed[1].id, "the same reminder");
    // The one in the open row is the outbox's: still claimed, never released by the lease.
    assert_eq!(
        storage::release_expired_claims(&db, t1 + lease * 10, "sender")
            .await
            .unwrap(),
        2,
        "only the two claimed again and left"
    );
    let held = storage::reminders_for_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == claimed[0].id)
        .unwrap();
    assert_eq!(held.state, ReminderState::Claimed);
}
}

#[tokio::test]
async fn a_case_that_does_not_parse_is_left_out_of_a_batch_and_the_others_are_read() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let a = open_case(&db, &p, GUILD).await;
    let broken = open_case(&db, &p, GUILD).await;
    let c = open_case(&db, &p, GUILD).await;
    sqlx::query("UPDATE cases SET marks = '[1]' WHERE id = ?")
        .bind(broken.id.0)
        .execute(db.sqlite_pool())
        .await
        .unwrap();
    assert!(matches!(
        storage::load_case(&db, GUILD, broken.id).await,
        Err(StorageError::Corrupt(_))
    ));
    let read = storage::cases_for_sending(&db, GUILD, &[a.id, broken.id, c.id])
        .await
        .unwrap();
    assert_eq!(
        read.iter().map(|x| x.case.id).collect::<Vec<_>>(),
        [a.id, c.id]
    );
}

contract! {
/// A reminder is found by id (its server, case and key); snoozing it queues one copy per day it
/// moves to (a second press that day, or a snooze of the copy to that day, changes nothing);
/// HR's digest is recorded once per server and day; the outbox says when it next has
/// something to take (its next attempt, or its holder's lease if later).
async fn snooze_reminder_ref_digest_days_and_the_outboxs_next_time(db: Db) {
    let due = base();
    let case = case_with(&db, &["k".into()], due).await;
    let id = storage::reminders_for_case(&db, GUILD, case.id).await.unwrap()[0].id;
    assert_eq!(
        storage::reminder_ref(&db, id).await.unwrap(),
        Some((GUILD, case.id, "k".to_string()))
    );
    assert_eq!(storage::reminder_ref(&db, id + 1000).await.unwrap(), None);

    let tomorrow = due + Duration::days(1);
    assert!(storage::snooze(&db, id, tomorrow, due).await.unwrap());
    assert!(!storage::snooze(&db, id, tomorrow + Duration::hours(1), due)
        .await
        .unwrap());
    let copy_key = storage::snooze_key("k", tomorrow.date_naive());
    let stored = storage::reminders_for_case(&db, GUILD, case.id).await.unwrap();
    let copy = stored.iter().find(|r| r.key == copy_key).expect("the copy");
    assert_eq!((copy.due, copy.state), (tomorrow, ReminderState::Pending));
    assert!(!storage::snooze(&db, copy.id, tomorrow, due).await.unwrap());
    assert!(matches!(
        storage::snooze(&db, id + 1000, tomorrow, due).await,
        Err(StorageError::NotFound)
    ));

    let day = due.date_naive();
    assert!(!storage::digest_done(&db, GUILD, day).await.unwrap());
    assert!(storage::record_digest(&db, GUILD, day, 3, due).await.unwrap());
    assert!(!storage::record_digest(&db, GUILD, day, 3, due).await.unwrap());
    assert!(storage::digest_done(&db, GUILD, day).await.unwrap());
    assert!(!storage::digest_done(&db, OTHER_GUILD, day).await.unwrap());
    assert!(!storage::digest_done(&db, GUILD, tomorrow.date_naive()).await.unwrap());

    assert_eq!(storage::next_outgoing_at(&db).await.unwrap(), None);
    let claimed = storage::claim_due(&db, due, 1, "w").await.unwrap();
    let row = open_row(&db, &claimed, due).await;
    assert_eq!(
        storage::next_outgoing_at(&db).await.unwrap(),
        Some(due + storage::CLAIM_LEASE),
        "held: nobody else takes it before its lease runs out"
    );
    let retry = due + Duration::minutes(1);
    assert!(storage::retry_outgoing(&db, &row, "503", retry).await.unwrap());
    assert_eq!(storage::next_outgoing_at(&db).await.unwrap(), Some(retry));
}
}
