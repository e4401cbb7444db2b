//! The reminder queue: reconciled with what each case wants, claimed atomically by the sender,
//! marked sent or failed, and released again when a claimer died.
//!
//! States: pending -> claimed -> sent, or claimed -> pending again (failed attempt with a
//! later `next_attempt_at`, or a stale claim released), or claimed -> failed (given up, or a
//! row that does not parse). pending -> cancelled when the case no longer wants it.
//!
//! A claim is a lease: its owner and when it was taken ([`CLAIM_LEASE`]). The sender puts
//! what it claimed into outbox rows at once; a claim no open outbox row holds that is older
//! than the lease was left by a sender that failed in between, and the next pass of any
//! sender takes it back ([`release_expired_claims`]). Nothing is kept in memory: who holds
//! what is in the rows.
//!
//! Fencing (several processes, issue 14): every claim takes a new *epoch* from one counter
//! (`claim_epochs`, a sequence on PostgreSQL), stored on the reminders it claims and returned
//! with them ([`ClaimedReminder::epoch`]); the outbox row their message goes in is held under
//! that epoch until its lease runs out (`outbox`). Whoever takes a claim or a row over takes a
//! new epoch, so the one it was taken from can no longer open, mark or close it: those are
//! refused (`false`, nothing changed) unless the epoch still matches.

use crate::Db;
use chrono::{DateTime, Utc};
use flow::{CaseId, PlannedReminder, StepId};
use sqlx::{Acquire, SqliteConnection};

use crate::codec::{id, id_back, opt_ts_back, ts, ts_back, JsonMap};
use crate::{Result, StorageError};
use rows::{
    count_back, kind_back, planned_key, snooze_key, state_back, target_back, ClaimedReminder,
    Resumed, StoredReminder, CLAIM_LEASE, SNOOZE_MARK,
};

pub(crate) mod delivery;
pub(crate) mod digests;
pub(crate) mod outbox;
pub(crate) mod rows;

/// A short stable fingerprint of a reminder's key, stored with it.
fn nonce(key: &str) -> String {
    crate::codec::nonce::fingerprint(key)
}

