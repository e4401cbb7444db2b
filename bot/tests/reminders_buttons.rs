//! The buttons on a reminder, pressed in the manager's DM: *Utført* completes the step through
//! the engine and its reminders stop; *Minn meg på i morgen* brings the reminder back at 08:00
//! on the next working day, also when the case changes meanwhile.

mod common;

use chrono::Duration;
use common::*;
use flow::{Action, StepId};
use los::harness::cast::*;
use serde_json::Value;
use storage::ReminderState;

/// The DM with the manager's reminder about `step`, and the label of its button `text_id`.
fn button(bot: &Bot, step: &str, text_id: &str) -> (u64, String) {
    let line = bot.manager_line(step);
    let dms = bot.h.sandbox.dms(LEDER);
    let msg: &Value = dms
        .iter()
        .rev()
        .find(|m| m["content"].as_str().is_some_and(|c| c.contains(&line)))
        .unwrap_or_else(|| panic!("no reminder about {step} in {dms:#?}"));
    let plain = bot.h.tr(flow::Lang::Nb).t(text_id);
    let titled = los::i18n::clip(&format!("{plain}: {}", bot.step_title(step)), 80);
    let labels = sandbox::actor::button_labels(msg);
    let label = [plain, titled]
        .into_iter()
        .find(|l| labels.contains(l))
        .unwrap_or_else(|| panic!("no {text_id} for {step} among {labels:?}"));
    (
        msg["id"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0),
        label,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn done_on_a_reminder_completes_the_step_and_its_reminders_stop() {
    let bot = Bot::start("btn-done").await;
    let (case, thread) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    bot.at(eight(date(2027, 2, 8))).await;
    let (msg, label) = button(&bot, "bestiller_utstyr", "btn-reminder-done");
    let answer = bot
        .h
        .sandbox
        .member(LEDER)
        .in_dm()
        .press(&label, msg)
        .await
        .unwrap();
    assert!(
        answer.text().contains("registrert som utført"),
        "{}",
        answer.text()
    );
    let guild = bot.h.sandbox.world().guild_id;
    let loaded = storage::load_case(bot.h.data().db.pool(), guild, case)
        .await
        .unwrap()
        .unwrap();
    let step = StepId::new("bestiller_utstyr");
    assert!(
        loaded.steps.get(&step).is_some_and(|s| s.is_finished()),
        "{:?}",
        loaded.steps.get(&step)
    );
    let of_step: Vec<_> = bot
        .stored(case)
        .await
        .into_iter()
        .filter(|r| r.step.as_ref() == Some(&step))
        .collect();
    assert!(
        of_step.iter().all(|r| r.state != ReminderState::Pending),
        "{of_step:#?}"
    );
    // The thread hears of it, as from the card.
    let title = bot.step_title("bestiller_utstyr");
    bot.h
        .sandbox
        .wait_for_message(thread, |m| {
            m["content"].as_str().is_some_and(|c| c.contains(&title))
        })
        .await
        .unwrap();
    bot.at(eight(date(2027, 3, 10))).await;
    assert_eq!(
        Bot::count(&bot.everywhere(), &bot.manager_line("bestiller_utstyr")),
        1
    );
    assert!(
        bot.h.sandbox.failures().is_empty(),
        "{:?}",
        bot.h.sandbox.failures()
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snooze_moves_the_reminder_one_working_day_and_survives_case_changes() {
    let bot = Bot::start("btn-snooze").await;
    let (case, _) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_velkomstpakke";
    // Friday 19 February: snoozed to Monday 22 February.
    bot.at(eight(date(2027, 2, 19))).await;
    let (msg, label) = button(&bot, step, "btn-reminder-snooze");
    let answer = bot
        .h
        .sandbox
        .member(LEDER)
        .in_dm()
        .press(&label, msg)
        .await
        .unwrap();
    assert!(
        answer.text().contains("22.02.2027 kl. 08:00"),
        "{}",
        answer.text()
    );
    // The case changes meanwhile: the snoozed reminder stays.
    let hr = bot.actor(HR, "Hanne HR", &[flow::Role::Hr]);
    bot.act(
        &hr,
        case,
        Action::Complete {
            step: StepId::new("forberedelse_arbeidsavtale"),
        },
    )
    .await;
    bot.at(eight(date(2027, 2, 22)) - Duration::minutes(1))
        .await;
    assert_eq!(
        Bot::count(&bot.h.sandbox.dms(LEDER), &bot.manager_line(step)),
        1
    );
    bot.at(eight(date(2027, 2, 22))).await;
    let snoozed: Vec<_> = bot
        .stored(case)
        .await
        .into_iter()
        .filter(|r| r.key.contains(storage::SNOOZE_MARK))
        .collect();
    assert_eq!(
        Bot::count(&bot.h.sandbox.dms(LEDER), &bot.manager_line(step)),
        2,
        "{snoozed:#?}"
    );
    // Done on the snoozed one; nothing about it after that.
    let (msg, label) = button(&bot, step, "btn-reminder-done");
    bot.h
        .sandbox
        .member(LEDER)
        .in_dm()
        .press(&label, msg)
        .await
        .unwrap();
    bot.at(eight(date(2027, 3, 10))).await;
    assert_eq!(Bot::count(&bot.everywhere(), &bot.manager_line(step)), 2);
    assert!(
        bot.h.sandbox.failures().is_empty(),
        "{:?}",
        bot.h.sandbox.failures()
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snoozed_reminder_of_a_step_done_meanwhile_is_not_sent() {
    let bot = Bot::start("btn-snooze-done").await;
    let (case, _) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_utstyr";
    bot.at(eight(date(2027, 2, 8))).await;
    let (msg, label) = button(&bot, step, "btn-reminder-snooze");
    bot.h
        .sandbox
        .member(LEDER)
        .in_dm()
        .press(&label, msg)
        .await
        .unwrap();
    let leder = bot.actor(LEDER, "Lise Leder", &[]);
    bot.act(
        &leder,
        case,
        Action::Complete {
            step: StepId::new(step),
        },
    )
    .await;
    bot.at(eight(date(2027, 2, 9))).await;
    assert_eq!(Bot::count(&bot.everywhere(), &bot.manager_line(step)), 1);
    let snoozed: Vec<_> = bot
        .stored(case)
        .await
        .into_iter()
        .filter(|r| r.key.contains(storage::SNOOZE_MARK))
        .collect();
    assert_eq!(snoozed.len(), 1);
    assert_eq!(snoozed[0].state, ReminderState::Cancelled);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snoozed_reminder_past_its_deadline_says_it_is_overdue() {
    let bot = Bot::start("btn-snooze-overdue").await;
    let (case, _) = bot.open("Rådgiver").await;
    bot.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_velkomstpakke";
    // The welcome package is due ten days before the start: Friday 19 February, the day of
    // its reminder. Snoozed, it comes back on Monday 22 February, after the deadline.
    bot.at(eight(date(2027, 2, 19))).await;
    let (msg, label) = button(&bot, step, "btn-reminder-snooze");
    bot.h
        .sandbox
        .member(LEDER)
        .in_dm()
        .press(&label, msg)
        .await
        .unwrap();
    bot.at(eight(date(2027, 2, 22))).await;
    let dms = bot.h.sandbox.dms(LEDER);
    let last = dms
        .iter()
        .rev()
        .filter_map(|m| m["content"].as_str())
        .find(|c| c.contains(&bot.step_title(step)))
        .expect("the snoozed reminder came back");
    let overdue = format!(
        "«{}» skulle vært gjort innen 19.02.2027",
        bot.step_title(step)
    );
    assert!(last.contains(&overdue), "says it is overdue: {last}");
    assert!(
        !last.contains("skal være gjort innen"),
        "not that it is to be done by a past date: {last}"
    );
    bot.stop().await;
}

/// The components of a message, flattened.
fn components(msg: &Value) -> Vec<Value> {
    msg["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_about_a_choice_offers_the_card_and_snooze_not_a_completion() {
    let bot = Bot::start("btn-choice").await;
    let (case, thread) = bot.open("Rådgiver").await;
    // "Vurderer behov" is a choice of three ways on; it opens on Monday 4 January and is
    // still open five working days later.
    bot.play_until(case, "vurderer_behov").await;
    bot.at(eight(date(2027, 1, 11))).await;
    let title = bot.step_title("vurderer_behov");
    let dms = bot.h.sandbox.dms(LEDER);
    let msg = dms
        .iter()
        .find(|m| m["content"].as_str().is_some_and(|c| c.contains(&title)))
        .unwrap_or_else(|| panic!("no reminder about {title} in {dms:#?}"))
        .clone();
    let nb = bot.h.tr(flow::Lang::Nb);
    let labels = sandbox::actor::button_labels(&msg);
    assert!(
        !labels.contains(&nb.t("btn-reminder-done")),
        "no completion that the engine refuses for a choice: {labels:?}"
    );
    // One tap to the card, where the choice is made with the step's guide.
    let link = components(&msg)
        .into_iter()
        .find(|c| c["style"] == 5)
        .unwrap_or_else(|| panic!("no link to the card: {msg:#}"));
    assert_eq!(
        link["label"].as_str(),
        Some(nb.t("btn-reminder-open").as_str())
    );
    let card = bot.h.card(thread).unwrap();
    let guild = bot.h.sandbox.world().guild_id;
    assert_eq!(
        link["url"].as_str().unwrap_or_default(),
        format!(
            "https://discord.com/channels/{guild}/{thread}/{}",
            card["id"].as_str().unwrap_or_default()
        )
    );
    // Snooze works on a choice: Tuesday 08:00.
    let id: u64 = msg["id"].as_str().and_then(|s| s.parse().ok()).unwrap();
    let answer = bot
        .h
        .sandbox
        .member(LEDER)
        .in_dm()
        .press(&nb.t("btn-reminder-snooze"), id)
        .await
        .unwrap();
    assert!(
        answer.text().contains("12.01.2027 kl. 08:00"),
        "{}",
        answer.text()
    );
    bot.at(eight(date(2027, 1, 12))).await;
    let again = bot.h.sandbox.dms(LEDER);
    assert_eq!(Bot::count(&again, &format!("«{title}» har stått åpen")), 2);
    assert!(
        bot.h.sandbox.failures().is_empty(),
        "{:?}",
        bot.h.sandbox.failures()
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_about_an_approval_in_the_thread_offers_the_card_and_the_approver_may_snooze() {
    let bot = Bot::start("btn-approval").await;
    let (case, thread) = bot.open("Rådgiver").await;
    bot.play_until(case, "til_godkjenning").await;
    // The approval waits; after five working days the approvers are nudged in the thread.
    let title = bot.step_title("til_godkjenning");
    bot.at(eight(date(2027, 1, 11))).await;
    let msg = bot
        .h
        .sandbox
        .messages(thread)
        .into_iter()
        .find(|m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains(&format!("«{title}» har stått åpen")))
        })
        .unwrap_or_else(|| panic!("no nudge about {title} in the thread"));
    let nb = bot.h.tr(flow::Lang::Nb);
    let labels = sandbox::actor::button_labels(&msg);
    assert!(!labels.contains(&nb.t("btn-reminder-done")), "{labels:?}");
    assert!(labels.contains(&nb.t("btn-reminder-open")), "{labels:?}");
    let id: u64 = msg["id"].as_str().and_then(|s| s.parse().ok()).unwrap();
    // Someone without the role may not move it; the approver may.
    let refused = bot
        .h
        .sandbox
        .member(KOLLEGA)
        .in_channel(thread)
        .press(&nb.t("btn-reminder-snooze"), id)
        .await
        .unwrap();
    assert!(refused.ephemeral(), "{}", refused.text());
    assert!(!refused.text().contains("12.01.2027"), "{}", refused.text());
    // The thread's buttons are in bokmål; the approver reads the answer in English.
    let answer = bot
        .h
        .sandbox
        .member(GODKJENNER)
        .in_channel(thread)
        .press(&nb.t("btn-reminder-snooze"), id)
        .await
        .unwrap();
    assert!(answer.ephemeral(), "{}", answer.text());
    let snoozed: Vec<_> = bot
        .stored(case)
        .await
        .into_iter()
        .filter(|r| r.key.contains(storage::SNOOZE_MARK))
        .collect();
    assert_eq!(snoozed.len(), 1, "{snoozed:#?}");
    assert!(
        bot.h.sandbox.failures().is_empty(),
        "{:?}",
        bot.h.sandbox.failures()
    );
    bot.stop().await;
}
