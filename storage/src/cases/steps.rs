//! The rows under a case that the engine rewrites as a whole: its steps (with the roles that
//! confirmed an open one) and its candidates. Always written inside the case's transaction.
//!
//! Both directions go as JSON through one statement each way: the case's rows are sent as
//! one array per table and SQLite's `json_each` spreads them, and they come back through
//! `json_group_array` in the case's own SELECT. A press then costs one round trip to the
//! database connection for all its rows instead of one per row, and only rows that really
//! changed are written (the upserts compare before they write).

use std::collections::BTreeMap;

use flow::{
    Candidate, CandidateAnswer, CandidateName, Case, OutcomeId, Reason, Role, StepId, StepState,
};
use serde::{Deserialize, Serialize};

use crate::codec::ERASED;
use crate::codec::{id, parsed, person, ts, ts_back, JsonMap};
use crate::error::corrupt;
use crate::Result;

/// One `case_steps` row, as JSON in both directions.
#[derive(Serialize, Deserialize)]
pub(crate) struct StepRow {
    pub(crate) step: String,
    pub(crate) state: String,
    pub(crate) at: String,
    pub(crate) by_id: Option<i64>,
    pub(crate) by_name: Option<String>,
    pub(crate) outcome: Option<String>,
    pub(crate) reason: Option<String>,
}

/// One `step_confirmations` row.
#[derive(Serialize, Deserialize)]
pub(crate) struct ConfirmationRow {
    pub(crate) step: String,
    pub(crate) role: String,
    pub(crate) by_id: i64,
    pub(crate) by_name: String,
}

/// One `candidates` row.
#[derive(Serialize, Deserialize)]
pub(crate) struct CandidateRow {
    pub(crate) rank: i64,
    pub(crate) name: String,
    pub(crate) answer: String,
}

/// The columns of a case's SELECT that bring its steps, confirmations and candidates along
/// (`c` is the case row), parsed by [`from_json`].
pub(crate) const SELECT_JSON: &str = "
    (SELECT json_group_array(json_object('step', step, 'state', state, 'at', at,
            'by_id', by_id, 'by_name', by_name, 'outcome', outcome, 'reason', reason))
       FROM case_steps WHERE case_id = c.id) AS steps_json,
    (SELECT json_group_array(json_object('step', step, 'role', role, 'by_id', by_id,
            'by_name', by_name))
       FROM step_confirmations WHERE case_id = c.id) AS confirmations_json,
    (SELECT json_group_array(json_object('rank', rank, 'name', name, 'answer', answer))
       FROM (SELECT rank, name, answer FROM candidates WHERE case_id = c.id ORDER BY rank))
       AS candidates_json";

/// Replaces the case's steps and candidates with those of `case`, writing only what changed.
/// Reads `?1`, the change's JSON object ([`put_rows`]): `case` (the id) and the arrays
/// `steps`, `confirmations` and `candidates`. Run with the history and the reminders of the
/// same change as one statement list (`cases::write_rest`).
pub(crate) const REPLACE: &str = "
    DELETE FROM step_confirmations WHERE case_id = ?1 ->> 'case'
       AND (step, role) NOT IN
           (SELECT value ->> 'step', value ->> 'role' FROM json_each(?1, '$.confirmations'));
    DELETE FROM case_steps WHERE case_id = ?1 ->> 'case'
       AND step NOT IN (SELECT value ->> 'step' FROM json_each(?1, '$.steps'));
    INSERT INTO case_steps (case_id, step, state, at, by_id, by_name, outcome, reason)
    SELECT ?1 ->> 'case', value ->> 'step', value ->> 'state', value ->> 'at',
           value ->> 'by_id', value ->> 'by_name', value ->> 'outcome', value ->> 'reason'
      FROM json_each(?1, '$.steps') WHERE true
    ON CONFLICT (case_id, step) DO UPDATE SET
        state = excluded.state, at = excluded.at, by_id = excluded.by_id,
        by_name = excluded.by_name, outcome = excluded.outcome, reason = excluded.reason
    WHERE (state, at, by_id, by_name, outcome, reason) IS NOT
          (excluded.state, excluded.at, excluded.by_id, excluded.by_name, excluded.outcome,
           excluded.reason);
    INSERT INTO step_confirmations (case_id, step, role, by_id, by_name)
    SELECT ?1 ->> 'case', value ->> 'step', value ->> 'role', value ->> 'by_id',
           value ->> 'by_name'
      FROM json_each(?1, '$.confirmations') WHERE true
    ON CONFLICT (case_id, step, role) DO UPDATE SET
        by_id = excluded.by_id, by_name = excluded.by_name
    WHERE (by_id, by_name) IS NOT (excluded.by_id, excluded.by_name);
    DELETE FROM candidates WHERE case_id = ?1 ->> 'case'
       AND rank NOT IN (SELECT value ->> 'rank' FROM json_each(?1, '$.candidates'));
    INSERT INTO candidates (case_id, rank, name, answer)
    SELECT ?1 ->> 'case', value ->> 'rank', value ->> 'name', value ->> 'answer'
      FROM json_each(?1, '$.candidates') WHERE true
    ON CONFLICT (case_id, rank) DO UPDATE SET name = excluded.name, answer = excluded.answer
    WHERE (name, answer) IS NOT (excluded.name, excluded.answer);";

