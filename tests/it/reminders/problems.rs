//! Places the bot cannot deliver to: a thread it may not write in, a deleted thread, a deleted
//! HR channel, Discord failing for hours. Nothing meant for another place is cancelled, what
//! can still arrive arrives once when the place is fixed (days later too), and HR is told once
//! per place and problem, in the HR channel, naming the place and what to fix.

use chrono::Duration;
use flow::{ReminderKind, Target};
use los_e2e::*;
use serde_json::Value;
use storage::ReminderState;

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
/// A second channel an administrator can make the HR channel.
const NEW_HR: u64 = 704;

/// A server where the manager takes no DMs from the bot, so their reminders go to the case
/// thread.
fn dms_closed() -> sandbox::World {
    let mut world = world().channel(NEW_HR, "hr-ny");
    for m in &mut world.members {
        if m.id == LEDER {
            m.dms_open = false;
        }
    }
    world
}

/// The notices of a delivery problem posted in a channel.
fn notices(kit: &Kit, channel: u64) -> Vec<Value> {
    kit.lines_with(channel, "Boten får ikke levert")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_the_bot_may_not_see_delays_only_its_own_reminders_until_it_is_fixed() {
    let kit = Kit::reminders().world(dms_closed()).start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_utstyr";
    let line = kit.manager_line(step);
    // Friday 5 February: the equipment is due Monday 8 February; the thread is closed to the
    // bot over the weekend (Missing Access).
    kit.at(eight(date(2027, 2, 5))).await;
    kit.discord().forbid_channel(thread, 50001);
    let due = eight(date(2027, 2, 8));
    kit.at(due).await;
    // HR's reminder of the same step went out; the thread's is waiting, not cancelled.
    assert_eq!(kit.count_in(HR_CHANNEL, &kit.hr_line(step)), 1);
    assert_eq!(kit.count_in(thread, &line), 0);
    // Nothing of the case was given up, nor cancelled while its step is still open.
    let loaded = kit.case_by_id(case).await;
    let stored = kit.reminders_of(case).await;
    let lost: Vec<_> = stored
        .iter()
        .filter(|r| {
            r.state == ReminderState::Failed
                || (r.state == ReminderState::Cancelled
                    && r.step.as_ref().is_some_and(|s| loaded.is_step_open(s)))
        })
        .collect();
    assert!(lost.is_empty(), "{lost:#?}");
    // HR heard of it once, in their channel: the thread and what to do.
    let told = notices(&kit, HR_CHANNEL);
    assert_eq!(told.len(), 1, "{told:#?}");
    let text = told[0]["content"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("<#{thread}>")), "{text}");
    assert!(text.contains("tilgang"), "{text}");
    assert!(told[0]["nonce"].is_string(), "sent with a nonce");
    // Tried again over the days, still refused: HR is not told again.
    for hours in [1, 5, 26, 50] {
        kit.at(due + Duration::hours(hours)).await;
    }
    assert_eq!(notices(&kit, HR_CHANNEL).len(), 1);
    assert_eq!(kit.count_in(thread, &line), 0);
    // Fixed on Wednesday: within the hour the reminder is there, once.
    kit.discord().allow_channel(thread);
    let fixed = due + Duration::hours(50);
    kit.at(fixed + Duration::hours(1)).await;
    kit.at(fixed + Duration::hours(2)).await;
    assert_eq!(kit.count_in(thread, &line), 1);
    // And the rest of the case's reminders come as planned.
    kit.at(eight(date(2027, 2, 19))).await;
    assert_eq!(
        kit.count_in(thread, &kit.manager_line("bestiller_velkomstpakke")),
        1
    );
    assert_eq!(
        kit.count_in(HR_CHANNEL, &kit.hr_line("bestiller_velkomstpakke")),
        1
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_case_thread_gives_up_only_what_was_for_it_and_hr_is_told() {
    let kit = Kit::reminders().world(dms_closed()).start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.at(eight(date(2027, 2, 5))).await;
    assert!(kit.discord().delete_channel(thread));
    kit.at(eight(date(2027, 2, 8))).await;
    let step = "bestiller_utstyr";
    assert_eq!(kit.count_in(HR_CHANNEL, &kit.hr_line(step)), 1);
    let stored = kit.reminders_of(case).await;
    let of_step = |target: Target| {
        stored
            .iter()
            .find(|r| {
                r.step.as_ref().is_some_and(|s| s.as_str() == step)
                    && r.kind == ReminderKind::Onboarding
                    && r.target == target
            })
            .map(|r| r.state)
    };
    assert_eq!(of_step(Target::Responsible), Some(ReminderState::Failed));
    assert_eq!(of_step(Target::HrChannel), Some(ReminderState::Sent));
    // HR's later reminders of the case are still planned.
    assert!(stored.iter().any(|r| r.target == Target::HrChannel
        && r.state == ReminderState::Pending
        && r.kind == ReminderKind::LegalOverdue));
    let told = notices(&kit, HR_CHANNEL);
    assert_eq!(told.len(), 1, "{told:#?}");
    let text = told[0]["content"].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("Tråden til sak #{}", case.0)),
        "{text}"
    );
    // The next reminder for the gone thread is given up too; HR is not told again.
    kit.at(eight(date(2027, 2, 19))).await;
    assert_eq!(notices(&kit, HR_CHANNEL).len(), 1);
    assert_eq!(
        kit.count_in(HR_CHANNEL, &kit.hr_line("bestiller_velkomstpakke")),
        1
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_hr_channel_holds_its_reminders_until_a_new_one_is_set() {
    let kit = Kit::reminders()
        .world(world().channel(NEW_HR, "hr-ny"))
        .start()
        .await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.at(eight(date(2027, 2, 5))).await;
    assert!(kit.discord().delete_channel(HR_CHANNEL));
    let due = eight(date(2027, 2, 8));
    kit.at(due).await;
    let step = "bestiller_utstyr";
    // The manager's reminder went out; HR's waits for a channel.
    assert_eq!(kit.count_in_dms(LEDER, &kit.manager_line(step)), 1);
    let to_hr: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| {
            r.target == Target::HrChannel
                && r.due > eight(date(2027, 2, 5))
                && r.due <= due
                && r.state != ReminderState::Cancelled
        })
        .collect();
    assert!(!to_hr.is_empty());
    assert!(
        to_hr.iter().all(|r| r.state == ReminderState::Pending),
        "{to_hr:#?}"
    );
    // The digest for a deleted channel is not composed and tried again on every pass of the
    // loop (every 30 s): after each failure it waits twice as long.
    let digests = |kit: &Kit| {
        kit.requests_on(MESSAGES)
            .iter()
            .filter(|r| {
                r.path.contains(&format!("/channels/{HR_CHANNEL}/"))
                    && r.body.as_ref().is_some_and(|b| {
                        b["content"]
                            .as_str()
                            .is_some_and(|c| c.contains("HR-sammendrag 08.02.2027"))
                    })
            })
            .count()
    };
    assert_eq!(digests(&kit), 1);
    for pass in 1..=10 {
        kit.at(due + Duration::seconds(31 * pass)).await;
    }
    let tried = digests(&kit);
    assert!(
        tried <= 5,
        "the digest was tried {tried} times in 10 passes"
    );
    // The administrator sees what is wrong.
    let shown = kit.slash(ADMIN, "oppsett", &["vis"], &[]).await;
    let text = shown.text();
    assert!(
        text.contains(&format!("<#{HR_CHANNEL}>")) && text.contains("/oppsett kanaler"),
        "{text}"
    );
    // A new HR channel: HR's reminders arrive there, once, and the digest with them.
    kit.slash(
        ADMIN,
        "oppsett",
        &["kanaler"],
        &[("hr", &NEW_HR.to_string())],
    )
    .await;
    kit.at(due + Duration::hours(1)).await;
    kit.at(due + Duration::hours(2)).await;
    let new_hr = kit.messages(NEW_HR);
    assert_eq!(count(&new_hr, &kit.hr_line(step)), 1, "{new_hr:#?}");
    assert_eq!(kit.count_in(NEW_HR, "HR-sammendrag 08.02.2027"), 1);
    // The problem of the old channel is not news in the new one.
    assert!(
        notices(&kit, NEW_HR).is_empty(),
        "{:#?}",
        notices(&kit, NEW_HR)
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_failing_for_hours_delays_a_reminder_but_does_not_lose_it() {
    let kit = Kit::reminders().start().await;
    kit.digest_at("0 0 12 * * *").await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let due = eight(date(2027, 2, 8));
    kit.at(due - Duration::minutes(1)).await;
    // Every message to HR fails for the next 14 tries: some eight hours of backing off.
    kit.discord()
        .fail_next_with(MESSAGES, Some(HR_CHANNEL), 500, 0, 14);
    let step = "bestiller_utstyr";
    let mut t = due;
    let mut passes = 0;
    while kit.count_in(HR_CHANNEL, &kit.hr_line(step)) == 0 && passes < 40 {
        kit.at(t).await;
        passes += 1;
        let next = kit.next_outgoing_at().await;
        t = next.map_or(t + Duration::hours(1), |n| n.max(t + Duration::seconds(1)));
    }
    assert_eq!(
        kit.count_in(HR_CHANNEL, &kit.hr_line(step)),
        1,
        "delivered after {passes} passes, {} past its time",
        t - due
    );
    assert!(t - due > Duration::hours(3), "{}", t - due);
    assert_eq!(kit.count_in_dms(LEDER, &kit.manager_line(step)), 1);
    kit.stop().await;
}
