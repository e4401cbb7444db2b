//! Random sequences of actions by random people: the engine never panics, never strands a
//! case, never lets someone do a step their roles don't allow (a manager role on the server
//! gives no part in another's case; HR acting in the manager's part is recorded as for the
//! manager), and a case can always be finished from wherever it got to.

mod common;

use std::collections::BTreeSet;

use chrono::Duration;
use common::*;
use flow::{Action, CandidateName, DateKey, Dato, EventKind, OutcomeId, Role, StepId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Move {
    person: u64,
    roles: BTreeSet<Role>,
    step: usize,
    kind: u8,
    outcome: usize,
    days: i64,
    hours: i64,
    names: usize,
}

fn a_move() -> impl Strategy<Value = Move> {
    (
        prop_oneof![Just(1u64), 10u64..=12],
        proptest::sample::subsequence(CHAT_ROLES.to_vec(), 0..=2),
        0usize..40,
        0u8..100,
        0usize..3,
        -5i64..90,
        0i64..72,
        0usize..4,
    )
        .prop_map(
            |(person, roles, step, kind, outcome, days, hours, names)| Move {
                person,
                roles: roles.into_iter().collect(),
                step,
                kind,
                outcome,
                days,
                hours,
                names,
            },
        )
}

fn step_at(i: usize) -> StepId {
    process()
        .steps()
        .get(i)
        .map(|s| s.id.clone())
        .unwrap_or_else(|| StepId::new("finnes_ikke"))
}

fn to_action(m: &Move, run: &Run) -> Action {
    // Three times in four an open step, else any step of the chart (or one that isn't).
    let open = process().ordered(run.case.open_steps());
    let step = if m.step < 30 && !open.is_empty() {
        open[m.step % open.len()].clone()
    } else {
        step_at(m.step.saturating_sub(30) * 4)
    };
    let outcome = process()
        .step(&step)
        .and_then(|s| s.outcomes.get(m.outcome))
        .map(|o| o.id.clone())
        .unwrap_or_else(|| OutcomeId::new("ukjent"));
    let date = Dato::from_naive(flow::engine::oslo_today(run.now) + Duration::days(m.days));
    match m.kind {
        // Half the time what the case needs next, but by whoever this move's person is.
        0..=49 => match next_move(run) {
            Some((_, action, _)) => action,
            None => Action::Complete { step },
        },
        // Otherwise anything at all, mostly on open steps.
        50..=59 => Action::Complete { step },
        60..=64 => Action::Choose { step, outcome },
        65..=67 => Action::Skip {
            step,
            reason: reason("fordi"),
        },
        68..=69 => Action::Approve { step },
        70..=72 => Action::Reject {
            step,
            reason: reason("nei"),
        },
        73..=76 => Action::RecordDecline { step },
        77..=78 => Action::RecordAccept { step },
        79..=81 => Action::SetDate {
            key: if m.outcome == 0 {
                DateKey::Soknadsfrist
            } else {
                DateKey::Startdato
            },
            date,
        },
        82..=89 => Action::SetCandidates {
            step,
            names: (0..m.names)
                .map(|i| CandidateName::parse(&format!("Kandidat {i}")).unwrap())
                .collect(),
        },
        90..=97 => Action::Reopen {
            step,
            reason: reason("på nytt"),
        },
        _ => Action::Close {
            reason: reason("avsluttet"),
        },
    }
}

/// Events by which a person does a step: they must hold one of its roles on the case.
const ACTS: [EventKind; 6] = [
    EventKind::StepCompleted,
    EventKind::StepSkipped,
    EventKind::StepConfirmed,
    EventKind::OutcomeChosen,
    EventKind::Approved,
    EventKind::Rejected,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn random_actions_keep_every_case_sound(
        warmup in 0usize..70,
        moves in proptest::collection::vec(a_move(), 1..60),
    ) {
        // Start anywhere along the way: a willing team first makes `warmup` moves.
        let mut run = Run::start();
        for _ in 0..warmup {
            let Some((who, action, now)) = next_move(&run) else { break };
            run.now = now;
            run.ok(&who, action);
        }
        let mut applied_count = 0;
        for m in &moves {
            run.now += Duration::hours(m.hours);
            let who = actor(m.person, &format!("Person {}", m.person), &m.roles.iter().copied().collect::<Vec<_>>());
            let action = to_action(m, &run);
            let before = run.case.clone();
            let Ok(applied) = flow::apply(process(), &before, &who, &action, run.now) else {
                continue;
            };
            let held = before.roles_of(&who);
            for e in applied.events.iter().filter(|e| ACTS.contains(&e.kind)) {
                let step = process().step(e.step.as_ref().unwrap()).unwrap();
                // In their own right, or in the manager's part for the case's owner: HR (or a
                // deputy), recorded as such. A manager role on the server is never enough.
                let own = step.roles.iter().any(|r| held.contains(r));
                let for_owner = step.roles.contains(&Role::Manager)
                    && held.contains(&Role::Hr)
                    && e.on_behalf.as_ref() == Some(&before.owner);
                prop_assert!(
                    own || for_owner,
                    "{:?} did {} on {} holding only {:?}", who.person.name, e.kind.as_str(), step.id, held
                );
            }
            for e in &applied.events {
                prop_assert!(
                    e.on_behalf.is_none() || (e.actor.is_some() && !before.is_owner(who.person.id)),
                    "only someone else acts for the owner: {:?}", e
                );
            }
            prop_assert_eq!(applied.case.version, before.version + 1);
            applied_count += 1;
            run.case = applied.case;
            run.history.extend(applied.events);
            if run.case.status.is_open() {
                prop_assert!(run.case.open_steps().next().is_some(), "an open case with no open step");
            } else {
                prop_assert!(run.case.open_steps().next().is_none(), "a finished case with open steps");
            }
            // From here, a willing team can still finish the case.
            let mut rest = Run { case: run.case.clone(), history: Vec::new(), now: run.now };
            let finished = drive_to_end(&mut rest, 400);
            prop_assert!(finished.is_ok(), "stuck after {:?}: {}", action, finished.unwrap_err());
        }
        if std::env::var_os("LOS_PROPTEST_STATS").is_some() {
            eprintln!("applied {applied_count} of {}", moves.len());
        }
    }
}

#[test]
fn a_fresh_case_can_be_driven_to_its_end() {
    let mut run = Run::start();
    let moves = drive_to_end(&mut run, 400).unwrap();
    assert!(
        moves > 38,
        "the full path takes more moves than steps: {moves}"
    );
    assert_eq!(run.count(EventKind::CaseCompleted), 1);
}