/// Puts the case's rows for [`REPLACE`] into a change's JSON parameter.
pub(crate) fn put_rows(change: &mut JsonMap, case: &Case) -> Result<()> {
    let (steps, confirmations, candidates) = rows(case)?;
    change.insert("case".into(), case.id.0.into());
    change.insert("steps".into(), json(&steps));
    change.insert("confirmations".into(), json(&confirmations));
    change.insert("candidates".into(), json(&candidates));
    Ok(())
}

/// The case's rows of `case_steps`, `step_confirmations` and `candidates`.
pub(crate) fn rows(case: &Case) -> Result<(Vec<StepRow>, Vec<ConfirmationRow>, Vec<CandidateRow>)> {
    let mut steps = Vec::with_capacity(case.steps.len());
    let mut confirmations = Vec::new();
    for (step, state) in &case.steps {
        steps.push(step_row(step, state)?);
        if let StepState::Open { confirmed, .. } = state {
            for (role, by) in confirmed {
                confirmations.push(ConfirmationRow {
                    step: step.as_str().to_owned(),
                    role: role.as_str().to_owned(),
                    by_id: id(by.id.0),
                    by_name: by.name.clone(),
                });
            }
        }
    }
    let candidates: Vec<CandidateRow> = case
        .candidates
        .iter()
        .map(|c| CandidateRow {
            rank: i64::from(c.rank),
            name: c.name.as_str().to_owned(),
            answer: c.answer.as_str().to_owned(),
        })
        .collect();
    Ok((steps, confirmations, candidates))
}

fn json<T: Serialize>(rows: &[T]) -> serde_json::Value {
    rows.iter()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect()
}

fn step_row(step: &StepId, state: &StepState) -> Result<StepRow> {
    let (name, at, by, outcome, reason) = match state {
        StepState::Open { since, .. } => ("open", since, None, None, None),
        StepState::Done { by, at, outcome } => (
            "done",
            at,
            Some(by),
            outcome.as_ref().map(OutcomeId::as_str),
            None,
        ),
        StepState::Skipped { by, at, reason } => {
            ("skipped", at, Some(by), None, Some(reason.as_str()))
        }
    };
    Ok(StepRow {
        step: step.as_str().to_owned(),
        state: name.to_owned(),
        at: ts(*at)?,
        by_id: by.map(|p| id(p.id.0)),
        by_name: by.map(|p| p.name.clone()),
        outcome: outcome.map(str::to_owned),
        reason: reason.map(str::to_owned),
    })
}

fn from_json<T: for<'de> Deserialize<'de>>(what: &str, json: &str) -> Result<Vec<T>> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("{what}: {e}")))
}

/// The steps of a case as the engine sees them, from the JSON columns of [`SELECT_JSON`].
pub(crate) fn steps_from_json(
    steps_json: &str,
    confirmations_json: &str,
) -> Result<BTreeMap<StepId, StepState>> {
    let rows: Vec<StepRow> = from_json("steps", steps_json)?;
    let confirmations: Vec<ConfirmationRow> = from_json("confirmations", confirmations_json)?;
    let mut steps = BTreeMap::new();
    for row in rows {
        let at = ts_back(&row.at)?;
        let by = || match (row.by_id, row.by_name.clone()) {
            (Some(i), Some(n)) => Ok(person(i, n)),
            _ => Err(corrupt(format!("step {} has no `by`", row.step))),
        };
        let state = match row.state.as_str() {
            "open" => StepState::Open {
                since: at,
                confirmed: BTreeMap::new(),
            },
            "done" => StepState::Done {
                by: by()?,
                at,
                outcome: row.outcome.as_deref().map(OutcomeId::from),
            },
            "skipped" => StepState::Skipped {
                by: by()?,
                at,
                // NULL once the retention purge erased it.
                reason: reason_or_erased(row.reason.as_deref())?,
            },
            other => return Err(corrupt(format!("step state {other:?}"))),
        };
        steps.insert(StepId::new(row.step), state);
    }
    for c in confirmations {
        let role = parsed("role", &c.role, Role::parse)?;
        match steps.get_mut(&StepId::new(c.step.as_str())) {
            Some(StepState::Open { confirmed, .. }) => {
                confirmed.insert(role, person(c.by_id, c.by_name));
            }
            _ => {
                return Err(corrupt(format!(
                    "confirmation of step {} that is not open",
                    c.step
                )))
            }
        }
    }
    Ok(steps)
}

/// A stored reason, or the placeholder the purge leaves where one was.
pub(crate) fn reason_or_erased(s: Option<&str>) -> Result<Reason> {
    Reason::parse(s.unwrap_or(ERASED)).map_err(|e| corrupt(format!("reason: {e}")))
}

/// The candidates of a case, in rank order, from the JSON column of [`SELECT_JSON`].
pub(crate) fn candidates_from_json(json: &str) -> Result<Vec<Candidate>> {
    let rows: Vec<CandidateRow> = from_json("candidates", json)?;
    rows.into_iter()
        .map(|r| {
            Ok(Candidate {
                name: CandidateName::parse(&r.name)
                    .map_err(|e| corrupt(format!("candidate name: {e}")))?,
                rank: u32::try_from(r.rank).map_err(|_| corrupt(format!("rank {}", r.rank)))?,
                answer: parsed("candidate answer", &r.answer, CandidateAnswer::parse)?,
            })
        })
        .collect()
}
