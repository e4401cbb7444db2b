//! A whole case from vacancy to welcome, every step done by someone whose role allows it.

use std::collections::BTreeSet;

use flow::{CaseStatus, EventKind, Role};
use los_e2e::*;

on_both! {
async fn a_whole_case_from_vacancy_to_welcome(on: Backend) {
    let kit = Kit::build().on(on).start().await;
    let mut transcript = Vec::new();
    let thread = kit.play_whole_case(&mut transcript).await;
    let case = kit.case(thread).await;
    assert!(
        matches!(case.status, CaseStatus::Completed { .. }),
        "{:?}",
        case.status
    );
    let process = kit.process();
    assert_eq!(
        case.steps.len(),
        process.steps().len(),
        "every step of the chart was reached"
    );

    // Who may do what: the owner is the manager; the others by their server roles.
    let roles_of = |id: u64| -> BTreeSet<Role> {
        match id {
            LEDER => [Role::Manager].into(),
            HR => [Role::Hr].into(),
            TILLITSVALGT => [Role::UnionRep].into(),
            GODKJENNER => [Role::Approver].into(),
            _ => BTreeSet::new(),
        }
    };
    let history = kit.history(case.id).await;
    let mut acted = 0;
    for entry in &history {
        let e = &entry.event;
        let acts = matches!(
            e.kind,
            EventKind::StepCompleted
                | EventKind::StepSkipped
                | EventKind::StepConfirmed
                | EventKind::OutcomeChosen
                | EventKind::Approved
        );
        if !acts {
            continue;
        }
        let step = process.step(e.step.as_ref().unwrap()).unwrap();
        let who = e.actor.as_ref().unwrap().id.0;
        assert!(
            step.roles.iter().any(|r| roles_of(who).contains(r)),
            "{} was done by {who}, who holds none of {:?}",
            step.id,
            step.roles
        );
        acted += 1;
    }
    assert!(acted >= 38, "only {acted} actions recorded");
    let text = String::from_utf8_lossy(&transcript);
    assert!(text.contains("38 av 38 steg"), "{text}");
    assert!(
        kit.card_buttons(thread).is_empty(),
        "a finished case has no buttons"
    );
    kit.stop().await;
}
}
