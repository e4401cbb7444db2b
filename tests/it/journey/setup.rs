//! `/oppsett kanaler` checks what a new hire's journey needs of the onboarding channel: a
//! private thread opened there, its people added, messages in it, and the thread archived at
//! the end. A channel where the bot may not is refused, in the asker's language, naming what
//! is missing, and nothing is saved.

use los_e2e::*;
use sandbox::world::perms;
use sandbox::Member;

/// An administrator who reads Discord in English.
const ADMIN_EN: u64 = 1020;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_onboarding_channel_without_private_threads_is_refused_at_setup() {
    let world = world()
        .member(
            Member::new(ADMIN_EN, "Alex Admin")
                .roles(&[ADMIN_ROLE])
                .locale("en-US"),
        )
        .bot_channel_permissions(ONBOARDING, 0, perms::CREATE_PRIVATE_THREADS);
    let kit = Kit::start_in(world).await;
    let cases = CASES.to_string();
    let onboarding = ONBOARDING.to_string();
    let options = [
        ("saker", cases.as_str()),
        ("onboarding", onboarding.as_str()),
    ];

    let answer = kit.slash(ADMIN, "oppsett", &["kanaler"], &options).await;
    let text = answer.text();
    assert!(answer.ephemeral(), "{text}");
    assert!(text.contains(&format!("<#{ONBOARDING}>")), "{text}");
    assert!(text.contains("å opprette private tråder"), "{text}");
    assert!(
        !text.contains("å sende meldinger i tråder") && !text.contains("å se kanalen"),
        "only what is missing: {text}"
    );
    assert!(text.contains("ingenting er lagret"), "{text}");

    let english = kit.slash(ADMIN_EN, "oppsett", &["kanaler"], &options).await;
    assert!(english.ephemeral());
    assert!(
        english.text().contains("create private threads"),
        "{}",
        english.text()
    );

    let saved = kit.saved_settings().await;
    assert_eq!(
        saved.as_ref().and_then(|s| s.onboarding_channel),
        None,
        "nothing saved"
    );
    assert_eq!(
        saved.and_then(|s| s.case_channel),
        None,
        "nor the other channel of the same command"
    );
    kit.stop().await;
}

/// Archiving the journey's thread when it closes needs MANAGE_THREADS (Discord's Modify
/// Channel for a thread): without it, refused as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_onboarding_channel_where_threads_cannot_be_archived_is_refused_at_setup() {
    let world = world().bot_channel_permissions(
        ONBOARDING,
        0,
        perms::MANAGE_THREADS | perms::SEND_MESSAGES_IN_THREADS,
    );
    let kit = Kit::start_in(world).await;
    let onboarding = ONBOARDING.to_string();
    let answer = kit
        .slash(
            ADMIN,
            "oppsett",
            &["kanaler"],
            &[("onboarding", onboarding.as_str())],
        )
        .await;
    let text = answer.text();
    assert!(answer.ephemeral(), "{text}");
    assert!(text.contains("å administrere tråder"), "{text}");
    assert!(text.contains("å sende meldinger i tråder"), "{text}");
    assert!(!text.contains("private"), "{text}");
    assert_eq!(
        kit.saved_settings()
            .await
            .and_then(|s| s.onboarding_channel),
        None
    );
    kit.stop().await;
}
