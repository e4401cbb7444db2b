//! The reminder queue on PostgreSQL (see `crate::reminders`): the plan a case change writes in
//! its own transaction ([`reconcile`]), and the queue of a case as stored. Claiming, sending and
//! the outbox are not here yet.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use flow::{CaseId, PlannedReminder, ReminderKind, StepId, Target};
use sqlx::PgConnection;

use super::{micros, PgDb};
use crate::codec::{id, parsed};
use crate::reminders::{ReminderState, StoredReminder, SNOOZE_MARK};
use crate::{Result, StorageError};

/// [`crate::reminders::reconcile`] inside the caller's transaction: the case's pending
/// reminders that are not wanted (snoozed copies and journey reminders aside) are cancelled,
/// wanted keys never queued are queued, a pending one takes the wanted due time, a cancelled
/// one wanted again is pending again; a key sent, claimed or failed stays as it is. Rows whose
/// values would not change are not written.
pub(crate) async fn reconcile(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
    wanted: &[PlannedReminder],
) -> Result<()> {
    let wanted = Wanted::of(case, wanted)?;
    sqlx::query(
        "UPDATE reminders SET state = 'cancelled'
          WHERE case_id = $1 AND state = 'pending' AND key <> ALL($2::text[])
            AND strpos(key, $3) = 0 AND key NOT LIKE 'j%'",
    )
    .bind(case.0)
    .bind(&wanted.keys)
    .bind(SNOOZE_MARK)
    .execute(&mut *conn)
    .await?;
    upsert_wanted(conn, guild, case, &wanted).await
}

/// The wanted reminders as columns, one entry per key (the last, as SQLite's upsert of the
/// same key twice would leave it: PostgreSQL refuses to upsert one row twice in a statement).
struct Wanted {
    keys: Vec<String>,
    steps: Vec<Option<String>>,
    kinds: Vec<String>,
    targets: Vec<String>,
    due: Vec<DateTime<Utc>>,
    nonces: Vec<String>,
}

impl Wanted {
    fn of(case: CaseId, wanted: &[PlannedReminder]) -> Result<Wanted> {
        if let Some(stray) = wanted.iter().find(|r| r.case != case) {
            return Err(StorageError::Invalid(format!(
                "reminder {} is for case {}, not case {case}",
                stray.key, stray.case
            )));
        }
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, r) in wanted.iter().enumerate() {
            last.insert(r.key.as_str(), i);
        }
        let mut out = Wanted {
            keys: Vec::with_capacity(last.len()),
            steps: Vec::with_capacity(last.len()),
            kinds: Vec::with_capacity(last.len()),
            targets: Vec::with_capacity(last.len()),
            due: Vec::with_capacity(last.len()),
            nonces: Vec::with_capacity(last.len()),
        };
        for (i, r) in wanted.iter().enumerate() {
            // Every time is checked (and refused outside the years SQLite stores), as there.
            let due = micros(r.due)?;
            if last.get(r.key.as_str()) != Some(&i) {
                continue;
            }
            out.keys.push(r.key.clone());
            out.steps
                .push(r.step.as_ref().map(|s| s.as_str().to_owned()));
            out.kinds.push(r.kind.as_str().to_owned());
            out.targets.push(r.target.as_str().to_owned());
            out.due.push(due);
            out.nonces.push(crate::codec::nonce::fingerprint(&r.key));
        }
        Ok(out)
    }
}

