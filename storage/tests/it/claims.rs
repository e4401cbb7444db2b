//! Claims across processes (issue 14): every claim and every outbox row taken carries an epoch
//! (a fencing token); a sender whose claim or row was taken over can no longer open, mark or
//! close it; a row whose sender died is taken over after its lease with the same nonce and
//! reminders; two processes claiming at once never get the same reminder or row.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use flow::{Case, PlannedReminder, ReminderKind, StepId, Target};
use storage::{ClaimedReminder, Db, OutboxEnd, ReminderState, CLAIM_LEASE};
use tokio::sync::Barrier;

use crate::common::*;

/// A case whose reminders are `n` keys `<prefix><i>`, all due at `due`.
async fn case_due(db: &Db, prefix: &str, n: usize, due: DateTime<Utc>) -> Case {
    let p = process();
    storage::create_case(
        db,
        GUILD,
        |id| flow::start(&p, id, draft(), owner(), base()),
        |c| {
            (0..n)
                .map(|i| PlannedReminder {
                    key: format!("{prefix}{i:03}"),
                    case: c.id,
                    step: Some(StepId::new("behov")),
                    kind: ReminderKind::Stalled,
                    target: Target::Responsible,
                    due,
                })
                .collect()
        },
    )
    .await
    .unwrap()
}

async fn states(db: &Db, case: &Case) -> Vec<ReminderState> {
    storage::reminders_for_case(db, GUILD, case.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.state)
        .collect()
}

contract! {
/// A sender whose outbox row was taken over after its lease (it stalled, or died) can no
/// longer close, retry, requeue or reopen it: each is refused and changes nothing. The one
/// that took it over got the same row, nonce and reminders under a new epoch, and settles it.
async fn a_stale_senders_marks_are_refused_once_its_row_is_taken_over(db: Db) {
    let t0 = base();
    let case = case_due(&db, "s", 2, t0).await;
    let a = storage::claim_due(&db, t0, 10, "process-a").await.unwrap();
    assert_eq!(a.len(), 2);
    let row = open_row(&db, &a, t0).await;
    // Within the lease the row is its sender's.
    assert!(storage::claim_outgoing(&db, t0 + CLAIM_LEASE - Duration::seconds(1), 10, "process-b")
        .await
        .unwrap()
        .is_empty());
    // Process a stalls past its lease; b takes the row over.
    let t1 = t0 + CLAIM_LEASE;
    let taken = storage::claim_outgoing(&db, t1, 10, "process-b").await.unwrap();
    assert_eq!(taken.len(), 1);
    let (b_row, b_members) = &taken[0];
    assert_eq!(b_row.nonce, row.nonce, "the same message, with the same nonce");
    assert_eq!(b_row.reminders, row.reminders);
    assert_ne!(b_row.epoch, row.epoch);
    assert_eq!(
        b_members.iter().map(|r| r.id).collect::<Vec<_>>(),
        row.reminders
    );
    assert!(b_members.iter().all(|r| r.epoch == b_row.epoch && r.claimed_at == t1));
    assert_eq!(storage::outgoing_due(&db, None).await.unwrap().len(), 1, "one row, not two");
    // Nobody else takes it while b holds it.
    assert!(storage::claim_outgoing(&db, t1, 10, "process-c").await.unwrap().is_empty());

    // Process a wakes up: every mark it tries is refused.
    let ids = row.reminders.clone();
    assert!(!storage::close_outgoing(&db, &row, OutboxEnd::Sent, &ids, &[], &[], t1)
        .await
        .unwrap());
    assert!(!storage::close_outgoing(&db, &row, OutboxEnd::Failed, &ids, &[], &[], t1)
        .await
        .unwrap());
    assert!(!storage::retry_outgoing(&db, &row, "503", t1).await.unwrap());
    assert!(!storage::requeue_outgoing(&db, &row, &ids, &[], "403", t1, t1)
        .await
        .unwrap());
    assert_eq!(
        storage::open_outgoing_many(&db, std::slice::from_ref(&row), t1)
            .await
            .unwrap(),
        vec![row.nonce.clone()]
    );
    assert_eq!(states(&db, &case).await, vec![ReminderState::Claimed; 2]);
    let open = storage::outgoing_due(&db, None).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].attempts, open[0].epoch), (0, b_row.epoch), "a's retry left no mark");

    // b settles it.
    assert!(storage::close_outgoing(&db, b_row, OutboxEnd::Sent, &ids, &[], &[], t1)
        .await
        .unwrap());
    assert_eq!(states(&db, &case).await, vec![ReminderState::Sent; 2]);
    assert!(storage::outgoing_due(&db, None).await.unwrap().is_empty());
    // Closing twice is refused too.
    assert!(!storage::close_outgoing(&db, b_row, OutboxEnd::Sent, &ids, &[], &[], t1)
        .await
        .unwrap());
}
}

