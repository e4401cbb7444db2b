//! Deadlines and reminders computed in Europe/Oslo, returned in UTC, across the DST changes
//! of 2027 (summer time from 28 March, winter time from 31 October).

mod common;

use chrono::{DateTime, Utc};
use common::*;
use flow::process::DeadlineKind;
use flow::{DateKey, DeadlineSettings, ReminderKind, ReminderSettings, Target};

fn deadline_of(run: &Run, id: &str) -> flow::Deadline {
    flow::deadlines(process(), &run.case, &DeadlineSettings::default())
        .into_iter()
        .find(|d| d.step.as_str() == id)
        .unwrap_or_else(|| panic!("no deadline for {id}"))
}

/// A case with the application deadline and start date set.
fn with_dates(frist: chrono::NaiveDate, start: chrono::NaiveDate) -> Run {
    let mut run = Run::start_at(utc(2026, 12, 1, 9, 0));
    drive_until(&mut run, "utlyser_stilling");
    run.ok(&leder(), set_date(DateKey::Soknadsfrist, frist));
    drive_until(&mut run, "kandidat_til_hr");
    run.ok(&leder(), set_date(DateKey::Startdato, start));
    run
}

#[test]
fn the_oslo_morning_is_a_different_utc_hour_in_winter_and_summer() {
    let eight = chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    // Saturday 27 March 2027 is still winter time (UTC+1); Sunday 28 March is summer (UTC+2).
    assert_eq!(
        flow::oslo_instant(date(2027, 3, 27), eight),
        utc(2027, 3, 27, 7, 0)
    );
    assert_eq!(
        flow::oslo_instant(date(2027, 3, 28), eight),
        utc(2027, 3, 28, 6, 0)
    );
    // Saturday 30 October 2027 is summer time; Sunday 31 October is winter again.
    assert_eq!(
        flow::oslo_instant(date(2027, 10, 30), eight),
        utc(2027, 10, 30, 6, 0)
    );
    assert_eq!(
        flow::oslo_instant(date(2027, 10, 31), eight),
        utc(2027, 10, 31, 7, 0)
    );
    // 02:30 does not exist on 28 March: it becomes 03:00 summer time. On 31 October it exists
    // twice: the first (summer time) is taken.
    let half_two = chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap();
    assert_eq!(
        flow::oslo_instant(date(2027, 3, 28), half_two),
        utc(2027, 3, 28, 1, 0)
    );
    assert_eq!(
        flow::oslo_instant(date(2027, 10, 31), half_two),
        utc(2027, 10, 31, 0, 30)
    );
}

#[test]
fn the_contract_is_due_seven_days_after_a_start_across_the_spring_change() {
    // Start on Monday 22 March (winter time); the contract is due on 29 March (summer time).
    let run = with_dates(date(2027, 1, 15), date(2027, 3, 22));
    let contract = deadline_of(&run, "signerer_arbeidsavtale");
    assert_eq!(contract.kind, DeadlineKind::Legal);
    assert_eq!(contract.date, date(2027, 3, 29));
    assert_eq!(
        contract.due,
        utc(2027, 3, 29, 6, 0),
        "08:00 Oslo summer time"
    );
    let equipment = deadline_of(&run, "bestiller_utstyr");
    assert_eq!(equipment.date, date(2027, 3, 1));
    assert_eq!(
        equipment.due,
        utc(2027, 3, 1, 7, 0),
        "08:00 Oslo winter time"
    );
    let welcome = deadline_of(&run, "tar_imot");
    assert_eq!(welcome.date, date(2027, 3, 22));
}

#[test]
fn onboarding_offsets_across_the_autumn_change() {
    // Start on Monday 8 November 2027 (winter time); the equipment is due 18 October (summer).
    let run = with_dates(date(2027, 9, 1), date(2027, 11, 8));
    let equipment = deadline_of(&run, "bestiller_utstyr");
    assert_eq!(equipment.date, date(2027, 10, 18));
    assert_eq!(equipment.due, utc(2027, 10, 18, 6, 0));
    let package = deadline_of(&run, "bestiller_velkomstpakke");
    assert_eq!(package.date, date(2027, 10, 29));
    assert_eq!(
        package.due,
        utc(2027, 10, 29, 6, 0),
        "Friday 29 October, still summer time"
    );
    let welcome = deadline_of(&run, "tar_imot");
    assert_eq!(welcome.due, utc(2027, 11, 8, 7, 0), "08:00 winter time");
}

#[test]
fn the_applicant_list_is_due_the_day_after_the_original_deadline_even_when_extended() {
    let mut run = Run::start_at(utc(2027, 3, 1, 9, 0));
    drive_until(&mut run, "utlyser_stilling");
    run.ok(&leder(), set_date(DateKey::Soknadsfrist, date(2027, 3, 27)));
    run.ok(&leder(), set_date(DateKey::Soknadsfrist, date(2027, 4, 10)));
    let list = deadline_of(&run, "arkiverer_sokerliste");
    assert_eq!(
        list.date,
        date(2027, 3, 28),
        "from the original deadline (offentleglova § 25)"
    );
    assert_eq!(
        list.due,
        utc(2027, 3, 28, 6, 0),
        "the first morning of summer time"
    );
}

