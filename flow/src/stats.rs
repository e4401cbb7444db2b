//! HR's statistics, computed from the anonymous timeline a case keeps for good (the purge
//! erases names and free text, never the event kinds, steps, outcomes, times, unit and dates):
//! how long from the vacancy to the start date, days in each phase, the steps most often
//! overdue and the role they waited on, the outcomes, and the legal deadlines met or missed.
//! Pure: the rows come from storage, "now" is passed in.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Oslo;

use crate::calendar::add_working_days;
use crate::deadlines::{add_days, rule_days};
use crate::event::EventKind;
use crate::ids::{CaseId, Mark, Role, StepId};
use crate::process::{Anchor, DeadlineKind, Process};
use crate::reminders::ReminderSettings;

/// How a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineStatus {
    Open,
    Completed,
    Closed,
}

/// What a case keeps after the purge: no name, no free text.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub case: CaseId,
    pub unit: String,
    pub status: TimelineStatus,
    pub opened_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub original_soknadsfrist: Option<NaiveDate>,
    pub startdato: Option<NaiveDate>,
    pub marks: BTreeSet<Mark>,
    /// The history in order: kind, step, when (the kinds that open, finish or withdraw a
    /// step, and `candidates_exhausted`).
    pub events: Vec<(EventKind, Option<StepId>, DateTime<Utc>)>,
}

/// How a case ended (or that it has not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Completed with a new hire.
    NewHire,
    /// Solved without a new contract ("Endringer uten krav til ny arbeidsavtale").
    WithoutNewContract,
    /// Closed early by a person.
    ClosedEarly,
    /// Still open.
    Open,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::NewHire,
        Outcome::WithoutNewContract,
        Outcome::ClosedEarly,
        Outcome::Open,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NewHire => "new_hire",
            Outcome::WithoutNewContract => "without_new_contract",
            Outcome::ClosedEarly => "closed_early",
            Outcome::Open => "open",
        }
    }
}

/// A legal deadline on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineResult {
    Met,
    Missed,
    /// Its date has not come, or the step is not reached.
    Pending,
}

/// One case's row: the CSV's line.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub case: CaseId,
    pub unit: String,
    pub opened: NaiveDate,
    pub startdato: Option<NaiveDate>,
    pub ended: Option<NaiveDate>,
    pub outcome: Outcome,
    /// All candidates declined at least once (the case went back to the applications).
    pub all_declined: bool,
    /// The Oslo day each phase was entered, by phase index.
    pub phase_entered: Vec<Option<NaiveDate>>,
    /// Days spent in each phase, by phase index, for phases the case has left.
    pub phase_days: Vec<Option<i64>>,
    pub overdue_steps: usize,
    /// The legal deadlines, by their basis ("offentleglova § 25").
    pub legal: Vec<(String, DeadlineResult)>,
}

/// A median and 90th percentile over a count.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spread {
    pub count: usize,
    pub median: f64,
    pub p90: f64,
}

impl Spread {
    /// Nearest-rank percentiles; `None` when there is nothing to count.
    pub fn of(mut values: Vec<i64>) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        let rank = |q: f64| {
            let i = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
            values[i] as f64
        };
        let median = if values.len() % 2 == 1 {
            values[values.len() / 2] as f64
        } else {
            (values[values.len() / 2 - 1] + values[values.len() / 2]) as f64 / 2.0
        };
        Some(Spread {
            count: values.len(),
            median,
            p90: rank(0.9),
        })
    }
}

/// A step often overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    pub step: StepId,
    /// The role it waited on (the first the chart gives it).
    pub role: Role,
    pub times: usize,
}

/// The statistics of a period.
#[derive(Debug, Clone)]
pub struct Statistics {
    pub rows: Vec<CaseRow>,
    /// From the vacancy (the case opened) to the start date, in days.
    pub to_start: Option<Spread>,
    /// Days in each phase, by phase index.
    pub phases: Vec<Option<Spread>>,
    /// The steps most often overdue, most first (at most five).
    pub overdue: Vec<Overdue>,
    pub outcomes: BTreeMap<Outcome, usize>,
    pub all_declined: usize,
    /// Per legal basis: met, missed.
    pub legal: Vec<(String, usize, usize)>,
}

