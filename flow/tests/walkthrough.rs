//! Whole cases walked through the shipped process, branch by branch.

mod common;

use common::*;
use flow::{CandidateAnswer, CaseStatus, DateKey, EventKind, Refusal, StepState};

/// How the optional ("ved behov") steps are handled on a walk.
#[derive(Clone, Copy, PartialEq)]
enum Optional {
    Do,
    Skip,
}

fn optional(run: &mut Run, who: &flow::Actor, id: &str, how: Optional) {
    match how {
        Optional::Do => run.ok(who, complete(id)),
        Optional::Skip => run.ok(who, skip(id)),
    };
}

/// Phase 1 for a new hire, then phases 2–4 up to the approval being asked for.
fn to_approval(run: &mut Run, how: Optional) {
    let (m, h) = (leder(), hr());
    run.ok(&m, complete("stilling_vakant"))
        .ok(&m, complete("tidlig_involvering"))
        .ok(&m, choose("vurderer_behov", "nyansettelse"));
    optional(run, &h, "adm_arbeid", how);
    run.ok(&h, complete("endringer_hr_system"))
        .ok(&h, complete("sjekk_rapport_hr1072l"))
        .ok(&h, complete("sjekk_overtallige"))
        .ok(&m, complete("behovsanalyse"))
        .ok(&m, complete("ny_utlysning"))
        .ok(&m, complete("legger_til_involverte"))
        .ok(&m, set_date(DateKey::Soknadsfrist, date(2027, 2, 1)))
        .ok(&h, complete("annonse_arkivert"));
    assert_eq!(
        run.open(),
        ["papirsoknader", "info_til_sokere", "arkiverer_sokerliste"],
        "the applicant list runs beside the applications"
    );
    optional(run, &h, "papirsoknader", how);
    run.ok(&m, complete("info_til_sokere"))
        .ok(&m, complete("behandler_soknader"))
        .ok(&h, complete("sjekker_fortrinnsrett"));
    assert_eq!(
        run.open(),
        ["arkiverer_sokerliste"],
        "interviews wait for the list"
    );
    run.ok(&m, complete("arkiverer_sokerliste"))
        .ok(&m, complete("planlegger_intervjuer"));
    optional(run, &m, "lokalt_rad", how);
    recommend(run, &["Kari Nordmann", "Per Hansen", "Aisha Khan"]);
}

/// Writes the recommendation with these candidates and gets the union's agreement.
fn recommend(run: &mut Run, names: &[&str]) {
    run.ok(&leder(), candidates(names))
        .ok(&leder(), complete("skriver_innstilling"))
        .ok(&leder(), complete("dialog_tillitsvalgt"));
    assert_eq!(
        run.open(),
        ["dialog_tillitsvalgt"],
        "the union has not agreed yet"
    );
    run.ok(&tillitsvalgt(), complete("dialog_tillitsvalgt"));
    assert_eq!(run.open(), ["til_godkjenning"]);
}

/// From the approval through an accepted offer and the start date.
fn offer_accepted(run: &mut Run) {
    run.ok(
        &godkjenner(),
        flow::Action::Approve {
            step: step("til_godkjenning"),
        },
    )
    .ok(&leder(), complete("ringer_kandidat"))
    .ok(
        &leder(),
        flow::Action::RecordAccept {
            step: step("svar_paa_tilbud"),
        },
    )
    .ok(&leder(), set_date(DateKey::Startdato, date(2027, 4, 1)));
}

