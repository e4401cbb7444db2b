//! A consistent copy of the live database, taken while the bot runs.

use std::path::Path;

use crate::{Db, Result, StorageError};

/// Writes a copy of the database to `path` with `VACUUM INTO`: one read transaction, so the
/// copy is a consistent snapshot even while the bot writes, and compact. Never writes over an
/// existing file. Not inside a transaction: SQLite refuses VACUUM there.
pub async fn backup(db: &Db, path: &Path) -> Result<()> {
    if path.exists() {
        return Err(StorageError::BackupExists(path.to_owned()));
    }
    let Some(target) = path.to_str() else {
        return Err(StorageError::Invalid(format!(
            "the backup path {} is not UTF-8",
            path.display()
        )));
    };
    // SQLite itself also refuses a target that exists and is not empty.
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(db.pool())
        .await?;
    Ok(())
}
