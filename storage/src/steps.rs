//! The rows under a case that the engine rewrites as a whole: its steps (with the roles that
//! confirmed an open one) and its candidates. Always written inside the case's transaction.

use std::collections::BTreeMap;

use flow::{
    Candidate, CandidateAnswer, CandidateName, Case, OutcomeId, Reason, Role, StepId, StepState,
};
use sqlx::SqliteConnection;

use crate::codec::{id, parsed, person, ts, ts_back};
use crate::error::corrupt;
use crate::retention::ERASED;
use crate::Result;

/// Replaces the case's steps and candidates with those of `case`.
pub(crate) async fn replace(conn: &mut SqliteConnection, case: &Case) -> Result<()> {
    let case_id = case.id.0;
    // Confirmations go with their step (ON DELETE CASCADE).
    sqlx::query("DELETE FROM case_steps WHERE case_id = ?")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    for (step, state) in &case.steps {
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
        sqlx::query(
            "INSERT INTO case_steps (case_id, step, state, at, by_id, by_name, outcome, reason)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(case_id)
        .bind(step.as_str())
        .bind(name)
        .bind(ts(*at))
        .bind(by.map(|p| id(p.id.0)))
        .bind(by.map(|p| p.name.as_str()))
        .bind(outcome)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
        if let StepState::Open { confirmed, .. } = state {
            for (role, by) in confirmed {
                sqlx::query(
                    "INSERT INTO step_confirmations (case_id, step, role, by_id, by_name)
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(case_id)
                .bind(step.as_str())
                .bind(role.as_str())
                .bind(id(by.id.0))
                .bind(&by.name)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    sqlx::query("DELETE FROM candidates WHERE case_id = ?")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    for c in &case.candidates {
        sqlx::query("INSERT INTO candidates (case_id, rank, name, answer) VALUES (?, ?, ?, ?)")
            .bind(case_id)
            .bind(i64::from(c.rank))
            .bind(c.name.as_str())
            .bind(c.answer.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StepRow {
    step: String,
    state: String,
    at: String,
    by_id: Option<i64>,
    by_name: Option<String>,
    outcome: Option<String>,
    reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ConfirmationRow {
    step: String,
    role: String,
    by_id: i64,
    by_name: String,
}

/// The steps of a case as the engine sees them.
pub(crate) async fn read_steps(
    conn: &mut SqliteConnection,
    case_id: i64,
) -> Result<BTreeMap<StepId, StepState>> {
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT step, state, at, by_id, by_name, outcome, reason
         FROM case_steps WHERE case_id = ?",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let confirmations: Vec<ConfirmationRow> = sqlx::query_as(
        "SELECT step, role, by_id, by_name FROM step_confirmations WHERE case_id = ?",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
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

#[derive(sqlx::FromRow)]
struct CandidateRow {
    rank: i64,
    name: String,
    answer: String,
}

/// The candidates of a case, in rank order.
pub(crate) async fn read_candidates(
    conn: &mut SqliteConnection,
    case_id: i64,
) -> Result<Vec<Candidate>> {
    let rows: Vec<CandidateRow> =
        sqlx::query_as("SELECT rank, name, answer FROM candidates WHERE case_id = ? ORDER BY rank")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
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