contract! {
/// A claim taken back after its lease (its sender stalled before writing the outbox) and
/// claimed by another sender cannot be put in a message by the first: its row is refused and
/// the reminder goes out once, in the second sender's message.
async fn a_claim_taken_back_cannot_be_sent_by_its_old_claimer(db: Db) {
    let t0 = base();
    let case = case_due(&db, "c", 1, t0).await;
    let a = storage::claim_due(&db, t0, 10, "process-a").await.unwrap();
    let t1 = t0 + CLAIM_LEASE + Duration::seconds(1);
    assert_eq!(storage::release_expired_claims(&db, t1, "process-b").await.unwrap(), 1);
    let b = storage::claim_due(&db, t1, 10, "process-b").await.unwrap();
    assert_eq!((b[0].id, b[0].attempts), (a[0].id, 2));
    assert_ne!(b[0].epoch, a[0].epoch);
    assert!(try_open_row(&db, &a, t1).await.is_none(), "a's claim is gone");
    assert!(!send(&db, &a, t1, false).await);
    assert_eq!(states(&db, &case).await, vec![ReminderState::Claimed]);
    assert!(send(&db, &b, t1, false).await);
    let stored = storage::reminders_for_case(&db, GUILD, case.id).await.unwrap();
    assert_eq!((stored[0].state, stored[0].sent_at), (ReminderState::Sent, Some(t1)));
}
}

contract! {
/// A retried message is held by nobody from its next attempt on: any sender takes it then
/// (the same nonce, a new epoch); the one that retried it cannot settle it any more.
async fn a_retried_message_is_taken_by_whoever_comes_at_its_next_attempt(db: Db) {
    let t0 = base();
    let case = case_due(&db, "r", 1, t0).await;
    let a = storage::claim_due(&db, t0, 10, "process-a").await.unwrap();
    let row = open_row(&db, &a, t0).await;
    let next = t0 + Duration::minutes(1);
    assert!(storage::retry_outgoing(&db, &row, "503", next).await.unwrap());
    assert_eq!(storage::next_outgoing_at(&db).await.unwrap(), Some(next));
    assert!(storage::claim_outgoing(&db, next - Duration::seconds(1), 10, "process-b")
        .await
        .unwrap()
        .is_empty());
    let taken = storage::claim_outgoing(&db, next, 10, "process-b").await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!((taken[0].0.nonce.as_str(), taken[0].0.attempts), (row.nonce.as_str(), 1));
    assert!(!storage::close_outgoing(&db, &row, OutboxEnd::Sent, &row.reminders, &[], &[], next)
        .await
        .unwrap());
    assert!(storage::close_outgoing(
        &db,
        &taken[0].0,
        OutboxEnd::Sent,
        &row.reminders,
        &[],
        &[],
        next
    )
    .await
    .unwrap());
    assert_eq!(states(&db, &case).await, vec![ReminderState::Sent]);
}
}

