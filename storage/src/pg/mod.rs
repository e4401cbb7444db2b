//! PostgreSQL: the backend for several processes on one database (issue 14). Its own schema
//! (`storage/migrations-postgres/`) and its own SQL, one module per table family like
//! SQLite's; each public function of the crate answers here first when the database is
//! PostgreSQL (`Db::postgres`).
//!
//! Times are `timestamptz` (microseconds: a time is rounded down to the microsecond when
//! stored, see [`micros`]), days `date`, JSON `jsonb` (bound as text and cast, read back as
//! text, so both backends share the codec of `serde_json` values).

use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres};

use crate::writer::{WriteStats, Writer};
use crate::{Result, StorageError};

pub(crate) mod announcements;
pub(crate) mod cases;
pub(crate) mod checklist;
pub(crate) mod delivery;
pub(crate) mod digests;
pub(crate) mod global_pace;
pub(crate) mod journey;
pub(crate) mod leases;
pub(crate) mod outbox;
pub(crate) mod overview;
pub(crate) mod processes;
pub(crate) mod reminders;
pub(crate) mod retention;
pub(crate) mod settings;
pub(crate) mod stats;

/// PostgreSQL's schema, embedded in the binary; never edited once landed.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations-postgres");

/// How long a process waits for a connection before the database counts as unreachable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL database: a pool, and this process's group-commit writer (its own
/// connection, see `crate::writer`).
#[derive(Debug, Clone)]
pub(crate) struct PgDb {
    pub(crate) pool: PgPool,
    pub(crate) writer: Writer<Postgres>,
}

impl PgDb {
    pub(crate) async fn open(url: &str) -> Result<PgDb> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        let writer = Writer::start_postgres(&options).await?;
        Ok(PgDb { pool, writer })
    }

    pub(crate) async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) fn write_stats(&self) -> WriteStats {
        self.writer.stats()
    }

    /// Writes what the writer has queued, then closes every connection.
    pub(crate) async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// A time as PostgreSQL keeps it: rounded down to the microsecond. Refused (`Invalid`) outside
/// the years SQLite can store, so both backends accept the same times.
pub(crate) fn micros(t: DateTime<Utc>) -> Result<DateTime<Utc>> {
    crate::codec::ts(t)?;
    // Not `duration_trunc`: it counts nanoseconds since 1970 in an i64 and so fails for the
    // years after 2262, which SQLite stores (up to 9999).
    let ns = t.nanosecond();
    t.with_nanosecond(ns - ns % 1_000)
        .ok_or_else(|| StorageError::Invalid(format!("the time {t}")))
}

/// A time as the SQLite codec writes it (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`), from the
/// `timestamptz` column or expression `col`: for rows that come back as JSON and are parsed by
/// the code both backends share (`crate::codec::ts_back`).
pub(crate) fn ts_text(col: &str) -> String {
    format!("to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"000Z\"')")
}

/// Creates an empty database `name` (letters, digits and `_` only) on the server `admin_url`
/// names: for tests, each of which takes a database of its own, and for setting a server up.
pub async fn create_postgres_database(admin_url: &str, name: &str) -> Result<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StorageError::Invalid(format!(
            "a database name of letters, digits and _ only, not {name:?}"
        )));
    }
    let options: PgConnectOptions = admin_url.parse()?;
    let mut conn = sqlx::PgConnection::connect_with(&options).await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}
