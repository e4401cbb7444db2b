//! Onboarding checklists on PostgreSQL (see `crate::checklist`). A tick is one `UPDATE` of the
//! item's row: two ticks at once in two processes take the row in turn, and the second keeps
//! the first's (`COALESCE`), as on SQLite.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use flow::{CaseId, PersonRef, StepId};
use sqlx::{Connection, PgConnection};

use super::{micros, PgDb};
use crate::checklist::rows::{Checklist, ChecklistItem};
use crate::codec::{id, id_back, opt_person};
use crate::{Result, StorageError};

/// [`crate::save_checklist`] on PostgreSQL: the message and its items in one transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn save_checklist(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    step: &StepId,
    channel: u64,
    message: u64,
    items: &[&str],
    now: DateTime<Utc>,
) -> Result<Checklist> {
    // An item listed twice takes its last place, as SQLite's upsert one at a time leaves it
    // (PostgreSQL refuses to upsert one row twice in a statement).
    let mut last: HashMap<&str, i64> = HashMap::new();
    for (position, item) in (0_i64..).zip(items) {
        last.insert(*item, position);
    }
    let (names, positions): (Vec<&str>, Vec<i64>) = last.into_iter().unzip();
    let mut tx = db.pool.begin().await?;
    let checklist_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO checklists (case_id, step, channel_id, message_id, created_at)
         SELECT id, $1, $2, $3, $4 FROM cases WHERE id = $5 AND guild_id = $6
         ON CONFLICT (case_id, step) DO UPDATE SET channel_id = excluded.channel_id,
             message_id = excluded.message_id
         RETURNING id",
    )
    .bind(step.as_str())
    .bind(id(channel))
    .bind(id(message))
    .bind(micros(now)?)
    .bind(case.0)
    .bind(id(guild))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(checklist_id) = checklist_id else {
        return Err(StorageError::NotFound);
    };
    sqlx::query("DELETE FROM checklist_items WHERE checklist_id = $1 AND item <> ALL($2::text[])")
        .bind(checklist_id)
        .bind(&names)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO checklist_items (checklist_id, item, position)
         SELECT $1, i.item, i.position FROM unnest($2::text[], $3::int8[]) AS i(item, position)
         ON CONFLICT (checklist_id, item) DO UPDATE SET position = excluded.position
         WHERE checklist_items.position IS DISTINCT FROM excluded.position",
    )
    .bind(checklist_id)
    .bind(&names)
    .bind(&positions)
    .execute(&mut *tx)
    .await?;
    let saved = read(&mut tx, guild, "k.message_id = $1", id(message)).await?;
    tx.commit().await?;
    saved.ok_or(StorageError::NotFound)
}

/// [`crate::tick_item`] and [`crate::untick_item`] on PostgreSQL.
pub(crate) async fn set_tick(
    db: &PgDb,
    guild: u64,
    message: u64,
    item: &str,
    tick: Option<(&PersonRef, DateTime<Utc>)>,
) -> Result<Checklist> {
    let at = tick.map(|(_, at)| micros(at)).transpose()?;
    let mut tx = db.pool.begin().await?;
    let done = sqlx::query(
        "UPDATE checklist_items
         SET ticked_by_id = CASE WHEN $1::int8 IS NULL THEN NULL
                                 ELSE COALESCE(ticked_by_id, $1) END,
             ticked_by_name = CASE WHEN $1::int8 IS NULL THEN NULL
                                   ELSE COALESCE(ticked_by_name, $2) END,
             ticked_at = CASE WHEN $1::int8 IS NULL THEN NULL ELSE COALESCE(ticked_at, $3) END
         WHERE item = $4 AND checklist_id = (
             SELECT k.id FROM checklists k JOIN cases c ON c.id = k.case_id
             WHERE k.message_id = $5 AND c.guild_id = $6)",
    )
    .bind(tick.map(|(p, _)| id(p.id.0)))
    .bind(tick.map(|(p, _)| p.name.as_str()))
    .bind(at)
    .bind(item)
    .bind(id(message))
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound);
    }
    let now = read(&mut tx, guild, "k.message_id = $1", id(message)).await?;
    tx.commit().await?;
    now.ok_or(StorageError::NotFound)
}

/// [`crate::checklist`] on PostgreSQL.
pub(crate) async fn checklist(db: &PgDb, guild: u64, message: u64) -> Result<Option<Checklist>> {
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let found = read(&mut tx, guild, "k.message_id = $1", id(message)).await?;
    tx.commit().await?;
    Ok(found)
}

/// [`crate::checklist_for_step`] on PostgreSQL.
pub(crate) async fn checklist_for_step(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    step: &StepId,
) -> Result<Option<Checklist>> {
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let checklist_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM checklists WHERE case_id = $1 AND step = $2")
            .bind(case.0)
            .bind(step.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let found = match checklist_id {
        Some(k) => read(&mut tx, guild, "k.id = $1", k).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(found)
}

type ItemRow = (String, Option<i64>, Option<String>, Option<DateTime<Utc>>);

async fn read(
    conn: &mut PgConnection,
    guild: u64,
    which: &str,
    key: i64,
) -> Result<Option<Checklist>> {
    let head: Option<(i64, i64, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT k.id, k.case_id, k.step, k.channel_id, k.message_id
         FROM checklists k JOIN cases c ON c.id = k.case_id
         WHERE {which} AND c.guild_id = $2"
    ))
    .bind(key)
    .bind(id(guild))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((checklist_id, case, step, channel, message)) = head else {
        return Ok(None);
    };
    let rows: Vec<ItemRow> = sqlx::query_as(
        r#"SELECT item, ticked_by_id, ticked_by_name, ticked_at FROM checklist_items
         WHERE checklist_id = $1 ORDER BY position, item COLLATE "C""#,
    )
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await?;
    let items = rows
        .into_iter()
        .map(|(item, by_id, by_name, at)| {
            let ticked = match (opt_person(by_id, by_name), at) {
                (Some(p), Some(at)) => Some((p, at)),
                _ => None,
            };
            ChecklistItem { item, ticked }
        })
        .collect();
    Ok(Some(Checklist {
        case: CaseId(case),
        step: StepId::new(step),
        channel: id_back(channel),
        message: id_back(message),
        items,
    }))
}

/// [`crate::cases_owing_checklist`] on PostgreSQL.
pub(crate) async fn cases_owing_checklist(
    db: &PgDb,
    guild: u64,
    after: &StepId,
) -> Result<Vec<CaseId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT c.id FROM cases c
         JOIN case_steps s ON s.case_id = c.id AND s.step = $2 AND s.state <> 'open'
         WHERE c.guild_id = $1 AND c.status = 'open' AND c.startdato IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM checklists k WHERE k.case_id = c.id AND k.step = $2)
         ORDER BY c.id",
    )
    .bind(id(guild))
    .bind(after.as_str())
    .fetch_all(&db.pool)
    .await?;
    Ok(ids.into_iter().map(CaseId).collect())
}
