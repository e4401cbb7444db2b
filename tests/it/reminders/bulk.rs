//! Many reminders due at once, to many people by DM, to case threads (people whose DMs are
//! closed) and to the HR channel: one pass sends them all, each exactly once, without a
//! single 429 from Discord's limits (50 requests per second, 5 messages per 5 seconds in a
//! channel), and opens each person's DM channel once.

use std::collections::BTreeMap;

use flow::{CaseId, CaseText, NewCase, PersonId, PersonRef};
use los::custom_id::{ComponentId, Verb};
use los_e2e::*;
use sandbox::Member;
use storage::{CaseCard, ReminderState};

const MANAGERS: u64 = 20;
const CASES_EACH: u64 = 3;
const FIRST_MANAGER: u64 = 40_000;
const FIRST_THREAD: u64 = 5_000_000;

/// Every third manager has DMs closed: their reminders go to the case threads.
fn dms_closed(manager: u64) -> bool {
    (manager - FIRST_MANAGER).is_multiple_of(3)
}

/// Opens `CASES_EACH` cases for each manager straight through storage (as `/rekruttering ny`
/// leaves them: card and thread), all at the same instant. Answers each case, its title, its
/// manager and its thread.
async fn open_cases(kit: &Kit) -> Vec<(CaseId, String, u64, u64)> {
    let guild = kit.guild();
    let db = kit.db();
    let plan = los::guild::reminder_settings(&kit.settings().await);
    let now = kit.now();
    let mut cases = Vec::new();
    for n in 0..MANAGERS * CASES_EACH {
        let manager = FIRST_MANAGER + n % MANAGERS;
        let title = format!("Stilling {n}");
        let draft = NewCase {
            title: CaseText::parse(&title).unwrap(),
            unit: CaseText::parse("Bydel Frogner").unwrap(),
            note: None,
        };
        let owner = PersonRef {
            id: PersonId(manager),
            name: format!("Leder {manager}"),
        };
        let case = storage::create_case(
            db,
            guild,
            |id| flow::start(kit.process(), id, draft, owner, now),
            |case| flow::plan_reminders(kit.process(), case, &plan),
        )
        .await
        .unwrap();
        let thread = FIRST_THREAD + n;
        kit.discord().add_thread(CASES, thread, &title);
        storage::set_case_thread(db, guild, case.id, thread)
            .await
            .unwrap();
        let card = CaseCard {
            channel: CASES,
            thread: Some(thread),
            message: thread + 1_000_000,
        };
        storage::set_card(db, guild, case.id, card).await.unwrap();
        // Announced, as the bot announces a case it opens.
        for owed in storage::owed_for_case(db, guild, case.id).await.unwrap() {
            let done = storage::Settled {
                line: None,
                done: true,
                retry: None,
            };
            storage::settle_announcement(db, owed.id, &done, now)
                .await
                .unwrap();
        }
        cases.push((case.id, title, manager, thread));
    }
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_due_at_once_go_out_once_each_without_a_429_and_one_dm_channel_each() {
    let mut world = world();
    for i in 0..MANAGERS {
        let id = FIRST_MANAGER + i;
        let member = Member::new(id, &format!("Leder {id}"));
        world = world.member(if dms_closed(id) {
            member.dms_closed()
        } else {
            member
        });
    }
    let kit = Kit::reminders().world(world).start().await;
    let cases = open_cases(&kit).await;
    // The moment the first case's step escalates to HR: each case's nudge to its manager and
    // its escalation to HR are due then, all at once.
    let first = kit.reminders_of(cases[0].0).await;
    let escalation = first
        .iter()
        .find(|r| r.kind == flow::ReminderKind::StalledEscalation)
        .expect("a fresh case plans an escalation");
    let at = escalation.due;
    // HR's digest of that morning is out of the way (it has its own test).
    let day = flow::engine::oslo_today(at);
    storage::record_digest(kit.db(), kit.guild(), day, 1, at)
        .await
        .unwrap();
    kit.set_bot_clock(at);
    let before = kit.discord().requests().len();
    let outcome = kit.kick().await;

    let mut due = Vec::new();
    for (case, ..) in &cases {
        due.extend(
            kit.reminders_of(*case)
                .await
                .into_iter()
                .filter(|r| r.due <= at),
        );
    }
    assert_eq!(due.len(), 2 * cases.len(), "a nudge and an escalation each");
    let unsent: Vec<_> = due
        .iter()
        .filter(|r| r.state != ReminderState::Sent)
        .collect();
    assert!(unsent.is_empty(), "one pass sends them all: {unsent:#?}");
    assert_eq!(outcome.reminders_sent, due.len(), "{outcome:?}");
    assert_eq!(outcome.error, None);

    // Each nudge was shown once (its "remind me tomorrow" button names it), in the manager's
    // DM, or in the case thread when the DMs are closed.
    let sb = kit.discord();
    let mut shown: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
    let mut places: Vec<u64> = (0..MANAGERS)
        .filter_map(|i| sb.dm_channel(FIRST_MANAGER + i))
        .collect();
    places.extend((0..MANAGERS * CASES_EACH).map(|n| FIRST_THREAD + n));
    for place in places {
        for m in sb.messages(place) {
            for id in snoozes(&m) {
                shown.entry(id).or_default().push(place);
            }
        }
    }
    for (case, title, manager, thread) in &cases {
        let nudge = due
            .iter()
            .find(|r| r.case == *case && r.kind == flow::ReminderKind::Stalled)
            .expect("a nudge");
        let expected = if dms_closed(*manager) {
            Some(*thread)
        } else {
            sb.dm_channel(*manager)
        };
        assert_eq!(
            shown.get(&nudge.id).cloned().unwrap_or_default(),
            expected.into_iter().collect::<Vec<_>>(),
            "the nudge of {title} (manager {manager})"
        );
        // And the escalation once in the HR channel.
        let line = format!("sak #{} {title}:", case.0);
        assert_eq!(kit.count_in(HR_CHANNEL, &line), 1, "{line}");
    }

    // Discord's limits were kept: not one 429 (the HR channel's 12 messages alone needed
    // three of its 5-second windows).
    let requests = &sb.requests()[before..];
    assert!(sb.messages(HR_CHANNEL).len() > 10);
    let limited: Vec<String> = requests
        .iter()
        .filter(|r| r.status == 429)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(sb.too_many_requests(), 0, "{limited:#?}");
    // Each manager's DM channel was opened once.
    let mut opened: BTreeMap<u64, usize> = BTreeMap::new();
    for r in sb.requests_on("POST /users/@me/channels") {
        let who = r
            .body
            .as_ref()
            .and_then(|b| b["recipient_id"].as_str())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        *opened.entry(who).or_default() += 1;
    }
    let managers: BTreeMap<u64, usize> = (0..MANAGERS).map(|i| (FIRST_MANAGER + i, 1)).collect();
    assert_eq!(opened, managers);
    // More than a second's worth at Discord's global limit, so the pace was needed.
    assert!(requests.len() > 50, "{}", requests.len());
    kit.stop().await;
}

/// The reminder ids of the "remind me tomorrow" buttons on a message.
fn snoozes(m: &serde_json::Value) -> Vec<i64> {
    let rows = m["components"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        .filter_map(
            |c| match c["custom_id"].as_str().and_then(ComponentId::parse) {
                Some(ComponentId::Press {
                    verb: Verb::Snooze(id),
                    ..
                }) => Some(id),
                _ => None,
            },
        )
        .collect()
}
