//! The dispatcher's outbox on PostgreSQL (see `crate::reminders::outbox`): rows held under an
//! epoch, by an owner, until a lease runs out; taken over by any process once it has
//! (`FOR UPDATE SKIP LOCKED` in a CTE); closed, retried or requeued only under the epoch they
//! are held under. Reminder ids are bound as `bigint[]`; the row keeps them as SQLite does (a
//! JSON list of texts), so the release of bare claims can tell which are in an open row.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::reminders::{claim_returning, claimed_in_order, next_epoch, ClaimRow};
use super::{micros, PgDb};
use crate::codec::{id, id_back, id_list, ids_back};
use crate::ids::Destination;
use crate::reminders::rows::{count_back, ClaimedReminder, OutboxEnd, Outgoing, CLAIM_LEASE};
use crate::Result;

#[derive(sqlx::FromRow)]
struct OutRow {
    nonce: String,
    guild_id: i64,
    destination: String,
    reminder_ids: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    claim_epoch: i64,
}

impl OutRow {
    fn decode(self) -> Result<Outgoing> {
        Ok(Outgoing {
            reminders: ids_back(&self.reminder_ids)?,
            nonce: self.nonce,
            guild: id_back(self.guild_id),
            destination: Destination::decode(&self.destination),
            attempts: count_back(self.attempts),
            last_error: self.last_error,
            next_attempt_at: self.next_attempt_at,
            epoch: self.claim_epoch,
        })
    }
}

/// The columns of [`OutRow`], of the table (or alias) `o`.
fn out_columns(o: &str) -> String {
    format!(
        "{o}.nonce, {o}.guild_id, {o}.destination, {o}.reminder_ids::text AS reminder_ids,
         {o}.attempts, {o}.last_error, {o}.next_attempt_at, {o}.created_at, {o}.claim_epoch"
    )
}

/// [`crate::open_outgoing_many`] on PostgreSQL. Confirming the claim (`claimed_at = now` on
/// rows still claimed under the epoch) locks the reminders: a concurrent takeover of the
/// claim waits for this transaction and then finds the claim fresh, or this one finds it gone.
pub(crate) async fn open_outgoing_many(
    db: &PgDb,
    rows: &[Outgoing],
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let now = micros(now)?;
    let mut tx = db.pool.begin().await?;
    let mut lost = Vec::new();
    for out in rows {
        let mut ids = out.reminders.clone();
        ids.sort_unstable();
        ids.dedup();
        let held = sqlx::query(
            "UPDATE reminders SET claimed_at = $1
             WHERE id = ANY($2) AND state = 'claimed' AND claim_epoch = $3",
        )
        .bind(now)
        .bind(&ids)
        .bind(out.epoch)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let existing: Option<(bool, i64)> = sqlx::query_as(
            "SELECT done_at IS NULL, claim_epoch FROM reminder_outbox WHERE nonce = $1
             FOR UPDATE",
        )
        .bind(&out.nonce)
        .fetch_optional(&mut *tx)
        .await?;
        let open_elsewhere = matches!(existing, Some((true, e)) if e != out.epoch);
        if held != ids.len() as u64 || open_elsewhere {
            // Not to be sent by this claimer: what is still claimed under its epoch goes back
            // to the queue now, not a lease later.
            sqlx::query(
                "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL
                 WHERE id = ANY($1) AND state = 'claimed' AND claim_epoch = $2",
            )
            .bind(&ids)
            .bind(out.epoch)
            .execute(&mut *tx)
            .await?;
            lost.push(out.nonce.clone());
            continue;
        }
        if existing.is_some_and(|(open, _)| open) {
            continue;
        }
        sqlx::query(
            "INSERT INTO reminder_outbox (nonce, guild_id, destination, reminder_ids, attempts,
                                          last_error, next_attempt_at, created_at, claim_epoch,
                                          claim_owner, lease_until)
             VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9,
                     (SELECT claim_owner FROM reminders WHERE id = ANY($10) LIMIT 1), $11)
             ON CONFLICT (nonce) DO UPDATE SET
                 guild_id = excluded.guild_id, destination = excluded.destination,
                 reminder_ids = excluded.reminder_ids, attempts = excluded.attempts,
                 last_error = excluded.last_error, next_attempt_at = excluded.next_attempt_at,
                 claim_epoch = excluded.claim_epoch, claim_owner = excluded.claim_owner,
                 lease_until = excluded.lease_until, done_at = NULL, outcome = NULL
             WHERE reminder_outbox.done_at IS NOT NULL",
        )
        .bind(&out.nonce)
        .bind(id(out.guild))
        .bind(out.destination.encode())
        .bind(id_list(&out.reminders))
        .bind(i64::from(out.attempts))
        .bind(&out.last_error)
        .bind(micros(out.next_attempt_at)?)
        .bind(now)
        .bind(out.epoch)
        .bind(&ids)
        .bind(micros(now + CLAIM_LEASE)?)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(lost)
}