/// Makes the case's queue match `wanted`, inside the caller's transaction:
/// pending reminders not wanted any more are cancelled; wanted keys never queued are queued.
/// A key is never queued twice: one that was sent, claimed or failed stays as it is. A pending
/// one takes the wanted due time (the same key with another time: the server changed its
/// reminder settings). One that was cancelled without ever going out is queued again (e.g. a
/// reopened step's legal deadline: the reminder is owed again and was never sent).
pub(crate) async fn reconcile(
    conn: &mut SqliteConnection,
    guild: u64,
    case: CaseId,
    wanted: &[PlannedReminder],
) -> Result<()> {
    let mut change = JsonMap::new();
    put_wanted(&mut change, guild, case, wanted)?;
    sqlx::query(RECONCILE)
        .bind(serde_json::Value::from(change).to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Puts what [`RECONCILE`] reads into a change's JSON parameter; refuses a reminder of another
/// case.
pub(crate) fn put_wanted(
    change: &mut JsonMap,
    guild: u64,
    case: CaseId,
    wanted: &[PlannedReminder],
) -> Result<()> {
    if let Some(stray) = wanted.iter().find(|r| r.case != case) {
        return Err(StorageError::Invalid(format!(
            "reminder {} is for case {}, not case {case}",
            stray.key, stray.case
        )));
    }
    let rows: Vec<serde_json::Value> = wanted
        .iter()
        .map(|r| {
            Ok(serde_json::json!({
                "key": r.key,
                "step": r.step.as_ref().map(StepId::as_str),
                "kind": r.kind.as_str(),
                "target": r.target.as_str(),
                "due": ts(r.due)?,
                "nonce": nonce(&r.key),
            }))
        })
        .collect::<Result<_>>()?;
    change.insert("case".into(), case.0.into());
    change.insert("guild".into(), id(guild).into());
    change.insert("now".into(), ts(Utc::now())?.into());
    // Snoozed copies are not the planner's: the sender drops one whose original is unwanted.
    change.insert("snoozed".into(), SNOOZE_MARK.into());
    change.insert("wanted".into(), rows.into());
    Ok(())
}

/// Inserts or moves the wanted reminders of `?1` (the second half of [`RECONCILE`] and
/// [`RECONCILE_JOURNEY`]).
macro_rules! upsert_wanted {
    () => {
        "    INSERT INTO reminders (key, guild_id, case_id, step, kind, target, due_at,
                           next_attempt_at, nonce, created_at)
    SELECT value ->> 'key', ?1 ->> 'guild', ?1 ->> 'case', value ->> 'step', value ->> 'kind',
           value ->> 'target', value ->> 'due', value ->> 'due', value ->> 'nonce', ?1 ->> 'now'
      FROM json_each(?1, '$.wanted') WHERE true
    ON CONFLICT (key) DO UPDATE SET
        due_at = excluded.due_at,
        next_attempt_at = CASE WHEN reminders.state = 'pending' AND reminders.attempts > 0
            THEN MAX(reminders.next_attempt_at, excluded.due_at)
            ELSE excluded.due_at END,
        attempts = CASE WHEN reminders.state = 'cancelled' THEN 0 ELSE reminders.attempts END,
        last_error = CASE WHEN reminders.state = 'cancelled' THEN NULL ELSE reminders.last_error END,
        state = 'pending'
    WHERE reminders.state = 'cancelled'
       OR (reminders.state = 'pending'
           AND (reminders.due_at IS NOT excluded.due_at
                OR reminders.next_attempt_at IS NOT
                   CASE WHEN reminders.attempts > 0
                        THEN MAX(reminders.next_attempt_at, excluded.due_at)
                        ELSE excluded.due_at END));"
    };
}

/// Cancels the pending reminders of the case that are not wanted (its journey's are
/// [`RECONCILE_JOURNEY`]'s), and inserts or moves the wanted ones; rows whose values would not change are not written. A reminder already
/// claimed or sent is left alone; a cancelled one wanted again is pending. Reads `?1`, the
/// change's JSON object ([`put_wanted`], `codec::JsonMap` says why one object).
pub(crate) const RECONCILE: &str = concat!(
    "
    UPDATE reminders SET state = 'cancelled'
     WHERE case_id = ?1 ->> 'case' AND state = 'pending'
       AND key NOT IN (SELECT value ->> 'key' FROM json_each(?1, '$.wanted'))
       AND instr(key, ?1 ->> 'snoozed') = 0
       AND key NOT LIKE 'j%';",
    upsert_wanted!()
);

/// [`RECONCILE`] for the reminders of a case's onboarding journey (their keys start with
/// `flow::journey::JOURNEY_KEY_PREFIX`): the case's own are left alone.
pub(crate) const RECONCILE_JOURNEY: &str = concat!(
    "
    UPDATE reminders SET state = 'cancelled'
     WHERE case_id = ?1 ->> 'case' AND state = 'pending' AND key LIKE 'j%'
       AND key NOT IN (SELECT value ->> 'key' FROM json_each(?1, '$.wanted'));",
    upsert_wanted!()
);

/// Claims that no open outbox row holds, for [`release_expired_claims`].
const NOT_IN_OPEN_OUTBOX: &str = "id NOT IN (
    SELECT CAST(j.value AS INTEGER)
      FROM reminder_outbox o, json_each(o.reminder_ids) AS j
     WHERE o.done_at IS NULL)";

/// A claimed reminder's row, as `claim_due` and the outbox's re-claim return it.
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow {
    id: i64,
    key: String,
    guild_id: i64,
    case_id: i64,
    step: Option<String>,
    kind: String,
    target: String,
    due_at: String,
    attempts: i64,
    claimed_at: String,
    claim_epoch: i64,
}

/// The columns a claim returns ([`ClaimRow`]).
pub(crate) const CLAIM_RETURNING: &str =
    "id, key, guild_id, case_id, step, kind, target, due_at, attempts, claimed_at, claim_epoch";

/// Takes the next fencing token, inside the caller's transaction (a write first: the
/// transaction holds the write lock from here on, so what it reads next stays true).
pub(crate) async fn next_epoch(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("UPDATE claim_epochs SET last = last + 1 WHERE id = 1 RETURNING last")
            .fetch_one(&mut *conn)
            .await?,
    )
}

impl ClaimRow {
    fn decode(self) -> Result<ClaimedReminder> {
        Ok(ClaimedReminder {
            id: self.id,
            kind: kind_back(&self.kind)?,
            target: target_back(&self.target)?,
            due: ts_back(&self.due_at)?,
            claimed_at: ts_back(&self.claimed_at)?,
            key: self.key,
            guild: id_back(self.guild_id),
            case: CaseId(self.case_id),
            step: self.step.map(StepId::new),
            attempts: count_back(self.attempts),
            epoch: self.claim_epoch,
        })
    }
}

