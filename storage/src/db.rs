//! Opening the database: connection settings, the folder, the migrations.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Acquire, Connection, Sqlite, Transaction};

use crate::writer::{WriteStats, Writer};
use crate::Result;

/// Where the database lives unless `DATABASE_URL` says otherwise.
pub const DEFAULT_PATH: &str = "./data/los.db";

/// The schema, embedded in the binary. Files in `storage/migrations/` are never edited once
/// landed; a change is a new file.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer before giving up. Writes here are short (one
/// case change), so waiting is always right; this only bounds a stuck process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// The write-ahead log is cut back to this size whenever it is started over. Between two of
/// the writer's checkpoints it grows by some ten pages per change, a few megabytes per hundred
/// changes; a reader that holds a checkpoint up can make it grow further, and without a limit
/// it would keep that size (and the old pages in it, names included) for good.
const JOURNAL_SIZE_LIMIT: u64 = 32 * 1024 * 1024;

/// Limits a database is opened with ([`Db::open_with`]). The default has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenLimits {
    /// The most pages the database file may grow to (SQLite's `max_page_count`, on every
    /// connection): a write that needs more fails with `SQLITE_FULL`, as on a full disk. Tests
    /// use it to run out of room for real; an operator could use it to cap the file.
    pub max_page_count: Option<u32>,
}

/// A handle on the database: SQLite (the embedded default) or PostgreSQL (several processes,
/// its SQL in `storage/src/pg/`). Every function of this crate takes `&Db` and chooses its
/// backend's SQL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    /// Boxed: SQLite's connect options are large, PostgreSQL's handle is a few pointers.
    Sqlite(Box<SqliteDb>),
    Postgres(crate::pg::PgDb),
}

/// SQLite: a pool of connections for reading (and for writes off the hot path), and the
/// group-commit writer (the private `writer` module) for case changes.
#[derive(Debug, Clone)]
struct SqliteDb {
    pool: SqlitePool,
    writer: Writer,
    /// How every connection is opened, for the connections opened later (the purge's
    /// checkpoint, the writer's after a failed commit).
    options: SqliteConnectOptions,
}

impl Db {
    /// Opens (creating if missing, with its folder) the database at a path or `sqlite:` URL
    /// and brings its schema up to date.
    pub async fn open(url_or_path: &str) -> Result<Db> {
        Db::open_with(url_or_path, OpenLimits::default()).await
    }

    /// [`Db::open`] with limits on every connection.
    pub async fn open_with(url_or_path: &str, limits: OpenLimits) -> Result<Db> {
        let mut options = Db::options(url_or_path)?;
        if let Some(pages) = limits.max_page_count {
            options = options.pragma("max_page_count", pages.to_string());
        }
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A file on this machine does not drop connections: no ping before each use.
            .test_before_acquire(false)
            // When SQLite ends a transaction by itself (SQLITE_FULL, an I/O error, a trigger's
            // RAISE(ROLLBACK)), the ROLLBACK sqlx sends after the error fails and sqlx still
            // counts the connection as in a transaction: its next "transaction" would be a
            // bare SAVEPOINT, and a "rollback" of that would leave SQLite in a transaction
            // holding the write lock. Such a connection is closed instead of reused (an atomic
            // read: the release already waited for the rollback).
            .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        let writer = Writer::start(&options).await?;
        Ok(Db {
            backend: Backend::Sqlite(Box::new(SqliteDb {
                pool,
                writer,
                options,
            })),
        })
    }

    /// Opens a PostgreSQL database (`postgres://` or `postgresql://` URL) and brings its schema
    /// up to date (`storage/migrations-postgres/`).
    pub async fn open_postgres(url: &str) -> Result<Db> {
        Ok(Db {
            backend: Backend::Postgres(crate::pg::PgDb::open(url).await?),
        })
    }

    /// Whether `url` names a PostgreSQL database.
    pub fn is_postgres_url(url: &str) -> bool {
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    /// The database's address as it may be logged or shown: a PostgreSQL URL without its
    /// password and without its query (which may carry one, `?password=`); a SQLite path or
    /// URL as it is (it holds no secret).
    pub fn loggable_url(url_or_path: &str) -> String {
        if !Db::is_postgres_url(url_or_path) {
            return url_or_path.to_owned();
        }
        let without_query = url_or_path.split(['?', '#']).next().unwrap_or_default();
        let Some((scheme, rest)) = without_query.split_once("://") else {
            return "postgres://".to_owned();
        };
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        let authority = match authority.rsplit_once('@') {
            Some((user_info, host)) => match user_info.split_once(':') {
                Some((user, _password)) => format!("{user}:***@{host}"),
                None => format!("{user_info}@{host}"),
            },
            None => authority.to_owned(),
        };
        format!("{scheme}://{authority}{path}")
    }

    /// Whether this is a PostgreSQL database (several processes may share it); SQLite's file
    /// has one process (`ProcessLock`).
    pub fn is_postgres(&self) -> bool {
        self.postgres().is_some()
    }

    /// The PostgreSQL side, when this is a PostgreSQL database: each function starts with it.
    pub(crate) fn postgres(&self) -> Option<&crate::pg::PgDb> {
        match &self.backend {
            Backend::Postgres(pg) => Some(pg),
            Backend::Sqlite(_) => None,
        }
    }

    fn sqlite(&self) -> &SqliteDb {
        match &self.backend {
            Backend::Sqlite(lite) => lite,
            // Every function answers PostgreSQL first (`Db::postgres`); reaching SQLite's code
            // with a PostgreSQL database is a function that forgot to, and the contract suite
            // (every storage test on both backends) finds it.
            Backend::Postgres(_) => unreachable!("SQLite's code reached on a PostgreSQL database"),
        }
    }

    /// Opens `DATABASE_URL` if it is set (and not empty), else `./data/los.db`.
    pub async fn open_default() -> Result<Db> {
        let target = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_PATH.to_owned());
        Db::open_any(&target).await
    }

