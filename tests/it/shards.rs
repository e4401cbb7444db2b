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
