//! "Alt slettes etter 12 mnd.": once a case's personal data is deleted from the database, the
//! bot's messages about it in Discord carry no names and no free text either.

use los_e2e::*;
use sandbox::actor::message_text;
use serde_json::Value;

/// The bot's messages that everyone in the server can read, in these channels.
fn shared_messages(kit: &Kit, channels: &[u64]) -> Vec<Value> {
    channels
        .iter()
        .flat_map(|c| kit.messages(*c))
        .filter(|m| m["flags"].as_u64().unwrap_or(0) & 64 == 0)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_after_a_case_ended_its_messages_name_nobody() {
    let (kit, thread) = Kit::with_case().await;
    through_announcement(&kit, thread, "01.02.2027").await;
    through_applications(&kit, thread).await;
    recommend(&kit, thread, "Kari Nordmann\nPer Hansen").await;
    let help = kit
        .label_on_card(thread, "btn-help", "til_godkjenning")
        .await;
    if let Ok(label) = help {
        kit.press_in(LEDER, thread, &label, kit.card_id(thread))
            .await;
        kit.line(thread, "ber om").await;
    }
    let id = kit.case_id(thread).await.0.to_string();
    kit.slash(
        LEDER,
        "rekruttering",
        &["avslutt"],
        &[("sak", &id), ("grunn", "Budsjettet er trukket tilbake")],
    )
    .await;
    kit.line(thread, "Budsjettet er trukket tilbake").await;
    let personal = [
        "Lise Leder",
        "Hanne HR",
        "Tore Tillitsvalgt",
        "Kari Nordmann",
        "Per Hansen",
        "Ingen papirsøknader",
        "Budsjettet er trukket tilbake",
        &format!("<@{LEDER}>"),
    ];
    let channels = [thread, CASES, ONBOARDING];
    let before = shared_messages(&kit, &channels);
    let all_text = |messages: &[Value]| -> String {
        messages
            .iter()
            .map(message_text)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let text = all_text(&before);
    for p in personal {
        assert!(text.contains(p), "{p:?} was there before: {text}");
    }
    let ids =
        |messages: &[Value]| -> Vec<Value> { messages.iter().map(|m| m["id"].clone()).collect() };

    // A year and a month on: the thread archived itself long ago.
    kit.advance(chrono::Duration::days(400));
    kit.kick().await;

    let after = shared_messages(&kit, &channels);
    let text = all_text(&after);
    for p in personal {
        assert!(!text.contains(p), "{p:?} is still in Discord: {text}");
    }
    for id in ids(&before) {
        assert!(ids(&after).contains(&id), "message {id} was kept, emptied");
    }
    assert!(text.contains(kit.t(flow::Lang::Nb, "step-stilling_vakant").as_str()));
    assert!(
        kit.is_archived(thread),
        "the thread was archived again after the edits"
    );
    kit.stop().await;
}
