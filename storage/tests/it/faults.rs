//! Faults of the disk and of single statements (`storage::faults`: SQLite's own page limit,
//! real triggers): a failed commit is reported as not stored, and the database takes changes
//! again as soon as the fault is gone, without a restart.

use std::process::Command;

use rustix::process::{setrlimit, Resource, Rlimit, Signal};
use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;
use storage::faults::{self, Failure};
use storage::{Db, GuildSettings, OpenLimits, StorageError};
use tokio::signal::unix::{signal, SignalKind};

use crate::common::*;

/// Pages the database file at `path` has (opened and closed on a connection of its own).
async fn page_count(path: &str) -> u32 {
    let mut conn = SqliteConnection::connect_with(&Db::options(path).unwrap())
        .await
        .unwrap();
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    u32::try_from(pages).unwrap()
}

#[tokio::test]
async fn a_full_disk_refuses_the_change_and_the_next_one_is_stored_once_there_is_room() {
    let (_dir, path) = temp_db_path();
    let p = process();
    let db = Db::open(&path).await.unwrap();
    let mut cases = Vec::new();
    for _ in 0..8 {
        cases.push(open_case(&db, &p, GUILD).await.id);
    }
    db.close().await;
    // The file may grow by a few pages more, and the filler takes them.
    let pages = page_count(&path).await;
    let db = Db::open_with(
        &path,
        OpenLimits {
            max_page_count: Some(pages + 16),
        },
    )
    .await
    .unwrap();
    faults::fill_disk(&db).await.unwrap();

    // Changes through the group commit, as the bot makes them, until the disk refuses one.
    let mut refused = None;
    'walk: for _ in 1..LAST_VERSION {
        for id in &cases {
            if let Err(e) = step_case_through(&db, &p, GUILD, *id, Through::GroupCommit).await {
                refused = Some((*id, e));
                break 'walk;
            }
        }
    }
    let (case, err) = refused.expect("the full disk refused a change");
    assert!(
        matches!(&err, StorageError::NotCommitted(_))
            || matches!(&err, StorageError::Db(e) if faults::is_full(e)),
        "{err:?}"
    );
    let version = storage::load_case(&db, GUILD, case)
        .await
        .unwrap()
        .unwrap()
        .version;
    assert_eq!(
        storage::load_case(&db, GUILD, case).await.unwrap(),
        Some(replay(&p, case, version).0),
        "nothing of the refused change was stored"
    );

    faults::free_disk(&db).await.unwrap();
    let applied = step_case_through(&db, &p, GUILD, case, Through::GroupCommit)
        .await
        .expect("the next change is stored once there is room, without a restart");
    assert_eq!(applied.case.version, version + 1);
    assert_eq!(
        storage::load_case(&db, GUILD, case).await.unwrap(),
        Some(applied.case)
    );
}

#[tokio::test]
async fn a_transaction_sqlite_rolled_back_itself_fails_its_change_and_the_next_one_is_stored() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let fault = faults::fail_statements(&db, "INSERT", "events", Failure::Rollback)
        .await
        .unwrap();
    let err = step_case_through(&db, &p, GUILD, case.id, Through::GroupCommit)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotCommitted(_)), "{err:?}");
    assert_eq!(
        storage::load_case(&db, GUILD, case.id).await.unwrap(),
        Some(case.clone()),
        "nothing of it was stored"
    );
    fault.clear().await.unwrap();
    let applied = step_case_through(&db, &p, GUILD, case.id, Through::GroupCommit)
        .await
        .expect("the writer took changes again without a restart");
    assert_eq!(applied.case.version, case.version + 1);
}

#[tokio::test]
async fn a_pool_connection_sqlite_rolled_back_is_not_reused_half_in_a_transaction() {
    let (dir, db) = temp_db().await;
    let path = dir.path().join("data").join("los.db");
    let fault = faults::fail_statements(&db, "INSERT", "guild_settings", Failure::Rollback)
        .await
        .unwrap();
    let err = storage::save_settings(&db, &GuildSettings::new(7))
        .await
        .unwrap_err();
    assert!(faults::is_injected(&err), "{err:?}");
    fault.clear().await.unwrap();

    // A write on the pool that takes the write lock and then ends in an error.
    assert!(matches!(
        storage::set_case_thread(&db, 7, flow::CaseId(999_999), 1).await,
        Err(StorageError::NotFound)
    ));
    // Its rollback let go of the lock: another writer gets it at once.
    let mut other = SqliteConnection::connect_with(
        &Db::options(path.to_str().unwrap())
            .unwrap()
            .busy_timeout(std::time::Duration::ZERO),
    )
    .await
    .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("no pool connection is left holding the write lock");
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();

    storage::save_settings(&db, &GuildSettings::new(7))
        .await
        .unwrap();
    assert!(storage::load_settings(&db, 7).await.unwrap().is_some());
}

const CHILD_ENV: &str = "LOS_FULL_DISK_CHILD";
const CHILD_TEST: &str = "faults::full_disk_child";

/// The child of the next test, a process of its own because the limit it sets on the size of
/// files holds for the whole process. Run alone (no `LOS_FULL_DISK_CHILD`), it returns at once.
#[test]
fn full_disk_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Growing a file past the limit raises SIGXFSZ, which would end the process: with a
        // handler the write fails with an error instead, as on a full disk.
        let _xfsz = signal(SignalKind::from_raw(Signal::XFSZ.as_raw())).unwrap();
        let db = Db::open(&path).await.unwrap();
        let p = process();
        let case = open_case(&db, &p, GUILD).await;
        // An empty write-ahead log, so the next commit must grow it.
        let mut own = SqliteConnection::connect_with(&Db::options(&path).unwrap())
            .await
            .unwrap();
        let (busy,): (i64,) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut own)
            .await
            .unwrap();
        assert_eq!(busy, 0, "the log was emptied");

        // No file may grow any more: the COMMIT cannot write the log.
        setrlimit(
            Resource::Fsize,
            Rlimit {
                current: Some(0),
                maximum: None,
            },
        )
        .unwrap();
        let err = step_case_through(&db, &p, GUILD, case.id, Through::GroupCommit)
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::NotCommitted(_)), "{err:?}");

        // Room again.
        setrlimit(
            Resource::Fsize,
            Rlimit {
                current: None,
                maximum: None,
            },
        )
        .unwrap();
        assert_eq!(
            storage::load_case(&db, GUILD, case.id).await.unwrap(),
            Some(case.clone()),
            "nothing of the refused change was stored"
        );
        let applied = step_case_through(&db, &p, GUILD, case.id, Through::GroupCommit)
            .await
            .expect("the next change is stored once there is room, without a restart");
        assert_eq!(applied.case.version, case.version + 1);
        own.close().await.unwrap();
        db.close().await;
        println!("full disk child: done");
    });
}

#[test]
fn a_commit_the_disk_refuses_is_reported_and_the_next_change_is_stored_once_there_is_room() {
    let (_dir, path) = temp_db_path();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("full disk child: done"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
