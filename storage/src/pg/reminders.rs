//! The reminder queue on PostgreSQL (see `crate::reminders`): the plan a case change writes in
//! its own transaction ([`reconcile`]), the queue of a case as stored, and claiming across
//! processes: `FOR UPDATE SKIP LOCKED` in a CTE (so the planner cannot claim more than the
//! limit, and two processes skip each other's rows instead of waiting), every claim under a
//! new epoch from the `claim_epochs` sequence (the fencing token, see `crate::reminders`).
//! The outbox is `pg::outbox`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use flow::{CaseId, PlannedReminder, StepId};
use sqlx::PgConnection;

use super::{micros, PgDb};
use crate::codec::{id, id_back};
use crate::reminders::rows::{
    count_back, kind_back, planned_key, snooze_key, state_back, target_back, ClaimedReminder,
    StoredReminder, CLAIM_LEASE, SNOOZE_MARK,
};
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
                kind: kind_back(&r.kind)?,
                target: target_back(&r.target)?,
                due: r.due_at,
                state: state_back(&r.state)?,
                attempts: count_back(r.attempts),
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

/// A claimed reminder's row, as the claims here return it.
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow {
    id: i64,
    key: String,
    guild_id: i64,
    case_id: i64,
    step: Option<String>,
    kind: String,
    target: String,
    due_at: DateTime<Utc>,
    attempts: i64,
    claimed_at: Option<DateTime<Utc>>,
    claim_epoch: i64,
}

/// The columns a claim returns ([`ClaimRow`]), of the table (or alias) `r`.
pub(crate) fn claim_returning(r: &str) -> String {
    [
        "id", "key", "guild_id", "case_id", "step", "kind", "target", "due_at", "attempts",
    ]
    .iter()
    .chain(["claimed_at", "claim_epoch"].iter())
    .map(|c| format!("{r}.{c}"))
    .collect::<Vec<_>>()
    .join(", ")
}

impl ClaimRow {
    fn decode(self) -> Result<ClaimedReminder> {
        Ok(ClaimedReminder {
            id: self.id,
            kind: kind_back(&self.kind)?,
            target: target_back(&self.target)?,
            due: self.due_at,
            claimed_at: self
                .claimed_at
                .ok_or_else(|| StorageError::Corrupt(format!("claim {} has no time", self.id)))?,
            key: self.key,
            guild: id_back(self.guild_id),
            case: CaseId(self.case_id),
            step: self.step.map(StepId::new),
            attempts: count_back(self.attempts),
            epoch: self.claim_epoch,
        })
    }
}

/// The next fencing token (a sequence: never handed out twice, whichever process asks).
pub(crate) async fn next_epoch(conn: &mut PgConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT nextval('claim_epochs')")
        .fetch_one(&mut *conn)
        .await?)
}

/// `crate::reminders::claimed_in_order` on PostgreSQL: due first; a row that does not parse
/// (an unknown kind or target) is failed on its own, with the reason.
pub(crate) async fn claimed_in_order(
    conn: &mut PgConnection,
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
                    "UPDATE reminders SET state = 'failed', last_error = $1, claimed_at = NULL,
                            claim_owner = NULL
                     WHERE id = $2 AND state = 'claimed'",
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

/// `crate::reminders::journey_recipient` in PostgreSQL's words.
const JOURNEY_RECIPIENT: &str = "CASE r.target
      WHEN 'new_hire' THEN 'u' || j.new_hire_id::text
      WHEN 'buddy' THEN 'u' || COALESCE(j.buddy_id, c.deputy_id, c.owner_id)::text
      WHEN 'manager' THEN 'u' || COALESCE(c.deputy_id, c.owner_id)::text
      WHEN 'hr_channel' THEN 'h'
 END";

/// [`crate::claim_due`] on PostgreSQL: the due rows are picked `FOR UPDATE SKIP LOCKED` in a
/// CTE, so two processes claiming at once never get the same one and never wait for each
/// other; the journey companions of those claimed are picked the same way.
pub(crate) async fn claim_due(
    db: &PgDb,
    now: DateTime<Utc>,
    limit: u32,
    claim_owner: &str,
) -> Result<Vec<ClaimedReminder>> {
    let now = micros(now)?;
    let mut tx = db.pool.begin().await?;
    let epoch = next_epoch(&mut tx).await?;
    let mut rows: Vec<ClaimRow> = sqlx::query_as(&format!(
        "WITH picked AS (
             SELECT id FROM reminders
              WHERE state = 'pending' AND next_attempt_at <= $1
              ORDER BY next_attempt_at, id LIMIT $3
                FOR UPDATE SKIP LOCKED)
         UPDATE reminders r
            SET state = 'claimed', claimed_at = $1, claim_owner = $2,
                attempts = r.attempts + 1, claim_epoch = $4
           FROM picked WHERE r.id = picked.id
         RETURNING {}",
        claim_returning("r")
    ))
    .bind(now)
    .bind(claim_owner)
    .bind(i64::from(limit))
    .bind(epoch)
    .fetch_all(&mut *tx)
    .await?;
    let journeys: Vec<i64> = rows
        .iter()
        .filter(|r| r.key.starts_with(flow::journey::JOURNEY_KEY_PREFIX))
        .map(|r| r.id)
        .collect();
    if !journeys.is_empty() {
        let companions: Vec<ClaimRow> = sqlx::query_as(&format!(
            "WITH taken AS (
                 SELECT DISTINCT r.guild_id AS guild, r.due_at AS due, {JOURNEY_RECIPIENT} AS who
                   FROM reminders r JOIN journeys j ON j.case_id = r.case_id
                   JOIN cases c ON c.id = r.case_id
                  WHERE r.id = ANY($3) AND r.key LIKE 'j%'),
             picked AS (
                 SELECT r.id FROM reminders r JOIN journeys j ON j.case_id = r.case_id
                   JOIN cases c ON c.id = r.case_id
                   JOIN taken t ON t.guild = r.guild_id AND t.due = r.due_at
                  WHERE r.state = 'pending' AND r.next_attempt_at <= $1 AND r.key LIKE 'j%'
                    AND t.who = {JOURNEY_RECIPIENT}
                    FOR UPDATE OF r SKIP LOCKED)
             UPDATE reminders r
                SET state = 'claimed', claimed_at = $1, claim_owner = $2,
                    attempts = r.attempts + 1, claim_epoch = $4
               FROM picked WHERE r.id = picked.id
             RETURNING {}",
            claim_returning("r")
        ))
        .bind(now)
        .bind(claim_owner)
        .bind(&journeys)
        .bind(epoch)
        .fetch_all(&mut *tx)
        .await?;
        rows.extend(companions);
    }
    let claimed = claimed_in_order(&mut tx, rows).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// [`crate::release_stale_claims`] on PostgreSQL.
