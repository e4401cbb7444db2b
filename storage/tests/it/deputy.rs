//! A case's deputy, and for whom a history line's actor acted: stored with the change, read
//! back as the engine made them, and erased with the rest of the case's personal data.

use chrono::Duration;
use flow::{Action, CaseStatus, EventKind, OutcomeId, Reason, StepId};
use storage::{Db, ERASED};

use crate::common::*;

contract! {
/// A deputy named for a case is stored and read back; a choice the deputy makes for the
/// manager is stored with whom it was for, in the group commit too.
async fn the_deputy_and_whom_an_action_was_for_are_stored(db: Db) {
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    name_a_deputy_who_chooses(&db, &p, &case).await;
}
}

/// The owner names Dag as deputy (its own transaction), who then makes the manager's choice
/// for them (through the group commit); both read back as the engine made them.
async fn name_a_deputy_who_chooses(db: &Db, p: &flow::Process, case: &flow::Case) {
    let dag = person(5_005, "Dag Stedfortreder");

    // The owner names a deputy (its own transaction) ...
    let named = flow::apply(
        p,
        case,
        &manager(),
        &Action::SetDeputy {
            deputy: Some(dag.clone()),
        },
        at(1),
    )
    .unwrap();
    storage::save_applied(db, GUILD, case.version, &named, &wanted(p, &named.case))
        .await
        .unwrap();
    let loaded = storage::load_case(db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded, named.case, "the deputy is read back");
    assert_eq!(loaded.deputy, Some(dag.clone()));

    // ... who makes the manager's choice for them (through the group commit).
    let chose = flow::apply(
        p,
        &loaded,
        &actor(dag.clone(), &[]),
        &Action::Choose {
            step: StepId::new("behov"),
            outcome: OutcomeId::new("ny"),
        },
        at(2),
    )
    .unwrap();
    db.save_applied(GUILD, loaded.version, chose.clone(), wanted(p, &chose.case))
        .await
        .unwrap();
    let history = storage::history(db, GUILD, case.id, 100, 0).await.unwrap();
    let stored: Vec<_> = history.iter().map(|h| h.event.clone()).collect();
    let made: Vec<_> = named.events.iter().chain(&chose.events).cloned().collect();
    assert_eq!(&stored[stored.len() - made.len()..], &made[..]);
    let choice = history
        .iter()
        .find(|h| h.event.kind == EventKind::OutcomeChosen)
        .unwrap();
    assert_eq!(choice.event.actor, Some(dag.clone()));
    assert_eq!(choice.event.on_behalf, Some(owner()));
}

contract! {
async fn the_deputy_and_whom_an_action_was_for_are_stored_and_purged(db: Db) {
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    name_a_deputy_who_chooses(&db, &p, &case).await;
    // Closed by HR; a year and more later, purged: no deputy, nobody acted for anyone known.
    let now = storage::load_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    let closed = flow::apply(
        &p,
        &now,
        &hr(),
        &Action::Close {
            reason: Reason::parse("Trukket").unwrap(),
        },
        at(3),
    )
    .unwrap();
    storage::save_applied(&db, GUILD, now.version, &closed, &[])
        .await
        .unwrap();
    let CaseStatus::Closed { at: ended, .. } = closed.case.status else {
        panic!("closed")
    };
    let report = storage::purge(&db, ended + Duration::days(400), 12)
        .await
        .unwrap();
    assert_eq!(report.cases, vec![case.id]);
    let purged = storage::load_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(purged.deputy, None);
    let history = storage::history(&db, GUILD, case.id, 100, 0).await.unwrap();
    let choice = history
        .iter()
        .find(|h| h.event.kind == EventKind::OutcomeChosen)
        .unwrap();
    let erased = choice.event.on_behalf.as_ref().unwrap();
    assert_eq!((erased.id.0, erased.name.as_str()), (0, ERASED));
    assert!(history
        .iter()
        .all(|h| h.event.on_behalf.is_none() == (h.event.kind != EventKind::OutcomeChosen)));

    // Gone from the database itself: the file's bytes on SQLite, every row on PostgreSQL.
    assert_eq!(
        names_left(db, &["Dag Stedfortreder"]).await,
        Vec::<String>::new()
    );
}
}