/// On SQLite the process is the only sender on its file: on start, what a dead process held
/// is freed at once (bare claims back in the queue, open rows held by nobody), not after the
/// lease. SQLite's alone: on PostgreSQL other live processes may hold them, and a dead one's
/// are taken over after the lease (`a_stale_senders_marks_are_refused_once_its_row_is_taken_over`).
#[tokio::test]
async fn a_restart_on_sqlite_frees_at_once_what_the_dead_process_held() {
    let (_dir, db) = temp_db().await;
    let t0 = base();
    let case = case_due(&db, "x", 2, t0).await;
    let dead = storage::claim_due(&db, t0, 1, "dead").await.unwrap();
    let row = open_row(&db, &dead, t0).await;
    let bare = storage::claim_due(&db, t0, 1, "dead").await.unwrap();
    assert_eq!(bare.len(), 1);
    let resumed = storage::resume_after_restart(&db).await.unwrap();
    assert_eq!((resumed.released, resumed.freed_rows), (1, 1));
    let taken = storage::claim_outgoing(&db, t0, 10, "new").await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].0.nonce, row.nonce);
    let again = storage::claim_due(&db, t0, 10, "new").await.unwrap();
    assert_eq!(again.iter().map(|r| r.id).collect::<Vec<_>>(), [bare[0].id]);
    assert!(
        !storage::close_outgoing(&db, &row, OutboxEnd::Sent, &row.reminders, &[], &[], t0)
            .await
            .unwrap()
    );
    assert!(storage::close_outgoing(
        &db,
        &taken[0].0,
        OutboxEnd::Sent,
        &row.reminders,
        &[],
        &[],
        t0
    )
    .await
    .unwrap());
    assert!(send(&db, &again, t0, false).await);
    assert_eq!(states(&db, &case).await, vec![ReminderState::Sent; 2]);
}

/// Claims three at a time until nothing is due, opening a row for each batch.
async fn claim_all(
    db: Db,
    barrier: Arc<Barrier>,
    now: DateTime<Utc>,
    who: String,
) -> Vec<ClaimedReminder> {
    barrier.wait().await;
    let mut got = Vec::new();
    loop {
        let batch = storage::claim_due(&db, now, 3, &who).await.unwrap();
        if batch.is_empty() {
            return got;
        }
        open_row(&db, &batch, now).await;
        got.extend(batch);
    }
}

/// Takes two rows at a time until none is left to take.
async fn take_all(
    db: Db,
    barrier: Arc<Barrier>,
    now: DateTime<Utc>,
    who: String,
) -> Vec<storage::Outgoing> {
    barrier.wait().await;
    let mut got = Vec::new();
    // A new owner name each time: a sender takes its own rows back at once (from an earlier
    // pass), and this is to show what two different senders get.
    for n in 0.. {
        let taken = storage::claim_outgoing(&db, now, 2, &format!("{who}-{n}"))
            .await
            .unwrap();
        if taken.is_empty() {
            return got;
        }
        got.extend(taken.into_iter().map(|(row, _)| row));
    }
    got
}

/// Two processes on one PostgreSQL database (two `Db`s, each its own pool) claim the same due
/// reminders at once, 30 rounds: every reminder is claimed by exactly one of them; then, their
/// leases run out, both take the open rows over at once: every row is taken by exactly one,
/// and only its taker can close it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn two_processes_never_claim_the_same_reminder_or_take_the_same_row() {
    let url = pg_url().await;
    let processes = [
        Db::open_postgres(&url).await.unwrap(),
        Db::open_postgres(&url).await.unwrap(),
    ];
    for round in 0..30 {
        let now = base() + Duration::days(round);
        let case = case_due(&processes[0], &format!("p{round}-"), 40, now).await;
        let barrier = Arc::new(Barrier::new(2));
        let tasks: Vec<_> = processes
            .iter()
            .enumerate()
            .map(|(i, db)| {
                tokio::spawn(claim_all(db.clone(), barrier.clone(), now, format!("p{i}")))
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap().into_iter().map(|r| r.id));
        }
        let distinct: BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(
            (all.len(), distinct.len()),
            (40, 40),
            "round {round}: each claimed once"
        );

        let later = now + CLAIM_LEASE;
        let barrier = Arc::new(Barrier::new(2));
        let tasks: Vec<_> = processes
            .iter()
            .enumerate()
            .map(|(i, db)| {
                tokio::spawn(take_all(
                    db.clone(),
                    barrier.clone(),
                    later,
                    format!("q{i}"),
                ))
            })
            .collect();
        let mut taken = Vec::new();
        for (i, t) in tasks.into_iter().enumerate() {
            taken.extend(t.await.unwrap().into_iter().map(|row| (i, row)));
        }
        let open = storage::outgoing_due(&processes[0], None).await.unwrap();
        let nonces: BTreeSet<&str> = taken.iter().map(|(_, r)| r.nonce.as_str()).collect();
        assert_eq!(
            nonces.len(),
            taken.len(),
            "round {round}: no row taken twice"
        );
        assert_eq!(nonces.len(), open.len(), "round {round}: every row taken");
        for (i, row) in &taken {
            let other = &processes[1 - i];
            let ids = row.reminders.clone();
            let mut stale = row.clone();
            stale.epoch -= 1;
            assert!(!storage::close_outgoing(
                other,
                &stale,
                OutboxEnd::Sent,
                &ids,
                &[],
                &[],
                later
            )
            .await
            .unwrap());
            assert!(
                storage::close_outgoing(other, row, OutboxEnd::Sent, &ids, &[], &[], later)
                    .await
                    .unwrap()
            );
        }
        assert_eq!(
            states(&processes[1], &case).await,
            vec![ReminderState::Sent; 40]
        );
    }
    for db in &processes {
        db.close().await;
    }
}

