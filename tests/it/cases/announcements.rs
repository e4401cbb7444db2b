//! What a stored change owes its thread is said, whatever happens to the bot or to Discord
//! in between: a crash after the press, a reply too late for Discord's window, a card someone
//! deleted, a thread Discord archived, a thread Discord refused to open.

use los_e2e::*;
use serde_json::Value;
use sqlx::Connection;

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
const CALLBACK: &str = "/interactions/{interaction_id}/{interaction_token}/callback";

/// Waits until the thread's card shows no buttons (a closed case).
async fn card_without_buttons(kit: &Kit, thread: u64) {
    kit.message_where(thread, |m| {
        m["embeds"].as_array().is_some_and(|e| !e.is_empty())
            && m["components"].as_array().is_some_and(|c| c.is_empty())
    })
    .await;
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
    kit.discord().hang_next(MESSAGES, 1);
    kit.press(LEDER, thread, "btn-done", "stilling_vakant")
        .await;
    kit.request_where(|r| r.status == 0 && r.route.ends_with("/messages"))
        .await;
    kit.restart().await;
    assert!(kit.lines_with(thread, done).is_empty());
    kit.advance(past_the_grace());
    kit.kick().await;
    kit.line(thread, done).await;
    assert_eq!(kit.lines_with(thread, done).len(), 1);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_posted_just_before_a_crash_is_not_posted_twice() {
    let (mut kit, thread) = Kit::with_case().await;
    let done = "markerte *Stilling vakant* som utført";
    // The line is posted, but the bot dies before it hears so.
    kit.discord().lose_reply_next(MESSAGES, 1);
    kit.press(LEDER, thread, "btn-done", "stilling_vakant")
        .await;
    kit.line(thread, done).await;
    let sent = |kit: &Kit| {
        kit.requests_on(MESSAGES)
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
    kit.restart().await;
    kit.advance(past_the_grace());
    kit.kick().await;
    // Sent again with its nonce: Discord answers with the message already posted.
    assert_eq!(sent(&kit), before + 1, "sent once more after the restart");
    assert_eq!(kit.lines_with(thread, done).len(), 1);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_waits_for_the_disk_is_answered_in_time_and_announced() {
    let (kit, thread) = Kit::with_case().await;
    // Someone else holds the database's write lock (a backup, a checkpoint): the change waits.
    let mut blocker = sqlx::SqliteConnection::connect_with(
        &storage::Db::options(kit.db_path().to_str().unwrap()).unwrap(),
    )
    .await
    .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let label = kit
        .label_on_card(thread, "btn-done", "stilling_vakant")
        .await
        .unwrap();
    let card = kit.card_id(thread);
    let lise = kit.member_in(LEDER, thread);
    let press = tokio::spawn(async move { lise.press(&label, card).await });
    // Discord hears "working on it" while the change still waits for the disk.
    kit.request_where(|r| {
        r.route == CALLBACK && r.status == 204 && r.body.as_ref().is_some_and(|b| b["type"] == 6)
    })
    .await;
    assert!(!press.is_finished() || kit.case(thread).await.version == 1);
    sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();
    press.await.unwrap().expect("the press went through");
    kit.line(thread, "markerte *Stilling vakant* som utført")
        .await;
    let card = kit.card_text(thread);
    assert!(card.contains("Tidlig involvering"), "{card}");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_someone_deleted_is_posted_anew_and_the_change_still_told() {
    let (kit, thread) = Kit::with_case().await;
    let old = kit.card_id(thread);
    assert!(kit.discord().delete_message(thread, old));
    let id = kit.case_id(thread).await.0.to_string();
    let reply = kit
        .slash(
            LEDER,
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "Stillingen trekkes")],
        )
        .await;
    assert!(reply.ephemeral(), "{}", reply.text());
    kit.line(thread, "Stillingen trekkes").await;
    let new = kit.card_id(thread);
    assert_ne!(new, old, "a new card");
    assert!(
        kit.card_buttons(thread).is_empty(),
        "it shows the case closed"
    );
    let stored = kit.stored_card(kit.case_id(thread).await).await;
    assert_eq!(stored.message, new, "and is the card from now on");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_a_case_whose_thread_is_archived_is_shown_and_told() {
    let (kit, thread) = Kit::with_case().await;
    // A week without activity while the case waits: Discord archived the thread.
    assert!(kit.discord().archive_thread(thread));
    let id = kit.case_id(thread).await.0.to_string();
    let reply = kit
        .slash(
            HR,
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "Omorganisering")],
        )
        .await;
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
    assert!(
        !kit.is_archived(thread),
        "the line took the thread out of the archive"
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_whose_thread_discord_refuses_is_kept_and_its_thread_follows() {
    let kit = Kit::build().set_up().start().await;
    kit.discord().fail_next_with(
        "POST /channels/{channel_id}/messages/{message_id}/threads",
        Some(CASES),
        403,
        50013,
        1,
    );
    let lise = kit.member(LEDER);
    let t = kit.tr(flow::Lang::Nb);
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
    assert!(kit.threads().is_empty());
    let cases = kit.open_cases().await;
    assert_eq!(cases.len(), 1, "the case is stored once");
    // Discord lets it now: the loop opens the thread from the message already posted.
    kit.advance(past_the_grace());
    kit.kick().await;
    let threads = kit.threads();
    assert_eq!(threads.len(), 1);
    let thread = threads[0].id;
    let starters: Vec<Value> = kit.lines_with(CASES, "rekrutteringssak #");
    assert_eq!(starters.len(), 1, "one first message in the case channel");
    assert_eq!(
        starters[0]["id"].as_str(),
        Some(thread.to_string().as_str())
    );
    kit.line(thread, "Neste").await;
    assert!(!kit.card_buttons(thread).is_empty(), "the card is there");
    assert_eq!(kit.open_cases().await, cases);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_the_bot_cannot_open_threads_in_is_refused_at_setup() {
    use sandbox::world::perms;
    let world = test_world().bot_channel_permissions(CASES, 0, perms::CREATE_PUBLIC_THREADS);
    let kit = Kit::start_in(world).await;
    let answer = kit
        .slash(
            ADMIN,
            "oppsett",
            &["kanaler"],
            &[("saker", &CASES.to_string())],
        )
        .await;
    let text = answer.text();
    assert!(answer.ephemeral(), "{text}");
    assert!(text.contains("opprette offentlige tråder"), "{text}");
    let settings = kit.saved_settings().await;
    assert_eq!(settings.and_then(|s| s.case_channel), None, "nothing saved");
    // The option offers text channels only: a forum or a category takes no messages.
    let cmd = kit.command("oppsett");
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
    let first = kit
        .press_in(LEDER, thread, &help, kit.card_id(thread))
        .await;
    assert!(first.ephemeral(), "{}", first.text());
    kit.line(thread, "ber om bistand").await;
    let again = kit
        .press_in(LEDER, thread, &help, kit.card_id(thread))
        .await;
    assert!(again.ephemeral(), "{}", again.text());
    assert!(again.text().contains("om en time"), "{}", again.text());
    let asked = kit.lines_with(thread, "ber om bistand");
    assert_eq!(asked.len(), 1, "one request, one line");
    let hr_pings = kit
        .pings()
        .iter()
        .filter(|p| p.roles.contains(&HR_ROLE))
        .count();
    assert_eq!(hr_pings, 1);
    // An hour later she may ask again.
    kit.advance(chrono::Duration::minutes(61));
    kit.press_in(LEDER, thread, &help, kit.card_id(thread))
        .await;
    kit.message_where(thread, |m| {
        m["content"]
            .as_str()
            .is_some_and(|c| c.contains("ber om bistand"))
            && m["id"] != asked[0]["id"]
    })
    .await;
    kit.stop().await;
}
