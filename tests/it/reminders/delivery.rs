//! Delivery: reminders due while the bot was down go out once on start, marked late; a bot
//! killed between sending and marking never posts twice; Discord's 500s and 429s delay but
//! neither lose nor double; a hung request holds nothing up; a manager with closed DMs is
//! reminded in the case thread; a step done before its day cancels its reminders. Places that
//! refuse (a deleted HR channel among them) are in `problems.rs`.

use std::collections::BTreeMap;

use chrono::Duration;
use los_e2e::*;
use storage::ReminderState;

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
const ONBOARDING_STEPS: [&str; 3] = ["bestiller_utstyr", "bestiller_velkomstpakke", "tar_imot"];

on_both! {
async fn due_while_down_goes_out_once_on_start_and_says_late(on: Backend) {
    let mut kit = Kit::reminders().on(on).start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.down().await;
    // All three onboarding reminders fall due while it is down.
    kit.set_bot_clock(eight(date(2027, 3, 1)) + Duration::hours(3));
    kit.restart().await;
    kit.kick().await;
    let dms = kit.dms(LEDER);
    for step in ONBOARDING_STEPS {
        assert_eq!(count(&dms, &kit.manager_line(step)), 1, "{step}");
    }
    let stored = kit.reminders_of(case).await;
    let onboarding: Vec<_> = stored
        .iter()
        .filter(|r| {
            r.kind == flow::ReminderKind::Onboarding && r.target == flow::Target::Responsible
        })
        .collect();
    assert_eq!(onboarding.len(), 3);
    assert!(
        onboarding
            .iter()
            .all(|r| r.state == ReminderState::Sent && r.late),
        "{onboarding:#?}"
    );
    assert!(count(&dms, "Sendt for sent") >= 3, "the late ones say so");
    // A second restart sends nothing again.
    let before = kit.everywhere().len();
    kit.restart().await;
    kit.kick().await;
    assert_eq!(kit.everywhere().len(), before);
    kit.stop().await;
}
}

