//! The shipped process (`prompts/process.toml` with its texts) through storage: every change a
//! simple walker can make round-trips exactly, with its history and reminders.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use flow::{
    Action, Actor, CandidateName, DateKey, Dato, Process, ReminderSettings, Role, StepKind,
};

use crate::common::*;

/// The first action the engine accepts on any open step, by the owner holding every role or,
/// for the second confirmation of a gate, another person holding every role.
fn next_change(
    p: &Process,
    case: &flow::Case,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<flow::Applied> {
    let all_roles = Role::ALL.into_iter().collect::<BTreeSet<_>>();
    let people = [
        Actor {
            person: owner(),
            roles: all_roles.clone(),
        },
        Actor {
            person: union_rep().person,
            roles: all_roles,
        },
    ];
    let date = |y, m, d| Dato::from_naive(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    for step in p.ordered(case.open_steps()) {
        let def = p.step(step)?;
        let mut tries = vec![
            Action::Complete { step: step.clone() },
            Action::Approve { step: step.clone() },
            Action::RecordAccept { step: step.clone() },
        ];
        if def.kind == StepKind::Date {
            let (key, day) = match def.date? {
                DateKey::Soknadsfrist => (DateKey::Soknadsfrist, date(2026, 2, 2)),
                DateKey::Startdato => (DateKey::Startdato, date(2026, 3, 2)),
            };
            tries.insert(0, Action::SetDate { key, date: day });
        }
        if def.names_candidates && case.next_waiting_candidate().is_none() {
            tries.insert(
                0,
                Action::SetCandidates {
                    step: step.clone(),
                    names: vec![CandidateName::parse("Kari Nordmann").unwrap()],
                },
            );
        }
        tries.extend(def.outcomes.iter().map(|o| Action::Choose {
            step: step.clone(),
            outcome: o.id.clone(),
        }));
        for action in tries {
            for who in &people {
                if let Ok(applied) = flow::apply(p, case, who, &action, now) {
                    return Some(applied);
                }
            }
        }
    }
    None
}

contract! {
/// The shipped process, walked change by change to its end: each change read back as saved,
/// its reminders exactly the wanted set, its history without a gap.
async fn the_shipped_process_round_trips_change_by_change(db: Db) {
    let (p, _texts) = Process::load(&flow::prompts_dir()).expect("the shipped process loads");
    let settings = ReminderSettings::default();
    let mut case = storage::create_case(
        &db,
        GUILD,
        |id| flow::start(&p, id, draft(), owner(), base()),
        |c| flow::plan_reminders(&p, c, &settings),
    )
    .await
    .unwrap();
    let mut changes = 0;
    let mut now = base();
    while changes < 200 && case.status.is_open() {
        now += Duration::minutes(30);
        // A step that waits for a date (the start date) is done once the day has come.
        let Some(applied) = next_change(&p, &case, now).or_else(|| {
            (0..6).find_map(|_| {
                now += Duration::days(20);
                next_change(&p, &case, now)
            })
        }) else {
            break;
        };
        let wanted = flow::plan_reminders(&p, &applied.case, &settings);
        storage::save_applied(&db, GUILD, case.version, &applied, &wanted)
            .await
            .unwrap();
        let loaded = storage::load_case(&db, GUILD, case.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(loaded, applied.case, "after change {changes}");
        let mut pending: Vec<String> = storage::reminders_for_case(&db, GUILD, case.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.state == storage::ReminderState::Pending)
            .map(|r| r.key)
            .collect();
        let mut want: Vec<String> = wanted.into_iter().map(|r| r.key).collect();
        pending.sort();
        want.sort();
        assert_eq!(pending, want);
        case = loaded;
        changes += 1;
    }
    assert!(
        matches!(case.status, flow::CaseStatus::Completed { .. }),
        "the walker reached the end of the chart: {changes} changes, open {:?}",
        case.open_steps().collect::<Vec<_>>()
    );
    assert!(
        changes >= 30,
        "a real walk through the chart: {changes} changes"
    );
    let history = storage::history(&db, GUILD, case.id, 10_000, 0)
        .await
        .unwrap();
    assert_eq!(history.last().unwrap().version, case.version);
    assert!(history
        .iter()
        .enumerate()
        .all(|(i, h)| h.seq == i as i64 + 1));
}
}