fn oslo_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Oslo).date_naive()
}

/// Computes the statistics of these cases as they stand at `now`, by the server's own limits
/// (`settings`: its deadline days and stall limit, as its reminders use them): a step counts as
/// overdue when the server's reminders would have called it so.
pub fn compute(
    process: &Process,
    settings: &ReminderSettings,
    timelines: &[Timeline],
    now: DateTime<Utc>,
) -> Statistics {
    let today = oslo_day(now);
    let mut overdue_count: HashMap<StepId, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(timelines.len());
    for t in timelines {
        rows.push(row(process, settings, t, today, &mut overdue_count));
    }
    let to_start = Spread::of(
        rows.iter()
            .filter_map(|r| Some((r.startdato? - r.opened).num_days()))
            .collect(),
    );
    let phases = (0..process.phases.len())
        .map(|i| Spread::of(rows.iter().filter_map(|r| r.phase_days[i]).collect()))
        .collect();
    let mut overdue: Vec<Overdue> = overdue_count
        .into_iter()
        .filter_map(|(step, times)| {
            let role = *process.step(&step)?.roles.first()?;
            Some(Overdue { step, role, times })
        })
        .collect();
    overdue.sort_by(|a, b| {
        b.times
            .cmp(&a.times)
            .then(process.order(&a.step).cmp(&process.order(&b.step)))
    });
    overdue.truncate(5);
    let mut outcomes: BTreeMap<Outcome, usize> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
    for r in &rows {
        *outcomes.entry(r.outcome).or_default() += 1;
    }
    let mut legal: Vec<(String, usize, usize)> = Vec::new();
    for step in process.steps() {
        if let Some(d) = step
            .deadline
            .as_ref()
            .filter(|d| d.kind == DeadlineKind::Legal)
        {
            let basis = d.basis.clone().unwrap_or_else(|| step.id.to_string());
            let (met, missed) = rows
                .iter()
                .flat_map(|r| r.legal.iter())
                .filter(|(b, _)| b == &basis)
                .fold((0, 0), |(m, x), (_, res)| match res {
                    DeadlineResult::Met => (m + 1, x),
                    DeadlineResult::Missed => (m, x + 1),
                    DeadlineResult::Pending => (m, x),
                });
            legal.push((basis, met, missed));
        }
    }
    Statistics {
        all_declined: rows.iter().filter(|r| r.all_declined).count(),
        rows,
        to_start,
        phases,
        overdue,
        outcomes,
        legal,
    }
}

