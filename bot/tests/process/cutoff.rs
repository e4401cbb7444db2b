//! A `los run` cut off from PostgreSQL while another runs on: its connections terminated
//! (`pg_terminate_backend`) and its role barred from logging in again, so that every renewal
//! fails. It stops its shard itself while the lease is still live by the database's clock; the
//! other takes the shard over only after that; no shard ever has two sessions (sampled every
//! 100 ms, and the sandbox records any overlap). The cut-off process does not die: when the
//! database lets it in again, it takes its share back.

#![cfg(unix)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use los::harness::world;
use sandbox::Sandbox;
use sqlx::Connection;

use crate::operations::{read, stop};
use crate::postgres::{database, spawn};

const LEASE_SECONDS: u64 = 6;

/// The database URL `url` with `user` in place of its user.
fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (creds, place) = rest.split_once('@').expect("a URL with a user");
    let password = creds.split_once(':').map(|(_, p)| format!(":{p}"));
    format!("{scheme}://{user}{}@{place}", password.unwrap_or_default())
}

/// Runs `sql` on the server as its administrator.
async fn admin(sql: &str) {
    let url = std::env::var("LOS_TEST_POSTGRES").expect("LOS_TEST_POSTGRES names a server");
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// The live leases: shard and owner.
async fn owners(db: &storage::Db) -> Vec<(u32, String)> {
    storage::shard_owners(db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.shard, l.owner))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn a_process_cut_off_from_postgres_stops_its_shard_before_the_other_takes_it() {
    let url = database("cutoff").await;
    let pid = std::process::id();
    let (a_role, b_role) = (format!("los_cut_a_{pid}"), format!("los_cut_b_{pid}"));
    admin(&format!(
        "CREATE ROLE {a_role} LOGIN SUPERUSER; CREATE ROLE {b_role} LOGIN SUPERUSER;"
    ))
    .await;
    let mut w = world();
    w.config.shards = 2;
    w.config.identify_spacing = true;
    let sb = Sandbox::start(w).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let logs = |name: &str| read(dir.path(), name);
    let db = storage::Db::open_postgres(&url).await.unwrap();

    // No shard ever has two sessions: sampled every 100 ms for the whole test (and the
    // sandbox records every overlap besides, checked at the end).
    let (samples, doubled) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let sampler = {
        let (sb, samples, doubled) = (sb.clone(), samples.clone(), doubled.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(100));
            loop {
                every.tick().await;
                if sb.live_shards().iter().any(|(_, sessions)| *sessions > 1) {
                    doubled.fetch_add(1, Ordering::Relaxed);
                }
                samples.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    // a alone runs both shards; b joins and a hands one over: one shard each.
    let a_url = as_user(&url, &a_role);
    let mut a = spawn(&sb, dir.path(), &a_url, "a.log", LEASE_SECONDS, &[]);
    sb.wait_identified(2)
        .await
        .unwrap_or_else(|e| panic!("{e:#}: {}", logs("a.log")));
    let mut b = spawn(
        &sb,
        dir.path(),
        &as_user(&url, &b_role),
        "b.log",
        LEASE_SECONDS,
        &[],
    );
    sb.wait_identified(3)
        .await
        .unwrap_or_else(|e| panic!("{e:#}\na: {}\nb: {}", logs("a.log"), logs("b.log")));
    let shared = owners(&db).await;
    assert_eq!(shared.len(), 2, "{shared:?}");
    assert_ne!(shared[0].1, shared[1].1, "one shard each: {shared:?}");
    let a_mark = format!("-{}-", a.id().expect("a runs"));
    let a_owner = |o: &str| o.contains(&a_mark);
    let (a_shard, a_name) = shared
        .iter()
        .find(|(_, o)| a_owner(o))
        .cloned()
        .unwrap_or_else(|| panic!("a holds a shard: {shared:?}"));

    // a is cut off: its connections end and its role may not log in again.
    admin(&format!(
        "ALTER ROLE {a_role} NOLOGIN;
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{a_role}';"
    ))
    .await;
    let cut = std::time::Instant::now();
    let fence = Duration::from_secs(LEASE_SECONDS);
    sb.wait_live_shards(fence * 2, |live| {
        live.iter().all(|([shard, _], _)| *shard != a_shard)
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}: {}", logs("a.log")));
    let stopped_after = cut.elapsed();
    // a stopped its shard while the lease was still live by the database's clock: the
    // database still names a as its holder, so b cannot have taken it yet.
    let now = owners(&db).await;
    assert!(
        now.contains(&(a_shard, a_name.clone())),
        "a's lease still live when its shard stopped ({stopped_after:?} after the cut): {now:?}"
    );
    assert!(
        stopped_after < fence,
        "stopped within the lease: {stopped_after:?}"
    );

    // b takes it over once the lease has run out: both shards on b.
    let both_on_b = sb
        .wait_live_shards(Duration::from_secs(60), |live| live.len() == 2)
        .await
        .unwrap_or_else(|e| panic!("{e:#}: {}", logs("b.log")));
    assert!(both_on_b.iter().all(|(_, n)| *n == 1), "{both_on_b:?}");
    let taken = owners(&db).await;
    assert!(
        taken.iter().all(|(_, o)| !a_owner(o)),
        "both shards on b: {taken:?}"
    );
    assert!(
        a.try_wait().unwrap().is_none(),
        "a runs on: {}",
        logs("a.log")
    );

    // The database lets a in again: it registers, and b hands it a shard back.
    admin(&format!("ALTER ROLE {a_role} LOGIN;")).await;
    let back = async {
        loop {
            sb.wait_live_shards(Duration::from_secs(60), |live| live.len() == 2)
                .await
                .unwrap();
            let now = owners(&db).await;
            if now.len() == 2 && now.iter().any(|(_, o)| a_owner(o)) {
                return now;
            }
            // Not yet: wait for the next change of sessions (a hand-over closes one).
            sb.wait_live_shards(Duration::from_secs(60), |live| live.len() < 2)
                .await
                .unwrap();
        }
    };
    let back = tokio::time::timeout(Duration::from_secs(120), back)
        .await
        .unwrap_or_else(|_| panic!("a never got a shard back: {}", logs("a.log")));
    assert_ne!(back[0].1, back[1].1, "one shard each again: {back:?}");

    sampler.abort();
    assert!(samples.load(Ordering::Relaxed) > 50, "sampled all along");
    assert_eq!(
        doubled.load(Ordering::Relaxed),
        0,
        "samples with two sessions on a shard"
    );
    assert!(sb.shard_overlaps().is_empty(), "{:?}", sb.shard_overlaps());
    assert_eq!(sb.identifies_too_soon(), 0);
    for (child, log) in [(&mut a, "a.log"), (&mut b, "b.log")] {
        let (status, _) = stop(child, dir.path(), log).await;
        assert_eq!(status.code(), Some(0), "{}", logs(log));
        assert!(!logs(log).contains("panicked"), "{}", logs(log));
    }
    db.close().await;
    let name = url.rsplit('/').next().unwrap_or_default();
    admin(&format!("DROP DATABASE {name} WITH (FORCE)")).await;
    admin(&format!("DROP ROLE {a_role}; DROP ROLE {b_role};")).await;
}
