//! The engine's typed refusals: each one leaves the case exactly as it was.

mod common;

use common::*;
use flow::{Action, CaseStatus, DateKey, Refusal, Role};

fn to_union_gate(run: &mut Run) {
    run.ok(&leder(), complete("stilling_vakant"))
        .ok(&leder(), complete("tidlig_involvering"))
        .ok(&leder(), choose("vurderer_behov", "nyansettelse"));
}

#[test]
fn not_your_role_names_who_may() {
    let mut run = Run::start();
    // The manager's step: whose case it is (and that HR may act for them).
    let refusal = run.refused(&outsider(), complete("stilling_vakant"));
    assert_eq!(
        refusal,
        Refusal::NotCaseManager {
            step: step("stilling_vakant"),
            manager: leder().person,
            deputy: None,
        }
    );
    // A step shared with another role: the roles.
    drive_until(&mut run, "dialog_tillitsvalgt");
    assert_eq!(
        run.refused(&outsider(), complete("dialog_tillitsvalgt")),
        Refusal::NotYourRole {
            step: step("dialog_tillitsvalgt"),
            allowed: vec![Role::Manager, Role::UnionRep]
        }
    );
}

#[test]
fn a_manager_by_server_role_is_refused_on_another_managers_case() {
    let mut run = Run::start();
    let annen = actor(5, "Annen Leder", &[Role::Manager]);
    let refusal = run.refused(&annen, complete("stilling_vakant"));
    assert_eq!(
        refusal,
        Refusal::NotCaseManager {
            step: step("stilling_vakant"),
            manager: leder().person,
            deputy: None,
        }
    );
}

#[test]
fn not_the_current_step() {
    let mut run = Run::start();
    assert_eq!(
        run.refused(&leder(), complete("behovsanalyse")),
        Refusal::NotCurrentStep {
            step: step("behovsanalyse")
        }
    );
    assert_eq!(
        run.refused(&leder(), complete("finnes_ikke")),
        Refusal::UnknownStep {
            step: step("finnes_ikke")
        }
    );
}

#[test]
fn already_done_says_by_whom_and_when() {
    let mut run = Run::start();
    let done_at = run.now;
    run.ok(&leder(), complete("stilling_vakant"));
    run.at(utc(2027, 1, 4, 10, 0));
    assert_eq!(
        run.refused(&leder(), complete("stilling_vakant")),
        Refusal::AlreadyDone {
            step: step("stilling_vakant"),
            by: leder().person,
            at: done_at
        }
    );
}

#[test]
fn only_if_needed_steps_can_be_skipped() {
    let mut run = Run::start();
    assert_eq!(
        run.refused(&leder(), skip("stilling_vakant")),
        Refusal::NotSkippable {
            step: step("stilling_vakant")
        }
    );
}

#[test]
fn a_choice_needs_a_known_outcome_and_not_a_plain_done() {
    let mut run = Run::start();
    to_union_gate(&mut run);
    run.ok(
        &leder(),
        flow::Action::Reopen {
            step: step("vurderer_behov"),
            reason: reason("feil valg"),
        },
    );
    assert!(matches!(
        run.refused(&leder(), complete("vurderer_behov")),
        Refusal::WrongKind { .. }
    ));
    assert!(matches!(
        run.refused(&leder(), choose("vurderer_behov", "kanskje")),
        Refusal::UnknownOutcome { .. }
    ));
}

