//! What a stored change owes the case's thread: the card shown anew and a line saying what
//! happened and who is asked next; and each "Be HR om hjelp" request. Part of the outbox, as
//! the reminder messages are (`outbox.rs`): the row is written in the same transaction as the
//! change (`OWE`, run by `cases::write_rest`), so nothing a stored change must say is lost if
//! the bot dies right after storing it.
//!
//! The bot sends a row at once, from the handler that made the change, and marks it done
//! (`Db::settle_announcement`). A row it could not finish waits with a later
//! `next_attempt_at`; the reminder sender takes up every row whose `next_attempt_at` has come
//! (`announcements_due`). A fresh row's `next_attempt_at` is [`GRACE`] after the change, so the
//! sender does not race the handler for it; a row the handler never finished (the process
//! died) is taken up after that. The line goes out with the row's nonce, so a line that was
//! posted just before a crash is not posted twice (within Discord's nonce window).

use chrono::{DateTime, Duration, Utc};
use flow::{CaseId, PersonRef};
use sqlx::{Acquire, SqliteConnection};

use crate::codec::{id, opt_ts_back, ts, JsonMap};
use crate::{Db, Result, StorageError};
use rows::{
    change_nonce, decoded, lines, merge_pinged, Announcement, AnnouncementRow, Pinged, PostedLine,
    Settled, GRACE,
};

pub(crate) mod rows;

/// Inserts the announcement of the change in `?1` (see [`put_owed`]). Runs inside the
/// change's statement list; a change never announces itself twice.
pub(crate) const OWE: &str = "
    INSERT INTO announcements (guild_id, case_id, kind, version, nonce, next_attempt_at,
                               created_at)
    SELECT ?1 ->> 'guild', ?1 ->> 'case', 'change', ?1 ->> 'version',
           ?1 ->> '$.announce.nonce', ?1 ->> '$.announce.retry_at', ?1 ->> '$.announce.at'
     WHERE true
    ON CONFLICT DO NOTHING;";

/// Puts what [`OWE`] reads into a change's JSON parameter.
pub(crate) fn put_owed(
    change: &mut JsonMap,
    case: CaseId,
    version: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    change.insert(
        "announce".into(),
        serde_json::json!({
            "nonce": change_nonce(case, version),
            "at": ts(at)?,
            "retry_at": ts(at + GRACE)?,
        }),
    );
    Ok(())
}

const COLUMNS: &str = "id, guild_id, case_id, kind, version, asker_id, asker_name, nonce,
                       line_channel_id, line_message_id, attempts, created_at";

/// The case's announcements not yet done, oldest first (the handler sends them in order, so
/// the thread reads in the order things happened).
pub async fn owed_for_case(db: &Db, guild: u64, case: CaseId) -> Result<Vec<Announcement>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::announcements::owed_for_case(pg, guild, case).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM announcements
         WHERE case_id = ? AND guild_id = ? AND done_at IS NULL ORDER BY version, id"
    ))
    .bind(case.0)
    .bind(id(guild))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(decoded(rows))
}

/// Announcements whose next attempt has come, oldest first, at most `limit`.
pub async fn announcements_due(
    db: &Db,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Announcement>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::announcements::announcements_due(pg, now, limit).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM announcements
         WHERE done_at IS NULL AND next_attempt_at <= ?
         ORDER BY case_id, version, id LIMIT ?"
    ))
    .bind(ts(now)?)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(decoded(rows))
}

/// When the next announcement waiting for a retry is due, for the sender's sleep.
pub async fn next_announcement_at(db: &Db) -> Result<Option<DateTime<Utc>>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::announcements::next_announcement_at(pg).await;
    }
    let mut conn = db.begin().await?;
    let next: Option<String> =
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM announcements WHERE done_at IS NULL")
            .fetch_one(&mut *conn)
            .await?;
    conn.commit().await?;
    opt_ts_back(next.as_deref())
}

