//! What the journey tests share: a server with a new hire and a buddy, a case at its start
//! date, and words for the journey's thread and checklist.

use los_e2e::*;
use sandbox::{ChannelRec, Member};
use serde_json::Value;

/// The new hire: reads Discord in English.
pub const NORA: u64 = 1010;
/// The buddy.
pub const FRIDA: u64 = 1011;

/// The reminder tests' server with the new hire and the buddy on it.
pub fn journey_world() -> sandbox::World {
    world()
        .member(Member::new(NORA, "Nora Ny").locale("en-US"))
        .member(Member::new(FRIDA, "Frida Fadder"))
}

/// A set-up server at 09:00 on day one, with Lise's case played to its start date.
pub async fn case_at_start(start: chrono::NaiveDate) -> (Kit, flow::CaseId) {
    case_at_start_on(start, Backend::Sqlite).await
}

/// [`case_at_start`] on this database engine.
pub async fn case_at_start_on(start: chrono::NaiveDate, on: Backend) -> (Kit, flow::CaseId) {
    let kit = Kit::reminders().world(journey_world()).on(on).start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, start).await;
    (kit, case)
}

/// `/rekruttering nyansatt` by `who`: the new hire, and the buddy if any.
pub async fn name_new_hire(
    kit: &Kit,
    who: u64,
    case: flow::CaseId,
    buddy: Option<u64>,
) -> sandbox::Answer {
    let sak = case.0.to_string();
    let nora = NORA.to_string();
    let frida = buddy.map(|b| b.to_string());
    let mut options = vec![("sak", sak.as_str()), ("person", nora.as_str())];
    if let Some(f) = &frida {
        options.push(("fadder", f.as_str()));
    }
    kit.slash(who, "rekruttering", &["nyansatt"], &options)
        .await
}

/// The journeys' private threads in the onboarding channel.
pub fn journey_threads(kit: &Kit) -> Vec<ChannelRec> {
    kit.discord()
        .threads(ONBOARDING)
        .into_iter()
        .filter(|t| t.kind == 12)
        .collect()
}

/// The checklist in a journey thread, as it is now.
pub async fn checklist(kit: &Kit, thread: u64) -> Value {
    kit.message_where(thread, |m| {
        m["embeds"].as_array().is_some_and(|e| !e.is_empty())
    })
    .await
}

/// All visible text of a message.
pub fn text(m: &Value) -> String {
    sandbox::actor::message_text(m)
}

/// The checklist message, read again from Discord.
pub fn checklist_now(kit: &Kit, thread: u64, id: u64) -> Value {
    kit.messages(thread)
        .into_iter()
        .find(|m| id_of(m) == id)
        .expect("the checklist is still there")
}

/// How often `needle` is in a person's DMs (content of every message).
pub fn in_dms(kit: &Kit, who: u64, needle: &str) -> usize {
    kit.count_in_dms(who, needle)
}
