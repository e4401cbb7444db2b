//! The dispatcher's outbox: one row per message it is sending, written before the send and
//! closed after the marks, so a message is sent again after a crash with the same nonce and
//! the same reminders in it, whatever else fell due meanwhile.
//!
//! A reminder in an open outbox row stays `claimed` until the row is closed. A row is *held*:
//! under the epoch of the claim its reminders were claimed under, by that claim's owner, until
//! its lease runs out ([`crate::CLAIM_LEASE`] after it was opened or taken). Closing, retrying
//! or requeuing it is refused (`false`, nothing changed) unless it is still held under the
//! caller's epoch ([`Outgoing::epoch`]). A row whose holder died is taken over, once its lease
//! has run out, by any process ([`claim_outgoing`]): the same row, the same nonce and the same
//! reminders, under a new epoch, so the message is sent again with the nonce it was maybe
//! posted with and Discord answers with the message already there. A retried row is held by
//! nobody from its next attempt on.

use crate::Db;
use chrono::{DateTime, Utc};
use sqlx::{Acquire, SqliteConnection};

use super::rows::{count_back, ClaimedReminder, OutboxEnd, Outgoing, CLAIM_LEASE};
use super::{claimed_in_order, next_epoch, ClaimRow, CLAIM_RETURNING};
use crate::codec::{id, id_back, id_list, ids_back, opt_ts, opt_ts_back, ts, ts_back};
use crate::ids::Destination;
use crate::{Result, StorageError};

/// Refuses the lot (`Invalid`) when a nonce is not 1..=25 bytes, as Discord would.
pub(crate) fn check_nonces(rows: &[Outgoing]) -> Result<()> {
    match rows
        .iter()
        .find(|o| o.nonce.is_empty() || o.nonce.len() > 25)
    {
        Some(bad) => Err(StorageError::Invalid(format!(
            "nonce {:?} is not 1..=25 bytes",
            bad.nonce
        ))),
        None => Ok(()),
    }
}

/// Records several messages about to be sent, in one transaction (one sync to disk for a
/// whole batch), each held under its `epoch` by the claim's owner for [`CLAIM_LEASE`]. A row
/// is opened only while every one of its reminders is still claimed under its epoch (their
/// claim is confirmed: `claimed_at` is `now`); otherwise its claim was taken over and the row
/// is left out: its nonce is returned, its message must not be sent, and what is still claimed
/// under its epoch goes back to the queue at once. A nonce already open under the same epoch
/// is left as it is; one closed before (a message that was not posted, rerouted) is opened
/// again. A nonce that is not 1..=25 bytes refuses the lot.
pub async fn open_outgoing_many(
    db: &Db,
    rows: &[Outgoing],
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    check_nonces(rows)?;
    if let Some(pg) = db.postgres() {
        return crate::pg::outbox::open_outgoing_many(pg, rows, now).await;
    }
    let mut conn = db.begin().await?;
    let mut lost = Vec::new();
    for out in rows {
        let mut ids = out.reminders.clone();
        ids.sort_unstable();
        ids.dedup();
        let held = sqlx::query(
            "UPDATE reminders SET claimed_at = ?1
             WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))
               AND state = 'claimed' AND claim_epoch = ?3",
        )
        .bind(ts(now)?)
        .bind(id_list(&ids))
        .bind(out.epoch)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        let existing: Option<(bool, i64)> = sqlx::query_as(
            "SELECT done_at IS NULL, claim_epoch FROM reminder_outbox WHERE nonce = ?",
        )
        .bind(&out.nonce)
        .fetch_optional(&mut *conn)
        .await?;
        let open_elsewhere = matches!(existing, Some((true, e)) if e != out.epoch);
        if held != ids.len() as u64 || open_elsewhere {
            // Not to be sent by this claimer: what is still claimed under its epoch goes back
            // to the queue now, not a lease later.
            sqlx::query(
                "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL
                 WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1))
                   AND state = 'claimed' AND claim_epoch = ?2",
            )
            .bind(id_list(&ids))
            .bind(out.epoch)
            .execute(&mut *conn)
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
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                     (SELECT claim_owner FROM reminders
                       WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?4)) LIMIT 1),
                     ?10)
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
        .bind(ts(out.next_attempt_at)?)
        .bind(ts(now)?)
        .bind(out.epoch)
        .bind(ts(now + CLAIM_LEASE)?)
        .execute(&mut *conn)
        .await?;
    }
    conn.commit().await?;
    Ok(lost)
}

