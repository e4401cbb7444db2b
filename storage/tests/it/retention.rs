//! "Alt slettes etter 12 mnd.": personal data of ended cases is purged on time, once, and
//! the anonymous timeline stays.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, Months, NaiveTime, Utc};
use flow::{Case, CaseStatus, EventKind, StepState};
use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;
use storage::{Db, GuildSettings, ERASED};

use crate::common::*;

/// A case walked to its end; the instant it completed.
async fn completed_case(db: &Db, guild: u64) -> (Case, DateTime<Utc>) {
    let p = process();
    let case = open_case(db, &p, guild).await;
    let mut last = case.clone();
    for _ in 1..LAST_VERSION {
        last = step_case(db, &p, guild, case.id).await.unwrap().case;
    }
    let CaseStatus::Completed { at } = last.status else {
        panic!("the script ends the case")
    };
    (last, at)
}

/// Noon in Oslo, `months` calendar months after the Oslo day `t` fell on, plus `days`.
fn oslo_noon_after(t: DateTime<Utc>, months: u32, days: i64) -> DateTime<Utc> {
    let day = flow::engine::oslo_today(t) + Months::new(months);
    let day = if days >= 0 {
        day + Days::new(days as u64)
    } else {
        day - Days::new(days.unsigned_abs())
    };
    flow::oslo_instant(day, NaiveTime::from_hms_opt(12, 0, 0).unwrap())
}

contract! {
async fn purged_at_twelve_months_not_a_day_before(db: Db) {
    let p = process();
    let (done, ended) = completed_case(&db, GUILD).await;
    let still_open = open_case(&db, &p, GUILD).await;
    let before = storage::load_case(&db, GUILD, done.id)
        .await
        .unwrap()
        .unwrap();
    let history_before = storage::history(&db, GUILD, done.id, 1000, 0)
        .await
        .unwrap();

    let report = storage::purge(&db, oslo_noon_after(ended, 12, -1), 12)
        .await
        .unwrap();
    assert!(
        report.cases.is_empty(),
        "12 months minus a day: nothing yet"
    );
    assert_eq!(
        storage::load_case(&db, GUILD, done.id).await.unwrap(),
        Some(before.clone())
    );

    let report = storage::purge(&db, oslo_noon_after(ended, 12, 1), 12)
        .await
        .unwrap();
    assert_eq!(report.cases, vec![done.id]);
    assert_eq!(report.candidates, 2);
    assert_eq!(report.events, history_before.len() as u64);

    let after = storage::load_case(&db, GUILD, done.id)
        .await
        .unwrap()
        .unwrap();
    assert!(after.candidates.is_empty());
    assert_eq!(after.note, None);
    assert_eq!((after.owner.id.0, after.owner.name.as_str()), (0, ERASED));
    assert_eq!(
        after.title, before.title,
        "the position itself is not personal data"
    );
    assert_eq!(after.status, before.status);
    assert_eq!(
        after.steps.keys().collect::<Vec<_>>(),
        before.steps.keys().collect::<Vec<_>>()
    );
    for state in after.steps.values() {
        match state {
            StepState::Done { by, .. } => assert_eq!((by.id.0, by.name.as_str()), (0, ERASED)),
            StepState::Skipped { by, reason, .. } => {
                assert_eq!((by.id.0, by.name.as_str()), (0, ERASED));
                assert_eq!(reason.as_str(), ERASED);
            }
            StepState::Open { .. } => panic!("a completed case has no open step"),
        }
    }
    // The timeline stays; the people and the free text go.
    let history_after = storage::history(&db, GUILD, done.id, 1000, 0)
        .await
        .unwrap();
    assert_eq!(history_after.len(), history_before.len());
    for (a, b) in history_after.iter().zip(&history_before) {
        assert_eq!(
            (a.seq, a.version, a.event.at, a.event.kind),
            (b.seq, b.version, b.event.at, b.event.kind)
        );
        assert_eq!(
            (&a.event.step, &a.event.outcome),
            (&b.event.step, &b.event.outcome)
        );
        assert_eq!(a.event.detail, None);
        assert_eq!(a.event.actor.is_some(), b.event.actor.is_some());
        assert!(a
            .event
            .actor
            .iter()
            .all(|p| p.id.0 == 0 && p.name == ERASED));
    }
    assert!(history_after
        .iter()
        .any(|h| h.event.kind == EventKind::OfferAccepted));

    // Once only; open cases never.
    let again = storage::purge(&db, oslo_noon_after(ended, 24, 0), 12)
        .await
        .unwrap();
    assert!(again.cases.is_empty());
    assert!(storage::load_case(&db, GUILD, still_open.id)
        .await
        .unwrap()
        .unwrap()
        .candidates
        .is_empty());
    assert_eq!(
        storage::load_case(&db, GUILD, still_open.id)
            .await
            .unwrap()
            .unwrap()
            .owner,
        owner()
    );

    // The names are gone from the database itself, not just from the rows read back: on
    // SQLite from the file's bytes, on PostgreSQL from every row of every table.
    // (The open case still has its owner and note, so only what was the ended case's alone.)
    assert!(report.clean, "nobody held an old snapshot");
    assert_eq!(names_left(db, &NAMES).await, Vec::<String>::new());
}
}

