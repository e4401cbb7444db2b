//! What a stored change owes its thread is said, whatever happens to the bot or to Discord
//! in between: a crash after the press, a reply too late for Discord's window, a card someone
//! deleted, a thread Discord archived, a thread Discord refused to open.

use los_e2e::*;
use serde_json::Value;
use sqlx::Connection;

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
const CALLBACK: &str = "/interactions/{interaction_id}/{interaction_token}/callback";

/// The thread's messages whose content contains `needle`.
fn lines_with(kit: &Kit, thread: u64, needle: &str) -> Vec<Value> {
    kit.h
        .sandbox
        .messages(thread)
        .into_iter()
        .filter(|m| m["content"].as_str().is_some_and(|c| c.contains(needle)))
        .collect()
}

/// Waits until the thread's card shows no buttons (a closed case).
async fn card_without_buttons(kit: &Kit, thread: u64) {
    kit.h
        .sandbox
        .wait_for_message(thread, |m| {
            m["embeds"].as_array().is_some_and(|e| !e.is_empty())
                && m["components"].as_array().is_some_and(|c| c.is_empty())
        })
        .await
        .expect("the card shows the case closed");
}

/// The grace after which the reminder loop takes up what a handler left unsent, and a bit.
fn past_the_grace() -> chrono::Duration {
    storage::ANNOUNCEMENT_GRACE + chrono::Duration::seconds(30)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_the_bot_died_before_posting_is_posted_after_the_restart() {
    let (mut kit, thread) = Kit::with_case().await;
    let done = "markerte *Stilling vakant* som utført";
    // The line after Lise's press never gets through, and the bot dies while it waits.
    kit.h.sandbox.hang_next(MESSAGES, 1);
    kit.press(LEDER, thread, "btn-done", "stilling_vakant")
        .await;
    kit.h
        .sandbox
        .wait_for_request(|r| r.status == 0 && r.route.ends_with("/messages"))
        .await
        .expect("the line was on its way");
    kit.h.restart().await.expect("the bot starts again");
    assert!(lines_with(&kit, thread, done).is_empty());
    kit.h.advance_clock(&kit.clock, past_the_grace());
    kit.h.kick_reminders().await.unwrap();
    kit.line(thread, done).await;
    assert_eq!(lines_with(&kit, thread, done).len(), 1);
    kit.h.sandbox.assert_no_failures();
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_posted_just_before_a_crash_is_not_posted_twice() {
    let (mut kit, thread) = Kit::with_case().await;
    let done = "markerte *Stilling vakant* som utført";
    // The line is posted, but the bot dies before it hears so.
    kit.h.sandbox.lose_reply_next(MESSAGES, 1);
    kit.press(LEDER, thread, "btn-done", "stilling_vakant")
        .await;
    kit.line(thread, done).await;
    let sent = |kit: &Kit| {
        kit.h
            .sandbox
            .requests_on(MESSAGES)
            .into_iter()
            .filter(|r| {
                r.body
                    .as_ref()
                    .and_then(|b| b["content"].as_str())
                    .is_some_and(|c| c.contains(done))
            })
            .count()
    };
    let before = sent(&kit);
    kit.h.restart().await.expect("the bot starts again");
    kit.h.advance_clock(&kit.clock, past_the_grace());
    kit.h.kick_reminders().await.unwrap();
    // Sent again with its nonce: Discord answers with the message already posted.
    assert_eq!(sent(&kit), before + 1, "sent once more after the restart");
    assert_eq!(lines_with(&kit, thread, done).len(), 1);
    kit.h.sandbox.assert_no_failures();
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_waits_for_the_disk_is_answered_in_time_and_announced() {
    let (kit, thread) = Kit::with_case().await;
    // Someone else holds the database's write lock (a backup, a checkpoint): the change waits.
    let mut blocker = sqlx::SqliteConnection::connect_with(
        &storage::Db::options(kit.db.path.to_str().unwrap()).unwrap(),
    )
    .await
    .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let label = kit
        .h
        .label_on_card(thread, "btn-done", "stilling_vakant")
        .await
        .unwrap();
    let card = kit.card_id(thread);
    let lise = kit.h.sandbox.member(LEDER).in_channel(thread);
    let press = tokio::spawn(async move { lise.press(&label, card).await });
    // Discord hears "working on it" while the change still waits for the disk.
    kit.h
        .sandbox
        .wait_for_request(|r| {
            r.route == CALLBACK
                && r.status == 204
                && r.body.as_ref().is_some_and(|b| b["type"] == 6)
        })
        .await
        .expect("the press was answered within Discord's window");
    assert!(!press.is_finished() || kit.case(thread).await.version == 1);
    sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();
    press.await.unwrap().expect("the press went through");
    kit.line(thread, "markerte *Stilling vakant* som utført")
        .await;
    let card = kit.card_text(thread);
    assert!(card.contains("Tidlig involvering"), "{card}");
    kit.h.sandbox.assert_no_failures();
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_someone_deleted_is_posted_anew_and_the_change_still_told() {
    let (kit, thread) = Kit::with_case().await;
    let old = kit.card_id(thread);
    assert!(kit.h.sandbox.delete_message(thread, old));
    let id = kit.case_id(thread).await.0.to_string();
    let reply = kit
        .h
        .member(LEDER)
        .slash(
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "Stillingen trekkes")],
        )
        .await
        .unwrap();
    assert!(reply.ephemeral(), "{}", reply.text());
    kit.line(thread, "Stillingen trekkes").await;
    let new = kit.card_id(thread);
    assert_ne!(new, old, "a new card");
    assert!(
        kit.card_buttons(thread).is_empty(),
        "it shows the case closed"
    );
    let stored = storage::card(
        kit.h.data().db.pool(),
        kit.guild(),
        kit.case_id(thread).await,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stored.message, new, "and is the card from now on");
    kit.h.sandbox.assert_no_failures();
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_a_case_whose_thread_is_archived_is_shown_and_told() {
    let (kit, thread) = Kit::with_case().await;
    // A week without activity while the case waits: Discord archived the thread.
    assert!(kit.h.sandbox.archive_thread(thread));
    let id = kit.case_id(thread).await.0.to_string();
    let reply = kit
        .h
        .member(HR)
        .slash(
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "Omorganisering")],
        )
        .await
        .unwrap();
    assert!(reply.ephemeral(), "{}", reply.text());
    assert!(
        !reply
            .text()
            .contains(&kit.t(flow::Lang::Nb, "error-internal")),
        "{}",
        reply.text()
    );
    kit.line(thread, "Omorganisering").await;
    card_without_buttons(&kit, thread).await;
    let archived = kit
        .h
        .sandbox
        .channel(thread)
        .and_then(|c| c.thread)
        .is_some_and(|t| t.archived);
    assert!(!archived, "the line took the thread out of the archive");
    kit.h.sandbox.assert_no_failures();
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_whose_thread_discord_refuses_is_kept_and_its_thread_follows() {
    let kit = Kit::start().await;
    kit.h.set_up().await.unwrap();
    kit.h.sandbox.fail_next_with(
        "POST /channels/{channel_id}/messages/{message_id}/threads",
        Some(CASES),
        403,
        50013,
        1,
    );
    let lise = kit.h.member(LEDER);
    let t = kit.h.tr(flow::Lang::Nb);
    let opened = lise.slash("rekruttering", &["ny"], &[]).await.unwrap();
    assert!(opened.modal.is_some());
    let answer = lise
        .submit_modal(&[
            (t.t("field-title").as_str(), "Rådgiver"),
            (t.t("field-unit").as_str(), "Bydel Frogner"),
        ])
        .await
        .unwrap();
    let text = answer.text();
    assert!(text.contains("er registrert"), "{text}");
    assert!(!text.contains(&t.t("error-internal")), "{text}");
    assert!(kit.h.sandbox.threads(CASES).is_empty());
    let cases = storage::open_cases(kit.h.data().db.pool(), kit.guild())
        .await
        .unwrap();
    assert_eq!(cases.len(), 1, "the case is stored once");
    // Discord lets it now: the loop opens the thread from the message already posted.
    kit.h.advance_clock(&kit.clock, past_the_grace());
    kit.h.kick_reminders().await.unwrap();
    let threads = kit.h.sandbox.threads(CASES);
    assert_eq!(threads.len(), 1);
    let thread = threads[0].id;
    let starters: Vec<Value> = kit
        .h
        .sandbox
        .messages(CASES)
        .into_iter()
        .filter(|m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("rekrutteringssak #"))
        })
        .collect();
    assert_eq!(starters.len(), 1, "one first message in the case channel");
    assert_eq!(
        starters[0]["id"].as_str(),
        Some(thread.to_string().as_str())
    );
    kit.line(thread, "Neste").await;
    assert!(!kit.card_buttons(thread).is_empty(), "the card is there");
    assert_eq!(
        storage::open_cases(kit.h.data().db.pool(), kit.guild())
            .await
            .unwrap(),
        cases
    );
    kit.h.sandbox.assert_no_failures();
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_the_bot_cannot_open_threads_in_is_refused_at_setup() {
    use sandbox::world::perms;
    let mut world = test_world();
    world = world.bot_channel_permissions(CASES, 0, perms::CREATE_PUBLIC_THREADS);
    let kit = Kit::start_in(world).await;
    let admin = kit.h.member(ADMIN);
    let answer = admin
        .slash("oppsett", &["kanaler"], &[("saker", &CASES.to_string())])
        .await
        .unwrap();
    let text = answer.text();
    assert!(answer.ephemeral(), "{text}");
    assert!(text.contains("opprette offentlige tråder"), "{text}");
    let settings = storage::load_settings(kit.h.data().db.pool(), kit.guild())
        .await
        .unwrap();
    assert_eq!(settings.and_then(|s| s.case_channel), None, "nothing saved");
    // The option offers text channels only: a forum or a category takes no messages.
    let cmd = kit.h.sandbox.command("oppsett").unwrap();
    let kanaler = cmd["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "kanaler")
        .unwrap()
        .clone();
    for option in kanaler["options"].as_array().unwrap() {
        assert_eq!(option["channel_types"], serde_json::json!([0]), "{option}");
    }
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_hr_for_help_twice_within_the_hour_pings_hr_once() {
    let (kit, thread) = Kit::with_case().await;
    let help = kit.t(flow::Lang::Nb, "btn-help");
    let lise = kit.h.sandbox.member(LEDER).in_channel(thread);
    let first = lise.press(&help, kit.card_id(thread)).await.unwrap();
    assert!(first.ephemeral(), "{}", first.text());
    kit.line(thread, "ber om bistand").await;
    let again = lise.press(&help, kit.card_id(thread)).await.unwrap();
    assert!(again.ephemeral(), "{}", again.text());
    assert!(again.text().contains("om en time"), "{}", again.text());
    let asked = lines_with(&kit, thread, "ber om bistand");
    assert_eq!(asked.len(), 1, "one request, one line");
    let hr_pings = kit
        .h
        .sandbox
        .pings()
        .iter()
        .filter(|p| p.roles.contains(&HR_ROLE))
        .count();
    assert_eq!(hr_pings, 1);
    // An hour later she may ask again.
    kit.h
        .advance_clock(&kit.clock, chrono::Duration::minutes(61));
    lise.press(&help, kit.card_id(thread)).await.unwrap();
    kit.h
        .sandbox
        .wait_for_message(thread, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("ber om bistand"))
                && m["id"] != asked[0]["id"]
        })
        .await
        .unwrap();
    kit.h.sandbox.assert_no_failures();
    kit.stop().await;
}
