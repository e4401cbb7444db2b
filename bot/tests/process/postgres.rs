//! Several `los run` processes on one PostgreSQL database, as a deployment with a standby runs
//! them: neither takes SQLite's file lock, one owns the gateway's shards, and when it is
//! killed (SIGKILL: no release of anything) the other takes its shards over once their leases
//! have run out, and answers. The database's password never reaches the log.

#![cfg(unix)]

use std::path::Path;
use std::time::Duration;

use los::harness::{cast, world};
use sandbox::Sandbox;
use tokio::process::Child;

use crate::operations::{read, set_up, stop};

/// A password in the URL: the test server trusts local connections and never asks for it, so
/// the processes run with it, and it must never be in their logs.
const PASSWORD: &str = "not-in-any-log";

/// The processes' shard leases (`LOS_SHARD_LEASE_SECONDS`): a takeover after a kill takes
/// about this long, not the default 30 s.
const LEASE_SECONDS: u64 = 8;

/// `los run` against the sandbox on the PostgreSQL database at `url`, with
/// `LOS_SHARD_LEASE_SECONDS` and any extra variables.
pub(crate) fn spawn(
    sb: &Sandbox,
    dir: &Path,
    url: &str,
    log: &str,
    lease_seconds: u64,
    extra: &[(&str, String)],
) -> Child {
    let mut vars = vec![
        ("DATABASE_URL", url.to_owned()),
        ("LOS_SHARD_LEASE_SECONDS", lease_seconds.to_string()),
    ];
    vars.extend(extra.iter().cloned());
    crate::watch::spawn(sb, dir, log, &vars)
}

/// A fresh PostgreSQL database (`test` names it) on the server `LOS_TEST_POSTGRES` names, as a
/// URL that carries [`PASSWORD`].
pub(crate) async fn database(test: &str) -> String {
    let admin = std::env::var("LOS_TEST_POSTGRES").expect("LOS_TEST_POSTGRES names a server");
    let name = format!("los_{test}_{}", std::process::id());
    storage::create_postgres_database(&admin, &name)
        .await
        .expect("a test database is created");
    let rest = admin
        .strip_prefix("postgres://")
        .expect("LOS_TEST_POSTGRES is a postgres:// URL");
    let (user, host_and_db) = rest
        .split_once('@')
        .expect("LOS_TEST_POSTGRES names its user");
    let user = user.split(':').next().unwrap_or(user);
    let host = host_and_db
        .rsplit_once('/')
        .map_or(host_and_db, |(host, _)| host);
    format!("postgres://{user}:{PASSWORD}@{host}/{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn a_standby_on_postgres_takes_over_the_shards_of_a_killed_process_and_answers() {
    let url = database("standby").await;
    let sb = Sandbox::start(world()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut first = spawn(&sb, dir.path(), &url, "first.log", LEASE_SECONDS, &[]);
    let first_up = async {
        sb.wait_for_commands_registered().await?;
        sb.wait_connected().await
    };
    first_up
        .await
        .unwrap_or_else(|e| panic!("{e:#}: {}", read(dir.path(), "first.log")));
    set_up(&sb).await;

    // The standby starts on the same database: no file lock refuses it; it asks for the
    // gateway and registers its commands, but the shard is the first one's.
    let mut second = spawn(&sb, dir.path(), &url, "second.log", LEASE_SECONDS, &[]);
    sb.wait_for_requests_on("GET /gateway/bot", 2)
        .await
        .unwrap_or_else(|e| panic!("{e:#}: {}", read(dir.path(), "second.log")));
    assert!(
        second.try_wait().unwrap().is_none(),
        "the standby runs: {}",
        read(dir.path(), "second.log")
    );
    let identified = || sb.gateway_ops().iter().filter(|op| **op == 2).count();
    assert_eq!(identified(), 1, "one process owns the shard");
    let answer = sb
        .member(cast::ADMIN)
        .slash("oppsett", &["vis"], &[])
        .await
        .unwrap();
    assert!(answer.text().contains("Oppsett"), "{}", answer.text());

    // The first dies without a word: its lease runs out, the standby wins it and identifies
    // (each wait is on the sandbox's event, at most its connect time). Not before the lease
    // could have ended: the standby waited it out, it did not take a live process's shard.
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let killed = std::time::Instant::now();
    let takeover = async { while sb.wait_identified(2).await.is_err() {} };
    tokio::time::timeout(Duration::from_secs(120), takeover)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the standby never took the shard over: {}",
                read(dir.path(), "second.log")
            )
        });
    let waited = killed.elapsed();
    // While it ran the shard, its last renewal was at most the fence (two thirds of the lease)
    // before the kill, so the lease ran at least a third of its length after it.
    assert!(
        waited >= Duration::from_secs(LEASE_SECONDS) / 3,
        "taken over after {waited:?}, before the lease could end"
    );
    let answer = sb
        .member(cast::ADMIN)
        .slash("oppsett", &["vis"], &[])
        .await
        .unwrap();
    assert!(answer.text().contains("Oppsett"), "{}", answer.text());

    let (status, _) = stop(&mut second, dir.path(), "second.log").await;
    assert_eq!(status.code(), Some(0), "{}", read(dir.path(), "second.log"));
    for log in ["first.log", "second.log"] {
        let said = read(dir.path(), log);
        assert!(said.contains("database open"), "{log}: {said}");
        assert!(!said.contains(PASSWORD), "{log} shows the password: {said}");
    }
    sb.assert_no_failures();
}
