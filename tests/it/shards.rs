//! The bot on as many shards as Discord recommends (`GET /gateway/bot`): every shard
//! identified once, in Discord's IDENTIFY spacing, a guild's interactions arriving on its own
//! shard and a DM's on shard 0, each handled once.

use los_e2e::*;
use serde_json::Value;

/// The `INTERACTION_CREATE`s in `frames`, by interaction id.
fn interactions(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["t"] == "INTERACTION_CREATE")
        .filter_map(|f| f["d"]["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_four_shards_each_interaction_arrives_on_its_shard_and_is_handled_once() {
    let mut w = los::harness::world();
    w.config.shards = 4;
    w.config.identify_spacing = true;
    let guild_shard = sandbox::sessions::shard_of(Some(w.guild_id), 4);
    assert_ne!(guild_shard, 0, "the test guild is on a shard of its own");
    let kit = Kit::reminders().world(w).start_unset().await;
    let discord = kit.discord();
    discord.wait_connected().await.unwrap();
    assert_eq!(
        discord.live_shards(),
        vec![([0, 4], 1), ([1, 4], 1), ([2, 4], 1), ([3, 4], 1)],
        "one session per shard"
    );
    kit.set_up().await;

    // A case opened in the guild; its reminder comes as a DM and is pressed there.
    let (case, _thread) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.at(eight(date(2027, 2, 8))).await;
    let line = kit.manager_line("bestiller_utstyr");
    let dm = kit
        .dms(LEDER)
        .into_iter()
        .rev()
        .find(|m| m["content"].as_str().is_some_and(|c| c.contains(&line)))
        .expect("the reminder in her DM");
    let plain = kit.tr(flow::Lang::Nb).t("btn-reminder-snooze");
    let label = sandbox::actor::button_labels(&dm)
        .into_iter()
        .find(|l| l.starts_with(&plain))
        .expect("the snooze button");
    let answer = kit.press_in_dm(LEDER, &label, id_of(&dm)).await;
    assert!(answer.ephemeral(), "{}", answer.text());

    let on_guild_shard = interactions(&discord.dispatched_on([guild_shard, 4]));
    let on_shard_0 = interactions(&discord.dispatched_on([0, 4]));
    assert!(
        on_guild_shard.len() >= 4,
        "set-up, the new case and its dates came on the guild's shard: {on_guild_shard:?}"
    );
    assert_eq!(on_shard_0.len(), 1, "the DM press, on shard 0 only");
    for other in (1..4).filter(|s| *s != guild_shard) {
        assert!(interactions(&discord.dispatched_on([other, 4])).is_empty());
    }
    // Each interaction answered once: one callback per interaction delivered.
    let callbacks = discord
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.route.ends_with("/callback"))
        .count();
    assert_eq!(callbacks, on_guild_shard.len() + on_shard_0.len());
    assert!(discord.shard_overlaps().is_empty());
    assert_eq!(
        discord.identifies_too_soon(),
        0,
        "serenity keeps Discord's spacing"
    );
    assert_eq!(
        discord.gateway_ops().iter().filter(|op| **op == 2).count(),
        4
    );
    kit.assert_no_failures();
}

/// On SQLite (one process per file) the bot wins the lease of every shard `GET /gateway/bot`
/// asks for and runs each exactly once: four shards, four leases of one owner, four
/// IDENTIFYs in Discord's spacing, no two sessions on one shard at any time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_the_bot_wins_every_shard_lease_and_runs_each_shard_once() {
    let mut w = los::harness::world();
    w.config.shards = 4;
    w.config.identify_spacing = true;
    let kit = Kit::build().world(w).start_unset().await;
    let discord = kit.discord();
    discord.wait_connected().await.unwrap();
    assert_eq!(
        discord.live_shards(),
        vec![([0, 4], 1), ([1, 4], 1), ([2, 4], 1), ([3, 4], 1)]
    );
    let leases = storage::shard_owners(kit.db()).await.unwrap();
    assert_eq!(
        leases
            .iter()
            .map(|l| (l.shard, l.num_shards, l.epoch))
            .collect::<Vec<_>>(),
        vec![(0, 4, 1), (1, 4, 1), (2, 4, 1), (3, 4, 1)]
    );
    assert!(
        leases.iter().all(|l| l.owner == leases[0].owner),
        "one owner: {leases:?}"
    );
    assert!(discord.shard_overlaps().is_empty());
    assert_eq!(discord.identifies_too_soon(), 0);
    assert_eq!(
        discord.gateway_ops().iter().filter(|op| **op == 2).count(),
        4
    );
}

