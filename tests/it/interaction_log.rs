//! An interaction that fails is logged with what identifies it, so an operator can follow
//! one press through the log: the interaction's id, the guild, the case, the step and the
//! button's custom id (never a name or text someone typed).

use std::io::Write;
use std::sync::{Arc, Mutex};

use los_e2e::*;

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
    let kit = Kit::reminders().start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    // The next change cannot be stored: the bot must say so, and log which press it was.
    let fault = storage::faults::fail_statements(
        kit.db(),
        "INSERT",
        "events",
        storage::faults::Failure::Abort,
    )
    .await
    .unwrap();
    // Other tests of this binary log from their threads meanwhile, under no subscriber: one
    // of them may have met the interaction's span first and had it marked "never wanted"
    // while this test's subscriber was being registered. Ask every callsite again now that it
    // is.
    tracing::callsite::rebuild_interest_cache();
    let answer = kit
        .press(LEDER, thread, "btn-done", "stilling_vakant")
        .await;
    assert!(answer.ephemeral(), "{}", answer.text());
    fault.clear().await.unwrap();
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let failed = text
        .lines()
        .find(|l| l.contains("an interaction failed"))
        .unwrap_or_else(|| panic!("no failure logged:\n{text}"));
    let custom_id = format!("los:done:{}:stilling_vakant", case.0);
    let guild = kit.guild().to_string();
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
    kit.stop().await;
}
