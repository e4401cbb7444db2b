//! Whose the manager's part of a case is: the case's own manager, the deputy they (or HR) name,
//! and HR acting for them, recorded as such. A manager role on the server gives nothing on
//! someone else's case.

mod common;

use common::*;
use flow::engine::may_ask_for_help;
use flow::{Action, EventKind, PersonRef, Refusal, Role};

fn annen_leder() -> flow::Actor {
    actor(5, "Annen Leder", &[Role::Manager])
}

fn dag() -> flow::Actor {
    actor(6, "Dag Deputy", &[])
}

fn name_deputy(who: Option<PersonRef>) -> Action {
    Action::SetDeputy { deputy: who }
}

fn close() -> Action {
    Action::Close {
        reason: reason("Stillingen er trukket"),
    }
}

fn reopen(id: &str) -> Action {
    Action::Reopen {
        step: step(id),
        reason: reason("Feil registrert"),
    }
}

/// The last history line of this kind.
fn last(run: &Run, kind: EventKind) -> flow::Event {
    run.history
        .iter()
        .rev()
        .find(|e| e.kind == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind:?} in the history"))
}

#[test]
fn a_second_manager_is_refused_on_the_managers_steps_and_on_closing_and_reopening() {
    let mut run = Run::start();
    run.ok(&leder(), complete("stilling_vakant"));
    let case_level = Refusal::NotCaseManager {
        step: step(""),
        manager: leder().person,
        deputy: None,
    };
    assert_eq!(
        run.refused(&annen_leder(), complete("tidlig_involvering")),
        Refusal::NotCaseManager {
            step: step("tidlig_involvering"),
            manager: leder().person,
            deputy: None,
        }
    );
    assert_eq!(run.refused(&annen_leder(), close()), case_level);
    assert_eq!(
        run.refused(&annen_leder(), reopen("stilling_vakant")),
        case_level
    );
    assert_eq!(
        run.refused(&annen_leder(), name_deputy(Some(annen_leder().person))),
        case_level
    );
    // The refusal names the deputy once there is one.
    run.ok(&leder(), name_deputy(Some(dag().person)));
    assert_eq!(
        run.refused(&annen_leder(), complete("tidlig_involvering")),
        Refusal::NotCaseManager {
            step: step("tidlig_involvering"),
            manager: leder().person,
            deputy: Some(dag().person),
        }
    );
}

#[test]
fn the_deputy_acts_on_the_managers_steps_for_the_manager() {
    let mut run = Run::start();
    run.ok(&leder(), name_deputy(Some(dag().person)));
    let named = last(&run, EventKind::DeputyNamed);
    assert_eq!(named.actor, Some(leder().person));
    assert_eq!(named.detail.as_deref(), Some("Dag Deputy"));
    assert_eq!(run.case.deputy, Some(dag().person));
    assert_eq!(run.case.reminded_manager(), &dag().person);

    run.ok(&dag(), complete("stilling_vakant"));
    let done = last(&run, EventKind::StepCompleted);
    assert_eq!(done.actor, Some(dag().person));
    assert_eq!(done.on_behalf, Some(leder().person), "recorded as for Lise");

    run.ok(&dag(), reopen("stilling_vakant"));
    assert_eq!(
        last(&run, EventKind::StepReopened).on_behalf,
        Some(leder().person)
    );
    // The owner acts in their own right.
    run.ok(&leder(), complete("stilling_vakant"));
    assert_eq!(last(&run, EventKind::StepCompleted).on_behalf, None);

    run.ok(&dag(), close());
    let closed = last(&run, EventKind::CaseClosed);
    assert_eq!(closed.actor, Some(dag().person));
    assert_eq!(closed.on_behalf, Some(leder().person));
}

