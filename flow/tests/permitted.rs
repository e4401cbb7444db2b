//! `flow::engine::permitted`: what a person may do on a step now, by the step's kind, and
//! always the same answer the engine gives when the action is tried.

mod common;

use chrono::Duration;
use common::*;
use flow::engine::{may_reopen, may_set_date, permitted, Permit, Permitted};
use flow::{Action, CandidateName, DateKey, Dato, OutcomeId, Refusal, Role, StepId};
use proptest::prelude::*;

fn may(run: &Run, who: &flow::Actor, id: &str) -> Result<Permitted, Refusal> {
    permitted(process(), &run.case, who, &step(id), run.now)
}

fn outcomes(ids: &[&str]) -> Permit {
    Permit::Choose(ids.iter().map(|o| OutcomeId::new(*o)).collect())
}

#[test]
fn a_choice_offers_its_outcomes_and_no_plain_completion() {
    let mut run = Run::start();
    drive_until(&mut run, "vurderer_behov");
    let p = may(&run, &leder(), "vurderer_behov").unwrap();
    assert_eq!(
        p.actions,
        vec![outcomes(&["nyansettelse", "uten_ny_avtale", "ny_stilling"])]
    );
    assert!(matches!(
        p.require(&Permit::Complete),
        Err(Refusal::WrongKind { .. })
    ));
    assert!(p.allows(&outcomes(&["ny_stilling"])));
    assert!(matches!(
        p.require(&outcomes(&["finnes_ikke"])),
        Err(Refusal::UnknownOutcome { .. })
    ));
    // HR may make the manager's choice for them (recorded so); the union rep may not.
    assert!(may(&run, &hr(), "vurderer_behov")
        .unwrap()
        .allows(&outcomes(&["ny_stilling"])));
    assert!(matches!(
        may(&run, &tillitsvalgt(), "vurderer_behov"),
        Err(Refusal::NotYourRole { .. } | Refusal::NotCaseManager { .. })
    ));
}

#[test]
fn an_approval_is_the_approvers_to_approve_or_reject() {
    let mut run = Run::start();
    drive_until(&mut run, "til_godkjenning");
    let p = may(&run, &godkjenner(), "til_godkjenning").unwrap();
    assert_eq!(p.actions, vec![Permit::Approve, Permit::Reject]);
    assert!(matches!(
        p.require(&Permit::Complete),
        Err(Refusal::WrongKind { .. })
    ));
    assert!(matches!(
        may(&run, &leder(), "til_godkjenning"),
        Err(Refusal::NotYourRole { .. })
    ));
}

#[test]
fn a_date_step_asks_for_its_date() {
    let mut run = Run::start();
    drive_until(&mut run, "utlyser_stilling");
    let p = may(&run, &leder(), "utlyser_stilling").unwrap();
    assert_eq!(p.actions, vec![Permit::SetDate(DateKey::Soknadsfrist)]);
    assert!(matches!(p.waiting, Some(Refusal::DateMissing { .. })));
    assert!(matches!(
        p.require(&Permit::Complete),
        Err(Refusal::DateMissing { .. })
    ));
    assert!(matches!(
        p.require(&Permit::SetDate(DateKey::Startdato)),
        Err(Refusal::DateNotAsked)
    ));
}

#[test]
fn the_answer_to_an_offer_is_recorded_by_the_manager() {
    let mut run = Run::start();
    drive_until(&mut run, "svar_paa_tilbud");
    let p = may(&run, &leder(), "svar_paa_tilbud").unwrap();
    assert_eq!(
        p.actions,
        vec![
            Permit::RecordAccept,
            Permit::RecordDecline,
            outcomes(&["ja", "nei"])
        ]
    );
}

#[test]
fn an_if_needed_step_can_be_skipped_unless_a_mark_requires_it() {
    let mut run = Run::start();
    drive_until(&mut run, "vurderer_behov");
    let mut required = Run {
        case: run.case.clone(),
        history: Vec::new(),
        now: run.now,
    };
    run.ok(&leder(), choose("vurderer_behov", "nyansettelse"));
    let p = may(&run, &hr(), "adm_arbeid").unwrap();
    assert_eq!(p.actions, vec![Permit::Complete, Permit::Skip]);
    required.ok(&leder(), choose("vurderer_behov", "ny_stilling"));
    let p = may(&required, &hr(), "adm_arbeid").unwrap();
    assert_eq!(p.actions, vec![Permit::Complete]);
    assert!(matches!(
        p.require(&Permit::Skip),
        Err(Refusal::NotSkippable { .. })
    ));
}

