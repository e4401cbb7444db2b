//! Gateway shard leases on PostgreSQL (see `crate::leases`). Every time is the server's
//! `now()`: a process sends only the lease's length, so the processes' clocks never matter.
//! Each statement is one atomic row operation: `INSERT … ON CONFLICT DO UPDATE … WHERE` locks
//! the row and re-checks the condition on its latest version, so two processes racing for a
//! shard cannot both win it. Rows come back as they are; `crate::leases` makes them values.

use chrono::{DateTime, Utc};

use super::PgDb;
use crate::Result;

/// A lease row: shard, shard count, owner, epoch, end.
pub(crate) type LeaseRow = (i64, i64, String, i64, DateTime<Utc>);

/// The epoch and end of the lease won, if it was.
pub(crate) async fn win_shard_lease(
    db: &PgDb,
    owner: &str,
    shard: u32,
    num_shards: u32,
    micros: i64,
) -> Result<Option<(i64, DateTime<Utc>)>> {
    let won: Option<(i64, DateTime<Utc>)> = sqlx::query_as(
        "INSERT INTO shard_leases AS l (shard, num_shards, owner, epoch, expires_at)
         VALUES ($1, $2, $3, 1, now() + $4::float8 * interval '1 microsecond')
         ON CONFLICT (shard) DO UPDATE SET
             num_shards = excluded.num_shards,
             owner = excluded.owner,
             epoch = CASE WHEN l.owner = excluded.owner AND l.expires_at > now() THEN l.epoch
                          ELSE l.epoch + 1 END,
             expires_at = excluded.expires_at
         WHERE l.expires_at <= now() OR l.owner = excluded.owner
         RETURNING epoch, expires_at",
    )
    .bind(i32::try_from(shard).unwrap_or(i32::MAX))
    .bind(i32::try_from(num_shards).unwrap_or(i32::MAX))
    .bind(owner)
    .bind(micros)
    .fetch_optional(&db.pool)
    .await?;
    Ok(won)
}

pub(crate) async fn renew_shard_lease(
    db: &PgDb,
    owner: &str,
    shard: u32,
    epoch: i64,
    micros: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE shard_leases SET expires_at = now() + $1::float8 * interval '1 microsecond'
         WHERE shard = $2 AND owner = $3 AND epoch = $4 AND expires_at > now()",
    )
    .bind(micros)
    .bind(i64::from(shard))
    .bind(owner)
    .bind(epoch)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn release_shard_lease(
    db: &PgDb,
    owner: &str,
    shard: u32,
    epoch: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE shard_leases SET expires_at = now()
         WHERE shard = $1 AND owner = $2 AND epoch = $3 AND expires_at > now()",
    )
    .bind(i64::from(shard))
    .bind(owner)
    .bind(epoch)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn shard_owners(db: &PgDb) -> Result<Vec<LeaseRow>> {
    Ok(sqlx::query_as(
        "SELECT shard::bigint, num_shards::bigint, owner, epoch, expires_at FROM shard_leases
         WHERE expires_at > now() ORDER BY shard",
    )
    .fetch_all(&db.pool)
    .await?)
}

pub(crate) async fn claim_identify(
    db: &PgDb,
    owner: &str,
    bucket: u32,
    micros: i64,
) -> Result<bool> {
    let taken: Option<i32> = sqlx::query_scalar(
        "INSERT INTO identify_slots AS s (bucket, owner, free_at)
         VALUES ($1, $2, now() + $3::float8 * interval '1 microsecond')
         ON CONFLICT (bucket) DO UPDATE SET owner = excluded.owner, free_at = excluded.free_at
         WHERE s.free_at <= now()
         RETURNING bucket",
    )
    .bind(i32::try_from(bucket).unwrap_or(i32::MAX))
    .bind(owner)
    .bind(micros)
    .fetch_optional(&db.pool)
    .await?;
    Ok(taken.is_some())
}

pub(crate) async fn identified(db: &PgDb, owner: &str, bucket: u32, micros: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE identify_slots SET free_at = now() + $1::float8 * interval '1 microsecond'
         WHERE bucket = $2 AND owner = $3",
    )
    .bind(micros)
    .bind(i64::from(bucket))
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn end_shard_leases_of_others(db: &PgDb, owner: &str) -> Result<u64> {
    let mut tx = db.pool.begin().await?;
    let ended = sqlx::query(
        "UPDATE shard_leases SET expires_at = now() WHERE owner <> $1 AND expires_at > now()",
    )
    .bind(owner)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE identify_slots SET free_at = now() WHERE owner <> $1 AND free_at > now()")
        .bind(owner)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(ended.rows_affected())
}
