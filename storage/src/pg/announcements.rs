//! What a stored change owes its thread, and the requests for HR's help, on PostgreSQL (see
//! `crate::announcements`; the change's own row is written by `pg::cases` in the change's
//! transaction). Rows are read with their times as the text SQLite stores, so both backends
//! decode them alike.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use flow::{CaseId, PersonRef};
use sqlx::PgConnection;

use super::{micros, ts_text, PgDb};
use crate::announcements::rows::{
    decoded, lines, merge_pinged, Announcement, AnnouncementRow, Pinged, PostedLine, Settled, GRACE,
};
use crate::codec::{id, ts};
use crate::{Result, StorageError};

/// The columns of [`AnnouncementRow`], `created_at` as SQLite's text.
static COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "id, guild_id, case_id, kind, version, asker_id, asker_name, nonce, line_channel_id,
         line_message_id, attempts, {} AS created_at",
        ts_text("created_at")
    )
});

/// [`crate::owed_for_case`] on PostgreSQL.
pub(crate) async fn owed_for_case(
    db: &PgDb,
    guild: u64,
    case: CaseId,
) -> Result<Vec<Announcement>> {
    let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
        "SELECT {} FROM announcements
         WHERE case_id = $1 AND guild_id = $2 AND done_at IS NULL ORDER BY version, id",
        *COLUMNS
    ))
    .bind(case.0)
    .bind(id(guild))
    .fetch_all(&db.pool)
    .await?;
    Ok(decoded(rows))
}

/// [`crate::announcements_due`] on PostgreSQL.
pub(crate) async fn announcements_due(
    db: &PgDb,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Announcement>> {
    let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
        "SELECT {} FROM announcements
         WHERE done_at IS NULL AND next_attempt_at <= $1
         ORDER BY case_id, version, id LIMIT $2",
        *COLUMNS
    ))
    .bind(micros(now)?)
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await?;
    Ok(decoded(rows))
}

/// [`crate::next_announcement_at`] on PostgreSQL.
pub(crate) async fn next_announcement_at(db: &PgDb) -> Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM announcements WHERE done_at IS NULL")
            .fetch_one(&db.pool)
            .await?,
    )
}

/// The settling of one announcement, in the caller's transaction: each mark written only
/// where it is not yet (the line once, done once), so a second settling changes nothing.
async fn settle_in(
    conn: &mut PgConnection,
    announcement: i64,
    settled: &Settled,
    now: DateTime<Utc>,
) -> Result<()> {
    let at = micros(now)?;
    if let Some((channel, message, pinged)) = &settled.line {
        let pinged =
            serde_json::to_string(pinged).map_err(|e| StorageError::Invalid(e.to_string()))?;
        sqlx::query(
            "UPDATE announcements SET line_channel_id = $1, line_message_id = $2,
                    pinged = $3::jsonb, line_sent_at = $4
             WHERE id = $5 AND line_message_id IS NULL",
        )
        .bind(id(*channel))
        .bind(id(*message))
        .bind(pinged)
        .bind(at)
        .bind(announcement)
        .execute(&mut *conn)
        .await?;
    }
    if settled.done {
        sqlx::query(
            "UPDATE announcements SET done_at = $1, last_error = NULL
             WHERE id = $2 AND done_at IS NULL",
        )
        .bind(at)
        .bind(announcement)
        .execute(&mut *conn)
        .await?;
    } else if let Some((error, retry_at)) = &settled.retry {
        sqlx::query(
            "UPDATE announcements SET attempts = attempts + 1, last_error = $1,
                    next_attempt_at = $2
             WHERE id = $3 AND done_at IS NULL",
        )
        .bind(error)
        .bind(micros(*retry_at)?)
        .bind(announcement)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// [`crate::settle_announcement`] on PostgreSQL: one transaction.
pub(crate) async fn settle_announcement(
    db: &PgDb,
    announcement: i64,
    settled: &Settled,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = db.pool.begin().await?;
    settle_in(&mut tx, announcement, settled, now).await?;
    tx.commit().await?;
    Ok(())
}

/// `Db::settle_announcement` on PostgreSQL: through this process's group commit.
pub(crate) async fn settle_grouped(
    db: &PgDb,
    announcement: i64,
    settled: Settled,
    now: DateTime<Utc>,
) -> Result<()> {
    db.writer
        .write(move |conn| {
            Box::pin(async move { settle_in(conn, announcement, &settled, now).await })
        })
        .await
}

/// [`crate::pinged_since`] on PostgreSQL.
pub(crate) async fn pinged_since(db: &PgDb, case: CaseId, since: DateTime<Utc>) -> Result<Pinged> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT pinged::text FROM announcements
         WHERE case_id = $1 AND line_sent_at >= $2 AND pinged IS NOT NULL",
    )
    .bind(case.0)
    .bind(micros(since)?)
    .fetch_all(&db.pool)
    .await?;
    merge_pinged(rows)
}

/// [`crate::ask_for_help`] on PostgreSQL. The case row is locked first, so two presses at
/// once, in one process or two, take it in turn: the second sees the first's request (a new
/// statement sees what committed before it) and is refused.
pub(crate) async fn ask_for_help(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    version: i64,
    asker: &PersonRef,
    now: DateTime<Utc>,
    gap: Duration,
) -> Result<std::result::Result<Announcement, DateTime<Utc>>> {
    let at = micros(now)?;
    let retry_at = micros(now + GRACE)?;
    let mut tx = db.pool.begin().await?;
    let _: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM cases WHERE id = $1 AND guild_id = $2 FOR NO KEY UPDATE")
            .bind(case.0)
            .bind(id(guild))
            .fetch_optional(&mut *tx)
            .await?;
    let last: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT MAX(created_at) FROM announcements
         WHERE case_id = $1 AND kind = 'help' AND asker_id = $2",
    )
    .bind(case.0)
    .bind(id(asker.id.0))
    .fetch_one(&mut *tx)
    .await?;
    if let Some(last) = last {
        if at - last < gap {
            tx.commit().await?;
            return Ok(Err(last));
        }
    }
    let nonce = crate::codec::nonce::nonce("h", &format!("{}:{}:{}", case.0, asker.id.0, ts(at)?));
    let row: AnnouncementRow = sqlx::query_as(&format!(
        "INSERT INTO announcements (guild_id, case_id, kind, version, asker_id, asker_name,
                                    nonce, next_attempt_at, created_at)
         VALUES ($1, $2, 'help', $3, $4, $5, $6, $7, $8) RETURNING {}",
        *COLUMNS
    ))
    .bind(id(guild))
    .bind(case.0)
    .bind(version)
    .bind(id(asker.id.0))
    .bind(&asker.name)
    .bind(nonce)
    .bind(retry_at)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(row.decode()?))
}

/// [`crate::posted_lines`] on PostgreSQL.
pub(crate) async fn posted_lines(db: &PgDb, guild: u64, case: CaseId) -> Result<Vec<PostedLine>> {
    let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
        "SELECT {} FROM announcements
         WHERE case_id = $1 AND guild_id = $2 AND line_message_id IS NOT NULL
         ORDER BY version, id",
        *COLUMNS
    ))
    .bind(case.0)
    .bind(id(guild))
    .fetch_all(&db.pool)
    .await?;
    Ok(lines(rows))
}