#[test]
fn the_welcome_waits_for_the_start_date() {
    let mut run = Run::start();
    drive_until(&mut run, "kandidat_til_hr");
    let start = flow::engine::oslo_today(run.now) + Duration::days(60);
    run.ok(&leder(), set_date(DateKey::Startdato, start));
    let p = may(&run, &leder(), "tar_imot").unwrap();
    assert!(p.actions.is_empty(), "{p:?}");
    assert!(matches!(p.waiting, Some(Refusal::TooEarly { .. })));
    run.at(flow::oslo_instant(
        start,
        chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    ));
    let p = may(&run, &leder(), "tar_imot").unwrap();
    assert_eq!(p.actions, vec![Permit::Complete]);
}

#[test]
fn a_gate_is_agreed_once_per_person() {
    let mut run = Run::start();
    drive_until(&mut run, "dialog_tillitsvalgt");
    run.ok(&leder(), complete("dialog_tillitsvalgt"));
    let p = may(&run, &leder(), "dialog_tillitsvalgt").unwrap();
    assert!(p.actions.is_empty());
    assert!(matches!(
        p.waiting,
        Some(Refusal::AlreadyConfirmed {
            role: Role::Manager,
            ..
        })
    ));
    let p = may(&run, &tillitsvalgt(), "dialog_tillitsvalgt").unwrap();
    assert_eq!(p.actions, vec![Permit::Complete]);
}

#[test]
fn the_recommendation_needs_names_before_it_is_done() {
    let mut run = Run::start();
    drive_until(&mut run, "skriver_innstilling");
    let p = may(&run, &leder(), "skriver_innstilling").unwrap();
    if run.case.next_waiting_candidate().is_none() {
        assert_eq!(p.actions, vec![Permit::SetCandidates]);
        assert_eq!(p.waiting, Some(Refusal::NoCandidates));
    }
    run.ok(&leder(), candidates(&["Kari Nordmann"]));
    let p = may(&run, &leder(), "skriver_innstilling").unwrap();
    assert_eq!(p.actions, vec![Permit::SetCandidates, Permit::Complete]);
}

#[test]
fn nothing_is_permitted_on_a_done_step_or_a_closed_case() {
    let mut run = Run::start();
    run.ok(&leder(), complete("stilling_vakant"));
    assert!(matches!(
        may(&run, &leder(), "stilling_vakant"),
        Err(Refusal::AlreadyDone { .. })
    ));
    assert!(matches!(
        may(&run, &leder(), "behovsanalyse"),
        Err(Refusal::NotCurrentStep { .. })
    ));
    assert!(matches!(
        may(&run, &leder(), "finnes_ikke"),
        Err(Refusal::UnknownStep { .. })
    ));
    run.ok(
        &leder(),
        Action::Close {
            reason: reason("Trukket"),
        },
    );
    assert!(matches!(
        may(&run, &leder(), "tidlig_involvering"),
        Err(Refusal::CaseClosed { .. })
    ));
}

/// The actions a person could try on a step, each with what it takes to be `Permit`ted, and
/// with input that is itself acceptable (a reason, a name, a date as far ahead as may be typed
/// at `now`, so after any other date of the case), so that only who, when and the case's state
/// decide.
fn tries(run: &Run, id: &StepId, now: chrono::DateTime<chrono::Utc>) -> Vec<(Permit, Action)> {
    let step = id.clone();
    let today = flow::engine::oslo_today(now);
    let far = |key| Dato::from_naive(flow::engine::latest_date(key, today));
    let mut out = vec![
        (Permit::Complete, Action::Complete { step: step.clone() }),
        (
            Permit::Skip,
            Action::Skip {
                step: step.clone(),
                reason: reason("fordi"),
            },
        ),
        (Permit::Approve, Action::Approve { step: step.clone() }),
        (
            Permit::Reject,
            Action::Reject {
                step: step.clone(),
                reason: reason("nei"),
            },
        ),
        (
            Permit::RecordAccept,
            Action::RecordAccept { step: step.clone() },
        ),
        (
            Permit::RecordDecline,
            Action::RecordDecline { step: step.clone() },
        ),
        (
            Permit::SetCandidates,
            Action::SetCandidates {
                step: step.clone(),
                names: vec![CandidateName::parse("Ny Kandidat").unwrap()],
            },
        ),
    ];
    if let Some(def) = process().step(id) {
        for o in &def.outcomes {
            out.push((
                Permit::Choose(vec![o.id.clone()]),
                Action::Choose {
                    step: step.clone(),
                    outcome: o.id.clone(),
                },
            ));
        }
        // A date is set through its date step; moving a date already set is not a step's.
        if let (Some(key), true) = (def.date, run.case.is_step_open(id)) {
            let date = far(key);
            out.push((Permit::SetDate(key), Action::SetDate { key, date }));
        }
    }
    out
}

fn people() -> Vec<flow::Actor> {
    vec![
        leder(),
        hr(),
        tillitsvalgt(),
        godkjenner(),
        outsider(),
        actor(5, "Annen Leder", &[Role::Manager]),
        actor(6, "Lønn", &[Role::Payroll]),
    ]
}