/// Claimed rows as reminders, due first, inside the claiming transaction. A row that does not
/// parse (a time of year 10000 written before such times were refused, say) is given up on
/// its own: marked failed with the reason, so it neither holds up the rest of the batch nor
/// comes back in the next one.
pub(crate) async fn claimed_in_order(
    conn: &mut SqliteConnection,
    rows: Vec<ClaimRow>,
) -> Result<Vec<ClaimedReminder>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        match row.decode() {
            Ok(reminder) => out.push(reminder),
            Err(e) => {
                let why = e.to_string();
                tracing::error!(reminder = id, error = %why, "a claimed reminder does not parse; given up");
                sqlx::query(
                    "UPDATE reminders SET state = 'failed', last_error = ?, claimed_at = NULL,
                            claim_owner = NULL
                     WHERE id = ? AND state = 'claimed'",
                )
                .bind(&why)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    out.sort_by_key(|r| (r.due, r.id));
    Ok(out)
}

/// Who a journey reminder goes to, as text, from `r` (the reminder), `j` (its journey) and `c`
/// (its case): `u<id>` for a person (the new hire; the buddy, else the case's manager; the
/// manager: the deputy while one is named), `h` for the HR channel. A hint for claiming what
/// goes in one message together; where it goes is decided by the sender.
macro_rules! journey_recipient {
    () => {
        "CASE r.target
              WHEN 'new_hire' THEN 'u' || j.new_hire_id
              WHEN 'buddy' THEN 'u' || COALESCE(j.buddy_id, c.deputy_id, c.owner_id)
              WHEN 'manager' THEN 'u' || COALESCE(c.deputy_id, c.owner_id)
              WHEN 'hr_channel' THEN 'h'
         END"
    };
}

/// Claims the pending journey reminders that are due at `?1` and due at the same moment, for
/// the same person (or HR channel) of the same guild, as a journey reminder in `?3` (a JSON
/// list of ids just claimed): a new hire's items due together go out in one message even
/// when a batch's limit falls between them.
const CLAIM_JOURNEY_COMPANIONS: &str = concat!(
    "WITH taken AS (
        SELECT DISTINCT r.guild_id AS guild, r.due_at AS due, ",
    journey_recipient!(),
    " AS who
          FROM reminders r JOIN journeys j ON j.case_id = r.case_id
          JOIN cases c ON c.id = r.case_id
         WHERE r.id IN (SELECT CAST(value AS INTEGER) FROM json_each(?3))
           AND r.key LIKE 'j%')
     UPDATE reminders
        SET state = 'claimed', claimed_at = ?1, claim_owner = ?2, attempts = attempts + 1,
            claim_epoch = ?4
      WHERE id IN (
        SELECT r.id FROM reminders r JOIN journeys j ON j.case_id = r.case_id
          JOIN cases c ON c.id = r.case_id
          JOIN taken t ON t.guild = r.guild_id AND t.due = r.due_at
         WHERE r.state = 'pending' AND r.next_attempt_at <= ?1 AND r.key LIKE 'j%'
           AND t.who = ",
    journey_recipient!(),
    ")
     RETURNING id, key, guild_id, case_id, step, kind, target, due_at, attempts, claimed_at,
               claim_epoch"
);

/// Claims up to `limit` reminders that are due at `now`, atomically: one statement marks them
/// claimed and returns them, so two claimers never get the same one. Earliest first. A
/// journey reminder claimed brings along, in the same transaction, the other journey
/// reminders due now and at its moment for the same person (the statement
/// `CLAIM_JOURNEY_COMPANIONS`), so more than `limit` may be claimed. Each claimed row is
/// decoded on its own: one that does not parse is marked failed instead of returned. All are
/// claimed under one new epoch (their fencing token).
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    limit: u32,
    claim_owner: &str,
) -> Result<Vec<ClaimedReminder>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::claim_due(pg, now, limit, claim_owner).await;
    }
    let mut conn = db.begin().await?;
    let epoch = next_epoch(&mut conn).await?;
    let mut rows: Vec<ClaimRow> = sqlx::query_as(&format!(
        "UPDATE reminders
         SET state = 'claimed', claimed_at = ?1, claim_owner = ?2, attempts = attempts + 1,
             claim_epoch = ?4
         WHERE id IN (SELECT id FROM reminders
                      WHERE state = 'pending' AND next_attempt_at <= ?1
                      ORDER BY next_attempt_at, id LIMIT ?3)
         RETURNING {CLAIM_RETURNING}"
    ))
    .bind(ts(now)?)
    .bind(claim_owner)
    .bind(i64::from(limit))
    .bind(epoch)
    .fetch_all(&mut *conn)
    .await?;
    let journeys: Vec<String> = rows
        .iter()
        .filter(|r| r.key.starts_with(flow::journey::JOURNEY_KEY_PREFIX))
        .map(|r| r.id.to_string())
        .collect();
    if !journeys.is_empty() {
        let companions: Vec<ClaimRow> = sqlx::query_as(CLAIM_JOURNEY_COMPANIONS)
            .bind(ts(now)?)
            .bind(claim_owner)
            .bind(crate::codec::json_list(journeys.iter().map(String::as_str)))
            .bind(epoch)
            .fetch_all(&mut *conn)
            .await?;
        rows.extend(companions);
    }
    let claimed = claimed_in_order(&mut conn, rows).await?;
    conn.commit().await?;
    Ok(claimed)
}

