//! Onboarding journeys: stored once per case with their reminders, ticked once per item, the
//! case's own changes leave the journey's reminders alone, a server's template versions never
//! lose an edit, the decision closes the journey, and the purge counts from it and erases the
//! new hire.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use flow::journey::{Decision, Item, Journey, Owner, Template};
use flow::{Case, CaseId, CaseStatus};
use storage::{Db, ReminderState, StorageError, ERASED};

use crate::common::*;

fn item(id: &str, owner: Owner, day: i32) -> Item {
    Item {
        id: id.into(),
        owner,
        from_start: Some(day),
        before_probation_end: None,
        docs: None,
        system: None,
        decision: false,
        title: None,
    }
}

fn template() -> Template {
    Template {
        probation_months: 6,
        items: vec![
            item("adgangskort", Owner::NewHire, 0),
            item("omvisning", Owner::Buddy, 0),
            Item {
                before_probation_end: Some(14),
                from_start: None,
                decision: true,
                ..item("provetid_avgjort", Owner::Manager, 0)
            },
        ],
    }
}

fn journey_of(case: CaseId, start: NaiveDate) -> Journey {
    Journey {
        case,
        version: 0,
        template: template(),
        start,
        new_hire: person(10, "Nora Ny"),
        buddy: Some(person(11, "Frida Fadder")),
        done: BTreeMap::new(),
        closed: None,
    }
}

/// The case's own planning, with the default settings.
fn plan_case(p: &flow::Process) -> impl Fn(&Case) -> Vec<flow::PlannedReminder> + '_ {
    |case| flow::plan_reminders(p, case, &flow::ReminderSettings::default())
}

fn eight() -> NaiveTime {
    NaiveTime::from_hms_opt(8, 0, 0).unwrap()
}

async fn journey_reminders(db: &Db, case: CaseId) -> Vec<storage::StoredReminder> {
    storage::reminders_for_case(db, GUILD, case)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.key.starts_with('j'))
        .collect()
}

async fn completed_case(db: &Db) -> (Case, DateTime<Utc>) {
    let p = process();
    let case = open_case(db, &p, GUILD).await;
    let mut last = case.clone();
    for _ in 1..LAST_VERSION {
        last = step_case(db, &p, GUILD, case.id).await.unwrap().case;
    }
    let CaseStatus::Completed { at } = last.status else {
        panic!("the script ends the case")
    };
    (last, at)
}

contract! {
async fn a_journey_is_stored_once_and_an_item_ticked_once(db: Db) {
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let start = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let j = journey_of(case.id, start);
    let wanted = j.reminders(eight());
    assert!(
        storage::create_journey(&db, GUILD, &j, &wanted, plan_case(&p), base())
            .await
            .unwrap()
    );
    // A second journey for the case changes nothing.
    let mut other = j.clone();
    other.new_hire = person(12, "Someone Else");
    assert!(
        !storage::create_journey(&db, GUILD, &other, &[], plan_case(&p), base())
            .await
            .unwrap()
    );
    // Another server cannot see or make it.
    assert!(storage::journey(&db, GUILD + 1, case.id)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        storage::create_journey(&db, GUILD + 1, &j, &[], plan_case(&p), base()).await,
        Err(StorageError::NotFound)
    ));
    let row = storage::journey(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.journey, j);
    assert_eq!(row.thread, None);
    assert_eq!(journey_reminders(&db, case.id).await.len(), wanted.len());

    // The case's own change leaves the journey's reminders pending.
    step_case(&db, &p, GUILD, case.id).await.unwrap();
    let pending = journey_reminders(&db, case.id).await;
    assert!(
        pending.iter().all(|r| r.state == ReminderState::Pending),
        "{pending:#?}"
    );

    // A tick: once; its reminder cancelled, the others pending.
    let mut ticked = row.journey.clone();
    let at = base() + Duration::hours(1);
    ticked.done.insert(
        "adgangskort".into(),
        flow::journey::Tick {
            by: person(10, "Nora Ny"),
            at,
        },
    );
    let wanted = ticked.reminders(eight());
    let by = person(10, "Nora Ny");
    assert!(
        storage::tick_journey_item(&db, GUILD, case.id, "adgangskort", &by, at, &wanted)
            .await
            .unwrap()
    );
    assert!(
        !storage::tick_journey_item(&db, GUILD, case.id, "adgangskort", &by, at, &wanted)
            .await
            .unwrap(),
        "a second tick is refused"
    );
    let row = storage::journey(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.journey, ticked);
    for r in journey_reminders(&db, case.id).await {
        let of_card = r.step.as_ref().is_some_and(|s| s.as_str() == "adgangskort");
        let want = if of_card {
            ReminderState::Cancelled
        } else {
            ReminderState::Pending
        };
        assert_eq!(r.state, want, "{r:#?}");
    }

    // The thread is recorded once.
    assert!(storage::set_journey_thread(&db, GUILD, case.id, 555)
        .await
        .unwrap());
    assert!(!storage::set_journey_thread(&db, GUILD, case.id, 556)
        .await
        .unwrap());
    let found = storage::journeys_of_person(&db, GUILD, 11).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].thread, Some(555));
    assert!(storage::journeys_of_person(&db, GUILD, 99)
        .await
        .unwrap()
        .is_empty());
    let of = storage::journeys_of(&db, GUILD, &[case.id, CaseId(999)])
        .await
        .unwrap();
    assert_eq!(of.len(), 1);
}
}