/// A bot whose database stops taking its lease renewals (a real failing statement on the
/// real file) stops its shards itself while their leases are still live, so no other process
/// could have taken them yet; when the database works again it wins them back with new epochs
/// and runs each shard once more, never two sessions on one shard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_that_cannot_renew_its_leases_stops_its_shards_before_they_expire() {
    use std::time::Duration;
    let mut w = los::harness::world();
    w.config.shards = 2;
    // Leases of 6 s renewed every 2 s; shards stopped 4 s after the last good renewal began.
    let times = los::shards::LeaseTimes::new(Duration::from_secs(6), Duration::from_secs(2))
        .expect("valid lease times");
    let kit = Kit::build().world(w).lease(times).start_unset().await;
    let discord = kit.discord();
    discord.wait_connected().await.unwrap();
    let before = storage::shard_owners(kit.db()).await.unwrap();
    assert_eq!(before.len(), 2);

    let fault = storage::faults::fail_statements(
        kit.db(),
        "UPDATE",
        "shard_leases",
        storage::faults::Failure::Abort,
    )
    .await
    .unwrap();
    discord.wait_no_live_shards().await.unwrap();
    let stopped_at = chrono::Utc::now();
    // SQLite's clock is this machine's: the leases the shards ran under are still live.
    let still = storage::shard_owners(kit.db()).await.unwrap();
    assert_eq!(
        still.iter().map(|l| (l.shard, l.epoch)).collect::<Vec<_>>(),
        vec![(0, 1), (1, 1)],
        "the leases had not expired when the shards were stopped"
    );
    for lease in &still {
        assert!(
            lease.expires_at > stopped_at,
            "shard {} stopped at {stopped_at}, its lease ends {}",
            lease.shard,
            lease.expires_at
        );
    }

    fault.clear().await.unwrap();
    let identified = discord.gateway_ops().iter().filter(|op| **op == 2).count() as u32;
    discord.wait_identified(identified + 2).await.unwrap();
    // Won back: with the same epoch if the lease was still live (nobody else could have held
    // it), a new one if it had expired.
    let after = storage::shard_owners(kit.db()).await.unwrap();
    assert_eq!(
        after
            .iter()
            .map(|l| (l.shard, l.owner.as_str()))
            .collect::<Vec<_>>(),
        vec![(0, before[0].owner.as_str()), (1, before[0].owner.as_str())]
    );
    assert!(
        after.iter().all(|l| l.epoch >= 1 && l.epoch <= 2),
        "{after:?}"
    );
    assert_eq!(discord.live_shards(), vec![([0, 2], 1), ([1, 2], 1)]);
    assert!(discord.shard_overlaps().is_empty());
}

/// A keeper of its own on `db` (as a second process would have), with a serenity client
/// against the sandbox: not yet running.
async fn keeper(
    sb: &sandbox::Sandbox,
    db: &storage::Db,
    owner: &str,
    times: los::shards::LeaseTimes,
) -> (
    los::shards::Keeper,
    poise::serenity_prelude::Client,
    std::sync::Arc<poise::serenity_prelude::ShardManager>,
) {
    let http = sb.http(sandbox::HttpMode::Tls).unwrap();
    let client = poise::serenity_prelude::ClientBuilder::new_with_http(http, los::app::INTENTS)
        .await
        .unwrap();
    let bot = client.http.get_bot_gateway().await.unwrap();
    let gateway = los::shards::Gateway {
        shards: bot.shards,
        max_concurrency: bot.session_start_limit.max_concurrency as u32,
    };
    let manager = client.shard_manager.clone();
    let keeper = los::shards::Keeper::new(
        db.clone(),
        owner.into(),
        manager.clone(),
        gateway,
        times,
        false,
        los::shards::Quota::new(),
    )
    .await;
    (keeper, client, manager)
}

/// Runs the keeper's rounds until two shards are connected; what the rounds did.
async fn connect_both(keeper: &mut los::shards::Keeper) -> Vec<los::shards::Outcome> {
    let mut outcomes = Vec::new();
    let mut connected = 0;
    while connected < 2 {
        let outcome = keeper.run_once().await;
        if matches!(outcome, los::shards::Outcome::Connected(_)) {
            connected += 1;
        }
        if outcome != los::shards::Outcome::Waited {
            outcomes.push(outcome);
        }
    }
    outcomes
}