#[derive(sqlx::FromRow)]
struct OutRow {
    nonce: String,
    guild_id: i64,
    destination: String,
    reminder_ids: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: String,
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
            next_attempt_at: ts_back(&self.next_attempt_at)?,
            epoch: self.claim_epoch,
        })
    }
}

const OUT_COLUMNS: &str =
    "nonce, guild_id, destination, reminder_ids, attempts, last_error, next_attempt_at, claim_epoch";

/// Open messages whose next attempt is due at `now` (all open ones with `None`), oldest
/// first, whoever holds them: for inspection (the sender takes them with [`claim_outgoing`]).
pub async fn outgoing_due(db: &Db, now: Option<DateTime<Utc>>) -> Result<Vec<Outgoing>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::outbox::outgoing_due(pg, now).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<OutRow> = sqlx::query_as(&format!(
        "SELECT {OUT_COLUMNS} FROM reminder_outbox
         WHERE done_at IS NULL AND (?1 IS NULL OR next_attempt_at <= ?1)
         ORDER BY next_attempt_at, created_at, nonce"
    ))
    .bind(opt_ts(now)?)
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    rows.into_iter().map(OutRow::decode).collect()
}

/// When the next open message can be taken: its next attempt, or when its holder's lease runs
/// out if that is later.
pub async fn next_outgoing_at(db: &Db) -> Result<Option<DateTime<Utc>>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::outbox::next_outgoing_at(pg).await;
    }
    let mut conn = db.begin().await?;
    let next: Option<String> = sqlx::query_scalar(
        "SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, next_attempt_at)))
         FROM reminder_outbox WHERE done_at IS NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    conn.commit().await?;
    opt_ts_back(next.as_deref())
}

/// Takes up to `limit` open messages due at `now` that nobody holds (never held, retried, or
/// whose holder's lease ran out or, on PostgreSQL, whose holder's registration ended while
/// `owner`'s is live: [`crate::holders_gone_in`]; `owner`'s own from an earlier pass too), oldest first, with
/// their reminders: the same rows and nonces, held by `owner` under a new epoch for
/// [`CLAIM_LEASE`], their reminders claimed again under it. Only the reminders still claimed
/// under the row's old epoch are its (sent, cancelled and failed ones are left out); one that
/// does not parse is marked failed and left out.
pub async fn claim_outgoing(
    db: &Db,
    now: DateTime<Utc>,
    limit: u32,
    owner: &str,
) -> Result<Vec<(Outgoing, Vec<ClaimedReminder>)>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::outbox::claim_outgoing(pg, now, limit, owner).await;
    }
    let mut conn = db.begin().await?;
    let epoch = next_epoch(&mut conn).await?;
    let old: Vec<OutRow> = sqlx::query_as(&format!(
        "SELECT {OUT_COLUMNS} FROM reminder_outbox
         WHERE done_at IS NULL AND next_attempt_at <= ?1
           AND (lease_until IS NULL OR lease_until <= ?1 OR claim_owner = ?2)
         ORDER BY next_attempt_at, created_at, nonce LIMIT ?3"
    ))
    .bind(ts(now)?)
    .bind(owner)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    let mut taken = Vec::with_capacity(old.len());
    for row in old {
        let mut row = row.decode()?;
        sqlx::query(
            "UPDATE reminder_outbox SET claim_epoch = ?1, claim_owner = ?2, lease_until = ?3
             WHERE nonce = ?4",
        )
        .bind(epoch)
        .bind(owner)
        .bind(ts(now + CLAIM_LEASE)?)
        .bind(&row.nonce)
        .execute(&mut *conn)
        .await?;
        let members: Vec<ClaimRow> = sqlx::query_as(&format!(
            "UPDATE reminders SET claimed_at = ?1, claim_owner = ?2, claim_epoch = ?3
             WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?4))
               AND state = 'claimed' AND claim_epoch = ?5
             RETURNING {CLAIM_RETURNING}"
        ))
        .bind(ts(now)?)
        .bind(owner)
        .bind(epoch)
        .bind(id_list(&row.reminders))
        .bind(row.epoch)
        .fetch_all(&mut *conn)
        .await?;
        let members = claimed_in_order(&mut conn, members).await?;
        row.epoch = epoch;
        taken.push((row, members));
    }
    conn.commit().await?;
    Ok(taken)
}