/// [`crate::outgoing_due`] on PostgreSQL.
pub(crate) async fn outgoing_due(db: &PgDb, now: Option<DateTime<Utc>>) -> Result<Vec<Outgoing>> {
    let rows: Vec<OutRow> = sqlx::query_as(&format!(
        "SELECT {} FROM reminder_outbox o
         WHERE o.done_at IS NULL AND ($1::timestamptz IS NULL OR o.next_attempt_at <= $1)
         ORDER BY o.next_attempt_at, o.created_at, o.nonce COLLATE \"C\"",
        out_columns("o")
    ))
    .bind(now.map(micros).transpose()?)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(OutRow::decode).collect()
}

/// [`crate::next_outgoing_at`] on PostgreSQL.
pub(crate) async fn next_outgoing_at(db: &PgDb) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(GREATEST(next_attempt_at, COALESCE(lease_until, next_attempt_at)))
         FROM reminder_outbox WHERE done_at IS NULL",
    )
    .fetch_one(&db.pool)
    .await?)
}

/// [`crate::holders_gone_in`] on PostgreSQL: the seconds until the first registration ends
/// among the other processes holding due open rows or claims, by the server's clock.
pub(crate) async fn holders_gone_in(
    db: &PgDb,
    now: DateTime<Utc>,
    owner: &str,
) -> Result<Option<f64>> {
    Ok(sqlx::query_scalar(
        "SELECT CASE WHEN count(*) = 0 THEN NULL ELSE
                    GREATEST(EXTRACT(EPOCH FROM MIN(COALESCE(p.expires_at, now())) - now()), 0)
                END::float8
           FROM (SELECT claim_owner AS holder FROM reminder_outbox
                  WHERE done_at IS NULL AND next_attempt_at <= $1 AND lease_until > $1
                 UNION
                 SELECT r.claim_owner FROM reminders r
                  WHERE r.state = 'claimed'
                    AND NOT EXISTS (SELECT 1 FROM reminder_outbox o
                                     WHERE o.done_at IS NULL
                                       AND o.reminder_ids @> jsonb_build_array(r.id::text))) h
           LEFT JOIN processes p ON p.owner = h.holder AND p.expires_at > now()
          WHERE h.holder IS NOT NULL AND h.holder <> $2
            AND EXISTS (SELECT 1 FROM processes here WHERE here.owner = $2
                                                     AND here.expires_at > now())",
    )
    .bind(micros(now)?)
    .bind(owner)
    .fetch_one(&db.pool)
    .await?)
}

/// [`crate::claim_outgoing`] on PostgreSQL: the rows are picked `FOR UPDATE SKIP LOCKED` in a
/// CTE, so two processes never take the same row; each row's reminders still claimed under
/// its old epoch are claimed again under the new one.
pub(crate) async fn claim_outgoing(
    db: &PgDb,
    now: DateTime<Utc>,
    limit: u32,
    owner: &str,
) -> Result<Vec<(Outgoing, Vec<ClaimedReminder>)>> {
    let now = micros(now)?;
    let mut tx = db.pool.begin().await?;
    let epoch = next_epoch(&mut tx).await?;
    // The old epoch comes back as `claim_epoch`: the members are claimed under it.
    let mut old: Vec<OutRow> = sqlx::query_as(&format!(
        "WITH picked AS (
             SELECT nonce, claim_epoch FROM reminder_outbox held
              WHERE done_at IS NULL AND next_attempt_at <= $1
                AND (lease_until IS NULL OR lease_until <= $1 OR claim_owner = $2
                     OR {gone})
              ORDER BY next_attempt_at, created_at, nonce COLLATE \"C\" LIMIT $3
                FOR UPDATE SKIP LOCKED)
         UPDATE reminder_outbox o SET claim_epoch = $4, claim_owner = $2, lease_until = $5
           FROM picked WHERE o.nonce = picked.nonce
         RETURNING {}",
        out_columns("o").replace("o.claim_epoch", "picked.claim_epoch"),
        gone = super::reminders::holder_gone("held.claim_owner"),
    ))
    .bind(now)
    .bind(owner)
    .bind(i64::from(limit))
    .bind(epoch)
    .bind(micros(now + CLAIM_LEASE)?)
    .fetch_all(&mut *tx)
    .await?;
    old.sort_by(|a, b| {
        (a.next_attempt_at, a.created_at, a.nonce.as_bytes()).cmp(&(
            b.next_attempt_at,
            b.created_at,
            b.nonce.as_bytes(),
        ))
    });
    let mut taken = Vec::with_capacity(old.len());
    for row in old {
        let mut row = row.decode()?;
        let members = claim_members(&mut tx, &row, epoch, owner, now).await?;
        row.epoch = epoch;
        taken.push((row, members));
    }
    tx.commit().await?;
    Ok(taken)
}

