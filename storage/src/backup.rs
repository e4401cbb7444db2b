//! A consistent copy of the live database, taken while the bot runs.

use std::path::Path;

use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Executor};

use crate::{Db, Result, StorageError};

/// Writes a copy of the database to `path` with `VACUUM INTO`: one read transaction, so the
/// copy is a consistent snapshot even while the bot writes, and compact. Never writes over an
/// existing file. Not inside a transaction: SQLite refuses VACUUM there.
pub async fn backup(db: &Db, path: &Path) -> Result<()> {
    let target = target(path)?;
    // SQLite itself also refuses a target that exists and is not empty.
    vacuum_into(db.pool(), target).await
}

/// [`backup`] of the database at a path or `sqlite:` URL, for `los backup`: opened read-only
/// on one connection of its own, as it is. Never migrates: a backup taken by a newer binary
/// leaves the live file at its schema version, so the binary that runs on it still starts.
/// Refuses a database that does not exist (it would otherwise back up an empty one).
pub async fn backup_file(url_or_path: &str, path: &Path) -> Result<()> {
    let target = target(path)?;
    let options = Db::read_only_options(url_or_path)?;
    let source = options.get_filename();
    if !source.exists() {
        return Err(StorageError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no database at {}", source.display()),
        )));
    }
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let copied = vacuum_into(&mut conn, target).await;
    conn.close().await?;
    copied
}

/// The target as SQLite takes it; refused if it exists.
fn target(path: &Path) -> Result<&str> {
    if path.exists() {
        return Err(StorageError::BackupExists(path.to_owned()));
    }
    path.to_str().ok_or_else(|| {
        StorageError::Invalid(format!("the backup path {} is not UTF-8", path.display()))
    })
}

async fn vacuum_into<'c>(
    conn: impl Executor<'c, Database = sqlx::Sqlite>,
    target: &str,
) -> Result<()> {
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(conn)
        .await?;
    Ok(())
}
