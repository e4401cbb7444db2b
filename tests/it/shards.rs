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
