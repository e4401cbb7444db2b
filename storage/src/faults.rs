//! Real faults on a real database file, for tests (feature `faults`): a full disk and a
//! statement that fails. Nothing is mocked: the disk is "full" because SQLite's own page limit
//! ([`crate::OpenLimits::max_page_count`]) is reached, and a statement fails because a real
//! trigger, created on the file from a connection of its own, raises an error in it. A failing
//! statement works on PostgreSQL too (a real trigger there as well).

use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;

use crate::{Db, Result, StorageError};

/// The table that takes up the room [`fill_disk`] fills.
const FILLER: &str = "_fault_filler";

/// Fills the database up to its page limit: rows of 2 KB into a table of its own until
/// SQLite answers `SQLITE_FULL`. The database must have been opened with a
/// [`crate::OpenLimits::max_page_count`] (else this would fill the real disk, so it refuses
/// after 64 MB). Afterwards a write that needs one more page fails, as on a full disk.
pub async fn fill_disk(db: &Db) -> Result<()> {
    let mut conn = own_connection(db).await?;
    let created = sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {FILLER} (b BLOB NOT NULL)"
    ))
    .execute(&mut conn)
    .await;
    match created {
        Ok(_) => {}
        // Not even room for the table: full already.
        Err(e) if is_full(&e) => return Ok(conn.close().await?),
        Err(e) => return Err(e.into()),
    }
    for _ in 0..32_768 {
        // Autocommit: each row on its own, so the last one failing leaves the others.
        let done = sqlx::query(&format!("INSERT INTO {FILLER} (b) VALUES (zeroblob(2048))"))
            .execute(&mut conn)
            .await;
        match done {
            Ok(_) => {}
            Err(e) if is_full(&e) => {
                conn.close().await?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(StorageError::Invalid(
        "fill_disk: the database has no page limit (open it with OpenLimits)".into(),
    ))
}

/// Makes room again: deletes what [`fill_disk`] wrote. The freed pages are reused by the next
/// writes, so the page limit no longer stops them.
pub async fn free_disk(db: &Db) -> Result<()> {
    let mut conn = own_connection(db).await?;
    sqlx::query(&format!("DROP TABLE IF EXISTS {FILLER}"))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

/// Whether an error is SQLite's "database or disk is full" (`SQLITE_FULL`, 13).
pub fn is_full(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("13"))
}

/// How an injected failure fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The statement fails and is undone; the transaction around it goes on (a constraint, a
    /// busy lock).
    Abort,
    /// SQLite rolls the whole transaction back by itself, as it may after `SQLITE_FULL` or an
    /// I/O error: the caller's ROLLBACK afterwards finds no transaction.
    Rollback,
}

/// A statement that fails until [`Fault::clear`]: a trigger on the file (or the PostgreSQL
/// database).
#[derive(Debug)]
pub struct Fault {
    name: String,
    conn: FaultConnection,
}

#[derive(Debug)]
enum FaultConnection {
    Sqlite(SqliteConnection),
    Postgres(sqlx::PgConnection),
}

/// From now on, every `INSERT`, `UPDATE` or `DELETE` (`event`) on `table` fails the way `how`
/// says, with the message "injected fault", in every connection of the database, until the
/// fault is cleared. `table` and `event` are the test's own words, put into the SQL as they are.
///
/// On PostgreSQL any error ends the transaction it happens in, so both ways of failing are
/// the same there: the statement fails and the transaction around it can only roll back.
pub async fn fail_statements(db: &Db, event: &str, table: &str, how: Failure) -> Result<Fault> {
    let name = format!("_fault_{}_{}", event.to_lowercase(), table);
    if let Some(pg) = db.postgres() {
        let mut conn = pg.pool.acquire().await?.detach();
        sqlx::query(&format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
        ))
        .execute(&mut conn)
        .await?;
        sqlx::query(&format!(
            "CREATE TRIGGER {name} BEFORE {event} ON {table}
             FOR EACH ROW EXECUTE FUNCTION {name}()"
        ))
        .execute(&mut conn)
        .await?;
        return Ok(Fault {
            name,
            conn: FaultConnection::Postgres(conn),
        });
    }
    let mut conn = own_connection(db).await?;
    let raise = match how {
        Failure::Abort => "ABORT",
        Failure::Rollback => "ROLLBACK",
    };
    sqlx::query(&format!(
        "CREATE TRIGGER {name} BEFORE {event} ON {table}
         BEGIN SELECT RAISE({raise}, 'injected fault'); END"
    ))
    .execute(&mut conn)
    .await?;
    Ok(Fault {
        name,
        conn: FaultConnection::Sqlite(conn),
    })
}

impl Fault {
    /// The statement works again.
    pub async fn clear(self) -> Result<()> {
        match self.conn {
            FaultConnection::Sqlite(mut conn) => {
                sqlx::query(&format!("DROP TRIGGER {}", self.name))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
            }
            FaultConnection::Postgres(mut conn) => {
                // The function goes with its trigger.
                sqlx::query(&format!("DROP FUNCTION {} CASCADE", self.name))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
            }
        }
        Ok(())
    }
}

/// Whether an error carries the message of an injected fault.
pub fn is_injected(e: &StorageError) -> bool {
    e.to_string().contains("injected fault")
}

/// A connection of its own on the database, opened the way the database's are.
async fn own_connection(db: &Db) -> Result<SqliteConnection> {
    Ok(SqliteConnection::connect_with(db.connect_options()).await?)
}