#[test]
fn dates_in_the_past_and_dates_not_asked_for() {
    let mut run = Run::start();
    assert_eq!(
        run.refused(&leder(), set_date(DateKey::Startdato, date(2027, 6, 1))),
        Refusal::DateNotAsked
    );
    for s in ["stilling_vakant", "tidlig_involvering"] {
        run.ok(&leder(), complete(s));
    }
    run.ok(&leder(), choose("vurderer_behov", "nyansettelse"))
        .ok(&leder(), skip("adm_arbeid"));
    for s in [
        "endringer_hr_system",
        "sjekk_rapport_hr1072l",
        "sjekk_overtallige",
        "behovsanalyse",
        "ny_utlysning",
        "legger_til_involverte",
    ] {
        run.ok(&leder(), complete(s));
    }
    assert_eq!(
        run.refused(&leder(), set_date(DateKey::Soknadsfrist, date(2027, 1, 3))),
        Refusal::DateInPast {
            date: date(2027, 1, 3)
        }
    );
    assert!(matches!(
        run.refused(&leder(), complete("utlyser_stilling")),
        Refusal::DateMissing { .. }
    ));
    // Today is fine; the deadline can later be extended and the original is kept.
    run.ok(&leder(), set_date(DateKey::Soknadsfrist, date(2027, 1, 4)));
    run.ok(&hr(), set_date(DateKey::Soknadsfrist, date(2027, 1, 18)));
    assert_eq!(run.case.dates.soknadsfrist, Some(date(2027, 1, 18)));
    assert_eq!(run.case.dates.original_soknadsfrist, Some(date(2027, 1, 4)));
    assert!(matches!(
        run.refused(
            &tillitsvalgt(),
            set_date(DateKey::Soknadsfrist, date(2027, 2, 1))
        ),
        Refusal::NotCaseManager { .. }
    ));
}

#[test]
fn the_union_gate_needs_both_and_each_only_once() {
    let mut run = Run::start();
    to_union_gate(&mut run);
    // Jump ahead by reopening is not possible before the step was reached.
    assert_eq!(
        run.refused(
            &leder(),
            Action::Reopen {
                step: step("dialog_tillitsvalgt"),
                reason: reason("x")
            }
        ),
        Refusal::NotCurrentStep {
            step: step("dialog_tillitsvalgt")
        }
    );
}

#[test]
fn closing_a_case_refuses_everything_after() {
    let mut run = Run::start();
    assert!(matches!(
        run.refused(
            &tillitsvalgt(),
            Action::Close {
                reason: reason("x")
            }
        ),
        Refusal::NotCaseManager { .. }
    ));
    run.ok(
        &hr(),
        Action::Close {
            reason: reason("Stillingen ble trukket"),
        },
    );
    assert!(matches!(run.case.status, CaseStatus::Closed { .. }));
    assert!(run.case.open_steps().next().is_none());
    assert!(matches!(
        run.refused(&leder(), complete("stilling_vakant")),
        Refusal::CaseClosed { .. }
    ));
}

#[test]
fn reopening_undoes_what_came_after() {
    let mut run = Run::start();
    to_union_gate(&mut run);
    run.ok(&leder(), skip("adm_arbeid"));
    assert_eq!(run.open(), ["endringer_hr_system"]);
    assert_eq!(
        run.refused(
            &leder(),
            Action::Reopen {
                step: step("endringer_hr_system"),
                reason: reason("x")
            }
        ),
        Refusal::NotFinished {
            step: step("endringer_hr_system")
        }
    );
    run.ok(
        &hr(),
        Action::Reopen {
            step: step("vurderer_behov"),
            reason: reason("Det er en ny stilling"),
        },
    );
    assert_eq!(run.open(), ["vurderer_behov"]);
    assert!(!run.case.steps.contains_key(&step("adm_arbeid")));
    run.ok(&leder(), choose("vurderer_behov", "ny_stilling"));
    assert_eq!(
        run.refused(&leder(), skip("adm_arbeid")),
        Refusal::NotSkippable {
            step: step("adm_arbeid")
        }
    );
}

