//! An interaction that fails is logged with what identifies it, so an operator can follow
//! one press through the log: the interaction's id, the guild, the case, the step and the
//! button's custom id (never a name or text someone typed).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use los::harness::cast::*;

/// A log writer that keeps what it is given.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread: the bot's tasks run on the test's thread, under the test's log subscriber.
#[tokio::test(flavor = "current_thread")]
async fn a_failed_interaction_is_logged_with_its_id_server_and_button() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let bot = Bot::start("interaction-log").await;
    let (case, thread) = bot.open("Rådgiver").await;
    // The next change cannot be stored: the bot must say so, and log which press it was.
    let fault = storage::faults::fail_statements(
        &bot.h.data().db,
        "INSERT",
        "events",
        storage::faults::Failure::Abort,
    )
    .await
    .unwrap();
    let label = bot
        .h
        .label_on_card(thread, "btn-done", "stilling_vakant")
        .await
        .unwrap();
    let card = bot.h.card(thread).unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let answer = bot
        .h
        .sandbox
        .member(LEDER)
        .in_channel(thread)
        .press(&label, card)
        .await
        .unwrap();
    assert!(answer.ephemeral(), "{}", answer.text());
    fault.clear().await.unwrap();
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let failed = text
        .lines()
        .find(|l| l.contains("an interaction failed"))
        .unwrap_or_else(|| panic!("no failure logged:\n{text}"));
    let custom_id = format!("los:done:{}:stilling_vakant", case.0);
    let guild = bot.h.sandbox.world().guild_id.to_string();
    assert!(failed.contains(&custom_id), "{failed}");
    assert!(failed.contains(&guild), "{failed}");
    assert!(
        failed.contains(&answer.interaction_id.to_string()),
        "{failed}"
    );
    // The press's span also names the case and the step, so the press can be followed into
    // the change it made.
    assert!(failed.contains(&format!("case={}", case.0)), "{failed}");
    assert!(
        failed.contains("step=\"stilling_vakant\"") || failed.contains("step=stilling_vakant"),
        "{failed}"
    );
    assert!(!failed.contains("Lise"), "no names in the log: {failed}");
    bot.stop().await;
}