/// Two processes on one database (two keepers, two serenity clients): while the first holds
/// every shard the second wins none and runs none; when the first dies (its shards gone, its
/// leases left to expire, as a SIGKILL leaves them) the second takes every shard over, each
/// with a new epoch, no shard ever had two sessions, and the IDENTIFYs of both processes
/// together kept Discord's spacing (the second waited for the first's IDENTIFY slot).
mod a_second_process_takes_over_the_shards_of_one_that_died_and_never_shares_one {
    /// On a real SQLite file (in one process: the file lock keeps two processes apart, so two
    /// keepers in one process stand for two).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let file = los::harness::TempDb::new("two-keepers").unwrap();
        let db = storage::Db::open(&file.path.display().to_string())
            .await
            .unwrap();
        super::two_processes(db).await;
    }

    /// On a real PostgreSQL database of its own, the backend several processes share.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(los_postgres),
        ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
    )]
    async fn postgres() {
        super::two_processes(super::pg_db("two_processes").await).await;
    }
}

async fn two_processes(db: storage::Db) {
    use los::shards::{LeaseTimes, Outcome, Stop};
    use std::time::Duration;
    let mut w = los::harness::world();
    w.config.shards = 2;
    // Discord's IDENTIFY limit, across both processes: one per five seconds per bucket.
    w.config.identify_spacing = true;
    let sb = sandbox::Sandbox::start(w).await.unwrap();
    let times = LeaseTimes::new(Duration::from_secs(3), Duration::from_secs(1)).unwrap();

    let (mut a, a_client, a_shards) = keeper(&sb, &db, "a", times).await;
    // a starts both shards (its rounds driven here until both are connected), then keeps
    // renewing in its own loop.
    let started = tokio::time::timeout(Duration::from_secs(60), connect_both(&mut a)).await;
    assert!(started.is_ok(), "a started both shards: {started:?}");
    let (stop_a, stopped) = tokio::sync::watch::channel(Stop::No);
    let a_task = tokio::spawn(async move {
        let _client = a_client;
        a.run(stopped).await;
    });
    sb.wait_connected().await.unwrap();
    let owners = |leases: Vec<storage::ShardLease>| {
        leases
            .into_iter()
            .map(|l| (l.shard, l.owner, l.epoch))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        owners(storage::shard_owners(&db).await.unwrap()),
        vec![(0, "a".to_owned(), 1), (1, "a".to_owned(), 1)]
    );

    let (mut b, _b_client, b_shards) = keeper(&sb, &db, "b", times).await;
    assert_eq!(
        b.run_once().await,
        Outcome::Won {
            won: vec![],
            failed: false
        },
        "a holds every shard"
    );
    assert!(b_shards.runners.lock().await.is_empty());

    // The first process dies: its sockets close, its leases stay until they expire.
    let died = tokio::time::Instant::now();
    stop_a.send(Stop::Now).unwrap();
    a_task.await.unwrap();
    a_shards.shutdown_all().await;

    let took_over = tokio::time::timeout(Duration::from_secs(60), connect_both(&mut b)).await;
    let Ok(outcomes) = took_over else {
        panic!("b did not take over within a minute")
    };
    let elapsed = died.elapsed();
    // The lease (3 s), one try period (1 s), a's IDENTIFY slot (5.5 s after its last shard
    // connected) and one more spacing for b's second shard: some 15 s; room for a busy machine.
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    assert!(
        outcomes.contains(&Outcome::Won {
            won: vec![0, 1],
            failed: false
        }),
        "both won in one try, once expired: {outcomes:?}"
    );
    assert_eq!(
        owners(storage::shard_owners(&db).await.unwrap()),
        vec![(0, "b".to_owned(), 2), (1, "b".to_owned(), 2)]
    );
    assert_eq!(b.running(), vec![0, 1]);
    assert_eq!(sb.live_shards(), vec![([0, 2], 1), ([1, 2], 1)]);
    assert!(sb.shard_overlaps().is_empty(), "{:?}", sb.shard_overlaps());
    assert_eq!(
        sb.identifies_too_soon(),
        0,
        "b's IDENTIFYs kept their distance from a's"
    );
    assert_eq!(sb.gateway_ops().iter().filter(|op| **op == 2).count(), 4);
    b_shards.shutdown_all().await;
    db.close().await;
}

