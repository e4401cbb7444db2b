//! The schema comes up from an empty file and from every earlier migration state.

use std::borrow::Cow;

use sqlx::migrate::Migrator;
use sqlx::sqlite::SqlitePoolOptions;
use storage::{Db, MIGRATOR};

use crate::common::*;

#[tokio::test]
async fn from_empty_and_from_every_earlier_state() {
    let all = MIGRATOR.migrations.len();
    assert!(all >= 4, "the schema is split over several migrations");
    for applied_first in 0..=all {
        let (_dir, path) = temp_db_path();
        std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
        let pool = SqlitePoolOptions::new()
            .connect_with(Db::options(&path).unwrap())
            .await
            .unwrap();
        let partial = Migrator {
            migrations: Cow::Owned(MIGRATOR.migrations[..applied_first].to_vec()),
            ..Migrator::DEFAULT
        };
        partial.run(&pool).await.unwrap();
        // A case written by the older schema, where it has cases at all.
        let has_cases: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'cases'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if has_cases == 1 {
            sqlx::query(
                "INSERT INTO cases (id, guild_id, title, unit, owner_id, owner_name, opened_at, version)
                 VALUES (500, ?, 'Gammel sak', 'Enhet', 7, 'Eldre Leder', '2025-01-01T08:00:00.000000000Z', 1)",
            )
            .bind(GUILD as i64)
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;

        let db = Db::open(&path).await.unwrap();
        let done: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(db.sqlite_pool())
                .await
                .unwrap();
        assert_eq!(
            done.len(),
            all,
            "after {applied_first}: every migration applied"
        );
        assert!(done.iter().all(|(_, ok)| *ok));
        if has_cases == 1 {
            let old = storage::load_case(&db, GUILD, flow::CaseId(500))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(old.title.as_str(), "Gammel sak");
        }
        // And the round trip works on the upgraded file.
        let p = process();
        let case = open_case(&db, &p, GUILD).await;
        let applied = step_case(&db, &p, GUILD, case.id).await.unwrap();
        assert_eq!(
            storage::load_case(&db, GUILD, case.id).await.unwrap(),
            Some(applied.case)
        );
        db.close().await;
    }
}

#[tokio::test]
async fn a_server_set_up_before_the_language_setting_reads_bokmal_and_when_asked() {
    let (_dir, path) = temp_db_path();
    std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
    let pool = SqlitePoolOptions::new()
        .connect_with(Db::options(&path).unwrap())
        .await
        .unwrap();
    let before = Migrator {
        migrations: Cow::Owned(
            MIGRATOR
                .migrations
                .iter()
                .filter(|m| m.version < 11)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO guild_settings (guild_id, hr_role_id, updated_at)
         VALUES (?, 42, '2026-01-01T08:00:00.000000000Z')",
    )
    .bind(GUILD as i64)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let db = Db::open(&path).await.unwrap();
    let s = storage::load_settings(&db, GUILD).await.unwrap().unwrap();
    assert_eq!(s.roles.hr, Some(42));
    assert_eq!(s.language, flow::Lang::Nb);
    assert_eq!(s.notifications, storage::NotificationLevel::WhenAsked);
    db.close().await;
}

/// The migrations a file has had, as `_sqlx_migrations` records them.
async fn applied(pool: &sqlx::SqlitePool) -> Vec<(i64, Vec<u8>)> {
    sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_of_an_older_database_leaves_its_schema_as_it_was() {
    let all = MIGRATOR.migrations.len();
    let (dir, path) = temp_db_path();
    std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
    // A file as an older binary left it: one migration behind, with a case in it.
    let pool = SqlitePoolOptions::new()
        .connect_with(Db::options(&path).unwrap())
        .await
        .unwrap();
    let older = Migrator {
        migrations: Cow::Owned(MIGRATOR.migrations[..all - 1].to_vec()),
        ..Migrator::DEFAULT
    };
    older.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO cases (id, guild_id, title, unit, owner_id, owner_name, opened_at, version)
         VALUES (500, 1, 'Gammel sak', 'Enhet', 7, 'Eldre Leder', '2025-01-01T08:00:00.000000000Z', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let before = applied(&pool).await;
    assert_eq!(before.len(), all - 1);

    // Taken while the older binary still has the file open.
    let copy = dir.path().join("kopi.db");
    storage::backup_file(&path, &copy).await.unwrap();
    assert_eq!(
        applied(&pool).await,
        before,
        "the live file was not migrated"
    );
    pool.close().await;

    let restored = SqlitePoolOptions::new()
        .connect_with(Db::read_only_options(copy.to_str().unwrap()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        applied(&restored).await,
        before,
        "the copy is of the file as it was"
    );
    let title: String = sqlx::query_scalar("SELECT title FROM cases WHERE id = 500")
        .fetch_one(&restored)
        .await
        .unwrap();
    assert_eq!(title, "Gammel sak");
    restored.close().await;

    // Never over a file, and never of a database that is not there.
    assert!(matches!(
        storage::backup_file(&path, &copy).await,
        Err(storage::StorageError::BackupExists(_))
    ));
    let nowhere = dir.path().join("finnes-ikke.db");
    assert!(
        storage::backup_file(nowhere.to_str().unwrap(), &dir.path().join("x.db"))
            .await
            .is_err()
    );
    assert!(
        !nowhere.exists(),
        "no empty database was created to back up"
    );
}