/// Closes a message and settles its claimed reminders, in one transaction: `Sent` marks
/// `ids` sent (with `late` for the ids in `late`), `Failed` gives `ids` up, `Rerouted` leaves
/// them claimed (they are in other rows now). The ids in `cancel` are cancelled whatever the
/// end (reminders the case no longer wants). Only while `row` is still open and held under its
/// epoch, and only the reminders claimed under it: `false` (and nothing changed) when another
/// took it over or it was closed already.
pub async fn close_outgoing(
    db: &Db,
    row: &Outgoing,
    end: OutboxEnd,
    ids: &[i64],
    late: &[i64],
    cancel: &[i64],
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::outbox::close_outgoing(pg, row, end, ids, late, cancel, now).await;
    }
    let mut conn = db.begin().await?;
    if !finish(&mut conn, row, end, now).await? {
        return Ok(false);
    }
    let members = id_list(ids);
    match end {
        OutboxEnd::Sent => {
            sqlx::query(
                "UPDATE reminders SET state = 'sent', sent_at = ?1, claimed_at = NULL,
                        claim_owner = NULL, last_error = NULL,
                        late = id IN (SELECT CAST(value AS INTEGER) FROM json_each(?3))
                 WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))
                   AND state = 'claimed' AND claim_epoch = ?4",
            )
            .bind(ts(now)?)
            .bind(&members)
            .bind(id_list(late))
            .bind(row.epoch)
            .execute(&mut *conn)
            .await?;
        }
        OutboxEnd::Cancelled | OutboxEnd::Failed => {
            let state = if end == OutboxEnd::Failed {
                "failed"
            } else {
                "cancelled"
            };
            sqlx::query(
                "UPDATE reminders SET state = ?1, claimed_at = NULL, claim_owner = NULL
                 WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))
                   AND state = 'claimed' AND claim_epoch = ?3",
            )
            .bind(state)
            .bind(&members)
            .bind(row.epoch)
            .execute(&mut *conn)
            .await?;
        }
        OutboxEnd::Rerouted => {}
    }
    sqlx::query(
        "UPDATE reminders SET state = 'cancelled', claimed_at = NULL, claim_owner = NULL
         WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))
           AND state = 'claimed' AND claim_epoch = ?",
    )
    .bind(id_list(cancel))
    .bind(row.epoch)
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(true)
}

/// Closes `row` if it is still open and held under its epoch; whether it was.
async fn finish(
    conn: &mut SqliteConnection,
    row: &Outgoing,
    end: OutboxEnd,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE reminder_outbox SET done_at = ?, outcome = ?, lease_until = NULL
         WHERE nonce = ? AND done_at IS NULL AND claim_epoch = ?",
    )
    .bind(ts(now)?)
    .bind(end.as_str())
    .bind(&row.nonce)
    .bind(row.epoch)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A send failed for a reason that may pass: the error is recorded on the message and on its
/// reminders, and the message is tried again from `next_attempt_at`, by whoever takes it then
/// (it is held by nobody from then on). `false` (nothing changed) when `out` is no longer held
/// under its epoch.
pub async fn retry_outgoing(
    db: &Db,
    out: &Outgoing,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::outbox::retry_outgoing(pg, out, error, next_attempt_at).await;
    }
    let mut conn = db.begin().await?;
    let held = sqlx::query(
        "UPDATE reminder_outbox SET attempts = attempts + 1, last_error = ?1,
                next_attempt_at = ?2, lease_until = ?2
         WHERE nonce = ?3 AND done_at IS NULL AND claim_epoch = ?4",
    )
    .bind(error)
    .bind(ts(next_attempt_at)?)
    .bind(&out.nonce)
    .bind(out.epoch)
    .execute(&mut *conn)
    .await?;
    if held.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE reminders SET last_error = ?, attempts = attempts + 1
         WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))
           AND state = 'claimed' AND claim_epoch = ?",
    )
    .bind(error)
    .bind(id_list(&out.reminders))
    .bind(out.epoch)
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(true)
}
