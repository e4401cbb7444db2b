//! The branches of the chart, pressed through in Discord.

use flow::{CandidateAnswer, CaseStatus, Lang};
use los_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_short_path_a_change_without_a_new_contract() {
    let (kit, thread) = Kit::with_case().await;
    kit.done(LEDER, thread, &["stilling_vakant", "tidlig_involvering"])
        .await;
    kit.press(
        LEDER,
        thread,
        "outcome-vurderer_behov-uten_ny_avtale",
        "vurderer_behov",
    )
    .await;
    assert_eq!(
        Kit::open_steps(&kit.case(thread).await),
        ["endringer_hr_system"]
    );
    kit.done(HR, thread, &["endringer_hr_system"]).await;
    let case = kit.case(thread).await;
    assert!(matches!(case.status, CaseStatus::Completed { .. }));
    assert_eq!(case.steps.len(), 4);
    kit.line(thread, "Saken er fullført").await;
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optional_steps_skipped_with_a_reason_and_a_rejected_recommendation_revised() {
    let (kit, thread) = Kit::with_case().await;
    through_announcement(&kit, thread, "01.02.2027").await;
    through_applications(&kit, thread).await;
    let case = kit.case(thread).await;
    let skipped: Vec<String> = case
        .steps
        .iter()
        .filter(|(_, s)| matches!(s, flow::StepState::Skipped { .. }))
        .map(|(id, _)| id.to_string())
        .collect();
    assert_eq!(skipped, ["adm_arbeid", "lokalt_rad", "papirsoknader"]);
    kit.line(thread, "som ikke aktuelt: Ingen papirsøknader")
        .await;

    recommend(&kit, thread, "Kari Nordmann\nPer Hansen").await;
    kit.press_form(
        GODKJENNER,
        thread,
        "btn-reject",
        "til_godkjenning",
        &[("field-reason", "Gender balance is not addressed")],
    )
    .await;
    assert_eq!(
        Kit::open_steps(&kit.case(thread).await),
        ["skriver_innstilling"]
    );
    kit.line(thread, "Gender balance is not addressed").await;
    // Revised: written again, agreed again, approved.
    kit.press(LEDER, thread, "btn-done", "skriver_innstilling")
        .await;
    kit.press(TILLITSVALGT, thread, "btn-agree", "dialog_tillitsvalgt")
        .await;
    kit.press(LEDER, thread, "btn-agree", "dialog_tillitsvalgt")
        .await;
    kit.press(GODKJENNER, thread, "btn-approve", "til_godkjenning")
        .await;
    assert_eq!(
        Kit::open_steps(&kit.case(thread).await),
        ["ringer_kandidat"]
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_candidates_decline_and_the_third_accepts() {
    let (kit, thread) = Kit::with_case().await;
    through_announcement(&kit, thread, "01.02.2027").await;
    through_applications(&kit, thread).await;
    recommend(&kit, thread, "Kari Nordmann\nPer Hansen\nAisha Khan").await;
    kit.press(GODKJENNER, thread, "btn-approve", "til_godkjenning")
        .await;
    for _ in 0..2 {
        kit.press(LEDER, thread, "btn-done", "ringer_kandidat")
            .await;
        kit.press(
            LEDER,
            thread,
            "outcome-svar_paa_tilbud-nei",
            "svar_paa_tilbud",
        )
        .await;
    }
    kit.press(LEDER, thread, "btn-done", "ringer_kandidat")
        .await;
    kit.press(
        LEDER,
        thread,
        "outcome-svar_paa_tilbud-ja",
        "svar_paa_tilbud",
    )
    .await;
    let case = kit.case(thread).await;
    let answers: Vec<_> = case
        .candidates
        .iter()
        .map(|c| (c.name.to_string(), c.answer))
        .collect();
    assert_eq!(
        answers,
        [
            ("Kari Nordmann".to_string(), CandidateAnswer::Declined),
            ("Per Hansen".to_string(), CandidateAnswer::Declined),
            ("Aisha Khan".to_string(), CandidateAnswer::Accepted)
        ]
    );
    assert_eq!(Kit::open_steps(&case), ["kandidat_til_hr"]);
    kit.press_form(
        LEDER,
        thread,
        "btn-date-startdato",
        "kandidat_til_hr",
        &[("date-startdato", "01.04.2027")],
    )
    .await;
    assert_eq!(
        Kit::open_steps(&kit.case(thread).await),
        [
            "bestiller_utstyr",
            "bestiller_velkomstpakke",
            "forberedelse_arbeidsavtale",
            "tar_imot"
        ]
    );
    let card = kit.card_text(thread);
    assert!(card.contains("01.04.2027"), "{card}");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_candidate_declines_the_case_goes_back_to_the_applications() {
    let (kit, thread) = Kit::with_case().await;
    through_announcement(&kit, thread, "01.02.2027").await;
    through_applications(&kit, thread).await;
    recommend(&kit, thread, "Kari Nordmann").await;
    kit.press(GODKJENNER, thread, "btn-approve", "til_godkjenning")
        .await;
    kit.press(LEDER, thread, "btn-done", "ringer_kandidat")
        .await;
    kit.press(
        LEDER,
        thread,
        "outcome-svar_paa_tilbud-nei",
        "svar_paa_tilbud",
    )
    .await;
    assert_eq!(
        Kit::open_steps(&kit.case(thread).await),
        ["behandler_soknader"]
    );
    let back = kit.t(Lang::Nb, "event-candidates_exhausted");
    let first_words: String = back
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    kit.line(thread, &first_words).await;
    assert!(kit
        .card_buttons(thread)
        .contains(&kit.t(Lang::Nb, "btn-done")));
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_union_does_not_agree_the_manager_reopens_the_recommendation() {
    let (kit, thread) = Kit::with_case().await;
    through_announcement(&kit, thread, "01.02.2027").await;
    through_applications(&kit, thread).await;
    kit.press_form(
        LEDER,
        thread,
        "btn-candidates",
        "skriver_innstilling",
        &[("field-candidates", "Kari Nordmann")],
    )
    .await;
    kit.press(LEDER, thread, "btn-done", "skriver_innstilling")
        .await;
    kit.press(LEDER, thread, "btn-agree", "dialog_tillitsvalgt")
        .await;
    let id = kit.case_id(thread).await.0.to_string();
    let union = kit
        .slash(
            TILLITSVALGT,
            "rekruttering",
            &["gjenapne"],
            &[("sak", &id), ("steg", "skriver_innstilling")],
        )
        .await;
    assert!(
        union.buttons().is_empty() && union.ephemeral(),
        "only the manager or HR may send it back: {}",
        union.text()
    );
    let found = kit
        .member(LEDER)
        .autocomplete(
            "rekruttering",
            &["gjenapne"],
            &[("sak", &id), ("steg", "innstill")],
            "steg",
        )
        .await
        .unwrap();
    assert!(
        found
            .choices
            .iter()
            .any(|c| c["value"] == "skriver_innstilling"),
        "{:?}",
        found.choices
    );
    let lise = kit.member(LEDER);
    let preview = lise
        .slash(
            "rekruttering",
            &["gjenapne"],
            &[("sak", &id), ("steg", "skriver_innstilling")],
        )
        .await
        .unwrap();
    let preview_id = id_of(preview.message().unwrap());
    lise.press(&kit.t(Lang::Nb, "btn-reopen"), preview_id)
        .await
        .unwrap();
    let reopened = lise
        .submit_modal(&[(&kit.t(Lang::Nb, "field-reason"), "Uenige om rangeringen")])
        .await
        .unwrap();
    assert!(
        reopened
            .text()
            .contains(&kit.step_title(Lang::Nb, "skriver_innstilling")),
        "{}",
        reopened.text()
    );
    assert_eq!(
        Kit::open_steps(&kit.case(thread).await),
        ["skriver_innstilling"]
    );
    kit.line(thread, "Uenige om rangeringen").await;
    kit.stop().await;
}