/// For every open step (and one long done), everyone, everything they could try: `permitted`
/// and the engine agree.
fn check(run: &Run, now: chrono::DateTime<chrono::Utc>) -> Result<(), TestCaseError> {
    let mut steps: Vec<StepId> = run.case.open_steps().cloned().collect();
    steps.push(StepId::new("stilling_vakant"));
    for id in &steps {
        for who in people() {
            let answer = permitted(process(), &run.case, &who, id, now);
            for (permit, action) in tries(run, id, now) {
                let engine = flow::apply(process(), &run.case, &who, &action, now);
                let said = match &answer {
                    Ok(p) => p.require(&permit),
                    Err(r) => Err(r.clone()),
                };
                prop_assert_eq!(
                    said.is_ok(),
                    engine.is_ok(),
                    "{:?} by {} on {}: permitted says {:?}, the engine {:?}",
                    permit,
                    who.person.name,
                    id,
                    said,
                    engine.as_ref().err()
                );
            }
        }
    }
    Ok(())
}

/// For every step of the chart, everyone: `may_reopen` says yes exactly when the engine takes
/// going back to the step; for both dates, `may_set_date` exactly when the engine takes a date
/// it finds acceptable (the earliest: today for the søknadsfrist, the day after it for the
/// start). A form opens on these answers, so they must not part from what the form then asks.
fn check_reopen_and_dates(
    run: &Run,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), TestCaseError> {
    let today = flow::engine::oslo_today(now);
    for who in people() {
        for def in process().steps() {
            let engine = flow::apply(
                process(),
                &run.case,
                &who,
                &Action::Reopen {
                    step: def.id.clone(),
                    reason: reason("på nytt"),
                },
                now,
            );
            let said = may_reopen(process(), &run.case, &who, &def.id);
            prop_assert_eq!(
                said.is_ok(),
                engine.is_ok(),
                "reopening {} by {}: may_reopen says {:?}, the engine {:?}",
                def.id,
                who.person.name,
                said,
                engine.as_ref().err()
            );
        }
        for key in [DateKey::Soknadsfrist, DateKey::Startdato] {
            let earliest = match key {
                DateKey::Soknadsfrist => today,
                DateKey::Startdato => {
                    run.case.dates.soknadsfrist.unwrap_or(today).max(today) + chrono::Days::new(1)
                }
            };
            let action = Action::SetDate {
                key,
                date: Dato::from_naive(earliest),
            };
            let engine = flow::apply(process(), &run.case, &who, &action, now);
            let said = may_set_date(process(), &run.case, &who, key);
            prop_assert_eq!(
                said.is_ok(),
                engine.is_ok(),
                "setting {:?} by {}: may_set_date says {:?}, the engine {:?}",
                key,
                who.person.name,
                said,
                engine.as_ref().err()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn permitted_answers_as_the_engine_does(
        warmup in 0usize..60,
        detours in proptest::collection::vec((0usize..64, 0usize..16, 0usize..8, 0i64..48), 0..24),
        later_days in 0i64..90,
    ) {
        let mut run = Run::start();
        for _ in 0..warmup {
            let Some((who, action, now)) = next_move(&run) else { break };
            run.now = now;
            run.ok(&who, action);
        }
        // Then anything anyone tries, the willing team's moves among them: declines, a
        // rejection, going back to a step done before.
        for (s, a, p, hours) in detours {
            run.now += Duration::hours(hours);
            // Mostly an open step, sometimes any step of the chart.
            let open: Vec<StepId> = run.case.open_steps().cloned().collect();
            let all = process().steps();
            let id = if s < 48 && !open.is_empty() {
                open[s % open.len()].clone()
            } else {
                all[s % all.len()].id.clone()
            };
            // Half the time someone whose step it is.
            let who = match process().step(&id) {
                Some(def) if p < 4 => holder(def.roles[p % def.roles.len()]),
                _ => people()[p % people().len()].clone(),
            };
            let mut options = tries(&run, &id, run.now);
            options.push((Permit::Complete, Action::Reopen { step: id.clone(), reason: reason("på nytt") }));
            if let Some((w, action, now)) = next_move(&run) {
                if a % 2 == 0 {
                    run.now = now;
                    let _ = run.try_do(&w, action);
                    check(&run, run.now)?;
                    continue;
                }
            }
            let (_, action) = options[a % options.len()].clone();
            let _ = run.try_do(&who, action);
            check(&run, run.now)?;
            check_reopen_and_dates(&run, run.now)?;
        }
        // Now, and later (when a start date may have come).
        check(&run, run.now)?;
        check(&run, run.now + Duration::days(later_days))?;
        check_reopen_and_dates(&run, run.now)?;
        check_reopen_and_dates(&run, run.now + Duration::days(later_days))?;
    }
}
