//! The live processes on PostgreSQL (see `crate::processes`). Every time is the server's
//! `now()`, which is the same for every statement of one transaction: a registration that
//! began in this heartbeat has `since = now()`.

use super::PgDb;
use crate::Result;

/// How many are live, and whether this heartbeat began `owner`'s registration.
pub(crate) async fn heartbeat(db: &PgDb, owner: &str, micros: i64) -> Result<(i64, bool)> {
    let mut tx = db.pool.begin().await?;
    sqlx::query("DELETE FROM processes WHERE expires_at <= now() AND owner <> $1")
        .bind(owner)
        .execute(&mut *tx)
        .await?;
    let joined: bool = sqlx::query_scalar(
        "INSERT INTO processes AS p (owner, since, expires_at)
         VALUES ($1, now(), now() + $2::float8 * interval '1 microsecond')
         ON CONFLICT (owner) DO UPDATE SET
             since = CASE WHEN p.expires_at > now() THEN p.since ELSE now() END,
             expires_at = excluded.expires_at
         RETURNING since = now()",
    )
    .bind(owner)
    .bind(micros)
    .fetch_one(&mut *tx)
    .await?;
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM processes WHERE expires_at > now()")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((live, joined))
}

pub(crate) async fn deregister(db: &PgDb, owner: &str, micros: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE processes
         SET expires_at = least(expires_at, now() + $1::float8 * interval '1 microsecond')
         WHERE owner = $2 AND expires_at > now()",
    )
    .bind(micros)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn live_processes(db: &PgDb) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT owner FROM processes WHERE expires_at > now() ORDER BY since, owner",
    )
    .fetch_all(&db.pool)
    .await?)
}