fn row(
    process: &Process,
    settings: &ReminderSettings,
    t: &Timeline,
    today: NaiveDate,
    overdue_count: &mut HashMap<StepId, usize>,
) -> CaseRow {
    let n = process.phases.len();
    let mut entered: Vec<Option<DateTime<Utc>>> = vec![None; n];
    let mut last_finish: Vec<Option<DateTime<Utc>>> = vec![None; n];
    let mut open: BTreeMap<StepId, DateTime<Utc>> = BTreeMap::new();
    let mut finished: HashMap<StepId, DateTime<Utc>> = HashMap::new();
    let mut overdue_here: BTreeSet<StepId> = BTreeSet::new();
    let mut all_declined = false;
    let phase_of = |s: &StepId| process.phase_of(s).map(|p| process.phase_index(p));
    for (kind, step, at) in &t.events {
        match kind {
            EventKind::CandidatesExhausted => all_declined = true,
            EventKind::StepOpened | EventKind::StepReopened => {
                if let Some(s) = step {
                    if let Some(i) = phase_of(s).filter(|i| *i < n) {
                        entered[i] = Some(entered[i].map_or(*at, |e| e.min(*at)));
                    }
                    open.insert(s.clone(), *at);
                }
            }
            EventKind::StepCompleted
            | EventKind::StepSkipped
            | EventKind::OutcomeChosen
            | EventKind::Approved
            | EventKind::Rejected
            | EventKind::StepWithdrawn => {
                if let Some(s) = step {
                    if let Some(since) = open.remove(s) {
                        if *kind != EventKind::StepWithdrawn {
                            if late(process, settings, t, s, since, oslo_day(*at)) {
                                overdue_here.insert(s.clone());
                            }
                            finished.insert(s.clone(), *at);
                            if let Some(i) = phase_of(s).filter(|i| *i < n) {
                                last_finish[i] = Some(last_finish[i].map_or(*at, |e| e.max(*at)));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if t.status == TimelineStatus::Open {
        for (s, since) in &open {
            if late(process, settings, t, s, *since, today) {
                overdue_here.insert(s.clone());
            }
        }
    }
    for s in &overdue_here {
        *overdue_count.entry(s.clone()).or_default() += 1;
    }
    let still_open: BTreeSet<usize> = open.keys().filter_map(phase_of).collect();
    let phase_days = (0..n)
        .map(|i| match (entered[i], last_finish[i]) {
            (Some(a), Some(b)) if !still_open.contains(&i) => {
                Some((oslo_day(b) - oslo_day(a)).num_days().max(0))
            }
            _ => None,
        })
        .collect();
    let outcome = match t.status {
        TimelineStatus::Open => Outcome::Open,
        TimelineStatus::Closed => Outcome::ClosedEarly,
        TimelineStatus::Completed if t.marks.iter().any(|m| m.as_str() == "uten_ny_avtale") => {
            Outcome::WithoutNewContract
        }
        TimelineStatus::Completed => Outcome::NewHire,
    };
    let mut legal = Vec::new();
    for step in process.steps() {
        let Some(d) = step
            .deadline
            .as_ref()
            .filter(|d| d.kind == DeadlineKind::Legal)
        else {
            continue;
        };
        let basis = d.basis.clone().unwrap_or_else(|| step.id.to_string());
        let anchor = match d.anchor {
            Anchor::OriginalSoknadsfrist | Anchor::Soknadsfrist => t.original_soknadsfrist,
            Anchor::Startdato => t.startdato,
        };
        let Some(anchor) = anchor else { continue };
        let due = add_days(anchor, rule_days(d, &settings.deadlines));
        let result = match finished.get(&step.id) {
            Some(at) if oslo_day(*at) <= due => DeadlineResult::Met,
            Some(_) => DeadlineResult::Missed,
            None if t.status == TimelineStatus::Open && today > due => DeadlineResult::Missed,
            None => DeadlineResult::Pending,
        };
        legal.push((basis, result));
    }
    CaseRow {
        case: t.case,
        unit: t.unit.clone(),
        opened: oslo_day(t.opened_at),
        startdato: t.startdato,
        ended: t.ended_at.map(oslo_day),
        outcome,
        all_declined,
        phase_entered: entered.into_iter().map(|e| e.map(oslo_day)).collect(),
        phase_days,
        overdue_steps: overdue_here.len(),
        legal,
    }
}

/// Whether a step open from `since` and finished (or still open) on `until` was late: past its
/// deadline when it has one on this case, else open more than the stall limit.
fn late(
    process: &Process,
    settings: &ReminderSettings,
    t: &Timeline,
    step: &StepId,
    since: DateTime<Utc>,
    until: NaiveDate,
) -> bool {
    let Some(def) = process.step(step) else {
        return false;
    };
    if let Some(d) = &def.deadline {
        let anchor = match d.anchor {
            Anchor::OriginalSoknadsfrist | Anchor::Soknadsfrist => t.original_soknadsfrist,
            Anchor::Startdato => t.startdato,
        };
        if let Some(a) = anchor {
            return until > add_days(a, rule_days(d, &settings.deadlines));
        }
    }
    def.stall_reminders && until > add_working_days(oslo_day(since), settings.stall_days)
}
