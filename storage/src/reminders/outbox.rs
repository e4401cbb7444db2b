//! The dispatcher's outbox: one row per message it is sending, written before the send and
//! closed after the marks, so a message is sent again after a crash with the same nonce and
//! the same reminders in it, whatever else fell due meanwhile.
//!
//! A reminder in an open outbox row stays `claimed` until the row is closed; rows are claimed
//! by nobody but the one dispatcher of the bot.

use crate::Db;
use chrono::{DateTime, Utc};
use sqlx::{Acquire, SqliteConnection};

use super::{claimed_in_order, ClaimRow, ClaimedReminder};
use crate::codec::{id, id_back, json_list, opt_ts, opt_ts_back, ts, ts_back};
use crate::{Destination, Result, StorageError};

/// A message on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub nonce: String,
    pub guild: u64,
    pub destination: Destination,
    pub reminders: Vec<i64>,
    /// Attempts that failed so far.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
}

/// How an outgoing message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxEnd {
    /// Posted: its reminders are sent.
    Sent,
    /// Not wanted any more (the step is done, the case closed, the channel gone).
    Cancelled,
    /// Given up: its reminders are failed.
    Failed,
    /// Went elsewhere (a closed DM goes to the case thread): its reminders are in other rows.
    Rerouted,
}

impl OutboxEnd {
    fn as_str(self) -> &'static str {
        match self {
            OutboxEnd::Sent => "sent",
            OutboxEnd::Cancelled => "cancelled",
            OutboxEnd::Failed => "failed",
            OutboxEnd::Rerouted => "rerouted",
        }
    }
}

/// Records several messages about to be sent, in one transaction (one sync to disk for a
/// whole batch). A nonce already recorded is left as it is; one that is not 1..=25 bytes
/// refuses the lot.
pub async fn open_outgoing_many(db: &Db, rows: &[Outgoing], now: DateTime<Utc>) -> Result<()> {
    if let Some(bad) = rows
        .iter()
        .find(|o| o.nonce.is_empty() || o.nonce.len() > 25)
    {
        return Err(StorageError::Invalid(format!(
            "nonce {:?} is not 1..=25 bytes",
            bad.nonce
        )));
    }
    let mut conn = db.begin().await?;
    for out in rows {
        let ids: Vec<String> = out.reminders.iter().map(i64::to_string).collect();
        sqlx::query(
            "INSERT INTO reminder_outbox (nonce, guild_id, destination, reminder_ids, attempts,
                                          last_error, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING",
        )
        .bind(&out.nonce)
        .bind(id(out.guild))
        .bind(out.destination.encode())
        .bind(json_list(ids.iter().map(String::as_str)))
        .bind(i64::from(out.attempts))
        .bind(&out.last_error)
        .bind(ts(out.next_attempt_at)?)
        .bind(ts(now)?)
        .execute(&mut *conn)
        .await?;
    }
    conn.commit().await?;
    Ok(())
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
}

/// Open messages whose next attempt is due at `now` (all open ones with `None`), oldest first.
pub async fn outgoing_due(db: &Db, now: Option<DateTime<Utc>>) -> Result<Vec<Outgoing>> {
    let mut conn = db.begin().await?;
    let rows: Vec<OutRow> = sqlx::query_as(
        "SELECT nonce, guild_id, destination, reminder_ids, attempts, last_error, next_attempt_at
         FROM reminder_outbox
         WHERE done_at IS NULL AND (?1 IS NULL OR next_attempt_at <= ?1)
         ORDER BY next_attempt_at, created_at, nonce",
    )
    .bind(opt_ts(now)?)
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    rows.into_iter()
        .map(|r| {
            let reminders: Vec<i64> = serde_json::from_str::<Vec<String>>(&r.reminder_ids)
                .map_err(|e| StorageError::Invalid(format!("outbox ids: {e}")))?
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect();
            Ok(Outgoing {
                nonce: r.nonce,
                guild: id_back(r.guild_id),
                destination: Destination::decode(&r.destination),
                reminders,
                attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
                last_error: r.last_error,
                next_attempt_at: ts_back(&r.next_attempt_at)?,
            })
        })
        .collect()
}