/// Inserts or moves the wanted reminders (the second half of [`reconcile`]).
async fn upsert_wanted(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
    wanted: &Wanted,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO reminders (key, guild_id, case_id, step, kind, target, due_at,
                                next_attempt_at, nonce, created_at)
         SELECT w.key, $1, $2, w.step, w.kind, w.target, w.due, w.due, w.nonce, $3
           FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
                       $9::text[]) AS w(key, step, kind, target, due, nonce)
         ON CONFLICT (key) DO UPDATE SET
             due_at = excluded.due_at,
             next_attempt_at = CASE WHEN reminders.state = 'pending' AND reminders.attempts > 0
                 THEN GREATEST(reminders.next_attempt_at, excluded.due_at)
                 ELSE excluded.due_at END,
             attempts = CASE WHEN reminders.state = 'cancelled' THEN 0
                 ELSE reminders.attempts END,
             last_error = CASE WHEN reminders.state = 'cancelled' THEN NULL
                 ELSE reminders.last_error END,
             state = 'pending'
         WHERE reminders.state = 'cancelled'
            OR (reminders.state = 'pending'
                AND (reminders.due_at IS DISTINCT FROM excluded.due_at
                     OR reminders.next_attempt_at IS DISTINCT FROM
                        CASE WHEN reminders.attempts > 0
                             THEN GREATEST(reminders.next_attempt_at, excluded.due_at)
                             ELSE excluded.due_at END))",
    )
    .bind(id(guild))
    .bind(case.0)
    .bind(micros(Utc::now())?)
    .bind(&wanted.keys)
    .bind(&wanted.steps)
    .bind(&wanted.kinds)
    .bind(&wanted.targets)
    .bind(&wanted.due)
    .bind(&wanted.nonces)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ReminderRow {
    id: i64,
    key: String,
    case_id: i64,
    step: Option<String>,
    kind: String,
    target: String,
    due_at: DateTime<Utc>,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: DateTime<Utc>,
    claimed_at: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
    late: bool,
    nonce: String,
}

/// [`crate::reminders_for_case`] on PostgreSQL.
pub(crate) async fn reminders_for_case(
    db: &PgDb,
    guild: u64,
    case: CaseId,
) -> Result<Vec<StoredReminder>> {
    let rows: Vec<ReminderRow> = sqlx::query_as(
        "SELECT id, key, case_id, step, kind, target, due_at, state, attempts, last_error,
                next_attempt_at, claimed_at, sent_at, late, nonce
         FROM reminders WHERE case_id = $1 AND guild_id = $2 ORDER BY due_at, id",
    )
    .bind(case.0)
    .bind(id(guild))
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredReminder {
                id: r.id,
                case: CaseId(r.case_id),
                step: r.step.map(StepId::new),
                kind: parsed("reminder kind", &r.kind, ReminderKind::parse)?,
                target: parsed("reminder target", &r.target, Target::parse)?,
                due: r.due_at,
                state: parsed("reminder state", &r.state, ReminderState::parse)?,
                attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
                last_error: r.last_error,
                next_attempt_at: r.next_attempt_at,
                claimed_at: r.claimed_at,
                sent_at: r.sent_at,
                late: r.late,
                nonce: r.nonce,
                key: r.key,
            })
        })
        .collect()
}

/// Cancels every pending reminder of a case, inside the caller's transaction (the purge's too,
/// once it is ported); how many.
pub(crate) async fn cancel_pending(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE reminders SET state = 'cancelled'
         WHERE case_id = $1 AND guild_id = $2 AND state = 'pending'",
    )
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// [`crate::cancel_reminders_for_case`] on PostgreSQL.
pub(crate) async fn cancel_reminders_for_case(db: &PgDb, guild: u64, case: CaseId) -> Result<u64> {
    let mut conn = db.pool.acquire().await?;
    cancel_pending(&mut conn, guild, case).await
}

/// [`crate::next_due_at`] on PostgreSQL.
pub(crate) async fn next_due_at(db: &PgDb) -> Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM reminders WHERE state = 'pending'")
            .fetch_one(&db.pool)
            .await?,
    )
}

/// `crate::reminders::RECONCILE_JOURNEY` inside the caller's transaction: [`reconcile`] for the
/// reminders of a case's onboarding journey (their keys start with `j`): its pending ones not
/// wanted are cancelled, the wanted ones queued or moved; the case's own are left alone.
pub(crate) async fn reconcile_journey(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
    wanted: &[PlannedReminder],
) -> Result<()> {
    let wanted = Wanted::of(case, wanted)?;
    sqlx::query(
        "UPDATE reminders SET state = 'cancelled'
          WHERE case_id = $1 AND state = 'pending' AND key LIKE 'j%'
            AND key <> ALL($2::text[])",
    )
    .bind(case.0)
    .bind(&wanted.keys)
    .execute(&mut *conn)
    .await?;
    upsert_wanted(conn, guild, case, &wanted).await
}