    /// Opens a PostgreSQL URL with [`Db::open_postgres`], anything else with [`Db::open`].
    pub async fn open_any(url_or_path: &str) -> Result<Db> {
        if Db::is_postgres_url(url_or_path) {
            Db::open_postgres(url_or_path).await
        } else {
            Db::open(url_or_path).await
        }
    }

    /// The connection settings every connection gets. Public so tools and tests can open the
    /// file the same way without running migrations.
    pub fn options(url_or_path: &str) -> Result<SqliteConnectOptions> {
        let base = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            SqliteConnectOptions::new().filename(Path::new(url_or_path))
        };
        Ok(base
            .create_if_missing(true)
            // WAL: readers never block the writer and the writer never blocks readers.
            .journal_mode(SqliteJournalMode::Wal)
            // FULL, not NORMAL: with WAL, NORMAL keeps the file consistent but a commit can be
            // lost at power failure (the WAL is synced only at checkpoints). A recruitment step
            // the bot has confirmed as done must still be done after a power cut, and the
            // reminder queue must not forget that a message was sent, so every commit is synced.
            // We write a few rows per button press; one fsync per commit costs nothing that matters.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // Deleted and overwritten content is zeroed, so purged personal data does not
            // linger in free space of the file.
            .pragma("secure_delete", "ON")
            .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string()))
    }

    /// Settings to read the database at a path or `sqlite:` URL as it is: read-only, never
    /// created, no journal mode set, no migrations (nothing here runs them).
    pub fn read_only_options(url_or_path: &str) -> Result<SqliteConnectOptions> {
        let base = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            SqliteConnectOptions::new().filename(Path::new(url_or_path))
        };
        Ok(base
            .read_only(true)
            .create_if_missing(false)
            .busy_timeout(BUSY_TIMEOUT))
    }

    /// The settings every connection of this database was opened with.
    pub(crate) fn connect_options(&self) -> &SqliteConnectOptions {
        &self.sqlite().options
    }

    /// Whether the database answers a query now (for the readiness probe).
    pub async fn ping(&self) -> Result<()> {
        if let Some(pg) = self.postgres() {
            return pg.ping().await;
        }
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.sqlite().pool
    }

    /// The SQLite pool itself, for tests and tools that look into the file with their own SQL
    /// (an inspection, a benchmark's synthetic rows). The application never uses it: everything
    /// it stores and reads goes through this crate's functions, which take `&Db`.
    pub fn sqlite_pool(&self) -> &SqlitePool {
        self.pool()
    }

    /// The PostgreSQL pool, when this is a PostgreSQL database: like [`Db::sqlite_pool`], for
    /// tests and tools that look into the database with their own SQL (the purge's tests scan
    /// every table for an erased name). The application never uses it.
    pub fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        self.postgres().map(|pg| &pg.pool)
    }

    pub(crate) fn writer(&self) -> &Writer {
        &self.sqlite().writer
    }

    /// How many case changes the group commit has stored, in how many commits.
    pub fn write_stats(&self) -> WriteStats {
        match &self.backend {
            Backend::Sqlite(lite) => lite.writer.stats(),
            Backend::Postgres(pg) => pg.write_stats(),
        }
    }

    /// Writes what is queued, then closes every connection (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(lite) => {
                lite.writer.close().await;
                lite.pool.close().await;
            }
            Backend::Postgres(pg) => pg.close().await,
        }
    }
}

/// `&Db` hands out connections like `&SqlitePool`, so every function here takes `&db`.
impl<'a> Acquire<'a> for &'a Db {
    type Database = Sqlite;
    type Connection = PoolConnection<Sqlite>;

    fn acquire(self) -> BoxFuture<'a, Result<Self::Connection, sqlx::Error>> {
        Acquire::acquire(self.pool())
    }

    fn begin(self) -> BoxFuture<'a, Result<Transaction<'a, Sqlite>, sqlx::Error>> {
        Acquire::begin(self.pool())
    }
}

#[cfg(test)]
mod tests {
    use super::Db;

    #[test]
    fn a_postgres_urls_password_and_query_are_never_shown() {
        for (url, shown) in [
            (
                "postgres://los:s3cret@db.example:5432/los",
                "postgres://los:***@db.example:5432/los",
            ),
            (
                "postgresql://los:p@ss:word@db/los?sslmode=require&password=x",
                "postgresql://los:***@db/los",
            ),
            (
                "postgres://los@db/los?password=s3cret",
                "postgres://los@db/los",
            ),
            ("postgres://db", "postgres://db"),
            ("sqlite://./data/los.db", "sqlite://./data/los.db"),
            ("./data/los.db", "./data/los.db"),
        ] {
            let logged = Db::loggable_url(url);
            assert_eq!(logged, shown);
            assert!(
                !logged.contains("s3cret") && !logged.contains("word"),
                "{logged}"
            );
        }
    }
}
