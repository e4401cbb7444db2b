//! The append-only history of a case: one numbered line per event, never rewritten (the
//! retention purge only erases names and free text).

use chrono::{DateTime, Utc};
use flow::{CaseId, Event, OutcomeId, PersonRef, StepId};
use sqlx::{Acquire, SqliteConnection};

use super::rows::{EventRow, HistoryEntry};
use crate::codec::{id, opt_person, ts, ts_back, JsonMap};
use crate::{Db, Result};

/// Appends the events of one change (`events`), made by change `version` of `case`,
/// continuing the case's numbering from its last line (read once, before any row of this
/// change is inserted). Reads `?1` as the change's JSON object ([`put_events`]).
pub(crate) const APPEND: &str = "
    INSERT INTO events (case_id, seq, version, at, actor_id, actor_name, kind, step, outcome,
                        detail, for_id, for_name)
    SELECT ?1 ->> 'case', last.seq + j.key + 1, ?1 ->> 'version', j.value ->> 'at',
           j.value ->> 'actor_id', j.value ->> 'actor_name', j.value ->> 'kind',
           j.value ->> 'step', j.value ->> 'outcome', j.value ->> 'detail',
           j.value ->> 'for_id', j.value ->> 'for_name'
      FROM json_each(?1, '$.events') AS j,
           (SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE case_id = ?1 ->> 'case')
           AS last
     ORDER BY j.key;";

/// Puts what [`APPEND`] reads into a change's JSON parameter.
pub(crate) fn put_events(
    change: &mut JsonMap,
    case_id: i64,
    version: i64,
    events: &[Event],
) -> Result<()> {
    let rows: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            Ok(serde_json::json!({
                "at": ts(e.at)?,
                "actor_id": e.actor.as_ref().map(|p| id(p.id.0)),
                "actor_name": e.actor.as_ref().map(|p| p.name.as_str()),
                "kind": e.kind.as_str(),
                "step": e.step.as_ref().map(StepId::as_str),
                "outcome": e.outcome.as_ref().map(OutcomeId::as_str),
                "detail": e.detail.as_deref(),
                "for_id": e.on_behalf.as_ref().map(|p| id(p.id.0)),
                "for_name": e.on_behalf.as_ref().map(|p| p.name.as_str()),
            }))
        })
        .collect::<Result<_>>()?;
    change.insert("case".into(), case_id.into());
    change.insert("version".into(), version.into());
    change.insert("events".into(), rows.into());
    Ok(())
}

/// A page of a case's history, oldest first. Empty for a case of another server.
pub async fn history(
    db: &Db,
    guild: u64,
    case: CaseId,
    limit: u32,
    offset: u32,
) -> Result<Vec<HistoryEntry>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::history(pg, guild, case, limit, offset).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.seq, e.version, e.at, e.actor_id, e.actor_name, e.kind, e.step, e.outcome, e.detail,
                e.for_id, e.for_name
         FROM events e JOIN cases c ON c.id = e.case_id
         WHERE c.id = ? AND c.guild_id = ?
         ORDER BY e.seq LIMIT ? OFFSET ?",
    )
    .bind(case.0)
    .bind(id(guild))
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    rows.into_iter().map(EventRow::into_entry).collect()
}

/// Who changed the case last and when: the latest line made by a person, else the latest line.
pub(crate) async fn last_change(
    conn: &mut SqliteConnection,
    case_id: i64,
) -> Result<(Option<PersonRef>, DateTime<Utc>)> {
    let row: Option<(Option<i64>, Option<String>, String)> = sqlx::query_as(
        "SELECT actor_id, actor_name, at FROM events WHERE case_id = ?
         ORDER BY actor_id IS NULL, seq DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some((actor_id, actor_name, at)) => Ok((opt_person(actor_id, actor_name), ts_back(&at)?)),
        None => Ok((None, DateTime::<Utc>::MIN_UTC)),
    }
}

/// The history lines one change wrote: those of the case's `version`, in order.
pub async fn events_of_version(
    db: &Db,
    guild: u64,
    case: CaseId,
    version: i64,
) -> Result<Vec<Event>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::events_of_version(pg, guild, case, version).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.seq, e.version, e.at, e.actor_id, e.actor_name, e.kind, e.step, e.outcome, e.detail,
                e.for_id, e.for_name
         FROM events e JOIN cases c ON c.id = e.case_id
         WHERE c.id = ? AND c.guild_id = ? AND e.version = ?
         ORDER BY e.seq",
    )
    .bind(case.0)
    .bind(id(guild))
    .bind(version)
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    rows.into_iter()
        .map(|r| r.into_entry().map(|e| e.event))
        .collect()
}
