//! HR's statistics from the anonymous timeline: days in a phase (a choice finishes its step
//! as a completion does), overdue steps with the role they waited on, legal deadlines met or
//! missed, outcomes, and the time from vacancy to start.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use flow::stats::{compute, Outcome, Timeline, TimelineStatus};
use flow::{CaseId, EventKind, Mark, Process, ReminderSettings, Role, StepId};

fn at(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap() + Duration::days(day)
}

fn ev(kind: EventKind, step: &str, day: i64) -> (EventKind, Option<StepId>, DateTime<Utc>) {
    (kind, Some(StepId::new(step)), at(day))
}

fn timeline(
    id: i64,
    status: TimelineStatus,
    events: Vec<(EventKind, Option<StepId>, DateTime<Utc>)>,
) -> Timeline {
    Timeline {
        case: CaseId(id),
        unit: "Bydel Frogner".into(),
        status,
        opened_at: at(0),
        ended_at: None,
        original_soknadsfrist: None,
        startdato: None,
        marks: BTreeSet::new(),
        events,
    }
}

#[test]
fn figures_from_the_timeline() {
    let (p, _) = Process::load(&flow::prompts_dir()).expect("process");
    use EventKind::*;
    let mut open = timeline(
        1,
        TimelineStatus::Open,
        vec![
            ev(StepOpened, "stilling_vakant", 0),
            ev(StepCompleted, "stilling_vakant", 0),
            ev(StepOpened, "tidlig_involvering", 0),
            ev(StepCompleted, "tidlig_involvering", 1),
            ev(StepOpened, "vurderer_behov", 1),
            ev(OutcomeChosen, "vurderer_behov", 3),
            ev(StepOpened, "adm_arbeid", 3),
            ev(StepSkipped, "adm_arbeid", 3),
            ev(StepOpened, "endringer_hr_system", 3),
            ev(StepCompleted, "endringer_hr_system", 20),
            ev(StepOpened, "arkiverer_sokerliste", 25),
            ev(StepCompleted, "arkiverer_sokerliste", 31),
        ],
    );
    open.original_soknadsfrist = Some(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
    let mut done = timeline(
        2,
        TimelineStatus::Completed,
        vec![
            ev(StepOpened, "stilling_vakant", 0),
            ev(StepCompleted, "stilling_vakant", 2),
        ],
    );
    done.marks.insert(Mark::new("uten_ny_avtale"));
    done.startdato = Some(NaiveDate::from_ymd_opt(2026, 3, 6).unwrap());
    let st = compute(&p, &ReminderSettings::default(), &[open, done], at(40));

    // Behov: from day 0 to the last finish on day 20; the choice finished its step.
    let behov = st.phases[0].expect("behov counted for the first case");
    assert_eq!((behov.count, behov.median, behov.p90), (2, 11.0, 20.0));
    assert_eq!(st.rows[0].phase_days[0], Some(20));
    // 17 days for a step without a deadline: overdue, waiting on its first role.
    let hr_system = st
        .overdue
        .iter()
        .find(|o| o.step.as_str() == "endringer_hr_system")
        .expect("overdue");
    assert_eq!((hr_system.times, hr_system.role), (1, Role::Manager));
    assert!(st
        .overdue
        .iter()
        .all(|o| o.step.as_str() != "stilling_vakant"));
    // The applicant list was due the day after the original deadline, and came later.
    let list = st
        .legal
        .iter()
        .find(|(b, _, _)| b == "offentleglova § 25")
        .expect("§ 25");
    assert_eq!((list.1, list.2), (0, 1));
    assert_eq!(st.outcomes[&Outcome::Open], 1);
    assert_eq!(st.outcomes[&Outcome::WithoutNewContract], 1);
    let to_start = st.to_start.expect("one start date");
    assert_eq!((to_start.count, to_start.median), (1, 60.0));
}

#[test]
fn overdue_and_legal_deadlines_follow_the_servers_own_limits() {
    let (p, _) = Process::load(&flow::prompts_dir()).expect("process");
    use EventKind::*;
    // A step open for 17 days (13 working days), and a contract signed ten days after the
    // start (the law's default: seven; this server's setting `kontrakt`: fourteen).
    let mut t = timeline(
        1,
        TimelineStatus::Completed,
        vec![
            ev(StepOpened, "endringer_hr_system", 3),
            ev(StepCompleted, "endringer_hr_system", 20),
            ev(StepOpened, "signerer_arbeidsavtale", 21),
            ev(StepCompleted, "signerer_arbeidsavtale", 30),
        ],
    );
    t.startdato = Some(NaiveDate::from_ymd_opt(2026, 1, 25).unwrap());
    let contract = |st: &flow::stats::Statistics| {
        st.legal
            .iter()
            .find(|(b, _, _)| b == "arbeidsmiljøloven § 14-5")
            .map(|(_, met, missed)| (*met, *missed))
            .expect("§ 14-5")
    };
    let hr_system_overdue = |st: &flow::stats::Statistics| {
        st.overdue
            .iter()
            .any(|o| o.step.as_str() == "endringer_hr_system")
    };

    let default = compute(&p, &ReminderSettings::default(), &[t.clone()], at(40));
    assert!(
        hr_system_overdue(&default),
        "over the default 5 working days"
    );
    assert_eq!(
        contract(&default),
        (0, 1),
        "ten days after the start: late by the law's seven"
    );

    let mut own = ReminderSettings {
        stall_days: 15,
        ..ReminderSettings::default()
    };
    own.deadlines.days.insert("kontrakt".into(), 14);
    let by_server = compute(&p, &own, &[t], at(40));
    assert!(
        !hr_system_overdue(&by_server),
        "within this server's 15 working days"
    );
    assert_eq!(
        contract(&by_server),
        (1, 0),
        "within this server's fourteen days"
    );
}