contract! {
async fn a_server_template_version_is_never_lost_and_a_case_keeps_its_own(db: Db) {
    assert_eq!(storage::journey_template(&db, GUILD).await.unwrap(), None);
    let mut t = template();
    t.probation_months = 3;
    assert_eq!(
        storage::save_journey_template(&db, GUILD, 0, &t, base())
            .await
            .unwrap(),
        1
    );
    // An edit made from version 0 while version 1 was stored is refused.
    assert!(matches!(
        storage::save_journey_template(&db, GUILD, 0, &template(), base()).await,
        Err(StorageError::Stale { .. })
    ));
    assert_eq!(
        storage::journey_template(&db, GUILD).await.unwrap(),
        Some((1, t.clone()))
    );
    assert_eq!(
        storage::journey_template(&db, GUILD + 1).await.unwrap(),
        None
    );
}
}

contract! {
async fn the_decision_closes_the_journey_and_the_purge_counts_from_it(db: Db) {
    let (case, ended) = completed_case(&db).await;
    let start = flow::engine::oslo_today(ended);
    let j = journey_of(case.id, start);
    let p = process();
    let notices = |db: &Db| {
        let db = db.clone();
        async move {
            storage::reminders_for_case(&db, GUILD, case.id)
                .await
                .unwrap()
                .into_iter()
                .filter(|r| {
                    r.kind == flow::ReminderKind::PurgeNotice && r.state == ReminderState::Pending
                })
                .map(|r| r.due)
                .collect::<Vec<_>>()
        }
    };
    let from_the_end = flow::oslo_instant(
        flow::reminders::purge_date(ended, 12) - chrono::Days::new(7),
        eight(),
    );
    assert_eq!(
        notices(&db).await,
        vec![from_the_end],
        "HR's notice of the ended case"
    );
    storage::create_journey(&db, GUILD, &j, &j.reminders(eight()), plan_case(&p), ended)
        .await
        .unwrap();
    assert_eq!(
        notices(&db).await,
        Vec::<DateTime<Utc>>::new(),
        "no notice while the journey runs: the purge waits for it"
    );
    // Thirteen months after the case ended, the journey still runs: nothing is purged.
    let later = ended + Duration::days(400);
    let report = storage::purge(&db, later, 12).await.unwrap();
    assert!(report.cases.is_empty(), "{report:?}");

    let closed_at = ended + Duration::days(170);
    let manager = person(1, "Lise Leder");
    assert!(storage::close_journey(
        &db,
        GUILD,
        case.id,
        Decision::Continues,
        &manager,
        plan_case(&p),
        closed_at
    )
    .await
    .unwrap());
    let from_the_close = flow::oslo_instant(
        flow::reminders::purge_date(closed_at, 12) - chrono::Days::new(7),
        eight(),
    );
    assert_eq!(
        notices(&db).await,
        vec![from_the_close],
        "HR's notice counts from the decision, as the purge does"
    );
    assert!(
        !storage::close_journey(
            &db,
            GUILD,
            case.id,
            Decision::Continues,
            &manager,
            plan_case(&p),
            closed_at
        )
        .await
        .unwrap(),
        "decided once"
    );
    let pending = journey_reminders(&db, case.id)
        .await
        .into_iter()
        .filter(|r| r.state == ReminderState::Pending)
        .count();
    assert_eq!(pending, 0, "a closed journey reminds of nothing");
    let row = storage::journey(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    let closing = row.journey.closed.clone().unwrap();
    assert_eq!(closing.decision, Decision::Continues);
    assert_eq!(closing.at, closed_at);
    assert!(storage::journeys_owing(&db, closed_at, 10)
        .await
        .unwrap()
        .iter()
        .any(|r| r.journey.case == case.id));

    // Twelve months after the case ended but not after the journey closed: kept.
    let report = storage::purge(&db, ended + Duration::days(380), 12)
        .await
        .unwrap();
    assert!(report.cases.is_empty(), "{report:?}");
    // Twelve months after the decision: purged, the new hire and the buddy erased.
    let report = storage::purge(&db, closed_at + Duration::days(370), 12)
        .await
        .unwrap();
    assert_eq!(report.cases, vec![case.id]);
    let row = storage::journey(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            row.journey.new_hire.id.0,
            row.journey.new_hire.name.as_str()
        ),
        (0, ERASED)
    );
    let buddy = row.journey.buddy.unwrap();
    assert_eq!((buddy.id.0, buddy.name.as_str()), (0, ERASED));
    assert_eq!(row.journey.closed.unwrap().by.name, ERASED);
}
}

