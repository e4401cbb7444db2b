//! Two people press the same button at the same moment: exactly one wins, every time, whether
//! the changes race as transactions of their own or meet in one group commit.

use std::sync::Arc;

use flow::{Action, EventKind, StepId};
use storage::StorageError;
use tokio::sync::Barrier;

use crate::common::*;

const RUNS: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tasks_completing_the_same_step_one_wins_one_is_told_who() {
    let (_dir, db) = temp_db().await;
    let p = Arc::new(process());
    let hr_a = actor(person(5_001, "Hanne A"), &[flow::Role::Hr]);
    let hr_b = actor(person(5_002, "Henrik B"), &[flow::Role::Hr]);
    let bistand = StepId::new("bistand");
    for run in 0..RUNS {
        let case = open_case(&db, &p, GUILD).await;
        // Up to the open if-needed step `bistand` (version 5).
        for _ in 0..4 {
            step_case(&db, &p, GUILD, case.id).await.unwrap();
        }
        // Both load the case, both apply, then both save at once.
        let barrier = Arc::new(Barrier::new(2));
        let tasks = [hr_a.clone(), hr_b.clone()].map(|who| {
            let (db, p, barrier, step) = (db.clone(), p.clone(), barrier.clone(), bistand.clone());
            tokio::spawn(async move {
                let read = storage::load_case(&db, GUILD, case.id)
                    .await
                    .unwrap()
                    .unwrap();
                let applied = flow::apply(
                    &p,
                    &read,
                    &who,
                    &Action::Complete { step },
                    at(read.version),
                )
                .expect("the step is open for both");
                barrier.wait().await;
                let wanted = wanted(&p, &applied.case);
                // Even runs race two pool transactions; odd runs go through the group commit,
                // where both changes often land in one batch (one savepoint each).
                let saved = if run % 2 == 0 {
                    storage::save_applied(&db, GUILD, read.version, &applied, &wanted).await
                } else {
                    db.save_applied(GUILD, read.version, applied, wanted)
                        .await
                        .map(|_| ())
                };
                (who.person, saved)
            })
        });
        let mut winners = Vec::new();
        let mut told = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (who, Ok(())) => winners.push(who),
                (_, Err(StorageError::Stale { by, .. })) => told.push(by),
                (_, Err(other)) => panic!("run {run}: unexpected error {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "run {run}: exactly one wins");
        assert_eq!(
            told,
            vec![Some(winners[0].clone())],
            "run {run}: the loser learns who was first"
        );

        let history = storage::history(&db, GUILD, case.id, 1000, 0)
            .await
            .unwrap();
        let completions: Vec<_> = history
            .iter()
            .filter(|h| {
                h.event.kind == EventKind::StepCompleted && h.event.step.as_ref() == Some(&bistand)
            })
            .collect();
        assert_eq!(
            completions.len(),
            1,
            "run {run}: the step was completed once"
        );
        assert_eq!(completions[0].event.actor.as_ref(), Some(&winners[0]));
        let loaded = storage::load_case(&db, GUILD, case.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(loaded.version, 6);
        assert!(history
            .iter()
            .enumerate()
            .all(|(i, h)| h.seq == i as i64 + 1));
    }
}