#[test]
fn a_server_can_move_the_onboarding_offsets() {
    let run = with_dates(date(2027, 1, 15), date(2027, 3, 22));
    let mut settings = DeadlineSettings::default();
    settings.days.insert("utstyr".into(), -28);
    let equipment = flow::deadlines(process(), &run.case, &settings)
        .into_iter()
        .find(|d| d.step.as_str() == "bestiller_utstyr")
        .unwrap();
    assert_eq!(equipment.date, date(2027, 2, 22));
}

fn planned(run: &Run, step: &str, kind: ReminderKind, target: Target) -> Option<DateTime<Utc>> {
    flow::plan_reminders(process(), &run.case, &ReminderSettings::default())
        .into_iter()
        .find(|r| {
            r.step.as_ref().map(|s| s.as_str()) == Some(step)
                && r.kind == kind
                && r.target == target
        })
        .map(|r| r.due)
}

#[test]
fn reminders_fall_on_working_days_at_eight_oslo_time() {
    // Start Monday 5 April 2027 (Easter Monday is 29 March). Equipment: 15 March, a Monday.
    let run = with_dates(date(2027, 1, 15), date(2027, 4, 5));
    let equipment = planned(
        &run,
        "bestiller_utstyr",
        ReminderKind::Onboarding,
        Target::Responsible,
    );
    assert_eq!(equipment, Some(utc(2027, 3, 15, 7, 0)));
    // The welcome package: 26 March is Good Friday, 25 March Maundy Thursday: remind Wednesday.
    let package = planned(
        &run,
        "bestiller_velkomstpakke",
        ReminderKind::Onboarding,
        Target::Responsible,
    );
    assert_eq!(package, Some(utc(2027, 3, 24, 7, 0)));
    // The contract, due Monday 12 April: a reminder on the Friday before, HR told on Tuesday.
    let soon = planned(
        &run,
        "signerer_arbeidsavtale",
        ReminderKind::LegalSoon,
        Target::Responsible,
    );
    assert_eq!(soon, Some(utc(2027, 4, 9, 6, 0)));
    let overdue = planned(
        &run,
        "signerer_arbeidsavtale",
        ReminderKind::LegalOverdue,
        Target::HrChannel,
    );
    assert_eq!(overdue, Some(utc(2027, 4, 13, 6, 0)));
}

#[test]
fn a_done_step_wants_no_more_reminders_and_keys_are_unique() {
    let mut run = with_dates(date(2027, 1, 15), date(2027, 4, 5));
    let before = flow::plan_reminders(process(), &run.case, &ReminderSettings::default());
    let mut keys: Vec<_> = before.iter().map(|r| r.key.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        keys.len(),
        before.len(),
        "every planned reminder has its own key"
    );
    run.ok(&leder(), complete("bestiller_utstyr"));
    assert_eq!(
        planned(
            &run,
            "bestiller_utstyr",
            ReminderKind::Onboarding,
            Target::Responsible
        ),
        None
    );
}

#[test]
fn a_stalled_step_nudges_after_five_working_days_and_escalates_after_five_more() {
    // Opened Friday 19 March 2027: five working days are 22, 23, 24, 30 and 31 March, since
    // Maundy Thursday, Good Friday and Easter Monday are holidays.
    let mut run = Run::start_at(utc(2027, 3, 19, 9, 0));
    run.ok(&leder(), complete("stilling_vakant"));
    let nudge = planned(
        &run,
        "tidlig_involvering",
        ReminderKind::Stalled,
        Target::Responsible,
    );
    assert_eq!(nudge, Some(utc(2027, 3, 31, 6, 0)));
    let escalate = planned(
        &run,
        "tidlig_involvering",
        ReminderKind::StalledEscalation,
        Target::HrChannel,
    );
    assert_eq!(escalate, Some(utc(2027, 4, 7, 6, 0)));
}

#[test]
fn a_closed_case_wants_only_the_purge_notice_a_week_before_twelve_months() {
    let mut run = Run::start_at(utc(2027, 3, 19, 9, 0));
    run.ok(
        &hr(),
        flow::Action::Close {
            reason: reason("Trukket"),
        },
    );
    let all = flow::plan_reminders(process(), &run.case, &ReminderSettings::default());
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, ReminderKind::PurgeNotice);
    assert_eq!(all[0].due, utc(2028, 3, 12, 7, 0));
}