/// When the next open message is to be tried.
pub async fn next_outgoing_at(db: &Db) -> Result<Option<DateTime<Utc>>> {
    let mut conn = db.begin().await?;
    let next: Option<String> = sqlx::query_scalar(
        "SELECT MIN(next_attempt_at) FROM reminder_outbox WHERE done_at IS NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    conn.commit().await?;
    opt_ts_back(next.as_deref())
}

/// The reminders of an open message, (re)claimed by `owner` at `now`. Those no longer
/// claimable (sent, cancelled, failed) are left out; one that does not parse is marked failed
/// and left out.
pub async fn claim_members(
    db: &Db,
    ids: &[i64],
    now: DateTime<Utc>,
    owner: &str,
) -> Result<Vec<ClaimedReminder>> {
    let mut conn = db.begin().await?;
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let rows: Vec<ClaimRow> = sqlx::query_as(
        "UPDATE reminders SET state = 'claimed', claimed_at = ?1, claim_owner = ?2
         WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?3))
           AND state IN ('claimed', 'pending')
         RETURNING id, key, guild_id, case_id, step, kind, target, due_at, attempts,
                   claimed_at",
    )
    .bind(ts(now)?)
    .bind(owner)
    .bind(json_list(list.iter().map(String::as_str)))
    .fetch_all(&mut *conn)
    .await?;
    let claimed = claimed_in_order(&mut conn, rows).await?;
    conn.commit().await?;
    Ok(claimed)
}

/// Closes a message and settles its claimed reminders, in one transaction: `Sent` marks
/// `ids` sent (with `late` for the ids in `late`), `Failed` gives `ids` up, `Rerouted` leaves
/// them claimed (they are in other rows now). The ids in `cancel` are cancelled whatever the
/// end (reminders the case no longer wants).
pub async fn close_outgoing(
    db: &Db,
    nonce: &str,
    end: OutboxEnd,
    ids: &[i64],
    late: &[i64],
    cancel: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut conn = db.begin().await?;
    let list = |v: &[i64]| {
        let s: Vec<String> = v.iter().map(i64::to_string).collect();
        json_list(s.iter().map(String::as_str))
    };
    let members = list(ids);
    match end {
        OutboxEnd::Sent => {
            sqlx::query(
                "UPDATE reminders SET state = 'sent', sent_at = ?1, claimed_at = NULL,
                        claim_owner = NULL, last_error = NULL,
                        late = id IN (SELECT CAST(value AS INTEGER) FROM json_each(?3))
                 WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))
                   AND state = 'claimed'",
            )
            .bind(ts(now)?)
            .bind(&members)
            .bind(list(late))
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
                   AND state = 'claimed'",
            )
            .bind(state)
            .bind(&members)
            .execute(&mut *conn)
            .await?;
        }
        OutboxEnd::Rerouted => {}
    }
    sqlx::query(
        "UPDATE reminders SET state = 'cancelled', claimed_at = NULL, claim_owner = NULL
         WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?)) AND state = 'claimed'",
    )
    .bind(list(cancel))
    .execute(&mut *conn)
    .await?;
    finish(&mut conn, nonce, end, now).await?;
    conn.commit().await?;
    Ok(())
}

async fn finish(
    conn: &mut SqliteConnection,
    nonce: &str,
    end: OutboxEnd,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE reminder_outbox SET done_at = ?, outcome = ? WHERE nonce = ? AND done_at IS NULL",
    )
    .bind(ts(now)?)
    .bind(end.as_str())
    .bind(nonce)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A send failed for a reason that may pass: the error is recorded on the message and on its
/// reminders, and the message is tried again from `next_attempt_at`.
pub async fn retry_outgoing(
    db: &Db,
    out: &Outgoing,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<()> {
    let mut conn = db.begin().await?;
    sqlx::query(
        "UPDATE reminder_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
         WHERE nonce = ? AND done_at IS NULL",
    )
    .bind(error)
    .bind(ts(next_attempt_at)?)
    .bind(&out.nonce)
    .execute(&mut *conn)
    .await?;
    let s: Vec<String> = out.reminders.iter().map(i64::to_string).collect();
    sqlx::query(
        "UPDATE reminders SET last_error = ?, attempts = attempts + 1
         WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?)) AND state = 'claimed'",
    )
    .bind(error)
    .bind(json_list(s.iter().map(String::as_str)))
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(())
}