/// Phases 6 and 7 to the end, the welcome on the start date.
fn contract_and_onboarding(run: &mut Run) {
    let (m, h) = (leder(), hr());
    assert_eq!(
        run.open(),
        [
            "forberedelse_arbeidsavtale",
            "bestiller_utstyr",
            "bestiller_velkomstpakke",
            "tar_imot"
        ],
        "the contract and the onboarding orders run side by side"
    );
    run.ok(&m, complete("bestiller_utstyr"))
        .ok(&h, complete("forberedelse_arbeidsavtale"))
        .ok(&h, complete("arbeidsavtale_sendt"))
        .ok(&m, complete("signerer_arbeidsavtale"));
    for transfer in [
        "overforing_lonn",
        "overforing_kompetanse",
        "overforing_personalmappe",
        "overforing_tid",
    ] {
        run.ok(&h, complete(transfer));
    }
    run.ok(&h, complete("kvalitetssikring_lonn"))
        .ok(&m, complete("arkiverer_cv"))
        .ok(&m, complete("avslutter_utlysning"))
        .ok(&m, complete("bestiller_velkomstpakke"));
    let early = run.refused(&m, complete("tar_imot"));
    assert_eq!(
        early,
        Refusal::TooEarly {
            step: step("tar_imot"),
            not_before: date(2027, 4, 1)
        }
    );
    // 1 April 2027, 07:30 in Oslo (summer time, UTC+2).
    run.at(utc(2027, 4, 1, 5, 30)).ok(&m, complete("tar_imot"));
}

fn assert_completed(run: &Run) {
    assert!(
        matches!(run.case.status, CaseStatus::Completed { .. }),
        "case should be completed, is {:?} with open {:?}",
        run.case.status,
        run.open()
    );
    assert_eq!(run.count(EventKind::CaseCompleted), 1);
    assert!(run.case.open_steps().next().is_none());
}

#[test]
fn shortest_path_change_without_new_contract_ends_after_the_hr_system() {
    let mut run = Run::start();
    run.ok(&leder(), complete("stilling_vakant"))
        .ok(&leder(), complete("tidlig_involvering"))
        .ok(&leder(), choose("vurderer_behov", "uten_ny_avtale"));
    assert_eq!(run.open(), ["endringer_hr_system"]);
    run.ok(&hr(), complete("endringer_hr_system"));
    assert_completed(&run);
    assert_eq!(run.case.steps.len(), 4, "no other step was ever opened");
    assert_eq!(run.case.version, 5);
}

#[test]
fn full_path_with_every_optional_step_done() {
    let mut run = Run::start();
    to_approval(&mut run, Optional::Do);
    offer_accepted(&mut run);
    contract_and_onboarding(&mut run);
    assert_completed(&run);
    assert_eq!(
        run.case.steps.len(),
        38,
        "every step of the chart was walked"
    );
    assert!(run
        .case
        .steps
        .values()
        .all(|s| matches!(s, StepState::Done { .. })));
    assert_eq!(run.count(EventKind::StepSkipped), 0);
    assert_eq!(
        run.case.accepted_candidate().map(|c| c.name.as_str()),
        Some("Kari Nordmann")
    );
}

#[test]
fn full_path_with_every_optional_step_skipped() {
    let mut run = Run::start();
    to_approval(&mut run, Optional::Skip);
    offer_accepted(&mut run);
    contract_and_onboarding(&mut run);
    assert_completed(&run);
    let skipped: Vec<_> = run
        .case
        .steps
        .iter()
        .filter(|(_, s)| matches!(s, StepState::Skipped { .. }))
        .map(|(id, _)| id.to_string())
        .collect();
    assert_eq!(skipped, ["adm_arbeid", "lokalt_rad", "papirsoknader"]);
}

#[test]
fn a_new_position_cannot_skip_the_administrative_work() {
    let mut run = Run::start();
    run.ok(&leder(), complete("stilling_vakant"))
        .ok(&leder(), complete("tidlig_involvering"))
        .ok(&leder(), choose("vurderer_behov", "ny_stilling"));
    assert_eq!(
        run.refused(&hr(), skip("adm_arbeid")),
        Refusal::NotSkippable {
            step: step("adm_arbeid")
        }
    );
    run.ok(&hr(), complete("adm_arbeid"));
    assert_eq!(run.open(), ["endringer_hr_system"]);
    run.ok(&hr(), complete("endringer_hr_system"));
    assert_eq!(
        run.open(),
        ["sjekk_rapport_hr1072l"],
        "a new position goes on to hiring"
    );
}