/// A case whose new hire's journey runs on after it ended is kept until the journey closes,
/// and HR's notice counts from the later of the two, as the purge does.
#[test]
fn the_purge_notice_waits_for_a_running_journey_and_counts_from_its_close() {
    let mut run = Run::start_at(utc(2027, 3, 19, 9, 0));
    run.ok(
        &hr(),
        flow::Action::Close {
            reason: reason("Trukket"),
        },
    );
    let settings = ReminderSettings::default();
    let mut case = run.case.clone();
    case.journey = flow::JourneyState::Running;
    assert_eq!(case.retention_from(), None);
    assert!(flow::plan_reminders(process(), &case, &settings).is_empty());

    case.journey = flow::JourneyState::Closed {
        at: utc(2027, 9, 20, 10, 0),
    };
    assert_eq!(case.retention_from(), Some(utc(2027, 9, 20, 10, 0)));
    let all = flow::plan_reminders(process(), &case, &settings);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, ReminderKind::PurgeNotice);
    // Deleted on 20 September 2028; told on the 13th at 08:00 summer time.
    assert_eq!(all[0].due, utc(2028, 9, 13, 6, 0));

    // A journey closed before the case ended: from the case's end.
    case.journey = flow::JourneyState::Closed {
        at: utc(2027, 1, 4, 10, 0),
    };
    assert_eq!(case.retention_from(), Some(utc(2027, 3, 19, 9, 0)));
    assert_eq!(
        flow::plan_reminders(process(), &case, &settings)[0].due,
        utc(2028, 3, 12, 7, 0)
    );
}

#[test]
fn a_step_waiting_for_its_date_is_not_stalled_before_it() {
    // Everything opened on 1 December 2026; the start is 5 April 2027, so the welcome package
    // is due on 26 March, four months after it opened.
    let run = with_dates(date(2027, 1, 15), date(2027, 4, 5));
    let settings = ReminderSettings::default();
    let deadline = deadline_of(&run, "bestiller_velkomstpakke");
    assert_eq!(deadline.date, date(2027, 3, 26));
    let about: Vec<_> = flow::plan_reminders(process(), &run.case, &settings)
        .into_iter()
        .filter(|r| r.step.as_ref().map(|s| s.as_str()) == Some("bestiller_velkomstpakke"))
        .collect();
    assert!(
        about
            .iter()
            .filter(|r| matches!(
                r.kind,
                ReminderKind::Stalled | ReminderKind::StalledEscalation
            ))
            .all(|r| r.due > deadline.due),
        "no stall reminder before the deadline: {about:#?}"
    );
    // Still open five working days after its deadline, it is nudged; five more and HR hears
    // of it. The deadline is Good Friday and Easter Monday a holiday too: the count starts on
    // Tuesday 30 March.
    let nudge = planned(
        &run,
        "bestiller_velkomstpakke",
        ReminderKind::Stalled,
        Target::Responsible,
    );
    assert_eq!(nudge, Some(utc(2027, 4, 6, 6, 0)));
    let escalate = planned(
        &run,
        "bestiller_velkomstpakke",
        ReminderKind::StalledEscalation,
        Target::HrChannel,
    );
    assert_eq!(escalate, Some(utc(2027, 4, 13, 6, 0)));
    // A step without a deadline still counts from when it opened.
    let contract_prep = planned(
        &run,
        "forberedelse_arbeidsavtale",
        ReminderKind::Stalled,
        Target::Responsible,
    );
    assert_eq!(contract_prep, Some(utc(2026, 12, 8, 7, 0)));
}

#[test]
fn a_moved_start_date_moves_the_stall_reminders_of_the_steps_waiting_for_it() {
    let mut run = with_dates(date(2027, 1, 15), date(2027, 4, 5));
    let before = planned(
        &run,
        "bestiller_utstyr",
        ReminderKind::Stalled,
        Target::Responsible,
    );
    run.ok(&hr(), set_date(DateKey::Startdato, date(2027, 5, 3)));
    let after = planned(
        &run,
        "bestiller_utstyr",
        ReminderKind::Stalled,
        Target::Responsible,
    );
    assert!(after > before, "{before:?} -> {after:?}");
    let keys = |run: &Run| -> Vec<String> {
        flow::plan_reminders(process(), &run.case, &ReminderSettings::default())
            .into_iter()
            .filter(|r| r.kind == ReminderKind::Stalled)
            .map(|r| r.key)
            .collect()
    };
    assert!(
        keys(&run).iter().any(|k| k.contains("2027-04-12")),
        "{:?}",
        keys(&run)
    );
}

#[test]
fn a_step_is_due_on_its_deadline_or_on_the_day_it_stalls() {
    let run = with_dates(date(2027, 1, 15), date(2027, 4, 5));
    let due = flow::reminders::due(process(), &run.case, &ReminderSettings::default());
    let of = |id: &str| due.iter().find(|d| d.step.as_str() == id).cloned();
    let package = of("bestiller_velkomstpakke").unwrap();
    assert_eq!(package.date, date(2027, 3, 26));
    assert_eq!(package.deadline, Some(DeadlineKind::Onboarding));
    let contract = of("signerer_arbeidsavtale");
    assert!(contract.is_none(), "not open yet: {contract:?}");
    let prep = of("forberedelse_arbeidsavtale").unwrap();
    assert_eq!(
        prep.date,
        date(2026, 12, 8),
        "five working days after it opened"
    );
    assert_eq!(prep.deadline, None);
    // The welcome has its stall reminders off but a deadline: due on the start date.
    assert_eq!(of("tar_imot").unwrap().date, date(2027, 4, 5));
}
