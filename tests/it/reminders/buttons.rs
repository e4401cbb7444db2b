//! The buttons on a reminder, pressed in the manager's DM: *Utført* completes the step through
//! the engine and its reminders stop; *Minn meg på i morgen* brings the reminder back at 08:00
//! on the next working day, also when the case changes meanwhile.

use chrono::Duration;
use flow::StepId;
use los_e2e::*;
use serde_json::Value;
use storage::ReminderState;

/// The DM with the manager's reminder about `step`, and the label of its button `text_id`.
fn button(kit: &Kit, step: &str, text_id: &str) -> (u64, String) {
    let line = kit.manager_line(step);
    let dms = kit.dms(LEDER);
    let msg: &Value = dms
        .iter()
        .rev()
        .find(|m| m["content"].as_str().is_some_and(|c| c.contains(&line)))
        .unwrap_or_else(|| panic!("no reminder about {step} in {dms:#?}"));
    let plain = kit.tr(flow::Lang::Nb).t(text_id);
    let titled = los::i18n::clip(&format!("{plain}: {}", kit.title(step)), 80);
    let labels = sandbox::actor::button_labels(msg);
    let label = [plain, titled]
        .into_iter()
        .find(|l| labels.contains(l))
        .unwrap_or_else(|| panic!("no {text_id} for {step} among {labels:?}"));
    (id_of(msg), label)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn done_on_a_reminder_completes_the_step_and_its_reminders_stop() {
    let kit = Kit::reminders().start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.at(eight(date(2027, 2, 8))).await;
    let (msg, label) = button(&kit, "bestiller_utstyr", "btn-reminder-done");
    let answer = kit.press_in_dm(LEDER, &label, msg).await;
    assert!(
        answer.text().contains("registrert som utført"),
        "{}",
        answer.text()
    );
    let loaded = kit.case_by_id(case).await;
    let step = StepId::new("bestiller_utstyr");
    assert!(
        loaded.steps.get(&step).is_some_and(|s| s.is_finished()),
        "{:?}",
        loaded.steps.get(&step)
    );
    let of_step: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| r.step.as_ref() == Some(&step))
        .collect();
    assert!(
        of_step.iter().all(|r| r.state != ReminderState::Pending),
        "{of_step:#?}"
    );
    // The thread hears of it, as from the card.
    let title = kit.title("bestiller_utstyr");
    kit.line(thread, &title).await;
    kit.at(eight(date(2027, 3, 10))).await;
    assert_eq!(
        kit.count_everywhere(&kit.manager_line("bestiller_utstyr")),
        1
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snooze_moves_the_reminder_one_working_day_and_survives_case_changes() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_velkomstpakke";
    // Friday 19 February: snoozed to Monday 22 February.
    kit.at(eight(date(2027, 2, 19))).await;
    let (msg, label) = button(&kit, step, "btn-reminder-snooze");
    let answer = kit.press_in_dm(LEDER, &label, msg).await;
    assert!(
        answer.text().contains("22.02.2027 kl. 08:00"),
        "{}",
        answer.text()
    );
    // The case changes meanwhile: the snoozed reminder stays.
    kit.complete(HR, case, "forberedelse_arbeidsavtale").await;
    kit.at(eight(date(2027, 2, 22)) - Duration::minutes(1))
        .await;
    assert_eq!(kit.count_in_dms(LEDER, &kit.manager_line(step)), 1);
    kit.at(eight(date(2027, 2, 22))).await;
    let snoozed: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| r.key.contains(storage::SNOOZE_MARK))
        .collect();
    assert_eq!(
        kit.count_in_dms(LEDER, &kit.manager_line(step)),
        2,
        "{snoozed:#?}"
    );
    // Done on the snoozed one; nothing about it after that.
    let (msg, label) = button(&kit, step, "btn-reminder-done");
    kit.press_in_dm(LEDER, &label, msg).await;
    kit.at(eight(date(2027, 3, 10))).await;
    assert_eq!(kit.count_everywhere(&kit.manager_line(step)), 2);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snoozed_reminder_of_a_step_done_meanwhile_is_not_sent() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_utstyr";
    kit.at(eight(date(2027, 2, 8))).await;
    let (msg, label) = button(&kit, step, "btn-reminder-snooze");
    kit.press_in_dm(LEDER, &label, msg).await;
    kit.complete(LEDER, case, step).await;
    kit.at(eight(date(2027, 2, 9))).await;
    assert_eq!(kit.count_everywhere(&kit.manager_line(step)), 1);
    let snoozed: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| r.key.contains(storage::SNOOZE_MARK))
        .collect();
    assert_eq!(snoozed.len(), 1);
    assert_eq!(snoozed[0].state, ReminderState::Cancelled);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snoozed_reminder_past_its_deadline_says_it_is_overdue() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    kit.to_start_date(case, date(2027, 3, 1)).await;
    let step = "bestiller_velkomstpakke";
    // The welcome package is due ten days before the start: Friday 19 February, the day of
    // its reminder. Snoozed, it comes back on Monday 22 February, after the deadline.
    kit.at(eight(date(2027, 2, 19))).await;
    let (msg, label) = button(&kit, step, "btn-reminder-snooze");
    kit.press_in_dm(LEDER, &label, msg).await;
    kit.at(eight(date(2027, 2, 22))).await;
    let dms = kit.dms(LEDER);
    let last = dms
        .iter()
        .rev()
        .filter_map(|m| m["content"].as_str())
        .find(|c| c.contains(&kit.title(step)))
        .expect("the snoozed reminder came back");
    let overdue = format!("«{}» skulle vært gjort innen 19.02.2027", kit.title(step));
    assert!(last.contains(&overdue), "says it is overdue: {last}");
    assert!(
        !last.contains("skal være gjort innen"),
        "not that it is to be done by a past date: {last}"
    );
    kit.stop().await;
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
    let kit = Kit::reminders().start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    // "Vurderer behov" is a choice of three ways on; it opens on Monday 4 January and is
    // still open five working days later.
    kit.play_until(case, "vurderer_behov").await;
    kit.at(eight(date(2027, 1, 11))).await;
    let title = kit.title("vurderer_behov");
    let dms = kit.dms(LEDER);
    let msg = dms
        .iter()
        .find(|m| m["content"].as_str().is_some_and(|c| c.contains(&title)))
        .unwrap_or_else(|| panic!("no reminder about {title} in {dms:#?}"))
        .clone();
    let nb = kit.tr(flow::Lang::Nb);
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
    assert_eq!(
        link["url"].as_str().unwrap_or_default(),
        format!(
            "https://discord.com/channels/{}/{thread}/{}",
            kit.guild(),
            kit.card_id(thread)
        )
    );
    // Snooze works on a choice: Tuesday 08:00.
    let answer = kit
        .press_in_dm(LEDER, &nb.t("btn-reminder-snooze"), id_of(&msg))
        .await;
    assert!(
        answer.text().contains("12.01.2027 kl. 08:00"),
        "{}",
        answer.text()
    );
    kit.at(eight(date(2027, 1, 12))).await;
    assert_eq!(
        kit.count_in_dms(LEDER, &format!("«{title}» har stått åpen")),
        2
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_about_an_approval_in_the_thread_offers_the_card_and_the_approver_may_snooze() {
    let kit = Kit::reminders().start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    kit.play_until(case, "til_godkjenning").await;
    // The approval waits; after five working days the approvers are nudged in the thread.
    let title = kit.title("til_godkjenning");
    kit.at(eight(date(2027, 1, 11))).await;
    let msg = kit
        .lines_with(thread, &format!("«{title}» har stått åpen"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no nudge about {title} in the thread"));
    let nb = kit.tr(flow::Lang::Nb);
    let labels = sandbox::actor::button_labels(&msg);
    assert!(!labels.contains(&nb.t("btn-reminder-done")), "{labels:?}");
    assert!(labels.contains(&nb.t("btn-reminder-open")), "{labels:?}");
    let id = id_of(&msg);
    // Someone without the role may not move it; the approver may.
    let refused = kit
        .press_in(KOLLEGA, thread, &nb.t("btn-reminder-snooze"), id)
        .await;
    assert!(refused.ephemeral(), "{}", refused.text());
    assert!(!refused.text().contains("12.01.2027"), "{}", refused.text());
    // The thread's buttons are in bokmål; the approver reads the answer in English.
    let answer = kit
        .press_in(GODKJENNER, thread, &nb.t("btn-reminder-snooze"), id)
        .await;
    assert!(answer.ephemeral(), "{}", answer.text());
    let snoozed: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| r.key.contains(storage::SNOOZE_MARK))
        .collect();
    assert_eq!(snoozed.len(), 1, "{snoozed:#?}");
    kit.stop().await;
}