/// Puts claims taken before `older_than` back to pending: their claimer died (a crash between
/// claiming and marking). Returns how many were released.
pub async fn release_stale_claims(db: &Db, older_than: DateTime<Utc>) -> Result<u64> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::release_stale_claims(pg, older_than).await;
    }
    let mut conn = db.begin().await?;
    let done = sqlx::query(
        "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL
         WHERE state = 'claimed' AND claimed_at < ?",
    )
    .bind(ts(older_than)?)
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(done.rows_affected())
}

/// Takes back, at `now`, the claims older than [`CLAIM_LEASE`] that no open outbox row holds:
/// their sender failed between claiming and writing the outbox, so they would never go out.
/// They are pending again, claimable at once. Returns how many. The sender (`owner`) calls
/// this in every pass; the members of open outbox rows are the outbox's to resend, never
/// taken here. On PostgreSQL the claims of another process whose registration has ended
/// (`crate::processes`) are taken back too, lease or not, when `owner` is registered live
/// (see [`holders_gone_in`]).
pub async fn release_expired_claims(db: &Db, now: DateTime<Utc>, owner: &str) -> Result<u64> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::release_expired_claims(pg, now, owner).await;
    }
    let before = ts(now - CLAIM_LEASE)?;
    let mut conn = db.begin().await?;
    let done = sqlx::query(&format!(
        "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL
         WHERE state = 'claimed' AND claimed_at < ? AND {NOT_IN_OPEN_OUTBOX}"
    ))
    .bind(before)
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(done.rows_affected())
}

/// How long until `owner` may take over what another process holds because that process's
/// registration ended (`crate::processes`), by the database's clock: zero when one has ended
/// already. `None` when no other process holds a due open row or a claim, or `owner` is not
/// registered live (then only the leases free what others hold). The reminder loop sleeps no
/// longer than this, so a process that died is replaced within its registration's length
/// (10 s), not its claims' lease ([`CLAIM_LEASE`]). On SQLite the one process holds
/// everything: always `None`.
pub async fn holders_gone_in(
    db: &Db,
    now: DateTime<Utc>,
    owner: &str,
) -> Result<Option<std::time::Duration>> {
    let Some(pg) = db.postgres() else {
        return Ok(None);
    };
    let seconds = crate::pg::outbox::holders_gone_in(pg, now, owner).await?;
    Ok(seconds.map(|s| std::time::Duration::from_secs_f64(s.clamp(0.0, 86_400.0))))
}

/// Called once when the sender starts. On SQLite the process is the only sender on its file
/// (`crate::ProcessLock`), so every claim and every outbox row still held was held by a
/// process that is gone: bare claims are pending again and open rows held by nobody, so they
/// go out at once (the rows with the nonce they were maybe sent with), not after the lease.
/// On PostgreSQL other live processes may hold them: nothing is freed, and what a dead
/// process held is taken over once its lease runs out ([`release_expired_claims`],
/// [`crate::claim_outgoing`]).
pub async fn resume_after_restart(db: &Db) -> Result<Resumed> {
    if db.postgres().is_some() {
        return Ok(Resumed::default());
    }
    let mut conn = db.begin().await?;
    let released = sqlx::query(&format!(
        "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL
         WHERE state = 'claimed' AND {NOT_IN_OPEN_OUTBOX}"
    ))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let freed_rows = sqlx::query(
        "UPDATE reminder_outbox SET lease_until = NULL, claim_owner = NULL
         WHERE done_at IS NULL AND (lease_until IS NOT NULL OR claim_owner IS NOT NULL)",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    conn.commit().await?;
    Ok(Resumed {
        released,
        freed_rows,
    })
}

/// Cancels every pending reminder of a case (e.g. when its data is purged).
pub async fn cancel_reminders_for_case(db: &Db, guild: u64, case: CaseId) -> Result<u64> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::cancel_reminders_for_case(pg, guild, case).await;
    }
    let mut conn = db.begin().await?;
    let cancelled = cancel_pending(&mut conn, guild, case).await?;
    conn.commit().await?;
    Ok(cancelled)
}

