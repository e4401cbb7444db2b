//! What HR's statistics and the archive export read: the anonymous timeline of cases (what
//! the 12-month purge keeps: event kinds, steps, times, unit, dates, marks) and whether a case
//! was purged. Read-only; one read transaction each.

use crate::Db;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use flow::stats::{Timeline, TimelineStatus};
use flow::{CaseId, EventKind, Mark, StepId};
use sqlx::Acquire;

use crate::codec::{id, opt_date_back, opt_ts_back, parsed, ts, ts_back};
use crate::Result;
use rows::KINDS;

pub(crate) mod rows;

type CaseRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// The timelines of this server's cases opened in `[from, to)`, by case number, each with
/// its step events in order. Nothing here names a person or holds free text.
pub async fn timelines(
    db: &Db,
    guild: u64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Timeline>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::stats::timelines(pg, guild, from, to).await;
    }
    let mut conn = db.begin().await?;
    let cases: Vec<CaseRow> = sqlx::query_as(
        "SELECT id, unit, status, opened_at, ended_at, original_soknadsfrist, soknadsfrist,
                startdato, marks
         FROM cases WHERE guild_id = ? AND opened_at >= ? AND opened_at < ?
         ORDER BY id",
    )
    .bind(id(guild))
    .bind(ts(from)?)
    .bind(ts(to)?)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(&format!(
        "SELECT e.case_id, e.kind, e.step, e.at
         FROM cases c JOIN events e ON e.case_id = c.id
         WHERE c.guild_id = ? AND c.opened_at >= ? AND c.opened_at < ? AND e.kind IN {KINDS}
         ORDER BY e.case_id, e.seq"
    ))
    .bind(id(guild))
    .bind(ts(from)?)
    .bind(ts(to)?)
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    let mut out = Vec::with_capacity(cases.len());
    for (case, unit, status, opened, ended, original, soknadsfrist, start, marks) in cases {
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
            opened_at: ts_back(&opened)?,
            ended_at: opt_ts_back(ended.as_deref())?,
            original_soknadsfrist: opt_date_back(original.as_deref().or(soknadsfrist.as_deref()))?,
            startdato: opt_date_back(start.as_deref())?,
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
        t.events.push((kind, step.map(StepId::new), ts_back(&at)?));
    }
    Ok(out)
}

/// When this server's case was purged (its names and free text erased), if it was. `None`
/// also for a case of another server.
pub async fn purged_at(db: &Db, guild: u64, case: CaseId) -> Result<Option<DateTime<Utc>>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::stats::purged_at(pg, guild, case).await;
    }
    let mut conn = db.begin().await?;
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT purged_at FROM cases WHERE id = ? AND guild_id = ?")
            .bind(case.0)
            .bind(id(guild))
            .fetch_optional(&mut *conn)
            .await?;
    conn.commit().await?;
    opt_ts_back(row.and_then(|r| r.0).as_deref())
}