#[test]
fn the_union_gate_is_agreed_by_both_roles_each_once() {
    let mut run = Run::start();
    drive_until(&mut run, "dialog_tillitsvalgt");
    run.ok(&leder(), complete("dialog_tillitsvalgt"));
    assert_eq!(
        run.refused(&leder(), complete("dialog_tillitsvalgt")),
        Refusal::AlreadyConfirmed {
            step: step("dialog_tillitsvalgt"),
            role: Role::Manager,
            by: leder().person
        }
    );
    // One person holding both roles cannot agree with themselves.
    let both = actor(1, "Lise Leder", &[Role::UnionRep]);
    assert!(matches!(
        run.refused(&both, complete("dialog_tillitsvalgt")),
        Refusal::AlreadyConfirmed { .. }
    ));
    assert!(matches!(
        run.refused(&godkjenner(), complete("dialog_tillitsvalgt")),
        Refusal::NotYourRole { .. }
    ));
    run.ok(&tillitsvalgt(), complete("dialog_tillitsvalgt"));
    assert_eq!(run.open(), ["til_godkjenning"]);
    assert!(matches!(
        run.refused(
            &leder(),
            Action::Approve {
                step: step("til_godkjenning")
            }
        ),
        Refusal::NotYourRole { .. }
    ));
}

#[test]
fn an_offer_needs_a_candidate_and_an_answer_needs_an_offer() {
    let mut run = Run::start();
    drive_until(&mut run, "svar_paa_tilbud");
    assert!(matches!(
        run.refused(&leder(), complete("svar_paa_tilbud")),
        Refusal::WrongKind { .. }
    ));
    assert!(matches!(
        run.refused(
            &leder(),
            Action::RecordDecline {
                step: step("ringer_kandidat")
            }
        ),
        Refusal::AlreadyDone { .. }
    ));
}

#[test]
fn the_start_date_must_come_after_the_application_deadline() {
    let mut run = Run::start();
    drive_until(&mut run, "kandidat_til_hr");
    let frist = run.case.dates.soknadsfrist.unwrap();
    assert!(matches!(
        run.refused(&leder(), set_date(DateKey::Startdato, frist)),
        Refusal::DateTooEarly { .. }
    ));
}

#[test]
fn dates_too_far_ahead_are_refused_politely_and_change_nothing() {
    let mut run = Run::start();
    for s in ["stilling_vakant", "tidlig_involvering"] {
        run.ok(&leder(), complete(s));
    }
    run.ok(&leder(), choose("vurderer_behov", "nyansettelse"))
        .ok(&leder(), skip("adm_arbeid"));
    for s in [
        "endringer_hr_system",
        "sjekk_rapport_hr1072l",
        "sjekk_overtallige",
        "behovsanalyse",
        "ny_utlysning",
        "legger_til_involverte",
    ] {
        run.ok(&leder(), complete(s));
    }
    // Today is Monday 4 January 2027. "No end date", as people type it:
    assert_eq!(
        run.refused(
            &leder(),
            set_date(DateKey::Soknadsfrist, date(9999, 12, 31))
        ),
        Refusal::DateTooFar {
            key: DateKey::Soknadsfrist,
            date: date(9999, 12, 31),
            latest: date(2028, 1, 4),
        }
    );
    assert!(matches!(
        run.refused(&leder(), set_date(DateKey::Soknadsfrist, date(2028, 1, 5))),
        Refusal::DateTooFar { .. }
    ));
    // A year ahead is the last day taken; HR cannot move it further either.
    run.ok(&leder(), set_date(DateKey::Soknadsfrist, date(2028, 1, 4)));
    assert!(matches!(
        run.refused(&hr(), set_date(DateKey::Soknadsfrist, date(2028, 2, 1))),
        Refusal::DateTooFar { .. }
    ));
    assert_eq!(run.case.dates.soknadsfrist, Some(date(2028, 1, 4)));
    // A start two years ahead is taken, a day more is not.
    assert_eq!(
        flow::engine::latest_date(DateKey::Startdato, date(2027, 1, 4)),
        date(2029, 1, 4)
    );
    assert_eq!(
        flow::engine::latest_date(DateKey::Soknadsfrist, date(2028, 2, 29)),
        date(2029, 2, 28),
        "a leap day counts to the end of February"
    );
}
