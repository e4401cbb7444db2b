//! The registry of live processes on both backends: a heartbeat registers or renews and
//! answers how many are live, says when it began a new registration, and a clean stop ends the
//! registration after its linger. A registration of length zero is expired the moment it is
//! made (live means `expires_at > now`), which is how these tests see expiry without waiting.

use std::time::Duration;

use storage::{deregister, heartbeat, live_processes, Heartbeat, StorageError};

use crate::common::contract;

const LONG: Duration = Duration::from_secs(600);
const EXPIRED: Duration = Duration::ZERO;

contract! {
/// Each live process is counted once, whoever asks; a heartbeat of a live process renews it
/// without beginning a new registration.
async fn heartbeat_counts_each_live_process_once(db: Db) {
    assert_eq!(heartbeat(&db, "a", LONG).await.unwrap(), Heartbeat { live: 1, joined: true });
    assert_eq!(heartbeat(&db, "a", LONG).await.unwrap(), Heartbeat { live: 1, joined: false });
    assert_eq!(heartbeat(&db, "b", LONG).await.unwrap(), Heartbeat { live: 2, joined: true });
    assert_eq!(heartbeat(&db, "c", LONG).await.unwrap(), Heartbeat { live: 3, joined: true });
    assert_eq!(heartbeat(&db, "a", LONG).await.unwrap(), Heartbeat { live: 3, joined: false });
    assert_eq!(live_processes(&db).await.unwrap(), ["a", "b", "c"]);
}
}

contract! {
/// The live processes come longest registered first, whatever their names (the bot's shard
/// quotas give the remainder to the first: a standby joining takes nothing from the first).
async fn live_processes_come_longest_registered_first(db: Db) {
    heartbeat(&db, "z", LONG).await.unwrap();
    heartbeat(&db, "m", LONG).await.unwrap();
    heartbeat(&db, "z", LONG).await.unwrap();
    assert_eq!(live_processes(&db).await.unwrap(), ["z", "m"]);
}
}

contract! {
/// A process whose registration expired is not counted; its next heartbeat begins a new
/// registration (it must wait as a newcomer), and the expired rows of others are deleted.
async fn expired_process_is_not_counted_and_rejoins_as_new(db: Db) {
    heartbeat(&db, "a", LONG).await.unwrap();
    heartbeat(&db, "gone", EXPIRED).await.unwrap();
    heartbeat(&db, "b", EXPIRED).await.unwrap();
    assert_eq!(live_processes(&db).await.unwrap(), ["a"]);
    assert_eq!(heartbeat(&db, "a", LONG).await.unwrap(), Heartbeat { live: 1, joined: false });
    assert_eq!(heartbeat(&db, "b", LONG).await.unwrap(), Heartbeat { live: 2, joined: true });
    let rows: i64 = match db.postgres_pool() {
        Some(pool) => sqlx::query_scalar("SELECT count(*) FROM processes")
            .fetch_one(pool)
            .await
            .unwrap(),
        None => sqlx::query_scalar("SELECT count(*) FROM processes")
            .fetch_one(db.sqlite_pool())
            .await
            .unwrap(),
    };
    assert_eq!(rows, 2, "the expired row of `gone` is deleted");
}
}

contract! {
/// A clean stop ends the registration after its linger, not before (the others go on counting
/// it while its last requests may still count against the limit), and not later than it
/// would have ended anyway.
async fn deregistered_process_is_counted_until_its_linger_ends(db: Db) {
    heartbeat(&db, "a", LONG).await.unwrap();
    heartbeat(&db, "b", LONG).await.unwrap();
    assert!(deregister(&db, "b", LONG).await.unwrap());
    assert_eq!(live_processes(&db).await.unwrap(), ["a", "b"], "b lingers");
    assert!(deregister(&db, "b", EXPIRED).await.unwrap());
    assert_eq!(live_processes(&db).await.unwrap(), ["a"]);
    assert!(!deregister(&db, "b", LONG).await.unwrap(), "b is gone already");
    assert_eq!(live_processes(&db).await.unwrap(), ["a"], "a gone one stays gone");
    assert_eq!(heartbeat(&db, "a", LONG).await.unwrap().live, 1);
}
}

contract! {
multi_thread;
/// Processes starting at the same moment are all counted: once each has had its heartbeat,
/// the next heartbeat of any of them sees every one.
async fn racing_heartbeats_count_every_process(db: Db) {
    let racers = (0..6).map(|i| {
        let db = db.clone();
        tokio::spawn(async move { heartbeat(&db, &format!("p{i}"), LONG).await })
    });
    for r in racers {
        let beat = r.await.unwrap().unwrap();
        assert!(beat.joined);
        assert!((1..=6).contains(&beat.live));
    }
    assert_eq!(heartbeat(&db, "p0", LONG).await.unwrap(), Heartbeat { live: 6, joined: false });
}
}

contract! {
/// A process without a name is a caller's bug, refused before anything is stored.
async fn nameless_process_is_refused(db: Db) {
    assert!(matches!(heartbeat(&db, " ", LONG).await, Err(StorageError::Invalid(_))));
    assert_eq!(live_processes(&db).await.unwrap(), Vec::<String>::new());
}
}
