//! Honest progress and wording: progress counts the case's own path, going back to a step says
//! what it undoes before it does it, the private view of a step follows a press, thread names
//! read well where they are linked.

use flow::Lang;
use los_e2e::*;
use sandbox::Answer;

/// The id of the first message of an answer.
fn message_id(answer: &Answer) -> u64 {
    id_of(answer.message().expect("a message"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_solved_without_a_new_hire_shows_four_of_four_steps() {
    let (kit, thread) = Kit::with_case().await;
    assert!(
        kit.card_text(thread).contains("0 av 38 steg"),
        "before the choice every step may come: {}",
        kit.card_text(thread)
    );
    kit.done(LEDER, thread, &["stilling_vakant", "tidlig_involvering"])
        .await;
    kit.press(
        LEDER,
        thread,
        "outcome-vurderer_behov-uten_ny_avtale",
        "vurderer_behov",
    )
    .await;
    let card = kit.card_text(thread);
    assert!(card.contains("3 av 4 steg"), "{card}");
    kit.done(HR, thread, &["endringer_hr_system"]).await;
    let card = kit.card_text(thread);
    assert!(card.contains("4 av 4 steg"), "{card}");
    assert!(!card.contains("38"), "{card}");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_back_to_a_step_says_what_it_undoes_and_asks_first() {
    let (kit, thread) = Kit::with_case().await;
    through_announcement(&kit, thread, "01.02.2027").await;
    through_applications(&kit, thread).await;
    recommend(&kit, thread, "Kari Nordmann").await;
    let before = kit.case(thread).await;
    assert_eq!(Kit::open_steps(&before), ["til_godkjenning"]);
    let id = before.id.0.to_string();
    let lise = kit.member(LEDER);
    let preview = lise
        .slash(
            "rekruttering",
            &["gjenapne"],
            &[("sak", &id), ("steg", "skriver_innstilling")],
        )
        .await
        .unwrap();
    assert!(preview.ephemeral());
    let text = preview.text();
    let nb = |s: &str| kit.step_title(Lang::Nb, s);
    for undone in ["dialog_tillitsvalgt", "til_godkjenning"] {
        assert!(text.contains(&nb(undone)), "names {undone}: {text}");
    }
    assert!(
        text.contains("2 steg etter det"),
        "with their count: {text}"
    );
    let confirm = kit.t(Lang::Nb, "btn-reopen");
    assert_eq!(preview.buttons(), std::slice::from_ref(&confirm));
    assert_eq!(
        kit.case(thread).await,
        before,
        "nothing changes before the confirmation"
    );

    let preview_id = message_id(&preview);
    let old_preview = lise.snapshot(preview_id).unwrap();
    let form = lise.press(&confirm, preview_id).await.unwrap();
    assert!(form.modal.is_some(), "the button asks why: {}", form.text());
    assert_eq!(kit.case(thread).await, before, "nor when the form opens");
    let done = lise
        .submit_modal(&[(&kit.t(Lang::Nb, "field-reason"), "Uenige om rangeringen")])
        .await
        .unwrap();
    assert_eq!(done.callback_type, 7, "the preview becomes the answer");
    assert!(done.buttons().is_empty(), "and loses its button");
    assert!(done.text().contains("2 steg etter det"), "{}", done.text());
    let after = kit.case(thread).await;
    assert_eq!(Kit::open_steps(&after), ["skriver_innstilling"]);

    // The thread line says the same.
    let line = kit.line(thread, "Uenige om rangeringen").await;
    let line = line["content"].as_str().unwrap();
    assert!(
        line.contains("2 steg etter det") && line.contains(&nb("dialog_tillitsvalgt")),
        "{line}"
    );

    // A second press on the same preview is refused, and changes nothing.
    let again = lise
        .press_on_snapshot(&confirm, &old_preview)
        .await
        .unwrap();
    assert!(again.ephemeral());
    assert!(again.modal.is_none(), "{}", again.text());
    assert!(
        again.text().contains("gjenapne"),
        "says how to see it anew: {}",
        again.text()
    );
    assert_eq!(kit.case(thread).await, after);
    kit.stop().await;
}

/// Through the offer and the contract, up to the signed contract: eight steps are then open,
/// more than the card has rows for.
async fn to_contract_signed(kit: &Kit, thread: u64) {
    through_announcement(kit, thread, "01.02.2027").await;
    through_applications(kit, thread).await;
    recommend(kit, thread, "Kari Nordmann").await;
    kit.press(GODKJENNER, thread, "btn-approve", "til_godkjenning")
        .await;
    kit.done(LEDER, thread, &["ringer_kandidat"]).await;
    kit.press(
        LEDER,
        thread,
        "outcome-svar_paa_tilbud-ja",
        "svar_paa_tilbud",
    )
    .await;
    kit.press_form(
        LEDER,
        thread,
        "btn-date-startdato",
        "kandidat_til_hr",
        &[("date-startdato", "01.04.2027")],
    )
    .await;
    kit.done(
        HR,
        thread,
        &["forberedelse_arbeidsavtale", "arbeidsavtale_sendt"],
    )
    .await;
    kit.done(LEDER, thread, &["signerer_arbeidsavtale"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_in_the_private_view_of_a_step_updates_that_view() {
    let (kit, thread) = Kit::with_case().await;
    to_contract_signed(&kit, thread).await;
    let step = "overforing_tid";
    let title = kit.step_title(Lang::Nb, step);
    let hanne = kit.member_in(HR, thread);
    let view = hanne
        .select(
            &kit.t(Lang::Nb, "card-more-steps"),
            &[&title],
            kit.card_id(thread),
        )
        .await
        .unwrap();
    assert!(view.ephemeral());
    let done = kit.t(Lang::Nb, "btn-done");
    assert_eq!(
        view.buttons(),
        std::slice::from_ref(&done),
        "{}",
        view.text()
    );
    let pressed = hanne.press(&done, message_id(&view)).await.unwrap();
    assert_eq!(pressed.callback_type, 7, "the view itself is updated");
    assert!(pressed.buttons().is_empty(), "its button is gone");
    let text = pressed.text();
    assert!(
        text.contains(&title) && text.contains("Utført av Hanne HR"),
        "the step is shown as done: {text}"
    );
    let case = kit.case(thread).await;
    assert!(case.steps[&flow::StepId::new(step)].is_finished());
    // The card above it follows too (it is edited before the thread hears of the press).
    kit.line(thread, &format!("Hanne HR markerte *{title}*"))
        .await;
    assert!(
        !kit.card_text(thread).contains(&format!("▶ {title}")),
        "{}",
        kit.card_text(thread)
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_names_read_well_where_they_are_linked() {
    let (kit, thread) = Kit::with_case().await;
    let case = kit.case(thread).await;
    let name = kit.thread_name(thread);
    assert!(!name.starts_with('#'), "{name}");
    assert_eq!(name, format!("{} Rådgiver – Bydel Frogner", case.id.0));

    // Eight working days on, the first step is overdue: HR's digest links the thread once,
    // and does not repeat the case's number and title beside the link.
    kit.set_bot_clock(eight(date(2027, 1, 14)) + chrono::Duration::minutes(30));
    kit.kick().await;
    let link = format!("<#{thread}>");
    let digest = kit
        .message_where(HR_CHANNEL, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains(&format!("<#{thread}>")) && c.contains("HR-"))
        })
        .await;
    let content = digest["content"].as_str().unwrap();
    let line = content
        .lines()
        .find(|l| l.contains(&link))
        .expect("a line with the link");
    assert!(line.contains(&format!("{link}: «")), "{line}");
    assert!(
        !line.contains(&format!("#{} Rådgiver", case.id.0)),
        "{line}"
    );
    kit.stop().await;
}
