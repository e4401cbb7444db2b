//! Two people press the same button at the same moment: exactly one wins, every time, whether
//! the changes race as transactions of their own or meet in one group commit.

use std::sync::Arc;

use flow::{Action, EventKind, StepId};
use storage::StorageError;
use tokio::sync::Barrier;

use crate::common::*;

const RUNS: usize = 200;

contract! {
multi_thread;
/// Of two people saving a change over the same case version at once, exactly one wins and
/// the other is Stale, told who was first; the step is completed once, the history has no
/// gap. On PostgreSQL the two are transactions on two connections (or two changes of one
/// group commit), as two processes' would be.
async fn two_tasks_completing_the_same_step_one_wins_one_is_told_who(db: Db) {
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
}

contract! {
multi_thread;
/// The group commit on either backend: changes handed over at once are each stored and
/// answered with their own result (a stale one among them refused alone, every other one
/// stored), and `write_stats` counts every change it ran and no more commits than changes.
async fn the_group_commit_answers_each_change_and_counts_truthfully(db: Db) {
    let p = Arc::new(process());
    let mut cases = Vec::new();
    for _ in 0..20 {
        cases.push(open_case(&db, &p, GUILD).await);
    }
    let before = db.write_stats();
    let (who, action) = script(1).unwrap();
    let mut changes: Vec<_> = cases
        .iter()
        .map(|c| flow::apply(&p, c, &who, &action, at(1)).unwrap())
        .collect();
    // The first case's change twice, as two presses read at the same version.
    changes.push(changes[0].clone());
    let tasks: Vec<_> = changes
        .into_iter()
        .map(|applied| {
            let (db, p) = (db.clone(), p.clone());
            tokio::spawn(async move {
                let wanted = wanted(&p, &applied.case);
                let id = applied.case.id;
                (id, db.save_applied(GUILD, 1, applied, wanted).await)
            })
        })
        .collect();
    let mut stored = Vec::new();
    let mut stale = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (id, Ok(applied)) => {
                assert_eq!(applied.case.id, id, "each caller gets its own change back");
                stored.push(id);
            }
            (id, Err(StorageError::Stale { by, .. })) => {
                assert_eq!(by, Some(who.person.clone()));
                stale.push(id);
            }
            (_, Err(other)) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(stale, vec![cases[0].id], "only the second press of case 1 is refused");
    stored.sort();
    let mut all: Vec<_> = cases.iter().map(|c| c.id).collect();
    all.sort();
    assert_eq!(stored, all, "every other change is stored");
    for case in &cases {
        let loaded = storage::load_case(&db, GUILD, case.id).await.unwrap().unwrap();
        assert_eq!(loaded.version, 2);
        let lines = storage::events_of_version(&db, GUILD, case.id, 2).await.unwrap();
        assert!(!lines.is_empty());
        let again = storage::history(&db, GUILD, case.id, 1000, 0).await.unwrap();
        assert!(again.iter().enumerate().all(|(i, h)| h.seq == i as i64 + 1));
        assert_eq!(again.iter().filter(|h| h.version == 2).count(), lines.len());
    }
    let after = db.write_stats();
    assert_eq!(after.changes - before.changes, 21, "every change run is counted");
    let commits = after.commits - before.commits;
    assert!((1..=21).contains(&commits), "{commits} commits for 21 changes");
}
}

/// Two processes on one PostgreSQL database (two `Db`s: each its own pool and its own group
/// commit writer) save a change over the same case version at once: exactly one wins, the
/// other is Stale and told who was first, the step is completed once. The guarantee that lets
/// several bot processes share a database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn two_processes_saving_over_the_same_version_one_wins_one_is_stale() {
    let url = pg_url().await;
    let processes = [
        storage::Db::open_postgres(&url).await.unwrap(),
        storage::Db::open_postgres(&url).await.unwrap(),
    ];
    let p = Arc::new(process());
    let people = [
        actor(person(5_001, "Hanne A"), &[flow::Role::Hr]),
        actor(person(5_002, "Henrik B"), &[flow::Role::Hr]),
    ];
    let bistand = StepId::new("bistand");
    for run in 0..50 {
        let case = open_case(&processes[run % 2], &p, GUILD).await;
        for _ in 0..4 {
            step_case(&processes[run % 2], &p, GUILD, case.id)
                .await
                .unwrap();
        }
        let barrier = Arc::new(Barrier::new(2));
        let tasks: Vec<_> = processes
            .iter()
            .zip(people.clone())
            .map(|(db, who)| {
                let (db, p, barrier, step) =
                    (db.clone(), p.clone(), barrier.clone(), bistand.clone());
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
                    let wanted = wanted(&p, &applied.case);
                    barrier.wait().await;
                    let saved = if run % 3 == 0 {
                        storage::save_applied(&db, GUILD, read.version, &applied, &wanted).await
                    } else {
                        db.save_applied(GUILD, read.version, applied, wanted)
                            .await
                            .map(|_| ())
                    };
                    (who.person, saved)
                })
            })
            .collect();
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
        assert_eq!(told, vec![Some(winners[0].clone())], "run {run}");
        for db in &processes {
            let history = storage::history(db, GUILD, case.id, 1000, 0).await.unwrap();
            let completions = history
                .iter()
                .filter(|h| {
                    h.event.kind == EventKind::StepCompleted
                        && h.event.step.as_ref() == Some(&bistand)
                })
                .count();
            assert_eq!(completions, 1, "run {run}: the step was completed once");
            let loaded = storage::load_case(db, GUILD, case.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                loaded.version, 6,
                "run {run}: both processes read the winner"
            );
        }
    }
    for db in &processes {
        db.close().await;
    }
}
