//! HR's digest days on PostgreSQL (see `crate::reminders::digests`).

use chrono::{DateTime, NaiveDate, Utc};

use super::{micros, PgDb};
use crate::codec::{date, id};
use crate::Result;

/// [`crate::record_digest`] on PostgreSQL.
pub(crate) async fn record_digest(
    db: &PgDb,
    guild: u64,
    day: NaiveDate,
    messages: u32,
    now: DateTime<Utc>,
) -> Result<bool> {
    // Refused outside the years SQLite stores, as there.
    date(day)?;
    let done = sqlx::query(
        "INSERT INTO digest_runs (guild_id, day, ran_at, messages) VALUES ($1, $2, $3, $4)
         ON CONFLICT (guild_id, day) DO NOTHING",
    )
    .bind(id(guild))
    .bind(day)
    .bind(micros(now)?)
    .bind(i64::from(messages))
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// [`crate::digest_done`] on PostgreSQL.
pub(crate) async fn digest_done(db: &PgDb, guild: u64, day: NaiveDate) -> Result<bool> {
    date(day)?;
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM digest_runs WHERE guild_id = $1 AND day = $2)",
    )
    .bind(id(guild))
    .bind(day)
    .fetch_one(&db.pool)
    .await?)
}
