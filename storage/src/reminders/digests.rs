//! HR's digest days: one row per server and Oslo day the digest was posted (or found empty),
//! so it is never posted twice for a day.

use crate::Db;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Acquire;

use crate::codec::{date, id, ts};
use crate::Result;

/// Records that HR's digest for `day` was done on this server. False when it already was:
/// the caller must then not post it.
pub async fn record_digest(
    db: &Db,
    guild: u64,
    day: NaiveDate,
    messages: u32,
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::digests::record_digest(pg, guild, day, messages, now).await;
    }
    let mut conn = db.begin().await?;
    let done = sqlx::query(
        "INSERT INTO digest_runs (guild_id, day, ran_at, messages) VALUES (?, ?, ?, ?)
         ON CONFLICT (guild_id, day) DO NOTHING",
    )
    .bind(id(guild))
    .bind(date(day)?)
    .bind(ts(now)?)
    .bind(i64::from(messages))
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Whether HR's digest for `day` was done on this server.
pub async fn digest_done(db: &Db, guild: u64, day: NaiveDate) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::digests::digest_done(pg, guild, day).await;
    }
    let mut conn = db.begin().await?;
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM digest_runs WHERE guild_id = ? AND day = ?")
            .bind(id(guild))
            .bind(date(day)?)
            .fetch_one(&mut *conn)
            .await?;
    conn.commit().await?;
    Ok(n > 0)
}