/// Raw rows a test writes past the storage functions, on either backend: journeys are not on
/// PostgreSQL's storage functions yet (another family), and the claim reads their rows.
enum Raw {
    Lite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Raw {
    async fn journey(&self, case: flow::CaseId, new_hire: i64) {
        let sql = "INSERT INTO journeys (case_id, guild_id, version, template, start_date,
                                         new_hire_id, new_hire_name, created_at)
                   VALUES ($1, $2, 0, '{}', '2026-01-05', $3, 'Ny', '2026-01-05T09:00:00Z')";
        match self {
            Raw::Lite(pool) => {
                sqlx::query(&sql.replace('$', "?"))
                    .bind(case.0)
                    .bind(GUILD as i64)
                    .bind(new_hire)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            Raw::Pg(pool) => {
                sqlx::query(
                    &sql.replace("'2026-01-05',", "'2026-01-05'::date,")
                        .replace("'{}'", "'{}'::jsonb")
                        .replace(
                            "'2026-01-05T09:00:00Z')",
                            "'2026-01-05T09:00:00Z'::timestamptz)",
                        ),
                )
                .bind(case.0)
                .bind(GUILD as i64)
                .bind(new_hire)
                .execute(pool)
                .await
                .unwrap();
            }
        }
    }

    /// A journey item reminder `key` of `case` for `target`, due at `due`.
    async fn item(&self, case: flow::CaseId, key: &str, target: &str, due: DateTime<Utc>) -> i64 {
        let sql = "INSERT INTO reminders (key, guild_id, case_id, kind, target, due_at,
                                          next_attempt_at, nonce, created_at)
                   VALUES ($1, $2, $3, 'journey_item', $4, $5, $5, $1, $5) RETURNING id";
        match self {
            Raw::Lite(pool) => sqlx::query_scalar(&sql.replace('$', "?"))
                .bind(key)
                .bind(GUILD as i64)
                .bind(case.0)
                .bind(target)
                .bind(due.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string())
                .fetch_one(pool)
                .await
                .unwrap(),
            Raw::Pg(pool) => sqlx::query_scalar(sql)
                .bind(key)
                .bind(GUILD as i64)
                .bind(case.0)
                .bind(target)
                .bind(due)
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    }
}

/// A claimed journey reminder brings along, in the same claim (one epoch), the same person's
/// journey reminders due at its moment, of any of their journeys in the guild, past the
/// batch's limit; not another person's, not another moment's.
async fn journey_companions(db: Db, raw: Raw) {
    let t = base();
    let now = t + Duration::hours(2);
    let s = case_due(&db, "s", 1, t - Duration::minutes(1)).await;
    let a = case_due(&db, "unused-a", 0, t).await;
    let b = case_due(&db, "unused-b", 0, t).await;
    raw.journey(a.id, 900).await;
    raw.journey(b.id, 900).await;
    let ja1 = raw.item(a.id, "ja1", "new_hire", t).await;
    let ja2 = raw.item(a.id, "ja2", "new_hire", t).await;
    let ja3 = raw.item(a.id, "ja3", "hr_channel", t).await;
    let ja4 = raw
        .item(a.id, "ja4", "new_hire", t + Duration::hours(1))
        .await;
    let jb1 = raw.item(b.id, "jb1", "new_hire", t).await;
    let first = storage::claim_due(&db, now, 2, "w").await.unwrap();
    let stalled = storage::reminders_for_case(&db, GUILD, s.id).await.unwrap()[0].id;
    let ids: BTreeSet<i64> = first.iter().map(|r| r.id).collect();
    assert_eq!(ids, BTreeSet::from([stalled, ja1, ja2, jb1]));
    assert!(first.iter().all(|r| r.epoch == first[0].epoch));
    let rest = storage::claim_due(&db, now, 10, "w").await.unwrap();
    let ids: BTreeSet<i64> = rest.iter().map(|r| r.id).collect();
    assert_eq!(ids, BTreeSet::from([ja3, ja4]));
    assert_ne!(rest[0].epoch, first[0].epoch);
}

mod a_journey_reminder_claimed_brings_its_persons_companions {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        let (_dir, db) = temp_db().await;
        let raw = Raw::Lite(db.sqlite_pool().clone());
        journey_companions(db, raw).await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(los_postgres),
        ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
    )]
    async fn postgres() {
        let url = pg_url().await;
        let db = Db::open_postgres(&url).await.unwrap();
        let raw = Raw::Pg(sqlx::PgPool::connect(&url).await.unwrap());
        journey_companions(db, raw).await;
    }
}