async fn settle_in(
    conn: &mut SqliteConnection,
    announcement: i64,
    settled: &Settled,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some((channel, message, pinged)) = &settled.line {
        let pinged =
            serde_json::to_string(pinged).map_err(|e| StorageError::Invalid(e.to_string()))?;
        sqlx::query(
            "UPDATE announcements SET line_channel_id = ?, line_message_id = ?, pinged = ?,
                    line_sent_at = ?
             WHERE id = ? AND line_message_id IS NULL",
        )
        .bind(id(*channel))
        .bind(id(*message))
        .bind(pinged)
        .bind(ts(now)?)
        .bind(announcement)
        .execute(&mut *conn)
        .await?;
    }
    if settled.done {
        sqlx::query(
            "UPDATE announcements SET done_at = ?, last_error = NULL
             WHERE id = ? AND done_at IS NULL",
        )
        .bind(ts(now)?)
        .bind(announcement)
        .execute(&mut *conn)
        .await?;
    } else if let Some((error, at)) = &settled.retry {
        sqlx::query(
            "UPDATE announcements SET attempts = attempts + 1, last_error = ?,
                    next_attempt_at = ?
             WHERE id = ? AND done_at IS NULL",
        )
        .bind(error)
        .bind(ts(*at)?)
        .bind(announcement)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records what became of an announcement: the line posted (who it pinged), done, or when to
/// try again, in one transaction.
pub async fn settle_announcement(
    db: &Db,
    announcement: i64,
    settled: &Settled,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::announcements::settle_announcement(pg, announcement, settled, now).await;
    }
    let mut tx = db.begin().await?;
    settle_in(&mut tx, announcement, settled, now).await?;
    tx.commit().await?;
    Ok(())
}

impl Db {
    /// [`settle_announcement`] through the group commit: after a busy minute of presses the
    /// marks share their syncs with the changes.
    pub async fn settle_announcement(
        &self,
        announcement: i64,
        settled: Settled,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(pg) = self.postgres() {
            return crate::pg::announcements::settle_grouped(pg, announcement, settled, now).await;
        }
        self.writer()
            .write(move |conn| {
                Box::pin(async move { settle_in(conn, announcement, &settled, now).await })
            })
            .await
    }
}

/// Who the case's lines pinged since `since` (for "at most once a working day").
pub async fn pinged_since(db: &Db, case: CaseId, since: DateTime<Utc>) -> Result<Pinged> {
    if let Some(pg) = db.postgres() {
        return crate::pg::announcements::pinged_since(pg, case, since).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT pinged FROM announcements
         WHERE case_id = ? AND line_sent_at >= ? AND pinged IS NOT NULL",
    )
    .bind(case.0)
    .bind(ts(since)?)
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    merge_pinged(rows)
}

/// Records a request for HR's help on a case at `version`, unless the same person asked about
/// the same case less than `gap` ago; `None` then (with when they asked).
pub async fn ask_for_help(
    db: &Db,
    guild: u64,
    case: CaseId,
    version: i64,
    asker: &PersonRef,
    now: DateTime<Utc>,
    gap: Duration,
) -> Result<std::result::Result<Announcement, DateTime<Utc>>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::announcements::ask_for_help(pg, guild, case, version, asker, now, gap)
            .await;
    }
    let mut tx = db.begin().await?;
    // A write first, so two presses at once are serialised by the write lock.
    sqlx::query("UPDATE cases SET version = version WHERE id = ? AND guild_id = ?")
        .bind(case.0)
        .bind(id(guild))
        .execute(&mut *tx)
        .await?;
    let last: Option<String> = sqlx::query_scalar(
        "SELECT MAX(created_at) FROM announcements
         WHERE case_id = ? AND kind = 'help' AND asker_id = ?",
    )
    .bind(case.0)
    .bind(id(asker.id.0))
    .fetch_one(&mut *tx)
    .await?;
    if let Some(last) = opt_ts_back(last.as_deref())? {
        if now - last < gap {
            tx.commit().await?;
            return Ok(Err(last));
        }
    }
    let nonce = crate::codec::nonce::nonce("h", &format!("{}:{}:{}", case.0, asker.id.0, ts(now)?));
    let row: AnnouncementRow = sqlx::query_as(&format!(
        "INSERT INTO announcements (guild_id, case_id, kind, version, asker_id, asker_name,
                                    nonce, next_attempt_at, created_at)
         VALUES (?1, ?2, 'help', ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {COLUMNS}"
    ))
    .bind(id(guild))
    .bind(case.0)
    .bind(version)
    .bind(id(asker.id.0))
    .bind(&asker.name)
    .bind(nonce)
    .bind(ts(now + GRACE)?)
    .bind(ts(now)?)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(row.decode()?))
}

/// Every line posted about the case, oldest first.
pub async fn posted_lines(db: &Db, guild: u64, case: CaseId) -> Result<Vec<PostedLine>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::announcements::posted_lines(pg, guild, case).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM announcements
         WHERE case_id = ? AND guild_id = ? AND line_message_id IS NOT NULL
         ORDER BY version, id"
    ))
    .bind(case.0)
    .bind(id(guild))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(lines(rows))
}