contract! {
async fn a_changed_reminder_time_moves_the_open_journeys_pending_reminders_on_their_day(db: Db) {
    let p = process();
    let start = NaiveDate::from_ymd_opt(2027, 3, 23).unwrap();
    let mut cases = Vec::new();
    for _ in 0..2 {
        let case = open_case(&db, &p, GUILD).await;
        let j = journey_of(case.id, start);
        storage::create_journey(&db, GUILD, &j, &j.reminders(eight()), plan_case(&p), base())
            .await
            .unwrap();
        cases.push(case.id);
    }
    let quarter_past_ten = NaiveTime::from_hms_opt(10, 15, 0).unwrap();
    // A batch at a time, by case: the first, then the second, then none left.
    let plan = |j: &Journey| j.reminders(quarter_past_ten);
    let first = storage::replan_journeys(&db, GUILD, None, 1, plan)
        .await
        .unwrap();
    assert_eq!(first, Some(cases[0]));
    let second = storage::replan_journeys(&db, GUILD, first, 1, plan)
        .await
        .unwrap();
    assert_eq!(second, Some(cases[1]));
    assert_eq!(
        storage::replan_journeys(&db, GUILD, second, 1, plan)
            .await
            .unwrap(),
        None
    );
    for case in &cases {
        let reminders = journey_reminders(&db, *case).await;
        assert!(!reminders.is_empty());
        for r in reminders {
            assert_eq!(r.state, ReminderState::Pending, "{r:?}");
            let day = flow::engine::oslo_today(r.due);
            assert_eq!(
                r.due,
                flow::oslo_instant(day, quarter_past_ten),
                "same day, new time: {r:?}"
            );
        }
    }
    // Another server's journeys are not its to plan.
    assert_eq!(
        storage::replan_journeys(&db, GUILD + 1, None, 10, plan)
            .await
            .unwrap(),
        None
    );
}
}

