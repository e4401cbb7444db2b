//! Gateway shard leases (issue 14): which process runs which shard. A process starts a shard
//! only after winning its lease, renews it well before it expires and stops the shard itself
//! when it cannot (the policy is the bot's `shards::policy`); this module is the one place that
//! says who holds what.
//!
//! **One clock.** Whether a lease is live is decided by one clock for every process: the
//! database's. On PostgreSQL every statement compares and computes with the server's `now()`,
//! never with a time a process sends, because the processes' wall clocks drift and can be set
//! back or forward (NTP steps, a VM resumed): two processes whose clocks disagree by a second
//! would both believe they hold a lease for that second. A process therefore only ever sends a
//! *length* (the TTL), and keeps its own deadline on its monotonic clock, measured from when it
//! *sent* its last successful renewal (before the database's `now()` of that renewal, so the
//! process's deadline always comes first). On SQLite there is a single process per file (the
//! file lock, [`crate::ProcessLock`]), so its own clock is the one clock.
//!
//! A lease is live while `expires_at > now`. Winning a free or expired shard bumps its epoch
//! (the fencing token); winning one that is still ours extends it and keeps its epoch. Renewing
//! and releasing name the epoch: a process whose lease was lost, even if it won the shard back
//! since, cannot renew or release with the old one. Rows are never deleted, so epochs only grow.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::Acquire;

use crate::codec::{ts, ts_back};
use crate::error::corrupt;
use crate::{Db, Result, StorageError};

/// A shard's lease as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardLease {
    pub shard: u32,
    /// The shard count it was won for (from `GET /gateway/bot`).
    pub num_shards: u32,
    /// Who holds it: a name unique to one run of one process.
    pub owner: String,
    /// The fencing token: grows by one with every win of a free or expired lease.
    pub epoch: i64,
    /// When it ends, by the database's clock (informative: decisions are taken in SQL).
    pub expires_at: DateTime<Utc>,
}

/// Checks what a caller hands over; `Invalid` for a caller's bug.
pub(crate) fn check(owner: &str, shard: u32, num_shards: u32) -> Result<()> {
    if owner.trim().is_empty() {
        return Err(StorageError::Invalid("a shard lease needs an owner".into()));
    }
    if shard >= num_shards || i32::try_from(num_shards).is_err() {
        return Err(StorageError::Invalid(format!(
            "shard {shard} of {num_shards} shards"
        )));
    }
    Ok(())
}

/// A lease's length in microseconds (both backends keep microseconds or finer).
pub(crate) fn ttl_micros(ttl: Duration) -> Result<i64> {
    i64::try_from(ttl.as_micros())
        .ok()
        .filter(|&m| m <= TimeDelta::days(365).num_microseconds().unwrap_or(i64::MAX))
        .ok_or_else(|| StorageError::Invalid(format!("a shard lease of {ttl:?}")))
}

/// Wins the lease on `shard` (of `num_shards`) for `owner` for `ttl` from now, if the shard is
/// free, its lease expired, or it is `owner`'s already. `None`: someone else holds it.
pub async fn win_shard_lease(
    db: &Db,
    owner: &str,
    shard: u32,
    num_shards: u32,
    ttl: Duration,
) -> Result<Option<ShardLease>> {
    check(owner, shard, num_shards)?;
    let micros = ttl_micros(ttl)?;
    if let Some(pg) = db.postgres() {
        let won = crate::pg::leases::win_shard_lease(pg, owner, shard, num_shards, micros).await?;
        return Ok(won.map(|(epoch, expires_at)| ShardLease {
            shard,
            num_shards,
            owner: owner.to_owned(),
            epoch,
            expires_at,
        }));
    }
    let now = Utc::now();
    let expires = now + TimeDelta::microseconds(micros);
    let mut tx = db.begin().await?;
    let won: Option<(i64, String)> = sqlx::query_as(
        "INSERT INTO shard_leases (shard, num_shards, owner, epoch, expires_at)
         VALUES (?1, ?2, ?3, 1, ?5)
         ON CONFLICT (shard) DO UPDATE SET
             num_shards = excluded.num_shards,
             owner = excluded.owner,
             epoch = CASE WHEN owner = excluded.owner AND expires_at > ?4 THEN epoch
                          ELSE epoch + 1 END,
             expires_at = excluded.expires_at
         WHERE expires_at <= ?4 OR owner = excluded.owner
         RETURNING epoch, expires_at",
    )
    .bind(i64::from(shard))
    .bind(i64::from(num_shards))
    .bind(owner)
    .bind(ts(now)?)
    .bind(ts(expires)?)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    won.map(|(epoch, expires_at)| {
        Ok(ShardLease {
            shard,
            num_shards,
            owner: owner.to_owned(),
            epoch,
            expires_at: ts_back(&expires_at)?,
        })
    })
    .transpose()
}