contract! {
async fn a_server_may_keep_data_for_fewer_months(db: Db) {
    let mut short = GuildSettings::new(OTHER_GUILD);
    short.retention_months = Some(6);
    storage::save_settings(&db, &short).await.unwrap();
    let (six, ended) = completed_case(&db, OTHER_GUILD).await;
    let (twelve, _) = completed_case(&db, GUILD).await;
    let report = storage::purge(&db, oslo_noon_after(ended, 6, 0), 12)
        .await
        .unwrap();
    assert_eq!(report.cases, vec![six.id]);
    let report = storage::purge(&db, oslo_noon_after(ended, 12, 0), 12)
        .await
        .unwrap();
    assert_eq!(report.cases, vec![twelve.id]);
}
}

contract! {
async fn a_closed_case_loses_its_reason_and_closer(db: Db) {
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let reason = flow::Reason::parse("Kari trakk seg").unwrap();
    let applied = flow::apply(&p, &case, &hr(), &flow::Action::Close { reason }, at(1)).unwrap();
    storage::save_applied(&db, GUILD, 1, &applied, &wanted(&p, &applied.case))
        .await
        .unwrap();
    let pending_notice = storage::reminders_for_case(&db, GUILD, case.id)
        .await
        .unwrap();
    assert!(pending_notice
        .iter()
        .any(|r| r.kind == flow::ReminderKind::PurgeNotice));
    storage::purge(&db, oslo_noon_after(at(1), 12, 0), 12)
        .await
        .unwrap();
    let after = storage::load_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    let CaseStatus::Closed { by, reason, .. } = after.status else {
        panic!("still closed")
    };
    assert_eq!(
        (by.id.0, by.name.as_str(), reason.as_str()),
        (0, ERASED, ERASED)
    );
    assert!(storage::reminders_for_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .iter()
        .all(|r| r.state != storage::ReminderState::Pending));
}
}

/// The names of the walked case that no other row has.
const NAMES: [&str; 4] = [
    "Kari Nordmann",
    "Ola Hansen",
    "Hanne HR",
    "Lederen klarer det selv",
];

/// Which of `NAMES` are in the raw bytes of these files (a missing file holds none).
fn names_in(files: &[PathBuf]) -> Vec<&'static str> {
    let bytes: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_default())
        .collect();
    NAMES
        .into_iter()
        .filter(|n| {
            bytes
                .iter()
                .any(|b| b.windows(n.len()).any(|w| w == n.as_bytes()))
        })
        .collect()
}

fn file_and_log(dir: &Path) -> Vec<PathBuf> {
    let file = dir.join("data").join("los.db");
    let log = dir.join("data").join("los.db-wal");
    vec![file, log]
}

#[tokio::test]
async fn names_leave_the_file_and_its_log_once_the_reader_holding_them_is_gone() {
    let (dir, db) = temp_db().await;
    let files = file_and_log(dir.path());
    let (done, ended) = completed_case(&db, GUILD).await;
    assert_eq!(
        names_in(&files),
        NAMES,
        "the test sees the names where they are"
    );

    // A reader in the middle of a read, on a snapshot from before the purge.
    let path = files[0].to_str().unwrap();
    let mut reader = SqliteConnection::connect_with(&Db::options(path).unwrap())
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM candidates")
        .fetch_one(&mut reader)
        .await
        .unwrap();

    let when = oslo_noon_after(ended, 12, 1);
    let report = storage::purge(&db, when, 12).await.unwrap();
    assert_eq!(report.cases, vec![done.id]);
    assert!(
        !report.clean,
        "the reader holds the old pages in the log: not clean yet"
    );
    assert!(
        !names_in(&files).is_empty(),
        "as the report says, the names are still on disk"
    );

    sqlx::query("ROLLBACK").execute(&mut reader).await.unwrap();
    reader.close().await.unwrap();
    // The next run (the bot's comes soon after an unclean one) has no case to purge, and
    // empties the log all the same. The database stays open: nothing is left to its closing.
    let again = storage::purge(&db, when, 12).await.unwrap();
    assert!(again.cases.is_empty());
    assert!(again.clean);
    assert_eq!(names_in(&files), Vec::<&str>::new());
    assert!(
        std::fs::metadata(&files[1]).map_or(0, |m| m.len()) == 0,
        "the log is empty"
    );
}

