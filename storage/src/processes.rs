//! The live processes (issue 14), so that they can share what is per bot rather than per
//! process: Discord's global limit of 50 requests per second (the bot's `pace` module). Each
//! process registers and renews its row by [`heartbeat`], which answers how many are live; a
//! process that stops cleanly ends its row by [`deregister`].
//!
//! **One clock**, as for the shard leases ([`crate::ShardLease`]): on PostgreSQL whether a
//! process is live is decided by the server's `now()`; a process sends only lengths and keeps
//! its own deadlines on its monotonic clock, measured from when it *sent* the heartbeat. On
//! SQLite one process owns the file ([`crate::ProcessLock`]), so its own clock is the one clock
//! (and it is the only row).

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use sqlx::Acquire;

use crate::codec::ts;
use crate::leases::ttl_micros;
use crate::{Db, Result, StorageError};

/// What a heartbeat found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// The processes live now, this one included (so at least one).
    pub live: u32,
    /// This heartbeat began a new registration: the process was not live before it (its first
    /// heartbeat, or its row had expired). The others cannot have counted it yet.
    pub joined: bool,
}

/// Registers `owner` as live for `ttl` from now (by the database's clock), or extends its
/// registration if it is live still; deletes the rows that expired. Answers how many processes
/// are live now and whether this began a new registration. One transaction.
pub async fn heartbeat(db: &Db, owner: &str, ttl: Duration) -> Result<Heartbeat> {
    check(owner)?;
    let micros = ttl_micros(ttl)?;
    let (live, joined) = match db.postgres() {
        Some(pg) => crate::pg::processes::heartbeat(pg, owner, micros).await?,
        None => {
            let now = ts(Utc::now())?;
            let expires = ts(Utc::now() + TimeDelta::microseconds(micros))?;
            let mut tx = db.begin().await?;
            sqlx::query("DELETE FROM processes WHERE expires_at <= ?1 AND owner <> ?2")
                .bind(&now)
                .bind(owner)
                .execute(&mut *tx)
                .await?;
            let since: String = sqlx::query_scalar(
                "INSERT INTO processes (owner, since, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (owner) DO UPDATE SET
                     since = CASE WHEN expires_at > ?2 THEN since ELSE excluded.since END,
                     expires_at = excluded.expires_at
                 RETURNING since",
            )
            .bind(owner)
            .bind(&now)
            .bind(&expires)
            .fetch_one(&mut *tx)
            .await?;
            let live: i64 =
                sqlx::query_scalar("SELECT count(*) FROM processes WHERE expires_at > ?1")
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            (live, since == now)
        }
    };
    Ok(Heartbeat {
        live: u32::try_from(live).unwrap_or(u32::MAX).max(1),
        joined,
    })
}

/// Ends `owner`'s registration `linger` from now (by the database's clock), or now if it
/// would end sooner anyway: the others count it until then. A process that stops cleanly calls
/// it after its last request with `linger` the time a request may still count against a
/// window of the limit it shares. Answers whether it was live.
pub async fn deregister(db: &Db, owner: &str, linger: Duration) -> Result<bool> {
    let micros = ttl_micros(linger)?;
    if let Some(pg) = db.postgres() {
        return crate::pg::processes::deregister(pg, owner, micros).await;
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE processes SET expires_at = min(expires_at, ?1)
         WHERE owner = ?2 AND expires_at > ?3",
    )
    .bind(ts(now + TimeDelta::microseconds(micros))?)
    .bind(owner)
    .bind(ts(now)?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// The live processes now (by the database's clock), by name, the longest registered first.
pub async fn live_processes(db: &Db) -> Result<Vec<String>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::processes::live_processes(pg).await;
    }
    let mut conn = db.acquire().await?;
    Ok(
        sqlx::query_scalar(
            "SELECT owner FROM processes WHERE expires_at > ? ORDER BY since, owner",
        )
        .bind(ts(Utc::now())?)
        .fetch_all(&mut *conn)
        .await?,
    )
}

fn check(owner: &str) -> Result<()> {
    if owner.trim().is_empty() {
        return Err(StorageError::Invalid("a process needs a name".into()));
    }
    Ok(())
}
