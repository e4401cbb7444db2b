//! How loud one whole case is: the demo's case from vacancy to welcome, played in each
//! notification setting, counting what the sandbox saw the bot post in the server's channels
//! and threads and whom it pinged (a mention pings only when `allowed_mentions` lets it).

use los::harness::Noise;
use los_e2e::*;

/// Plays the whole case with the server's notification level set to `level` (the default
/// when `None`); answers how loud it was.
async fn whole_case(level: Option<&str>) -> Noise {
    let kit = Kit::start().await;
    if let Some(level) = level {
        let choice = kit.choice("cmd-oppsett-varsler", &format!("niva-{level}"));
        kit.slash(ADMIN, "oppsett", &["varsler"], &[("niva", &choice)])
            .await;
    }
    kit.play_whole_case(&mut Vec::new()).await;
    let noise = kit.noise();
    kit.stop().await;
    noise
}

/// The default: people are pinged only when they are asked to act, at most once a day per
/// case, never for what they just did themselves; HR only for HR's own steps.
///
/// The bounds, for the demo's case (38 steps, in one day but for the reminder ten days before
/// the start): Lise presses almost every step herself, so she is pinged only when someone else
/// hands her the next step (HR's and the approver's steps that lead to hers) — a handful, once
/// a day at most, so at most 3 on the two days the case's messages fall on (the case's day, the
/// reminder day; the start date's welcome is hers too). HR is pinged for the steps only HR
/// does: the transfers that open together after the contract is signed, once on that day. The
/// union representative is asked once (the agreement on the recommendation) and the approver
/// once (the approval). Before this setting the same case pinged the manager 31 times and HR 14.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_a_whole_case_pings_only_who_is_asked_and_seldom() {
    let noise = whole_case(None).await;
    let summary = noise.summary();
    assert!(noise.pings_of("@Lise Leder") <= 3, "{summary}");
    assert!(noise.pings_of("@HR") <= 2, "{summary}");
    assert!(noise.pings_of("@Tillitsvalgt") <= 1, "{summary}");
    assert!(
        noise.pings_of("@Leder med delegasjonsmyndighet") <= 1,
        "{summary}"
    );
    assert_eq!(
        noise.pings_of("@Tillitsvalgt") + noise.pings_of("@Leder med delegasjonsmyndighet"),
        2,
        "the union representative and the approver are still asked, once each: {summary}"
    );
    assert!(noise.messages <= 50, "{summary}");
}

/// Every step: each line pings everyone its steps name, as before the setting existed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_pings_everyone_each_step_names() {
    let every = whole_case(Some("every_step")).await;
    let summary = every.summary();
    assert!(every.pings_of("@Lise Leder") >= 20, "{summary}");
    assert!(every.pings_of("@HR") >= 10, "{summary}");
}

/// Digest only: nothing in the server pings; the lines still say who is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_only_pings_nobody_in_the_server() {
    let quiet = whole_case(Some("digest_only")).await;
    assert!(quiet.pings.is_empty(), "{}", quiet.summary());
    assert!(
        quiet.messages > 30,
        "the thread still tells: {}",
        quiet.summary()
    );
}
