//! Journey reminders due at the same moment for the same person come in one message that
//! names each item, with a tick button per item that works from a DM; each person has their
//! own message; and a message lost mid-send before a restart comes out once, whole.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use flow::journey::Journey;
use flow::{CaseId, CaseText, NewCase, PersonId, PersonRef};
use los::custom_id::{ComponentId, Verb};
use los::render::journey::REMINDERS_PER_MESSAGE;
use los_e2e::*;
use sandbox::Member;
use serde_json::Value;
use storage::ReminderState;

use super::common::*;

const ACCESS_CARD: &str = "«Hent adgangskortet»";
const PC: &str = "«Få PC, brukerkonto og tilganger»";
/// The manager's items on day one (the buddy's falls to the manager while none is named).
const MANAGERS_DAY_ONE: [&str; 2] = [
    "«Velkomstsamtale med lederen»",
    "«Omvisning og lunsj med fadderen»",
];

/// The journey tick buttons on a message: (case, item) each.
fn ticks(m: &Value) -> Vec<(i64, String)> {
    let rows = m["components"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        .filter_map(
            |c| match c["custom_id"].as_str().and_then(ComponentId::parse) {
                Some(ComponentId::Press {
                    verb: Verb::JourneyReminderTick(_),
                    case,
                    step,
                }) => Some((case.0, step.as_str().to_owned())),
                _ => None,
            },
        )
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_hires_items_due_together_come_in_one_message_each_tickable_from_it() {
    let start = date(2027, 3, 23);
    let (kit, case) = case_at_start(start).await;
    name_new_hire(&kit, LEDER, case, Some(FRIDA)).await;
    let thread = journey_threads(&kit)[0].id;
    let list = id_of(&checklist(&kit, thread).await);
    // The day before: what was due earlier is out of the way.
    kit.at(eight(start) - chrono::Duration::days(1)).await;
    let before = kit.dms(NORA).len();
    kit.at(eight(start)).await;

    // One message names both of her first day's items, each with its own tick button.
    let new: Vec<Value> = kit.dms(NORA).into_iter().skip(before).collect();
    assert_eq!(new.len(), 1, "one message: {new:#?}");
    let message = &new[0];
    let shown = text(message);
    for item in [ACCESS_CARD, PC] {
        assert_eq!(shown.matches(item).count(), 1, "{item} in {shown}");
    }
    assert!(
        shown.contains("2 punkter"),
        "the heading counts them: {shown}"
    );
    assert_eq!(
        ticks(message),
        vec![
            (case.0, "adgangskort".to_owned()),
            (case.0, "pc_tilganger".to_owned())
        ]
    );
    // The buddy's item is hers, in a message of her own.
    assert_eq!(in_dms(&kit, FRIDA, "«Omvisning og lunsj med fadderen»"), 1);
    assert_eq!(in_dms(&kit, NORA, "«Omvisning og lunsj med fadderen»"), 0);

    // Ticked from the DM: told in her language (English), the checklist shows it.
    let id = id_of(message);
    let answer = kit.press_in_dm(NORA, "✓ Hent adgangskortet", id).await;
    assert!(
        answer.text().contains("is ticked on the checklist"),
        "{}",
        answer.text()
    );
    let now = shown_with(&kit, thread, list, "☑ **Hent adgangskortet**").await;
    assert!(now.contains("1 av 18 punkter"), "{now}");
    // The other item is ticked from the same message.
    kit.press_in_dm(NORA, "✓ Få PC, brukerkonto og tilganger", id)
        .await;
    shown_with(&kit, thread, list, "2 av 18 punkter").await;
    // A second press is refused, and changes nothing.
    let again = kit.press_in_dm(NORA, "✓ Hent adgangskortet", id).await;
    assert!(again.text().contains("already ticked"), "{}", again.text());
    assert!(text(&checklist_now(&kit, thread, list)).contains("2 av 18 punkter"));
    kit.stop().await;
}

/// The checklist's text once it shows `needle` (it is shown anew after the press is answered).
async fn shown_with(kit: &Kit, thread: u64, list: u64, needle: &str) -> String {
    let m = kit
        .discord()
        .wait_for_message(thread, |m| id_of(m) == list && text(m).contains(needle))
        .await
        .unwrap_or_else(|e| panic!("{needle}: {e:#}"));
    text(&m)
}

/// The new hires of the cohort.
const FIRST_NEW_HIRE: u64 = 60_000;
/// Where the cohort's journey threads are numbered from.
const FIRST_THREAD: u64 = 7_000_000;

/// `n` new hires starting on the same day, each in a case of Lise's with a journey (no
/// buddy), straight through storage as `/rekruttering nyansatt` leaves them (thread and
/// checklist out), with their first day's reminders queued. Answers each case and its new hire,
/// and the moment the first day's reminders are due.
async fn cohort(kit: &Kit, n: u64) -> (Vec<(CaseId, u64)>, DateTime<Utc>) {
    // A pass first: the server's reminders are planned (none yet), so the cases below keep
    // only their journeys' (the recruitment is done when the new hire starts).
    kit.kick().await;
    let guild = kit.guild();
    let db = kit.db();
    let settings = kit.settings().await;
    let plan = los::guild::reminder_settings(&settings);
    let remind_at = plan.deadlines.remind_at;
    let template = los::prompts::journey(kit.process(), kit.texts()).unwrap();
    let now = kit.now();
    let start = flow::calendar::working_day_on_or_after(
        flow::engine::oslo_today(now) + chrono::Days::new(30),
    );
    let due = flow::oslo_instant(start, remind_at);
    let mut out = Vec::new();
    for i in 0..n {
        let draft = NewCase {
            title: CaseText::parse(&format!("Sommerjobb {i}")).unwrap(),
            unit: CaseText::parse("Bydel Frogner").unwrap(),
            note: None,
        };
        let owner = PersonRef {
            id: PersonId(LEDER),
            name: "Lise Leder".into(),
        };
        let case = storage::create_case(
            db,
            guild,
            |id| flow::start(kit.process(), id, draft, owner, now),
            |_| Vec::new(),
        )
        .await
        .unwrap();
        let new_hire = FIRST_NEW_HIRE + i;
        let journey = Journey {
            case: case.id,
            version: 0,
            template: template.clone(),
            start,
            new_hire: PersonRef {
                id: PersonId(new_hire),
                name: format!("Ny {i}"),
            },
            buddy: None,
            done: BTreeMap::new(),
            closed: None,
        };
        let wanted: Vec<_> = journey
            .reminders(remind_at)
            .into_iter()
            .filter(|r| r.due == due)
            .collect();
        assert_eq!(wanted.len(), 4, "four items on the first day");
        // The case's own reminders stay none, as at its creation above.
        storage::create_journey(db, guild, &journey, &wanted, |_| Vec::new(), now)
            .await
            .unwrap();
        let thread = FIRST_THREAD + i;
        kit.discord()
            .add_thread(ONBOARDING, thread, &format!("Sak {}", case.id.0));
        storage::set_journey_thread(db, guild, case.id, thread)
            .await
            .unwrap();
        storage::set_journey_message(db, guild, case.id, thread + 1_000_000)
            .await
            .unwrap();
        out.push((case.id, new_hire));
    }
    // HR's digest of that morning is out of the way (it has its own test).
    storage::record_digest(db, guild, start, 1, due)
        .await
        .unwrap();
    (out, due)
}

/// The reminders' server with the cohort's new hires on it.
fn cohort_world(n: u64) -> sandbox::World {
    (0..n).fold(world(), |w, i| {
        w.member(Member::new(FIRST_NEW_HIRE + i, &format!("Ny {i}")))
    })
}

/// More new hires than a claim's first batch holds.
const COHORT: u64 = 25;

/// Each new hire has exactly one message, naming their own two items of their own case and
/// tickable from it; the manager's items come in as few messages as the cap allows, each
/// named once.
async fn assert_one_message_per_person(kit: &Kit, cohort: &[(CaseId, u64)]) {
    for (case, new_hire) in cohort {
        let dms = kit.dms(*new_hire);
        assert_eq!(dms.len(), 1, "new hire {new_hire}: {dms:#?}");
        let shown = text(&dms[0]);
        for item in [ACCESS_CARD, PC] {
            assert_eq!(shown.matches(item).count(), 1, "{item} in {shown}");
        }
        assert_eq!(
            shown.matches("sak #").count(),
            2,
            "only their own case: {shown}"
        );
        assert!(shown.contains(&format!("sak #{}:", case.0)), "{shown}");
        assert_eq!(
            ticks(&dms[0]),
            vec![
                (case.0, "adgangskort".to_owned()),
                (case.0, "pc_tilganger".to_owned())
            ]
        );
    }
    let managers = kit.dms(LEDER);
    let items = MANAGERS_DAY_ONE.len() * cohort.len();
    // Ten to a message (these lines are short enough for ten in 2000 characters), however
    // the claim's batches fell: all due at once, so claimed together.
    assert_eq!(
        managers.len(),
        items.div_ceil(REMINDERS_PER_MESSAGE),
        "messages for {items} items"
    );
    let mut ticked: Vec<(i64, String)> = Vec::new();
    for m in &managers {
        let shown = m["content"].as_str().unwrap_or_default();
        assert!(shown.chars().count() <= 2000, "{shown}");
        let t = ticks(m);
        assert!(t.len() <= REMINDERS_PER_MESSAGE, "{t:?}");
        assert_eq!(t.len(), shown.matches("sak #").count(), "{shown}");
        ticked.extend(t);
    }
    ticked.sort();
    let mut expected: Vec<(i64, String)> = cohort
        .iter()
        .flat_map(|(case, _)| {
            ["velkomstsamtale", "fadder_omvisning"].map(|i| (case.0, i.to_owned()))
        })
        .collect();
    expected.sort();
    assert_eq!(ticked, expected, "each of the manager's items once");
    for (case, _) in cohort {
        let all = kit.reminders_of(*case).await;
        assert!(
            all.iter().all(|r| r.state == ReminderState::Sent),
            "{all:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cohort_due_at_once_gets_one_message_per_person_past_the_claim_batch() {
    let kit = Kit::reminders().world(cohort_world(COHORT)).start().await;
    let (cohort, due) = cohort(&kit, COHORT).await;
    let outcome = kit.at(due).await;
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.reminders_sent, 4 * COHORT as usize, "{outcome:?}");
    assert_one_message_per_person(&kit, &cohort).await;
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_message_lost_mid_send_comes_out_once_whole_after_a_restart() {
    let mut kit = Kit::reminders().world(cohort_world(COHORT)).start().await;
    let (cohort, due) = cohort(&kit, COHORT).await;
    // The first message is posted, but its reply never comes: the bot dies waiting.
    kit.discord()
        .lose_reply_next("POST /channels/{channel_id}/messages", 1);
    kit.set_clock(due);
    kit.wake_reminders();
    let answered = |kit: &Kit, nonce: &Value| {
        kit.discord()
            .requests()
            .iter()
            .filter(|r| r.status == 200 && r.body.as_ref().is_some_and(|b| &b["nonce"] == nonce))
            .count()
    };
    let mut checked: Vec<String> = Vec::new();
    let (place, lost) = loop {
        let (place, m) = kit
            .discord()
            .wait_for_message_anywhere(|m| !checked.contains(&m["id"].to_string()))
            .await
            .expect("a message is posted");
        if answered(&kit, &m["nonce"]) == 0 {
            break (place, m);
        }
        checked.push(m["id"].to_string());
    };
    assert!(ticks(&lost).len() >= 2, "a merged message: {lost:#?}");
    kit.down().await;
    kit.restart().await;
    kit.kick().await;

    // Sent again with its nonce, and answered with the one posted: shown once, whole.
    assert!(
        answered(&kit, &lost["nonce"]) >= 1,
        "sent again after the restart"
    );
    let same: Vec<Value> = kit
        .messages(place)
        .into_iter()
        .filter(|m| m["nonce"] == lost["nonce"])
        .collect();
    assert_eq!(same.len(), 1, "{same:#?}");
    assert_eq!(ticks(&same[0]), ticks(&lost));
    assert_one_message_per_person(&kit, &cohort).await;
    kit.stop().await;
}
