//! PostgreSQL: the backend for several processes on one database (issue 14). Its own schema
//! (`storage/migrations-postgres/`) and its own SQL, one module per table family like
//! SQLite's; each public function of the crate answers here first when the database is
//! PostgreSQL (`Db::postgres`).
//!
//! Times are `timestamptz` (microseconds: a time is rounded down to the microsecond when
//! stored, see [`micros`]), days `date`, JSON `jsonb` (bound as text and cast, read back as
//! text, so both backends share the codec of `serde_json` values).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Connection;

use crate::writer::WriteStats;
use crate::{Result, StorageError};

pub(crate) mod leases;
pub(crate) mod settings;

/// PostgreSQL's schema, embedded in the binary; never edited once landed.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations-postgres");

/// How long a process waits for a connection before the database counts as unreachable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL database: a pool, and what it has stored of case changes.
#[derive(Debug, Clone)]
pub(crate) struct PgDb {
    pub(crate) pool: PgPool,
    stats: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    changes: AtomicU64,
    commits: AtomicU64,
}

impl PgDb {
    pub(crate) async fn open(url: &str) -> Result<PgDb> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgDb {
            pool,
            stats: Arc::default(),
        })
    }

    pub(crate) async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) fn write_stats(&self) -> WriteStats {
        WriteStats {
            changes: self.stats.changes.load(Ordering::Relaxed),
            commits: self.stats.commits.load(Ordering::Relaxed),
        }
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// A time as PostgreSQL keeps it: rounded down to the microsecond. Refused (`Invalid`) outside
/// the years SQLite can store, so both backends accept the same times.
pub(crate) fn micros(t: DateTime<Utc>) -> Result<DateTime<Utc>> {
    crate::codec::ts(t)?;
    t.duration_trunc(TimeDelta::microseconds(1))
        .map_err(|e| StorageError::Invalid(format!("the time {t}: {e}")))
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
