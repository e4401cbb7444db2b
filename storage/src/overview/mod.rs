//! What the bot shows across cases: a person's pending actions, HR's overview, autocomplete.
//! Read-only; each is one or two SELECTs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use flow::{CaseId, PersonId, StepId};
use sqlx::Acquire;

use crate::codec::{id, json_list, person, ts, ts_back};
use crate::{Db, Result};
use rows::{HrOverview, OverviewCase, OverviewStep, PendingAction, OVERDUE_KINDS};

pub(crate) mod rows;

/// "My pending actions": open steps of open cases on this server that are either among
/// `steps_for_roles` (the steps the person's server roles may do) or, on cases the person
/// owns or is the deputy of, among `owner_steps` (the manager's steps). Steps the person already confirmed (on a
/// step that needs several roles) are left out. Oldest first.
pub async fn pending_for(
    db: &Db,
    guild: u64,
    person_id: PersonId,
    steps_for_roles: &[StepId],
    owner_steps: &[StepId],
) -> Result<Vec<PendingAction>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::overview::pending_for(
            pg,
            guild,
            person_id,
            steps_for_roles,
            owner_steps,
        )
        .await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT c.id, c.title, s.step, s.at
         FROM case_steps s JOIN cases c ON c.id = s.case_id
         WHERE s.state = 'open' AND c.guild_id = ?1 AND c.status = 'open'
           AND (s.step IN (SELECT value FROM json_each(?2))
                OR ((c.owner_id = ?3 OR c.deputy_id = ?3) AND s.step IN (SELECT value FROM json_each(?4))))
           AND NOT EXISTS (SELECT 1 FROM step_confirmations f
                           WHERE f.case_id = s.case_id AND f.step = s.step AND f.by_id = ?3)
         ORDER BY s.at, c.id, s.step",
    )
    .bind(id(guild))
    .bind(json_list(steps_for_roles.iter().map(StepId::as_str)))
    .bind(id(person_id.0))
    .bind(json_list(owner_steps.iter().map(StepId::as_str)))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    rows.into_iter()
        .map(|(case, title, step, at)| {
            Ok(PendingAction {
                case: CaseId(case),
                title,
                step: StepId::new(step),
                since: ts_back(&at)?,
            })
        })
        .collect()
}

const OVERDUE_STEP: &str = "EXISTS (SELECT 1 FROM reminders r
    WHERE r.case_id = s.case_id AND r.step = s.step AND r.state <> 'cancelled'
      AND r.due_at <= ?2 AND r.kind IN (SELECT value FROM json_each(?3)))";

/// HR's overview: the open cases with their open steps, overdue cases first, then oldest
/// first; a page of `limit` cases from `offset`.
pub async fn hr_overview(
    db: &Db,
    guild: u64,
    now: DateTime<Utc>,
    limit: u32,
    offset: u32,
) -> Result<HrOverview> {
    if let Some(pg) = db.postgres() {
        return crate::pg::overview::hr_overview(pg, guild, now, limit, offset).await;
    }
    let mut tx = db.begin().await?;
    let kinds = json_list(OVERDUE_KINDS.iter().map(|k| k.as_str()));
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE guild_id = ? AND status = 'open'")
            .bind(id(guild))
            .fetch_one(&mut *tx)
            .await?;
    let case_rows: Vec<(i64, String, String, i64, String, String, bool)> =
        sqlx::query_as(&format!(
            "SELECT c.id, c.title, c.unit, c.owner_id, c.owner_name, c.opened_at,
                EXISTS (SELECT 1 FROM case_steps s
                        WHERE s.case_id = c.id AND s.state = 'open' AND {OVERDUE_STEP}) AS overdue
         FROM cases c WHERE c.guild_id = ?1 AND c.status = 'open'
         ORDER BY overdue DESC, c.opened_at, c.id LIMIT ?4 OFFSET ?5"
        ))
        .bind(id(guild))
        .bind(ts(now)?)
        .bind(&kinds)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&mut *tx)
        .await?;
    let ids =
        serde_json::Value::from(case_rows.iter().map(|r| r.0).collect::<Vec<_>>()).to_string();
    let step_rows: Vec<(i64, String, String, bool)> = sqlx::query_as(&format!(
        "SELECT s.case_id, s.step, s.at, {OVERDUE_STEP} AS overdue
         FROM case_steps s
         WHERE s.state = 'open' AND s.case_id IN (SELECT value FROM json_each(?1))
         ORDER BY s.at, s.step"
    ))
    .bind(ids)
    .bind(ts(now)?)
    .bind(&kinds)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut steps: BTreeMap<i64, Vec<OverviewStep>> = BTreeMap::new();
    for (case, step, at, overdue) in step_rows {
        steps.entry(case).or_default().push(OverviewStep {
            step: StepId::new(step),
            since: ts_back(&at)?,
            overdue,
        });
    }
    let cases = case_rows
        .into_iter()
        .map(
            |(case, title, unit, owner_id, owner_name, opened_at, overdue)| {
                Ok(OverviewCase {
                    id: CaseId(case),
                    title,
                    unit,
                    owner: person(owner_id, owner_name),
                    opened_at: ts_back(&opened_at)?,
                    overdue,
                    steps: steps.remove(&case).unwrap_or_default(),
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    Ok(HrOverview {
        total: u64::try_from(total).unwrap_or(0),
        cases,
    })
}

/// Open cases whose title starts with `prefix` (case-insensitive for ASCII), for autocomplete.
pub async fn open_case_titles(
    db: &Db,
    guild: u64,
    prefix: &str,
    limit: u32,
) -> Result<Vec<(CaseId, String)>> {
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    if let Some(pg) = db.postgres() {
        return crate::pg::overview::open_case_titles(pg, guild, pattern, limit).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, title FROM cases
         WHERE guild_id = ? AND status = 'open' AND title LIKE ? ESCAPE '\\'
         ORDER BY title, id LIMIT ?",
    )
    .bind(id(guild))
    .bind(pattern)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(rows.into_iter().map(|(i, t)| (CaseId(i), t)).collect())
}
