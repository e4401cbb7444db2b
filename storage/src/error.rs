//! The one error type of this crate.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use flow::PersonRef;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Someone else changed the case since it was read. `by` and `at` are from its latest
    /// history line made by a person, so the loser can be told who was first.
    #[error("the case was changed by {} at {at} since it was read", by.as_ref().map_or("the process", |p| p.name.as_str()))]
    Stale {
        by: Option<PersonRef>,
        at: DateTime<Utc>,
    },
    /// No such row (on this server).
    #[error("not found")]
    NotFound,
    /// The caller handed over something this crate will not store (a bug in the caller).
    #[error("refused to store: {0}")]
    Invalid(String),
    /// `backup` never writes over a file.
    #[error("the backup file {0} exists already")]
    BackupExists(PathBuf),
    #[error("the database folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The change was not stored: the commit that was to hold it failed, or the database is
    /// closed. Nothing of it was written.
    #[error("the change was not stored: {0}")]
    NotCommitted(String),
    /// A stored row that does not parse back into the domain.
    #[error("a stored row does not parse: {0}")]
    Corrupt(String),
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(what.to_string())
}