/// Extends `owner`'s lease on `shard` to `ttl` from now, if it is still live and still the one
/// won with `epoch`. Answers whether it held: `false` means the lease expired or was taken
/// over, and the shard must not run any longer.
pub async fn renew_shard_lease(
    db: &Db,
    owner: &str,
    shard: u32,
    epoch: i64,
    ttl: Duration,
) -> Result<bool> {
    let micros = ttl_micros(ttl)?;
    if let Some(pg) = db.postgres() {
        return crate::pg::leases::renew_shard_lease(pg, owner, shard, epoch, micros).await;
    }
    let now = Utc::now();
    let expires = now + TimeDelta::microseconds(micros);
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE shard_leases SET expires_at = ?1
         WHERE shard = ?2 AND owner = ?3 AND epoch = ?4 AND expires_at > ?5",
    )
    .bind(ts(expires)?)
    .bind(i64::from(shard))
    .bind(owner)
    .bind(epoch)
    .bind(ts(now)?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Ends `owner`'s lease on `shard` (won with `epoch`) now, so another process may win it at
/// once. Answers whether it was still `owner`'s; someone else's lease is left alone.
pub async fn release_shard_lease(db: &Db, owner: &str, shard: u32, epoch: i64) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::leases::release_shard_lease(pg, owner, shard, epoch).await;
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE shard_leases SET expires_at = ?1
         WHERE shard = ?2 AND owner = ?3 AND epoch = ?4 AND expires_at > ?1",
    )
    .bind(ts(now)?)
    .bind(i64::from(shard))
    .bind(owner)
    .bind(epoch)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// The live leases (by the database's clock), by shard: who runs which shard now.
pub async fn shard_owners(db: &Db) -> Result<Vec<ShardLease>> {
    if let Some(pg) = db.postgres() {
        let rows = crate::pg::leases::shard_owners(pg).await?;
        return rows
            .into_iter()
            .map(|(shard, num_shards, owner, epoch, expires_at)| {
                Ok(ShardLease {
                    shard: small(shard)?,
                    num_shards: small(num_shards)?,
                    owner,
                    epoch,
                    expires_at,
                })
            })
            .collect();
    }
    let now = Utc::now();
    let mut conn = db.acquire().await?;
    let rows: Vec<(i64, i64, String, i64, String)> = sqlx::query_as(
        "SELECT shard, num_shards, owner, epoch, expires_at FROM shard_leases
         WHERE expires_at > ? ORDER BY shard",
    )
    .bind(ts(now)?)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(shard, num_shards, owner, epoch, expires_at)| {
            Ok(ShardLease {
                shard: small(shard)?,
                num_shards: small(num_shards)?,
                owner,
                epoch,
                expires_at: ts_back(&expires_at)?,
            })
        })
        .collect()
}

/// Takes the IDENTIFY slot of `bucket` (`shard % max_concurrency`) for `owner`, if it is
/// free: never taken, or its last holder's shard connected more than the spacing ago
/// ([`identified`]), or its hold ran out. Held for `hold` (a shard that never connects frees
/// it then). Answers whether it was taken: a process starts a shard only with its bucket's
/// slot, so IDENTIFYs of all processes keep Discord's spacing.
pub async fn claim_identify(db: &Db, owner: &str, bucket: u32, hold: Duration) -> Result<bool> {
    check(owner, bucket, bucket.saturating_add(1))?;
    let micros = ttl_micros(hold)?;
    if let Some(pg) = db.postgres() {
        return crate::pg::leases::claim_identify(pg, owner, bucket, micros).await;
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let taken: Option<i64> = sqlx::query_scalar(
        "INSERT INTO identify_slots (bucket, owner, free_at) VALUES (?1, ?2, ?4)
         ON CONFLICT (bucket) DO UPDATE SET owner = excluded.owner, free_at = excluded.free_at
         WHERE free_at <= ?3
         RETURNING bucket",
    )
    .bind(i64::from(bucket))
    .bind(owner)
    .bind(ts(now)?)
    .bind(ts(now + TimeDelta::microseconds(micros))?)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(taken.is_some())
}

/// The shard `owner` started under its slot of `bucket` is connected (its IDENTIFY is done):
/// the slot frees `spacing` from now. Answers whether the slot was still `owner`'s.
pub async fn identified(db: &Db, owner: &str, bucket: u32, spacing: Duration) -> Result<bool> {
    let micros = ttl_micros(spacing)?;
    if let Some(pg) = db.postgres() {
        return crate::pg::leases::identified(pg, owner, bucket, micros).await;
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let done =
        sqlx::query("UPDATE identify_slots SET free_at = ?1 WHERE bucket = ?2 AND owner = ?3")
            .bind(ts(now + TimeDelta::microseconds(micros))?)
            .bind(i64::from(bucket))
            .bind(owner)
            .execute(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every shard lease and IDENTIFY slot held by anyone but `owner`, keeping their epochs:
/// only for a process that knows it is the only one, which on SQLite the file lock
/// guarantees ([`crate::ProcessLock`]). A process started after one that was killed then runs
/// its shards at once instead of waiting out the dead one's leases. Answers how many leases
/// were ended.
pub async fn end_shard_leases_of_others(db: &Db, owner: &str) -> Result<u64> {
    if let Some(pg) = db.postgres() {
        return crate::pg::leases::end_shard_leases_of_others(pg, owner).await;
    }
    let now = ts(Utc::now())?;
    let mut tx = db.begin().await?;
    let ended = sqlx::query(
        "UPDATE shard_leases SET expires_at = ?1 WHERE owner <> ?2 AND expires_at > ?1",
    )
    .bind(&now)
    .bind(owner)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE identify_slots SET free_at = ?1 WHERE owner <> ?2 AND free_at > ?1")
        .bind(&now)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(ended.rows_affected())
}

fn small(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(format!("shard number {v}")))
}
