//! The steps on a case's path: what progress counts, and what a reopen undoes.

mod common;

use common::*;
use flow::{Action, CaseStatus, StepId};

fn on_path(run: &Run) -> usize {
    process().steps_on_path(&run.case).len()
}

fn finished(run: &Run) -> usize {
    run.case.steps.values().filter(|s| s.is_finished()).count()
}

#[test]
fn a_new_case_may_still_take_every_step() {
    let run = Run::start();
    assert_eq!(on_path(&run), process().steps().len());
}

#[test]
fn a_change_without_a_new_contract_has_four_steps_on_its_path() {
    let mut run = Run::start();
    run.ok(&leder(), complete("stilling_vakant"))
        .ok(&leder(), complete("tidlig_involvering"));
    assert_eq!(on_path(&run), 38, "the choice is not made yet");
    run.ok(&leder(), choose("vurderer_behov", "uten_ny_avtale"));
    assert_eq!((finished(&run), on_path(&run)), (3, 4));
    run.ok(&hr(), complete("endringer_hr_system"));
    assert!(matches!(run.case.status, CaseStatus::Completed { .. }));
    assert_eq!((finished(&run), on_path(&run)), (4, 4));
}

#[test]
fn a_new_hire_keeps_every_step_and_skipped_ones_count_as_finished() {
    let mut run = Run::start();
    run.ok(&leder(), complete("stilling_vakant"))
        .ok(&leder(), complete("tidlig_involvering"))
        .ok(&leder(), choose("vurderer_behov", "nyansettelse"))
        .ok(&hr(), skip("adm_arbeid"));
    assert_eq!(on_path(&run), 38);
    assert_eq!(finished(&run), 4, "the skipped step is finished");
    let path = process().steps_on_path(&run.case);
    assert!(path.contains(&StepId::new("adm_arbeid")));
}

#[test]
fn a_case_driven_to_its_end_has_finished_everything_on_its_path() {
    let mut run = Run::start();
    drive_to_end(&mut run, 300).unwrap();
    assert_eq!(finished(&run), on_path(&run));
    assert_eq!(run.case.steps.len(), on_path(&run));
}

#[test]
fn the_path_never_shrinks_below_what_was_reached_and_counts_every_finished_step() {
    let mut run = Run::start();
    for _ in 0..200 {
        if !run.case.status.is_open() {
            break;
        }
        let path = process().steps_on_path(&run.case);
        for id in run.case.steps.keys() {
            assert!(path.contains(id), "{id} was reached but is not on the path");
        }
        let (who, action, now) = next_move(&run).expect("a move");
        run.now = now;
        run.ok(&who, action);
    }
    assert!(!run.case.status.is_open());
}

#[test]
fn a_case_closed_at_once_still_shows_the_whole_way_it_would_have_gone() {
    let mut run = Run::start();
    run.ok(
        &hr(),
        Action::Close {
            reason: reason("Feil sak"),
        },
    );
    assert_eq!((finished(&run), on_path(&run)), (0, 38));
}

#[test]
fn reopening_names_exactly_the_steps_it_undoes() {
    let mut run = Run::start();
    drive_until(&mut run, "til_godkjenning");
    let step = StepId::new("skriver_innstilling");
    let undone = process().undone_by_reopening(&run.case, &step);
    let names: Vec<&str> = undone.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["dialog_tillitsvalgt", "til_godkjenning"]);
    run.ok(
        &leder(),
        Action::Reopen {
            step: step.clone(),
            reason: reason("Feil rangering"),
        },
    );
    for s in &undone {
        assert!(!run.case.steps.contains_key(s), "{s} is still there");
    }
    assert_eq!(run.open(), ["skriver_innstilling"]);
    assert!(process().undone_by_reopening(&run.case, &step).is_empty());
}