on_both! {
/// Killed between sending and marking, six times: each time the sandbox posts a message but
/// never answers, and the bot is killed while it waits. What the bot promises, and this test
/// holds it to: every message whose reply never came (its outbox row still open when the bot
/// died) is sent again after the restart with the same nonce and is answered with the message
/// already posted, so each place shows every message once.
///
/// What it does *not* promise, and this test no longer assumes: that the message the test sees
/// first is the one whose reply was lost, or that nothing else is on its way when the bot is
/// killed. Several places are sent to concurrently; a message answered a moment before the
/// kill but not yet marked is also still open and is also sent again with its nonce (answered
/// with the one posted). Such a message is then seen twice in the sandbox's request log, once
/// in its channel. (That was the flaky failure: "re-sent and answered once", left 2.)
async fn killed_between_send_and_mark_never_doubles(on: Backend) {
    let mut kit = Kit::reminders().on(on).start().await;
    let (a, ta) = kit.open("Rådgiver A").await;
    kit.to_start_date(a, date(2027, 3, 1)).await;
    let (b, tb) = kit.open("Rådgiver B").await;
    kit.to_start_date(b, date(2027, 3, 9)).await;
    // The checklists are out before the first kill.
    kit.kick().await;
    let rounds = [
        date(2027, 2, 8),
        date(2027, 2, 16),
        date(2027, 2, 19),
        date(2027, 2, 26),
        date(2027, 3, 1),
        date(2027, 3, 9),
    ];
    let places = |kit: &Kit| -> Vec<u64> {
        [HR_CHANNEL, ONBOARDING, ta, tb]
            .into_iter()
            .chain(kit.discord().dm_channel(LEDER))
            .collect()
    };
    let posted = |kit: &Kit| -> Vec<serde_json::Value> {
        places(kit)
            .into_iter()
            .flat_map(|p| kit.messages(p))
            .collect()
    };
    // A message's nonce, and whether any request carrying it was answered.
    let answered = |kit: &Kit, nonce: &serde_json::Value| {
        kit.discord()
            .requests()
            .iter()
            .filter(|r| r.status == 200 && r.body.as_ref().is_some_and(|b| &b["nonce"] == nonce))
            .count()
    };
    let mut lost: Vec<serde_json::Value> = Vec::new();
    for day in rounds {
        let seen: Vec<String> = posted(&kit).iter().map(|m| m["id"].to_string()).collect();
        // The next message is posted but its reply never comes; the bot is killed meanwhile.
        kit.discord().lose_reply_next(MESSAGES, 1);
        kit.set_bot_clock(eight(day));
        kit.wake_reminders();
        // Kill as soon as a message is posted that no answer went back for (one answered
        // normally has its request recorded before the answer leaves the sandbox).
        let mut checked: Vec<String> = seen.clone();
        loop {
            let at = places(&kit);
            let at = |i: usize| at.get(i).copied().unwrap_or(0);
            let sb = kit.discord();
            let new = |m: &serde_json::Value| !checked.contains(&m["id"].to_string());
            let next = tokio::select! {
                Ok(m) = sb.wait_for_message(at(0), new) => m,
                Ok(m) = sb.wait_for_message(at(1), new) => m,
                Ok(m) = sb.wait_for_message(at(2), new) => m,
                Ok(m) = sb.wait_for_message(at(3), new) => m,
                Ok(m) = sb.wait_for_message(at(4), new) => m,
                else => panic!("nothing was posted on {day}"),
            };
            if answered(&kit, &next["nonce"]) == 0 {
                break;
            }
            checked.push(next["id"].to_string());
        }
        kit.down().await;
        // The messages posted whose reply never came back (the one the sandbox held, and any
        // other the kill cut off): each must come back once, with its nonce.
        for m in posted(&kit) {
            if !seen.contains(&m["id"].to_string()) && answered(&kit, &m["nonce"]) == 0 {
                lost.push(m["nonce"].clone());
            }
        }
        kit.restart().await;
        kit.kick().await;
    }
    kit.at(eight(date(2027, 3, 10))).await;
    for (case, title) in [(a, "Rådgiver A"), (b, "Rådgiver B")] {
        for step in ONBOARDING_STEPS {
            let dms = kit.dms(LEDER);
            let hr = kit.messages(HR_CHANNEL);
            assert_eq!(
                count(&dms, &kit.manager_line_of(case, title, step)),
                1,
                "{title} {step} to the manager"
            );
            assert_eq!(
                count(&hr, &kit.hr_line_of(case, title, step)),
                1,
                "{title} {step} to HR"
            );
        }
    }
    assert!(!lost.is_empty(), "some reply was lost");
    // Each message whose reply was lost was sent again after the restart with its nonce and
    // answered (at least once: a re-send answered just before the next kill is sent once
    // more); its place shows it once.
    let all = posted(&kit);
    for nonce in &lost {
        assert!(nonce.is_string(), "sent with a nonce");
        assert!(
            answered(&kit, nonce) >= 1,
            "{nonce} re-sent and answered after the restart"
        );
        let shown = all.iter().filter(|m| &m["nonce"] == nonce).count();
        assert_eq!(shown, 1, "{nonce} shown once");
    }
    // No message went out twice, anywhere: one message per nonce, and no text twice.
    let mut nonces: BTreeMap<String, usize> = BTreeMap::new();
    for m in &all {
        if let Some(n) = m["nonce"].as_str() {
            *nonces.entry(n.to_owned()).or_default() += 1;
        }
    }
    let doubled: Vec<_> = nonces.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "{doubled:#?}");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in kit.dms(LEDER).into_iter().chain(kit.messages(HR_CHANNEL)) {
        *seen
            .entry(m["content"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    let doubled: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "{doubled:#?}");
    kit.stop().await;
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_delay_but_neither_lose_nor_double() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let due = eight(date(2027, 2, 8));
    kit.at(due - Duration::minutes(1)).await;
    kit.discord().fail_next(MESSAGES, 3);
    let first = kit.at(due).await;
    assert!(first.retried > 0, "{first:?}");
    let errors: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| r.last_error.is_some())
        .collect();
    assert!(!errors.is_empty(), "the error is recorded");
    let step = "bestiller_utstyr";
    let mut t = due;
    for _ in 0..5 {
        let dms = kit.dms(LEDER);
        let hr = kit.messages(HR_CHANNEL);
        if count(&dms, &kit.manager_line(step)) == 1 && count(&hr, &kit.hr_line(step)) == 1 {
            break;
        }
        t += Duration::hours(1);
        kit.at(t).await;
    }
    kit.at(t + Duration::hours(1)).await;
    let all = kit.everywhere();
    assert_eq!(count(&all, &kit.manager_line(step)), 1);
    assert_eq!(count(&all, &kit.hr_line(step)), 1);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_out_in_the_same_pass() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let due = eight(date(2027, 2, 8));
    kit.at(due - Duration::minutes(1)).await;
    kit.discord().rate_limit_next(MESSAGES, 3, 0.05, false);
    kit.at(due).await;
    kit.at(due + Duration::hours(2)).await;
    let all = kit.everywhere();
    assert_eq!(count(&all, &kit.manager_line("bestiller_utstyr")), 1);
    assert_eq!(count(&all, &kit.hr_line("bestiller_utstyr")), 1);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_dms_remind_in_the_case_thread() {
    let mut world = world();
    for m in &mut world.members {
        if m.id == LEDER {
            m.dms_open = false;
        }
    }
    let kit = Kit::reminders().world(world).start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.at(eight(date(2027, 2, 8))).await;
    let line = kit.manager_line("bestiller_utstyr");
    assert_eq!(kit.count_in(thread, &line), 1);
    assert_eq!(kit.count_in_dms(LEDER, &line), 0);
    kit.at(eight(date(2027, 2, 9))).await;
    assert_eq!(kit.count_everywhere(&line), 1);
    kit.stop().await;
}

/// A reminder posted in a thread (the manager's DMs are closed) names whom it is for; it pings
/// them unless the server chose "digest only", where nothing in the server pings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_in_a_thread_pings_only_when_the_server_allows_pings() {
    for (level, pinged) in [(None, true), (Some("digest_only"), false)] {
        let mut world = world();
        for m in &mut world.members {
            if m.id == LEDER {
                m.dms_open = false;
            }
        }
        let kit = Kit::reminders().world(world).start().await;
        if let Some(level) = level {
            let choice = kit.choice("cmd-oppsett-varsler", &format!("niva-{level}"));
            kit.slash(ADMIN, "oppsett", &["varsler"], &[("niva", &choice)])
                .await;
        }
        let (case, thread) = kit.open("Rådgiver").await;
        kit.to_start_date(case, date(2027, 3, 1)).await;
        kit.at(eight(date(2027, 2, 8))).await;
        let line = kit.manager_line("bestiller_utstyr");
        let posted = kit.messages(thread);
        let reminder = posted
            .iter()
            .find(|m| m["content"].as_str().is_some_and(|c| c.contains(&line)))
            .expect("the reminder is in the thread");
        let id: u64 = reminder["id"].as_str().unwrap().parse().unwrap();
        let ping = kit
            .pings()
            .into_iter()
            .find(|p| p.message == id)
            .expect("the sandbox records whom each message notified");
        let anyone = !ping.roles.is_empty() || !ping.users.is_empty() || ping.everyone;
        assert_eq!(anyone, pinged, "{level:?}: {ping:?}");
        kit.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_done_before_its_day_cancels_its_reminders() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.complete(LEDER, case, "bestiller_utstyr").await;
    let of_step: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| {
            r.step
                .as_ref()
                .is_some_and(|s| s.as_str() == "bestiller_utstyr")
        })
        .collect();
    assert!(!of_step.is_empty());
    assert!(
        of_step.iter().all(|r| r.state == ReminderState::Cancelled),
        "{of_step:#?}"
    );
    kit.at(eight(date(2027, 2, 8))).await;
    kit.at(eight(date(2027, 2, 19))).await;
    let all = kit.everywhere();
    assert_eq!(count(&all, &kit.manager_line("bestiller_utstyr")), 0);
    assert_eq!(count(&all, &kit.manager_line("bestiller_velkomstpakke")), 1);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_request_holds_up_nothing_and_is_retried_with_its_nonce() {
    let kit = Kit::reminders()
        .discord_timeout(std::time::Duration::from_secs(2))
        .start()
        .await;
    // HR's digest at noon, out of the way of the 08:00 reminders.
    kit.digest_at("0 0 12 * * *").await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let due = eight(date(2027, 2, 8));
    kit.at(due - Duration::minutes(1)).await;
    // The equipment order is due: one message to the manager, one to HR. Whichever goes first
    // hangs: never carried out, never answered, the connection left open.
    kit.discord().hang_next(MESSAGES, 1);
    let first = tokio::time::timeout(std::time::Duration::from_secs(60), kit.at(due))
        .await
        .expect("a hung request held the whole pass");
    let step = "bestiller_utstyr";
    let delivered = |kit: &Kit| {
        (
            kit.count_in_dms(LEDER, &kit.manager_line(step)),
            kit.count_in(HR_CHANNEL, &kit.hr_line(step)),
        )
    };
    let (dm, hr) = delivered(&kit);
    assert_eq!(
        dm + hr,
        1,
        "the other place got its reminder in the same pass: {first:?}"
    );
    assert!(first.retried >= 1, "{first:?}");
    let open = kit.outgoing().await;
    assert_eq!(open.len(), 1, "{open:#?}");
    let nonce = open[0].nonce.clone();
    // Tried again after the backoff, with the same nonce: now both went out, once each.
    kit.at(due + Duration::minutes(5)).await;
    assert_eq!(delivered(&kit), (1, 1));
    let with_nonce = kit
        .everywhere()
        .into_iter()
        .filter(|m| m["nonce"].as_str() == Some(nonce.as_str()))
        .count();
    assert_eq!(with_nonce, 1, "the retry carried the hung message's nonce");
    assert!(kit.outgoing().await.is_empty());
    kit.stop().await;
}