/// Two processes on one PostgreSQL database, 30 rounds: one opens the outbox row of a claim
/// just as its lease runs out while the other takes expired claims back. Whichever wins, never
/// both, and nothing is left half-way: either the row is open and its reminders stay claimed
/// under its epoch, or the row is refused and all its reminders are back in the queue (those
/// the release did not take, put back by the opener).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn opening_a_row_and_taking_its_claim_back_at_once_never_both_win() {
    let url = pg_url().await;
    let processes = [
        Db::open_postgres(&url).await.unwrap(),
        Db::open_postgres(&url).await.unwrap(),
    ];
    let (mut opened, mut released) = (0, 0);
    for round in 0..30 {
        let now = base() + Duration::days(round);
        let case = case_due(&processes[0], &format!("o{round}-"), 5, now).await;
        let claimed = storage::claim_due(&processes[0], now, 10, "a")
            .await
            .unwrap();
        assert_eq!(claimed.len(), 5);
        let expired = now + CLAIM_LEASE + Duration::seconds(1);
        let barrier = Arc::new(Barrier::new(2));
        let (a, b) = (processes[0].clone(), processes[1].clone());
        let open = {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                try_open_row(&a, &claimed, expired).await
            })
        };
        let release = tokio::spawn(async move {
            barrier.wait().await;
            storage::release_expired_claims(&b, expired, "b")
                .await
                .unwrap()
        });
        let (row, freed) = (open.await.unwrap(), release.await.unwrap());
        let states = states(&processes[1], &case).await;
        match row {
            Some(_) => {
                opened += 1;
                assert_eq!(
                    freed, 0,
                    "round {round}: the opened row's claims were taken"
                );
                assert_eq!(states, vec![ReminderState::Claimed; 5], "round {round}");
            }
            None => {
                released += 1;
                // The release took what the opener had not confirmed yet; the opener put the
                // rest back itself.
                assert!(freed > 0, "round {round}: refused with nothing taken back");
                assert_eq!(states, vec![ReminderState::Pending; 5], "round {round}");
                assert!(
                    storage::outgoing_due(&processes[1], None)
                        .await
                        .unwrap()
                        .is_empty(),
                    "round {round}: no row was opened for them"
                );
            }
        }
        // Settle the round: nothing of it left for the next.
        for r in storage::outgoing_due(&processes[0], None).await.unwrap() {
            let ids = r.reminders.clone();
            assert!(storage::close_outgoing(
                &processes[0],
                &r,
                OutboxEnd::Cancelled,
                &[],
                &[],
                &ids,
                expired
            )
            .await
            .unwrap());
        }
        storage::cancel_reminders_for_case(&processes[0], GUILD, case.id)
            .await
            .unwrap();
    }
    assert_eq!(opened + released, 30);
    for db in &processes {
        db.close().await;
    }
}

