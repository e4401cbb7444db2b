//! HR's statistics and the export's purge marks on PostgreSQL (see `crate::stats`).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use flow::stats::{Timeline, TimelineStatus};
use flow::{CaseId, EventKind, Mark, StepId};
use sqlx::Connection;

use super::{micros, PgDb};
use crate::codec::{id, parsed};
use crate::stats::rows::KINDS;
use crate::Result;

type CaseRow = (
    i64,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    String,
);

/// [`crate::timelines`] on PostgreSQL: cases and events read in one snapshot.
pub(crate) async fn timelines(
    db: &PgDb,
    guild: u64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Timeline>> {
    let (from, to) = (micros(from)?, micros(to)?);
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let cases: Vec<CaseRow> = sqlx::query_as(
        "SELECT id, unit, status, opened_at, ended_at, original_soknadsfrist, soknadsfrist,
                startdato, marks::text
         FROM cases WHERE guild_id = $1 AND opened_at >= $2 AND opened_at < $3
         ORDER BY id",
    )
    .bind(id(guild))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *tx)
    .await?;
    let events: Vec<(i64, String, Option<String>, DateTime<Utc>)> = sqlx::query_as(&format!(
        "SELECT e.case_id, e.kind, e.step, e.at
         FROM cases c JOIN events e ON e.case_id = c.id
         WHERE c.guild_id = $1 AND c.opened_at >= $2 AND c.opened_at < $3 AND e.kind IN {KINDS}
         ORDER BY e.case_id, e.seq"
    ))
    .bind(id(guild))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut out = Vec::with_capacity(cases.len());
    for (case, unit, status, opened_at, ended_at, original, soknadsfrist, startdato, marks) in cases
    {
        let status = match status.as_str() {
            "open" => TimelineStatus::Open,
            "completed" => TimelineStatus::Completed,
            _ => TimelineStatus::Closed,
        };
        let marks: Vec<String> = serde_json::from_str(&marks).unwrap_or_default();
        out.push(Timeline {
            case: CaseId(case),
            unit,
            status,
            opened_at,
            ended_at,
            original_soknadsfrist: original.or(soknadsfrist),
            startdato,
            marks: marks.into_iter().map(Mark::new).collect::<BTreeSet<_>>(),
            events: Vec::new(),
        });
    }
    // Both lists are in case order: walk them together.
    let mut i = 0;
    for (case, kind, step, at) in events {
        while out.get(i).is_some_and(|t| t.case.0 < case) {
            i += 1;
        }
        let Some(t) = out.get_mut(i).filter(|t| t.case.0 == case) else {
            continue;
        };
        let kind = parsed("event kind", &kind, EventKind::parse)?;
        t.events.push((kind, step.map(StepId::new), at));
    }
    Ok(out)
}

/// [`crate::purged_at`] on PostgreSQL.
pub(crate) async fn purged_at(
    db: &PgDb,
    guild: u64,
    case: CaseId,
) -> Result<Option<DateTime<Utc>>> {
    let row: Option<Option<DateTime<Utc>>> =
        sqlx::query_scalar("SELECT purged_at FROM cases WHERE id = $1 AND guild_id = $2")
            .bind(case.0)
            .bind(id(guild))
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.flatten())
}