pub(crate) async fn release_stale_claims(db: &PgDb, older_than: DateTime<Utc>) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL
         WHERE state = 'claimed' AND claimed_at < $1",
    )
    .bind(micros(older_than)?)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected())
}

/// PostgreSQL's words for "the holder `{holder}` is gone and the taker `$2` is here": the
/// holder is not registered live and the taker is (`crate::processes`, by the server's clock).
/// A process stops sending before its registration can end (the bot's `pace`), so what it
/// holds may be taken over then, not only when the claim's lease runs out; a request it had in
/// flight carries the row's nonce, and its marks are refused by the epoch.
pub(crate) fn holder_gone(holder: &str) -> String {
    format!(
        "(NOT EXISTS (SELECT 1 FROM processes gone WHERE gone.owner = {holder}
                                                 AND gone.expires_at > now())
          AND EXISTS (SELECT 1 FROM processes here WHERE here.owner = $2
                                                 AND here.expires_at > now()))"
    )
}

/// [`crate::release_expired_claims`] on PostgreSQL. A sender opening the claim's outbox row
/// at the same moment confirms the claim (`claimed_at` set to its time, the rows locked): this
/// statement skips the rows it holds, and a row it confirmed and committed meanwhile is checked
/// again when locked, found fresh and left (the check of the open rows alone would not see a
/// row committed after this statement began). Skipping instead of waiting also keeps the two
/// from deadlocking over rows locked in different orders.
pub(crate) async fn release_expired_claims(
    db: &PgDb,
    now: DateTime<Utc>,
    owner: &str,
) -> Result<u64> {
    let done = sqlx::query(&format!(
        "WITH picked AS (
             SELECT r.id FROM reminders r
              WHERE r.state = 'claimed' AND (r.claimed_at < $1 OR {})
                AND NOT EXISTS (SELECT 1 FROM reminder_outbox o
                                 WHERE o.done_at IS NULL
                                   AND o.reminder_ids @> jsonb_build_array(r.id::text))
                FOR UPDATE OF r SKIP LOCKED)
         UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL
           FROM picked WHERE reminders.id = picked.id",
        holder_gone("r.claim_owner")
    ))
    .bind(micros(now - CLAIM_LEASE)?)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected())
}

/// [`crate::reminder_ref`] on PostgreSQL.
pub(crate) async fn reminder_ref(
    db: &PgDb,
    reminder: i64,
) -> Result<Option<(u64, CaseId, String)>> {
    let row: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT guild_id, case_id, key FROM reminders WHERE id = $1")
            .bind(reminder)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(g, c, k)| (id_back(g), CaseId(c), k)))
}

/// [`crate::snooze`] on PostgreSQL.
pub(crate) async fn snooze(
    db: &PgDb,
    reminder: i64,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (due, now) = (micros(due)?, micros(now)?);
    let key: Option<String> = sqlx::query_scalar("SELECT key FROM reminders WHERE id = $1")
        .bind(reminder)
        .fetch_optional(&db.pool)
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
         SELECT $1, guild_id, case_id, step, kind, target, $2, $2, $3, $4
           FROM reminders WHERE id = $5
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(&new_key)
    .bind(due)
    .bind(nonce)
    .bind(now)
    .bind(reminder)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