#[test]
fn approval_rejected_once_goes_back_to_the_recommendation() {
    let mut run = Run::start();
    to_approval(&mut run, Optional::Do);
    run.ok(
        &godkjenner(),
        flow::Action::Reject {
            step: step("til_godkjenning"),
            reason: reason("Likestilling er ikke vurdert i innstillingen"),
        },
    );
    assert_eq!(run.open(), ["skriver_innstilling"]);
    assert!(
        !run.case.steps.contains_key(&step("dialog_tillitsvalgt")),
        "the union must agree again on the revised recommendation"
    );
    let rejected = run
        .history
        .iter()
        .find(|e| e.kind == EventKind::Rejected)
        .unwrap();
    assert_eq!(
        rejected.detail.as_deref(),
        Some("Likestilling er ikke vurdert i innstillingen")
    );
    run.ok(&leder(), complete("skriver_innstilling"))
        .ok(&tillitsvalgt(), complete("dialog_tillitsvalgt"))
        .ok(&leder(), complete("dialog_tillitsvalgt"));
    offer_accepted(&mut run);
    contract_and_onboarding(&mut run);
    assert_completed(&run);
    assert_eq!(run.count(EventKind::Rejected), 1);
    assert_eq!(run.count(EventKind::Approved), 1);
}

#[test]
fn two_declines_then_an_accept() {
    let mut run = Run::start();
    to_approval(&mut run, Optional::Do);
    run.ok(
        &godkjenner(),
        flow::Action::Approve {
            step: step("til_godkjenning"),
        },
    );
    for _ in 0..2 {
        run.ok(&leder(), complete("ringer_kandidat")).ok(
            &leder(),
            flow::Action::RecordDecline {
                step: step("svar_paa_tilbud"),
            },
        );
        assert_eq!(
            run.open(),
            ["ringer_kandidat"],
            "the next candidate is called"
        );
    }
    run.ok(&leder(), complete("ringer_kandidat"));
    assert_eq!(
        run.case.offered_candidate().unwrap().name.as_str(),
        "Aisha Khan"
    );
    run.ok(
        &leder(),
        flow::Action::RecordAccept {
            step: step("svar_paa_tilbud"),
        },
    );
    let answers: Vec<_> = run.case.candidates.iter().map(|c| c.answer).collect();
    assert_eq!(
        answers,
        [
            CandidateAnswer::Declined,
            CandidateAnswer::Declined,
            CandidateAnswer::Accepted
        ]
    );
    assert_eq!(run.count(EventKind::OfferDeclined), 2);
    assert_eq!(run.open(), ["kandidat_til_hr"]);
    run.ok(&leder(), set_date(DateKey::Startdato, date(2027, 4, 1)));
    contract_and_onboarding(&mut run);
    assert_completed(&run);
}

#[test]
fn all_candidates_declining_goes_back_to_processing_applications() {
    let mut run = Run::start();
    to_approval(&mut run, Optional::Skip);
    run.ok(
        &godkjenner(),
        flow::Action::Approve {
            step: step("til_godkjenning"),
        },
    );
    for _ in 0..3 {
        run.ok(&leder(), complete("ringer_kandidat")).ok(
            &leder(),
            flow::Action::RecordDecline {
                step: step("svar_paa_tilbud"),
            },
        );
    }
    assert_eq!(run.count(EventKind::CandidatesExhausted), 1);
    assert_eq!(run.open(), ["behandler_soknader"]);
    assert!(
        !run.case.steps.contains_key(&step("til_godkjenning")),
        "everything after processing is to be done again"
    );
    assert_eq!(
        run.refused(&leder(), complete("ringer_kandidat")),
        Refusal::NotCurrentStep {
            step: step("ringer_kandidat")
        }
    );
    // A second round: new candidates, who are ranked after the three who declined.
    run.ok(&leder(), complete("behandler_soknader"))
        .ok(&hr(), complete("sjekker_fortrinnsrett"));
    assert_eq!(
        run.open(),
        ["planlegger_intervjuer"],
        "the list was already archived"
    );
    run.ok(&leder(), complete("planlegger_intervjuer"))
        .ok(&leder(), skip("lokalt_rad"));
    assert_eq!(
        run.refused(&leder(), complete("skriver_innstilling")),
        Refusal::NoCandidates
    );
    recommend(&mut run, &["Nora Berg"]);
    offer_accepted(&mut run);
    assert_eq!(
        run.case
            .accepted_candidate()
            .map(|c| (c.name.as_str(), c.rank)),
        Some(("Nora Berg", 4))
    );
    contract_and_onboarding(&mut run);
    assert_completed(&run);
}
