//! The read models across cases on PostgreSQL (see `crate::overview`): a person's pending
//! actions, HR's overview, autocomplete. Text is ordered and matched as SQLite does it: by
//! code point (`COLLATE "C"`, SQLite's BINARY on UTF-8), and a title prefix case-insensitive
//! for ASCII letters only.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use flow::{CaseId, PersonId, StepId};
use sqlx::Connection;

use super::{micros, PgDb};
use crate::codec::{id, person};
use crate::overview::rows::{HrOverview, OverviewCase, OverviewStep, PendingAction, OVERDUE_KINDS};
use crate::Result;

/// [`crate::pending_for`] on PostgreSQL.
pub(crate) async fn pending_for(
    db: &PgDb,
    guild: u64,
    person_id: PersonId,
    steps_for_roles: &[StepId],
    owner_steps: &[StepId],
) -> Result<Vec<PendingAction>> {
    let for_roles: Vec<&str> = steps_for_roles.iter().map(StepId::as_str).collect();
    let owned: Vec<&str> = owner_steps.iter().map(StepId::as_str).collect();
    let rows: Vec<(i64, String, String, DateTime<Utc>)> = sqlx::query_as(
        r#"SELECT c.id, c.title, s.step, s.at
         FROM case_steps s JOIN cases c ON c.id = s.case_id
         WHERE s.state = 'open' AND c.guild_id = $1 AND c.status = 'open'
           AND (s.step = ANY($2::text[])
                OR ((c.owner_id = $3 OR c.deputy_id = $3) AND s.step = ANY($4::text[])))
           AND NOT EXISTS (SELECT 1 FROM step_confirmations f
                           WHERE f.case_id = s.case_id AND f.step = s.step AND f.by_id = $3)
         ORDER BY s.at, c.id, s.step COLLATE "C""#,
    )
    .bind(id(guild))
    .bind(&for_roles)
    .bind(id(person_id.0))
    .bind(&owned)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(case, title, step, since)| PendingAction {
            case: CaseId(case),
            title,
            step: StepId::new(step),
            since,
        })
        .collect())
}

const OVERDUE_STEP: &str = "EXISTS (SELECT 1 FROM reminders r
    WHERE r.case_id = s.case_id AND r.step = s.step AND r.state <> 'cancelled'
      AND r.due_at <= $2 AND r.kind = ANY($3::text[]))";

/// [`crate::hr_overview`] on PostgreSQL: the count, the cases and their steps read in one
/// snapshot, as SQLite's one read transaction does.
pub(crate) async fn hr_overview(
    db: &PgDb,
    guild: u64,
    now: DateTime<Utc>,
    limit: u32,
    offset: u32,
) -> Result<HrOverview> {
    let now = micros(now)?;
    let kinds: Vec<&str> = OVERDUE_KINDS.iter().map(|k| k.as_str()).collect();
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE guild_id = $1 AND status = 'open'")
            .bind(id(guild))
            .fetch_one(&mut *tx)
            .await?;
    type CaseRow = (i64, String, String, i64, String, DateTime<Utc>, bool);
    let case_rows: Vec<CaseRow> = sqlx::query_as(&format!(
        "SELECT c.id, c.title, c.unit, c.owner_id, c.owner_name, c.opened_at,
                EXISTS (SELECT 1 FROM case_steps s
                        WHERE s.case_id = c.id AND s.state = 'open' AND {OVERDUE_STEP}) AS overdue
         FROM cases c WHERE c.guild_id = $1 AND c.status = 'open'
         ORDER BY overdue DESC, c.opened_at, c.id LIMIT $4 OFFSET $5"
    ))
    .bind(id(guild))
    .bind(now)
    .bind(&kinds)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<i64> = case_rows.iter().map(|r| r.0).collect();
    let step_rows: Vec<(i64, String, DateTime<Utc>, bool)> = sqlx::query_as(&format!(
        r#"SELECT s.case_id, s.step, s.at, {OVERDUE_STEP} AS overdue
         FROM case_steps s
         WHERE s.state = 'open' AND s.case_id = ANY($1::int8[])
         ORDER BY s.at, s.step COLLATE "C""#
    ))
    .bind(&ids)
    .bind(now)
    .bind(&kinds)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut steps: BTreeMap<i64, Vec<OverviewStep>> = BTreeMap::new();
    for (case, step, since, overdue) in step_rows {
        steps.entry(case).or_default().push(OverviewStep {
            step: StepId::new(step),
            since,
            overdue,
        });
    }
    let cases = case_rows
        .into_iter()
        .map(
            |(case, title, unit, owner_id, owner_name, opened_at, overdue)| OverviewCase {
                id: CaseId(case),
                title,
                unit,
                owner: person(owner_id, owner_name),
                opened_at,
                overdue,
                steps: steps.remove(&case).unwrap_or_default(),
            },
        )
        .collect();
    Ok(HrOverview {
        total: u64::try_from(total).unwrap_or(0),
        cases,
    })
}

/// ASCII letters folded to lower case, nothing else (SQLite's LIKE folds only these).
const FOLD: &str = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'";

/// [`crate::open_case_titles`] on PostgreSQL; `pattern` is the escaped LIKE pattern.
pub(crate) async fn open_case_titles(
    db: &PgDb,
    guild: u64,
    pattern: String,
    limit: u32,
) -> Result<Vec<(CaseId, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        r#"SELECT id, title FROM cases
         WHERE guild_id = $1 AND status = 'open'
           AND translate(title, {FOLD}) LIKE translate($2, {FOLD}) ESCAPE '\'
         ORDER BY title COLLATE "C", id LIMIT $3"#
    ))
    .bind(id(guild))
    .bind(pattern)
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(i, t)| (CaseId(i), t)).collect())
}