/// The reminders of `row` still claimed under its epoch, claimed again under `epoch`.
async fn claim_members(
    conn: &mut PgConnection,
    row: &Outgoing,
    epoch: i64,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ClaimedReminder>> {
    let members: Vec<ClaimRow> = sqlx::query_as(&format!(
        "UPDATE reminders r SET claimed_at = $1, claim_owner = $2, claim_epoch = $3
         WHERE r.id = ANY($4) AND r.state = 'claimed' AND r.claim_epoch = $5
         RETURNING {}",
        claim_returning("r")
    ))
    .bind(now)
    .bind(owner)
    .bind(epoch)
    .bind(&row.reminders)
    .bind(row.epoch)
    .fetch_all(&mut *conn)
    .await?;
    claimed_in_order(conn, members).await
}

/// Closes `row` if it is still open and held under its epoch; whether it was.
pub(crate) async fn finish(
    conn: &mut PgConnection,
    row: &Outgoing,
    end: OutboxEnd,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE reminder_outbox SET done_at = $1, outcome = $2, lease_until = NULL
         WHERE nonce = $3 AND done_at IS NULL AND claim_epoch = $4",
    )
    .bind(now)
    .bind(end.as_str())
    .bind(&row.nonce)
    .bind(row.epoch)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// [`crate::close_outgoing`] on PostgreSQL.
pub(crate) async fn close_outgoing(
    db: &PgDb,
    row: &Outgoing,
    end: OutboxEnd,
    ids: &[i64],
    late: &[i64],
    cancel: &[i64],
    now: DateTime<Utc>,
) -> Result<bool> {
    let now = micros(now)?;
    let mut tx = db.pool.begin().await?;
    if !finish(&mut tx, row, end, now).await? {
        return Ok(false);
    }
    match end {
        OutboxEnd::Sent => {
            sqlx::query(
                "UPDATE reminders SET state = 'sent', sent_at = $1, claimed_at = NULL,
                        claim_owner = NULL, last_error = NULL, late = (id = ANY($3))
                 WHERE id = ANY($2) AND state = 'claimed' AND claim_epoch = $4",
            )
            .bind(now)
            .bind(ids)
            .bind(late)
            .bind(row.epoch)
            .execute(&mut *tx)
            .await?;
        }
        OutboxEnd::Cancelled | OutboxEnd::Failed => {
            let state = if end == OutboxEnd::Failed {
                "failed"
            } else {
                "cancelled"
            };
            sqlx::query(
                "UPDATE reminders SET state = $1, claimed_at = NULL, claim_owner = NULL
                 WHERE id = ANY($2) AND state = 'claimed' AND claim_epoch = $3",
            )
            .bind(state)
            .bind(ids)
            .bind(row.epoch)
            .execute(&mut *tx)
            .await?;
        }
        OutboxEnd::Rerouted => {}
    }
    cancel_claimed(&mut tx, cancel, row.epoch).await?;
    tx.commit().await?;
    Ok(true)
}

/// Cancels the reminders `ids` still claimed under `epoch`.
pub(crate) async fn cancel_claimed(conn: &mut PgConnection, ids: &[i64], epoch: i64) -> Result<()> {
    sqlx::query(
        "UPDATE reminders SET state = 'cancelled', claimed_at = NULL, claim_owner = NULL
         WHERE id = ANY($1) AND state = 'claimed' AND claim_epoch = $2",
    )
    .bind(ids)
    .bind(epoch)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// [`crate::retry_outgoing`] on PostgreSQL.
pub(crate) async fn retry_outgoing(
    db: &PgDb,
    out: &Outgoing,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<bool> {
    let next_attempt_at = micros(next_attempt_at)?;
    let mut tx = db.pool.begin().await?;
    let held = sqlx::query(
        "UPDATE reminder_outbox SET attempts = attempts + 1, last_error = $1,
                next_attempt_at = $2, lease_until = $2
         WHERE nonce = $3 AND done_at IS NULL AND claim_epoch = $4",
    )
    .bind(error)
    .bind(next_attempt_at)
    .bind(&out.nonce)
    .bind(out.epoch)
    .execute(&mut *tx)
    .await?;
    if held.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE reminders SET last_error = $1, attempts = attempts + 1
         WHERE id = ANY($2) AND state = 'claimed' AND claim_epoch = $3",
    )
    .bind(error)
    .bind(&out.reminders)
    .bind(out.epoch)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}
