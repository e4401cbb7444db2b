//! The release binary itself, pointed at a Discord-compatible server by `DISCORD_API_URL`:
//! REST and gateway alike go to the sandbox, and it answers a member there.

use std::process::{Child, Command, Stdio};

use los::harness::{cast, world};
use sandbox::Sandbox;

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_against_any_discord_compatible_server() {
    let sandbox = Sandbox::start(world()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = sandbox.world();
    let child = Command::new(env!("CARGO_BIN_EXE_los"))
        .arg("run")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DISCORD_TOKEN", &w.token)
        .env("DISCORD_API_URL", sandbox.http_url())
        .env("DATABASE_URL", dir.path().join("los.db"))
        .env("LOS_DEV_GUILD", w.guild_id.to_string())
        .env("RUST_LOG", "warn")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _guard = KillOnDrop(child);
    sandbox.wait_for_commands_registered().await.unwrap();
    let answer = sandbox
        .member(cast::ADMIN)
        .slash("oppsett", &["vis"], &[])
        .await
        .unwrap();
    assert!(answer.ephemeral());
    assert!(answer.text().contains("Oppsett"), "{}", answer.text());
    sandbox.assert_no_failures();
    assert!(
        dir.path().join("los.db").exists(),
        "the database file was created"
    );
}

#[test]
fn a_malformed_setting_stops_the_binary_with_a_clear_message_and_no_token() {
    let out = Command::new(env!("CARGO_BIN_EXE_los"))
        .arg("run")
        .env_clear()
        .env("DISCORD_TOKEN", "far too short secret")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DISCORD_TOKEN"), "{err}");
    assert!(!err.contains("secret"), "the token is never printed: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn los_backup_writes_a_consistent_copy_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("los.db");
    {
        let db = storage::Db::open(db_path.to_str().unwrap()).await.unwrap();
        let mut settings = storage::GuildSettings::new(42);
        settings.hr_channel = Some(7);
        storage::save_settings(&db, &settings).await.unwrap();
        db.close().await;
    }
    let copy = dir.path().join("kopi.db");
    let run = |target: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_los"))
            .args(["backup", target.to_str().unwrap()])
            .env_clear()
            .env("DATABASE_URL", &db_path)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let first = run(&copy);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let restored = storage::Db::open(copy.to_str().unwrap()).await.unwrap();
    let settings = storage::load_settings(&restored, 42)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settings.hr_channel, Some(7), "the copy holds the data");
    let again = run(&copy);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn los_backup_never_migrates_the_live_database() {
    use sqlx::migrate::Migrator;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("los.db");
    let db_path_str = db_path.to_str().unwrap();
    // The file as an older binary left it: one migration behind.
    let all = storage::MIGRATOR.migrations.len();
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(storage::Db::options(db_path_str).unwrap())
        .await
        .unwrap();
    let older = Migrator {
        migrations: std::borrow::Cow::Owned(storage::MIGRATOR.migrations[..all - 1].to_vec()),
        ..Migrator::DEFAULT
    };
    older.run(&pool).await.unwrap();
    let versions = |pool: sqlx::SqlitePool| async move {
        sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap()
    };
    let before = versions(pool.clone()).await;
    pool.close().await;

    let copy = dir.path().join("kopi.db");
    let out = Command::new(env!("CARGO_BIN_EXE_los"))
        .args(["backup", copy.to_str().unwrap()])
        .env_clear()
        .env("DATABASE_URL", &db_path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(copy.exists());
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(storage::Db::read_only_options(db_path_str).unwrap())
        .await
        .unwrap();
    assert_eq!(
        versions(pool.clone()).await,
        before,
        "the live file kept its schema"
    );
    assert_eq!(before.len(), all - 1);
    pool.close().await;
}

/// `los backup` copies a SQLite file. On PostgreSQL it says so and points to the server's own
/// tools, without the password and without touching the database or writing a file.
#[test]
fn los_backup_on_postgres_points_to_the_servers_tools() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("kopi.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_los"))
        .args(["backup", target.to_str().unwrap()])
        .env_clear()
        .env("DATABASE_URL", "postgres://los:hemmelig@127.0.0.1:1/los")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("pg_dump"), "{said}");
    assert!(!said.contains("hemmelig"), "{said}");
    assert!(!target.exists());
}