contract! {
/// A journey written in an import (as the benchmark seeds them), with its thread and checklist
/// message, is stored at the import's commit with its reminders, and none of it if the import
/// is dropped; inside the import too a second journey of the case changes nothing, and a
/// journey of a case of another server is refused without spoiling the rest.
async fn an_imported_journey_is_stored_at_the_commit_and_not_if_dropped(db: Db) {
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let j = journey_of(case.id, NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
    let wanted = j.reminders(eight());
    assert!(!wanted.is_empty());

    let mut import = db.import().await.unwrap();
    assert!(import
        .create_journey(GUILD, &j, &wanted, plan_case(&p), base())
        .await
        .unwrap());
    assert!(import.set_journey_thread(GUILD, case.id, 700).await.unwrap());
    drop(import);
    assert_eq!(storage::journey(&db, GUILD, case.id).await.unwrap(), None);
    assert!(journey_reminders(&db, case.id).await.is_empty());

    let mut import = db.import().await.unwrap();
    assert!(import
        .create_journey(GUILD, &j, &wanted, plan_case(&p), base())
        .await
        .unwrap());
    assert!(
        !import
            .create_journey(GUILD, &j, &[], plan_case(&p), base())
            .await
            .unwrap(),
        "a second journey of the case, in the same import"
    );
    assert!(matches!(
        import
            .create_journey(OTHER_GUILD, &j, &[], plan_case(&p), base())
            .await,
        Err(StorageError::NotFound)
    ));
    assert!(import.set_journey_thread(GUILD, case.id, 700).await.unwrap());
    assert!(!import.set_journey_thread(GUILD, case.id, 701).await.unwrap());
    import.set_journey_message(GUILD, case.id, 800).await.unwrap();
    import.commit().await.unwrap();

    let row = storage::journey(&db, GUILD, case.id)
        .await
        .unwrap()
        .expect("stored at the commit");
    assert_eq!(row.journey, j);
    assert_eq!((row.thread, row.message), (Some(700), Some(800)));
    let stored = journey_reminders(&db, case.id).await;
    assert_eq!(stored.len(), wanted.len());
    assert!(stored.iter().all(|r| r.state == ReminderState::Pending));
}
}

/// Two processes on one PostgreSQL database (two `Db`s, each with its own pool) press at once:
/// both tick the same item, both decide the probation. Each run: the decision is recorded
/// once, the item ticked at most once, and no tick lands after the decision (a tick racing
/// it either went first or is refused), so the closed journey has no pending reminder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn two_processes_ticking_and_deciding_at_once_apply_each_once() {
    use std::sync::Arc;
    use tokio::sync::Barrier;

    let url = pg_url().await;
    let processes = [
        Db::open_postgres(&url).await.unwrap(),
        Db::open_postgres(&url).await.unwrap(),
    ];
    let p = Arc::new(process());
    let start = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    for run in 0..30_usize {
        let db = &processes[run % 2];
        let case = open_case(db, &p, GUILD).await;
        let j = journey_of(case.id, start);
        assert!(storage::create_journey(
            db,
            GUILD,
            &j,
            &j.reminders(eight()),
            plan_case(&p),
            base()
        )
        .await
        .unwrap());
        let at = base() + Duration::hours(1);
        let by = person(10, "Nora Ny");
        let mut ticked = j.clone();
        ticked.done.insert(
            "adgangskort".into(),
            flow::journey::Tick { by: by.clone(), at },
        );
        let after_tick = ticked.reminders(eight());
        let barrier = Arc::new(Barrier::new(4));
        let mut ticks = Vec::new();
        let mut closes = Vec::new();
        for db in &processes {
            let (db, barrier, by, after_tick) =
                (db.clone(), barrier.clone(), by.clone(), after_tick.clone());
            ticks.push(tokio::spawn(async move {
                barrier.wait().await;
                storage::tick_journey_item(&db, GUILD, case.id, "adgangskort", &by, at, &after_tick)
                    .await
                    .unwrap()
            }));
        }
        for db in &processes {
            let (db, barrier, p) = (db.clone(), barrier.clone(), p.clone());
            closes.push(tokio::spawn(async move {
                barrier.wait().await;
                storage::close_journey(
                    &db,
                    GUILD,
                    case.id,
                    Decision::Continues,
                    &person(1, "Lise Leder"),
                    |c| wanted(&p, c),
                    at,
                )
                .await
                .unwrap()
            }));
        }
        let mut ticked_n = 0;
        for t in ticks {
            ticked_n += usize::from(t.await.unwrap());
        }
        let mut closed_n = 0;
        for c in closes {
            closed_n += usize::from(c.await.unwrap());
        }
        assert_eq!(closed_n, 1, "run {run}: decided once");
        assert!(ticked_n <= 1, "run {run}: ticked at most once");
        let row = storage::journey(db, GUILD, case.id).await.unwrap().unwrap();
        assert!(row.journey.closed.is_some(), "run {run}");
        assert_eq!(
            row.journey.done.contains_key("adgangskort"),
            ticked_n == 1,
            "run {run}: the tick stored is the one answered"
        );
        let pending: Vec<_> = journey_reminders(db, case.id)
            .await
            .into_iter()
            .filter(|r| r.state == ReminderState::Pending)
            .collect();
        assert!(pending.is_empty(), "run {run}: {pending:#?}");
    }
    for db in &processes {
        db.close().await;
    }
}
