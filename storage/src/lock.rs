//! One bot process per SQLite file. The reminder loop assumes it is the only sender on its
//! database (it frees every claim at start), so a second `los run` on the same file would send
//! reminders twice. [`ProcessLock::acquire`] takes an exclusive lock on `<file>.lock` beside
//! the database for as long as the process lives (the operating system lets it go when the
//! process ends, however it ends, so a crash never leaves a stale lock behind) and refuses
//! when another process holds it, naming that process.
//!
//! `los backup` and the tests' readers open the file without this lock: only a process that
//! sends takes it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::Db;

/// Held for the life of the process; dropping it lets the lock go.
#[derive(Debug)]
pub struct ProcessLock {
    _file: File,
    path: PathBuf,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it: a second bot on the same file.
    #[error(
        "another los process ({holder}) is already running on the database {database}; \
         SQLite takes one bot process per file (stop the other one first, or use PostgreSQL \
         for several processes). The lock is {lock}."
    )]
    Held {
        database: PathBuf,
        lock: PathBuf,
        holder: String,
    },
    #[error("the lock file {lock}: {source}")]
    Io {
        lock: PathBuf,
        source: std::io::Error,
    },
}

impl ProcessLock {
    /// Takes the lock for the database at a path or `sqlite:` URL, creating its folder and the
    /// lock file as needed. `None` for an in-memory database, which no other process can open.
    pub fn acquire(url_or_path: &str) -> Result<Option<ProcessLock>, LockError> {
        if url_or_path.contains(":memory:") || url_or_path.contains("mode=memory") {
            return Ok(None);
        }
        let options = Db::options(url_or_path).map_err(|e| LockError::Io {
            lock: PathBuf::from(url_or_path),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()),
        })?;
        let database = options.get_filename();
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        let lock = PathBuf::from(name);
        let io = |source| LockError::Io {
            lock: lock.clone(),
            source,
        };
        if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim() {
                    "" => "pid unknown".to_owned(),
                    pid => format!("pid {pid}"),
                };
                return Err(LockError::Held {
                    database: database.to_owned(),
                    lock,
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        // Who holds it, for the next one refused (a hint: the lock itself is what counts).
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Some(ProcessLock {
            _file: file,
            path: lock,
        }))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_on_one_file_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sub").join("los.db");
        let url = format!("sqlite://{}", db.display());
        let first = ProcessLock::acquire(&url)
            .unwrap()
            .expect("a file takes a lock");
        assert_eq!(first.path(), dir.path().join("sub").join("los.db.lock"));
        // The same file by its plain path is the same lock.
        let err = ProcessLock::acquire(db.to_str().unwrap()).unwrap_err();
        let said = err.to_string();
        assert!(said.contains("another los process"), "{said}");
        assert!(
            said.contains(&format!("pid {}", std::process::id())),
            "{said}"
        );
        assert!(said.contains("los.db"), "{said}");
        drop(first);
        assert!(ProcessLock::acquire(&url).unwrap().is_some());
    }

    #[test]
    fn another_file_is_another_lock_and_memory_needs_none() {
        let dir = tempfile::tempdir().unwrap();
        let a = ProcessLock::acquire(dir.path().join("a.db").to_str().unwrap()).unwrap();
        let b = ProcessLock::acquire(dir.path().join("b.db").to_str().unwrap()).unwrap();
        assert!(a.is_some() && b.is_some());
        assert!(ProcessLock::acquire("sqlite::memory:").unwrap().is_none());
    }
}