pub(crate) async fn cancel_pending(
    conn: &mut SqliteConnection,
    guild: u64,
    case: CaseId,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE reminders SET state = 'cancelled'
         WHERE case_id = ? AND guild_id = ? AND state = 'pending'",
    )
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// When the next pending reminder becomes claimable, so the sender can sleep until then.
pub async fn next_due_at(db: &Db) -> Result<Option<DateTime<Utc>>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::next_due_at(pg).await;
    }
    let mut conn = db.begin().await?;
    let next: Option<String> =
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM reminders WHERE state = 'pending'")
            .fetch_one(&mut *conn)
            .await?;
    conn.commit().await?;
    opt_ts_back(next.as_deref())
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    key: String,
    case_id: i64,
    step: Option<String>,
    kind: String,
    target: String,
    due_at: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: String,
    claimed_at: Option<String>,
    sent_at: Option<String>,
    late: bool,
    nonce: String,
}

/// Every reminder of a case, whatever its state, by due time.
pub async fn reminders_for_case(db: &Db, guild: u64, case: CaseId) -> Result<Vec<StoredReminder>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::reminders_for_case(pg, guild, case).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT id, key, case_id, step, kind, target, due_at, state, attempts, last_error,
                next_attempt_at, claimed_at, sent_at, late, nonce
         FROM reminders WHERE case_id = ? AND guild_id = ? ORDER BY due_at, id",
    )
    .bind(case.0)
    .bind(id(guild))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredReminder {
                id: r.id,
                key: r.key,
                case: CaseId(r.case_id),
                step: r.step.map(StepId::new),
                kind: kind_back(&r.kind)?,
                target: target_back(&r.target)?,
                due: ts_back(&r.due_at)?,
                state: state_back(&r.state)?,
                attempts: count_back(r.attempts),
                last_error: r.last_error,
                next_attempt_at: ts_back(&r.next_attempt_at)?,
                claimed_at: opt_ts_back(r.claimed_at.as_deref())?,
                sent_at: opt_ts_back(r.sent_at.as_deref())?,
                late: r.late,
                nonce: r.nonce,
            })
        })
        .collect()
}

/// The server and key of a reminder, by id.
pub async fn reminder_ref(db: &Db, reminder: i64) -> Result<Option<(u64, CaseId, String)>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::reminder_ref(pg, reminder).await;
    }
    let mut conn = db.begin().await?;
    let row: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT guild_id, case_id, key FROM reminders WHERE id = ?")
            .bind(reminder)
            .fetch_optional(&mut *conn)
            .await?;
    conn.commit().await?;
    Ok(row.map(|(g, c, k)| (id_back(g), CaseId(c), k)))
}

/// Queues a copy of a reminder due at `due` (*Minn meg på i morgen*), once per day it moves
/// to: pressing twice the same day changes nothing. Returns whether a copy was queued.
pub async fn snooze(
    db: &Db,
    reminder: i64,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::reminders::snooze(pg, reminder, due, now).await;
    }
    let mut conn = db.begin().await?;
    let key: Option<String> = sqlx::query_scalar("SELECT key FROM reminders WHERE id = ?")
        .bind(reminder)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(key) = key else {
        return Err(StorageError::NotFound);
    };
    let day = due.with_timezone(&chrono_tz::Europe::Oslo).date_naive();
    let new_key = snooze_key(planned_key(&key), day);
    let nonce = crate::codec::nonce::fingerprint(&new_key);
    let done = sqlx::query(
        "INSERT INTO reminders (key, guild_id, case_id, step, kind, target, due_at,
                                next_attempt_at, nonce, created_at)
         SELECT ?1, guild_id, case_id, step, kind, target, ?2, ?2, ?3, ?4
         FROM reminders WHERE id = ?5
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(&new_key)
    .bind(ts(due)?)
    .bind(nonce)
    .bind(ts(now)?)
    .bind(reminder)
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(done.rows_affected() == 1)
}
