//! Places the bot cannot deliver to: a thread it may not write in, a deleted thread, a deleted
//! HR channel, Discord failing for hours. Nothing meant for another place is cancelled, what
//! can still arrive arrives once when the place is fixed (days later too), and HR is told once
//! per place and problem, in the HR channel, naming the place and what to fix.

mod common;

use chrono::Duration;
use common::*;
use flow::{ReminderKind, Target};
use los::harness::cast::*;
use serde_json::Value;
use storage::ReminderState;

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
/// A second channel an administrator can make the HR channel.
const NEW_HR: u64 = 704;

/// A server where the manager takes no DMs from the bot, so their reminders go to the case
/// thread.
fn dms_closed() -> sandbox::World {
    let mut world = los::harness::world().channel(NEW_HR, "hr-ny");
    for m in &mut world.members {
        if m.id == LEDER {
            m.dms_open = false;
        }
    }
    world
}

fn notices(bot: &Bot, channel: u64) -> Vec<Value> {
    bot.h
        .sandbox
        .messages(channel)
        .into_iter()
        .filter(|m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("Boten får ikke levert"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_the_bot_may_not_see_delays_only_its_own_reminders_until_it_is_fixed() {
    let bot = Bot::start_in("problem-forbidden", dms_closed()).await;
    let (case, thread) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_utstyr";
    let line = bot.manager_line(step);
    // Friday 5 February: the equipment is due Monday 8 February; the thread is closed to the
    // bot over the weekend (Missing Access).
    bot.at(eight(date(2027, 2, 5))).await;
    bot.h.sandbox.forbid_channel(thread, 50001);
    let due = eight(date(2027, 2, 8));
    bot.at(due).await;
    // HR's reminder of the same step went out; the thread's is waiting, not cancelled.
    assert_eq!(
        Bot::count(&bot.h.sandbox.messages(HR_CHANNEL), &bot.hr_line(step)),
        1
    );
    assert_eq!(Bot::count(&bot.h.sandbox.messages(thread), &line), 0);
    // Nothing of the case was given up, nor cancelled while its step is still open.
    let guild = bot.h.sandbox.world().guild_id;
    let loaded = storage::load_case(bot.h.data().db.pool(), guild, case)
        .await
        .unwrap()
        .unwrap();
    let stored = bot.stored(case).await;
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
    let told = notices(&bot, HR_CHANNEL);
    assert_eq!(told.len(), 1, "{told:#?}");
    let text = told[0]["content"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("<#{thread}>")), "{text}");
    assert!(text.contains("tilgang"), "{text}");
    assert!(told[0]["nonce"].is_string(), "sent with a nonce");
    // Tried again over the days, still refused: HR is not told again.
    for hours in [1, 5, 26, 50] {
        bot.at(due + Duration::hours(hours)).await;
    }
    assert_eq!(notices(&bot, HR_CHANNEL).len(), 1);
    assert_eq!(Bot::count(&bot.h.sandbox.messages(thread), &line), 0);
    // Fixed on Wednesday: within the hour the reminder is there, once.
    bot.h.sandbox.allow_channel(thread);
    let fixed = due + Duration::hours(50);
    bot.at(fixed + Duration::hours(1)).await;
    bot.at(fixed + Duration::hours(2)).await;
    assert_eq!(Bot::count(&bot.h.sandbox.messages(thread), &line), 1);
    // And the rest of the case's reminders come as planned.
    bot.at(eight(date(2027, 2, 19))).await;
    assert_eq!(
        Bot::count(
            &bot.h.sandbox.messages(thread),
            &bot.manager_line("bestiller_velkomstpakke")
        ),
        1
    );
    assert_eq!(
        Bot::count(
            &bot.h.sandbox.messages(HR_CHANNEL),
            &bot.hr_line("bestiller_velkomstpakke")
        ),
        1
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_case_thread_gives_up_only_what_was_for_it_and_hr_is_told() {
    let bot = Bot::start_in("problem-thread-gone", dms_closed()).await;
    let (case, thread) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    bot.at(eight(date(2027, 2, 5))).await;
    assert!(bot.h.sandbox.delete_channel(thread));
    bot.at(eight(date(2027, 2, 8))).await;
    let step = "bestiller_utstyr";
    assert_eq!(
        Bot::count(&bot.h.sandbox.messages(HR_CHANNEL), &bot.hr_line(step)),
        1
    );
    let stored = bot.stored(case).await;
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
    let told = notices(&bot, HR_CHANNEL);
    assert_eq!(told.len(), 1, "{told:#?}");
    let text = told[0]["content"].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("Tråden til sak #{}", case.0)),
        "{text}"
    );
    // The next reminder for the gone thread is given up too; HR is not told again.
    bot.at(eight(date(2027, 2, 19))).await;
    assert_eq!(notices(&bot, HR_CHANNEL).len(), 1);
    assert_eq!(
        Bot::count(
            &bot.h.sandbox.messages(HR_CHANNEL),
            &bot.hr_line("bestiller_velkomstpakke")
        ),
        1
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_hr_channel_holds_its_reminders_until_a_new_one_is_set() {
    let bot = Bot::start_in(
        "problem-hr-gone",
        los::harness::world().channel(NEW_HR, "hr-ny"),
    )
    .await;
    let (case, _) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    bot.at(eight(date(2027, 2, 5))).await;
    assert!(bot.h.sandbox.delete_channel(HR_CHANNEL));
    let due = eight(date(2027, 2, 8));
    bot.at(due).await;
    let step = "bestiller_utstyr";
    // The manager's reminder went out; HR's waits for a channel.
    assert_eq!(
        Bot::count(&bot.h.sandbox.dms(LEDER), &bot.manager_line(step)),
        1
    );
    let to_hr: Vec<_> = bot
        .stored(case)
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
    let digests = |bot: &Bot| {
        bot.h
            .sandbox
            .requests_on(MESSAGES)
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
    assert_eq!(digests(&bot), 1);
    for pass in 1..=10 {
        bot.at(due + Duration::seconds(31 * pass)).await;
    }
    let tried = digests(&bot);
    assert!(
        tried <= 5,
        "the digest was tried {tried} times in 10 passes"
    );
    // The administrator sees what is wrong.
    let shown = bot
        .h
        .member(ADMIN)
        .slash("oppsett", &["vis"], &[])
        .await
        .unwrap();
    let text = shown.text();
    assert!(
        text.contains(&format!("<#{HR_CHANNEL}>")) && text.contains("/oppsett kanaler"),
        "{text}"
    );
    // A new HR channel: HR's reminders arrive there, once, and the digest with them.
    bot.h
        .member(ADMIN)
        .slash("oppsett", &["kanaler"], &[("hr", &NEW_HR.to_string())])
        .await
        .unwrap();
    bot.at(due + Duration::hours(1)).await;
    bot.at(due + Duration::hours(2)).await;
    let new_hr = bot.h.sandbox.messages(NEW_HR);
    assert_eq!(Bot::count(&new_hr, &bot.hr_line(step)), 1, "{new_hr:#?}");
    assert_eq!(Bot::count(&new_hr, "HR-sammendrag 08.02.2027"), 1);
    // The problem of the old channel is not news in the new one.
    assert!(
        notices(&bot, NEW_HR).is_empty(),
        "{:#?}",
        notices(&bot, NEW_HR)
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_failing_for_hours_delays_a_reminder_but_does_not_lose_it() {
    let bot = Bot::start("problem-5xx").await;
    bot.digest_at("0 0 12 * * *").await;
    let (case, _) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    let due = eight(date(2027, 2, 8));
    bot.at(due - Duration::minutes(1)).await;
    // Every message to HR fails for the next 14 tries: some eight hours of backing off.
    bot.h
        .sandbox
        .fail_next_with(MESSAGES, Some(HR_CHANNEL), 500, 0, 14);
    let step = "bestiller_utstyr";
    let mut t = due;
    let mut passes = 0;
    while Bot::count(&bot.h.sandbox.messages(HR_CHANNEL), &bot.hr_line(step)) == 0 && passes < 40 {
        bot.at(t).await;
        passes += 1;
        let next = storage::next_outgoing_at(bot.h.data().db.pool())
            .await
            .unwrap();
        t = next.map_or(t + Duration::hours(1), |n| n.max(t + Duration::seconds(1)));
    }
    assert_eq!(
        Bot::count(&bot.h.sandbox.messages(HR_CHANNEL), &bot.hr_line(step)),
        1,
        "delivered after {passes} passes, {} past its time",
        t - due
    );
    assert!(t - due > Duration::hours(3), "{}", t - due);
    assert_eq!(
        Bot::count(&bot.h.sandbox.dms(LEDER), &bot.manager_line(step)),
        1
    );
    bot.stop().await;
}