mod a_process_cut_off_from_its_leases_stops_its_shards_before_another_takes_them {
    /// On a real SQLite file (a failing statement on it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let file = los::harness::TempDb::new("cut-off").unwrap();
        let db = storage::Db::open(&file.path.display().to_string())
            .await
            .unwrap();
        super::cut_off(db).await;
    }

    /// On a real PostgreSQL database of its own (a failing statement there).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(los_postgres),
        ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
    )]
    async fn postgres() {
        super::cut_off(super::pg_db("cut_off").await).await;
    }
}

/// A fresh PostgreSQL database on the server `LOS_TEST_POSTGRES` names.
async fn pg_db(test: &str) -> storage::Db {
    storage::Db::open_postgres(&los_e2e::pg_url(test).await)
        .await
        .expect("the test database opens")
}

/// Two processes; the first holds both shards. Its lease renewals start failing (a real
/// failing statement in the database): it stops both shards itself while their leases are
/// still live by the database's clock, so the second cannot have taken them yet; once the
/// leases have expired the second takes both over (new epochs), and no shard ever had two
/// sessions.
async fn cut_off(db: storage::Db) {
    use los::shards::{LeaseTimes, Outcome};
    use std::time::Duration;
    let mut w = los::harness::world();
    w.config.shards = 2;
    w.config.identify_spacing = true;
    let sb = sandbox::Sandbox::start(w).await.unwrap();
    // Leases of 6 s renewed every 2 s; shards stopped 4 s after the last good renewal began.
    let times = LeaseTimes::new(Duration::from_secs(6), Duration::from_secs(2)).unwrap();
    let (mut a, _a_client, _a_shards) = keeper(&sb, &db, "a", times).await;
    let started = tokio::time::timeout(Duration::from_secs(60), connect_both(&mut a)).await;
    assert!(started.is_ok(), "a started both shards: {started:?}");
    let (mut b, _b_client, b_shards) = keeper(&sb, &db, "b", times).await;
    assert_eq!(
        b.run_once().await,
        Outcome::Won {
            won: vec![],
            failed: false
        }
    );

    let fault = storage::faults::fail_statements(
        &db,
        "UPDATE",
        "shard_leases",
        storage::faults::Failure::Abort,
    )
    .await
    .unwrap();
    let mut seen = Vec::new();
    let fenced = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let outcome = a.run_once().await;
            if let Outcome::Fenced(shards) = outcome {
                return shards;
            }
            if outcome != Outcome::Waited {
                seen.push(outcome);
            }
        }
    })
    .await
    .expect("a stopped its shards");
    assert_eq!(fenced, vec![0, 1]);
    assert!(
        seen.iter()
            .any(|o| matches!(o, Outcome::Renewed { failed, .. } if failed == &vec![0, 1])),
        "renewals failed first: {seen:?}"
    );
    sb.wait_no_live_shards().await.unwrap();
    // Listed means live by the database's clock, now, after the shards stopped.
    let live = storage::shard_owners(&db).await.unwrap();
    assert_eq!(
        live.iter()
            .map(|l| (l.shard, l.owner.as_str(), l.epoch))
            .collect::<Vec<_>>(),
        vec![(0, "a", 1), (1, "a", 1)],
        "a's leases had not expired when its shards stopped"
    );
    assert!(a.running().is_empty());

    fault.clear().await.unwrap();
    let took_over = tokio::time::timeout(Duration::from_secs(60), connect_both(&mut b)).await;
    assert!(took_over.is_ok(), "b took both shards over");
    assert_eq!(
        storage::shard_owners(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.shard, l.owner, l.epoch))
            .collect::<Vec<_>>(),
        vec![(0, "b".to_owned(), 2), (1, "b".to_owned(), 2)],
        "taken over only once a's leases had expired"
    );
    assert_eq!(sb.live_shards(), vec![([0, 2], 1), ([1, 2], 1)]);
    assert!(sb.shard_overlaps().is_empty(), "{:?}", sb.shard_overlaps());
    assert_eq!(sb.identifies_too_soon(), 0);
    b_shards.shutdown_all().await;
    db.close().await;
}