#[test]
fn hr_acts_on_the_managers_steps_recorded_for_the_manager() {
    let mut run = Run::start();
    run.ok(&hr(), complete("stilling_vakant"));
    let done = last(&run, EventKind::StepCompleted);
    assert_eq!(done.actor, Some(hr().person));
    assert_eq!(done.on_behalf, Some(leder().person));
    // A choice of the manager's, for them.
    run.ok(&leder(), complete("tidlig_involvering"));
    run.ok(&hr(), choose("vurderer_behov", "nyansettelse"));
    assert_eq!(
        last(&run, EventKind::OutcomeChosen).on_behalf,
        Some(leder().person)
    );
    // HR's own steps, closing and going back are HR's own right: nobody's behalf.
    run.ok(&hr(), reopen("vurderer_behov"));
    assert_eq!(last(&run, EventKind::StepReopened).on_behalf, None);
    run.ok(&hr(), close());
    assert_eq!(last(&run, EventKind::CaseClosed).on_behalf, None);
}

#[test]
fn hr_may_agree_for_the_manager_at_the_union_gate_but_not_twice() {
    let mut run = Run::start();
    drive_until(&mut run, "dialog_tillitsvalgt");
    run.ok(&hr(), complete("dialog_tillitsvalgt"));
    let agreed = last(&run, EventKind::StepConfirmed);
    assert_eq!(agreed.detail.as_deref(), Some("manager"));
    assert_eq!(agreed.on_behalf, Some(leder().person));
    // The manager's part is taken; HR holds no other role of the gate.
    assert!(matches!(
        run.refused(&leder(), complete("dialog_tillitsvalgt")),
        Refusal::AlreadyConfirmed {
            role: Role::Manager,
            ..
        }
    ));
    run.ok(&tillitsvalgt(), complete("dialog_tillitsvalgt"));
    let agreed = last(&run, EventKind::StepConfirmed);
    assert_eq!(agreed.on_behalf, None, "the union rep in their own right");
    assert!(run.case.steps[&step("dialog_tillitsvalgt")].is_finished());
}

#[test]
fn only_the_manager_or_hr_names_a_deputy_never_the_manager_themself() {
    let mut run = Run::start();
    assert_eq!(
        run.refused(&leder(), name_deputy(Some(leder().person))),
        Refusal::DeputyIsManager
    );
    assert_eq!(
        run.refused(&leder(), name_deputy(None)),
        Refusal::DeputyUnchanged { deputy: None }
    );
    run.ok(&hr(), name_deputy(Some(dag().person)));
    assert_eq!(
        run.refused(&leder(), name_deputy(Some(dag().person))),
        Refusal::DeputyUnchanged {
            deputy: Some(dag().person)
        }
    );
    // The deputy does not name another, nor remove themself.
    let refusal = run.refused(&dag(), name_deputy(Some(annen_leder().person)));
    assert!(matches!(
        refusal,
        Refusal::NotCaseManager { deputy: None, .. }
    ));
    run.refused(&dag(), name_deputy(None));

    run.ok(&leder(), name_deputy(None));
    let removed = last(&run, EventKind::DeputyRemoved);
    assert_eq!(removed.detail.as_deref(), Some("Dag Deputy"));
    assert_eq!(run.case.deputy, None);
    assert_eq!(run.case.reminded_manager(), &leder().person);
    assert!(matches!(
        run.refused(&dag(), complete("stilling_vakant")),
        Refusal::NotCaseManager { .. }
    ));
}

#[test]
fn who_may_ask_hr_for_help_is_who_may_act_on_the_case() {
    let mut run = Run::start();
    let may = |run: &Run, who: &flow::Actor| may_ask_for_help(process(), &run.case, who);
    assert_eq!(may(&run, &leder()), Ok(()));
    assert_eq!(may(&run, &hr()), Ok(()));
    assert_eq!(may(&run, &annen_leder()), Err(Refusal::NotOnCase));
    assert_eq!(may(&run, &tillitsvalgt()), Err(Refusal::NotOnCase));
    assert_eq!(may(&run, &dag()), Err(Refusal::NotOnCase));
    run.ok(&leder(), name_deputy(Some(dag().person)));
    assert_eq!(may(&run, &dag()), Ok(()));
    // The union rep, once asked on an open step.
    drive_until(&mut run, "dialog_tillitsvalgt");
    assert_eq!(may(&run, &tillitsvalgt()), Ok(()));
    assert_eq!(may(&run, &godkjenner()), Err(Refusal::NotOnCase));
    run.ok(&leder(), close());
    assert!(matches!(
        may(&run, &leder()),
        Err(Refusal::CaseClosed { .. })
    ));
}