#[tokio::test]
async fn the_log_is_cut_back_when_it_starts_over_on_every_connection() {
    let (dir, db) = temp_db().await;
    let limit: i64 = sqlx::query_scalar("PRAGMA journal_size_limit")
        .fetch_one(db.sqlite_pool())
        .await
        .unwrap();
    assert_eq!(limit, 32 * 1024 * 1024);
    let path = file_and_log(dir.path())[0].clone();
    let mut own = SqliteConnection::connect_with(&Db::options(path.to_str().unwrap()).unwrap())
        .await
        .unwrap();
    let limit: i64 = sqlx::query_scalar("PRAGMA journal_size_limit")
        .fetch_one(&mut own)
        .await
        .unwrap();
    assert_eq!(limit, 32 * 1024 * 1024);
    own.close().await.unwrap();
}

/// Whether any version of a row, live or dead, in the pages of `table` holds `name` (read
/// with `pageinspect`, as the rows lie in the table's file).
async fn in_row_versions(conn: &mut sqlx::PgConnection, table: &str, name: &str) -> bool {
    sqlx::query_scalar(
        "SELECT EXISTS (
             SELECT 1 FROM generate_series(0, pg_relation_size($1::regclass) / 8192 - 1) AS b,
                  heap_page_items(get_raw_page($1, b)) AS h
              WHERE position(convert_to($2, 'UTF8') IN h.t_data) > 0)",
    )
    .bind(table)
    .bind(name)
    .fetch_one(conn)
    .await
    .unwrap()
}

/// PostgreSQL's counterpart of the file and log scan above: the purge's erasures leave the
/// erased names as dead row versions in the tables' pages; while a reader holds a snapshot
/// from before the purge it can still read them (and VACUUM must keep them), so the report
/// says not clean; once the reader is gone the next run, with no case left to purge, VACUUMs
/// them away and says clean, and no row version in the pages holds a name any more.
#[tokio::test]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn on_postgres_names_leave_the_row_versions_once_the_reader_holding_them_is_gone() {
    let url = pg_url().await;
    let db = Db::open_postgres(&url).await.unwrap();
    let (done, ended) = completed_case(&db, GUILD).await;
    let mut look = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pageinspect")
        .execute(&mut look)
        .await
        .unwrap();
    let tables = ["candidates", "case_steps", "events"];
    let mut found_before = Vec::new();
    for table in tables {
        for name in NAMES {
            if in_row_versions(&mut look, table, name).await {
                found_before.push(name);
            }
        }
    }
    found_before.sort_unstable();
    found_before.dedup();
    let mut all = NAMES.to_vec();
    all.sort_unstable();
    assert_eq!(found_before, all, "the test sees the names where they are");

    // A reader in the middle of a read, on a snapshot from before the purge.
    let mut reader = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut reader)
        .await
        .unwrap();
    let count = "SELECT COUNT(*) FROM candidates WHERE case_id = $1";
    let before: i64 = sqlx::query_scalar(count)
        .bind(done.id.0)
        .fetch_one(&mut reader)
        .await
        .unwrap();
    assert_eq!(before, 2);

    let when = oslo_noon_after(ended, 12, 1);
    let report = storage::purge(&db, when, 12).await.unwrap();
    assert_eq!(report.cases, vec![done.id]);
    assert!(
        !report.clean,
        "the reader can still read the old rows: not clean yet"
    );
    let still: i64 = sqlx::query_scalar(count)
        .bind(done.id.0)
        .fetch_one(&mut reader)
        .await
        .unwrap();
    assert_eq!(still, 2, "as the report says, the reader still reads them");
    assert!(in_row_versions(&mut look, "candidates", "Kari Nordmann").await);

    sqlx::query("ROLLBACK").execute(&mut reader).await.unwrap();
    reader.close().await.unwrap();
    // The next run has no case to purge, and VACUUMs all the same.
    let again = storage::purge(&db, when, 12).await.unwrap();
    assert!(again.cases.is_empty());
    assert!(again.clean);
    for table in tables {
        for name in NAMES {
            assert!(
                !in_row_versions(&mut look, table, name).await,
                "{name:?} is still in a row version of {table}"
            );
        }
    }
    look.close().await.unwrap();
    db.close().await;
}