/// On PostgreSQL what a process holds is taken over as soon as its registration ends (it died:
/// its heartbeats stopped), not only when the claims' lease runs out: by a registered process,
/// at once, with the same row and nonce and a new epoch; the gone holder's marks are refused.
/// A taker that is not registered itself waits for the lease. Nothing is taken from a holder
/// that is still registered, and the taker's loop is told how long until it may.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn a_registered_process_takes_over_at_once_what_a_gone_one_held() {
    use std::time::Duration as Span;
    let db = Db::open_postgres(&pg_url().await).await.unwrap();
    let t0 = base();
    let case = case_due(&db, "g", 3, t0).await;
    storage::heartbeat(&db, "a", Span::from_secs(600))
        .await
        .unwrap();
    storage::heartbeat(&db, "b", Span::from_secs(600))
        .await
        .unwrap();
    let held = storage::claim_due(&db, t0, 2, "a").await.unwrap();
    let row = open_row(&db, &held, t0).await;
    let bare = storage::claim_due(&db, t0, 10, "a").await.unwrap();
    assert_eq!((held.len(), bare.len()), (2, 1));

    // a is registered: nothing is b's to take, and b may look again when a's registration
    // could end (some ten minutes by the database's clock).
    assert!(storage::claim_outgoing(&db, t0, 10, "b")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        storage::release_expired_claims(&db, t0, "b").await.unwrap(),
        0
    );
    let wait = storage::holders_gone_in(&db, t0, "b").await.unwrap();
    assert!(
        wait.is_some_and(|w| w > Span::from_secs(590) && w <= Span::from_secs(600)),
        "{wait:?}"
    );
    assert_eq!(
        storage::holders_gone_in(&db, t0, "a").await.unwrap(),
        None,
        "its own"
    );

    // a's registration ends (its last heartbeat runs out): now at once, well within the lease.
    storage::deregister(&db, "a", Span::ZERO).await.unwrap();
    assert_eq!(
        storage::holders_gone_in(&db, t0, "b").await.unwrap(),
        Some(Span::ZERO)
    );
    // Not for a taker that is not registered: it waits for the lease.
    assert!(storage::claim_outgoing(&db, t0, 10, "c")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        storage::release_expired_claims(&db, t0, "c").await.unwrap(),
        0
    );
    assert_eq!(storage::holders_gone_in(&db, t0, "c").await.unwrap(), None);

    let taken = storage::claim_outgoing(&db, t0, 10, "b").await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(
        taken[0].0.nonce, row.nonce,
        "the same message, the same nonce"
    );
    assert_ne!(taken[0].0.epoch, row.epoch);
    assert_eq!(
        storage::release_expired_claims(&db, t0, "b").await.unwrap(),
        1,
        "the bare claim"
    );
    let again = storage::claim_due(&db, t0, 10, "b").await.unwrap();
    assert_eq!(
        again.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![bare[0].id]
    );
    assert_eq!(
        storage::holders_gone_in(&db, t0, "b").await.unwrap(),
        None,
        "b holds all"
    );

    // a comes back to life: its marks are refused; b's go through.
    let ids = row.reminders.clone();
    assert!(
        !storage::close_outgoing(&db, &row, OutboxEnd::Sent, &ids, &[], &[], t0)
            .await
            .unwrap()
    );
    assert!(
        storage::close_outgoing(&db, &taken[0].0, OutboxEnd::Sent, &ids, &[], &[], t0)
            .await
            .unwrap()
    );
    assert_eq!(
        states(&db, &case).await,
        vec![
            ReminderState::Sent,
            ReminderState::Sent,
            ReminderState::Claimed
        ]
    );
    db.close().await;
}
