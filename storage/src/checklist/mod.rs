//! Onboarding checklists: a message per case step listing items that people tick off.
//!
//! Transaction boundary: `save_checklist` writes the message and its items in one transaction.

use chrono::{DateTime, Utc};
use flow::{CaseId, PersonRef, StepId};
use sqlx::{Acquire, Sqlite, SqliteConnection};

use crate::codec::{id, id_back, json_list, opt_person, opt_ts, opt_ts_back, ts};
use crate::{Db, Result, StorageError};
use rows::{Checklist, ChecklistItem};

pub(crate) mod rows;

/// Records the checklist message of a case step and its items. Saving again for the same step
/// (e.g. the message was posted anew) moves it to the new message, keeps the ticks of items
/// still listed and drops items no longer listed.
#[allow(clippy::too_many_arguments)]
pub async fn save_checklist(
    db: &Db,
    guild: u64,
    case: CaseId,
    step: &StepId,
    channel: u64,
    message: u64,
    items: &[&str],
    now: DateTime<Utc>,
) -> Result<Checklist> {
    if let Some(pg) = db.postgres() {
        return crate::pg::checklist::save_checklist(
            pg, guild, case, step, channel, message, items, now,
        )
        .await;
    }
    let mut tx = db.begin().await?;
    let checklist_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO checklists (case_id, step, channel_id, message_id, created_at)
         SELECT id, ?, ?, ?, ? FROM cases WHERE id = ? AND guild_id = ?
         ON CONFLICT (case_id, step) DO UPDATE SET channel_id = excluded.channel_id,
             message_id = excluded.message_id
         RETURNING id",
    )
    .bind(step.as_str())
    .bind(id(channel))
    .bind(id(message))
    .bind(ts(now)?)
    .bind(case.0)
    .bind(id(guild))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(checklist_id) = checklist_id else {
        return Err(StorageError::NotFound);
    };
    sqlx::query(
        "DELETE FROM checklist_items
         WHERE checklist_id = ? AND item NOT IN (SELECT value FROM json_each(?))",
    )
    .bind(checklist_id)
    .bind(json_list(items.iter().copied()))
    .execute(&mut *tx)
    .await?;
    for (position, item) in (0_i64..).zip(items) {
        sqlx::query(
            "INSERT INTO checklist_items (checklist_id, item, position) VALUES (?, ?, ?)
             ON CONFLICT (checklist_id, item) DO UPDATE SET position = excluded.position",
        )
        .bind(checklist_id)
        .bind(*item)
        .bind(position)
        .execute(&mut *tx)
        .await?;
    }
    let saved = read(&mut tx, guild, "k.message_id = ?", id(message)).await?;
    tx.commit().await?;
    saved.ok_or(StorageError::NotFound)
}

/// Ticks an item off on the checklist posted as `message`; returns the checklist as it is now.
/// Ticking an item already ticked keeps the first tick.
pub async fn tick_item(
    db: &Db,
    guild: u64,
    message: u64,
    item: &str,
    by: &PersonRef,
    at: DateTime<Utc>,
) -> Result<Checklist> {
    if let Some(pg) = db.postgres() {
        return crate::pg::checklist::set_tick(pg, guild, message, item, Some((by, at))).await;
    }
    set_tick(db, guild, message, item, Some((by, at))).await
}

/// Takes a tick back.
pub async fn untick_item(db: &Db, guild: u64, message: u64, item: &str) -> Result<Checklist> {
    if let Some(pg) = db.postgres() {
        return crate::pg::checklist::set_tick(pg, guild, message, item, None).await;
    }
    set_tick(db, guild, message, item, None).await
}

async fn set_tick<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    message: u64,
    item: &str,
    tick: Option<(&PersonRef, DateTime<Utc>)>,
) -> Result<Checklist> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE checklist_items
         SET ticked_by_id = CASE WHEN ?1 IS NULL THEN NULL ELSE COALESCE(ticked_by_id, ?1) END,
             ticked_by_name = CASE WHEN ?1 IS NULL THEN NULL ELSE COALESCE(ticked_by_name, ?2) END,
             ticked_at = CASE WHEN ?1 IS NULL THEN NULL ELSE COALESCE(ticked_at, ?3) END
         WHERE item = ?4 AND checklist_id = (
             SELECT k.id FROM checklists k JOIN cases c ON c.id = k.case_id
             WHERE k.message_id = ?5 AND c.guild_id = ?6)",
    )
    .bind(tick.map(|(p, _)| id(p.id.0)))
    .bind(tick.map(|(p, _)| p.name.as_str()))
    .bind(opt_ts(tick.map(|(_, at)| at))?)
    .bind(item)
    .bind(id(message))
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound);
    }
    let now = read(&mut tx, guild, "k.message_id = ?", id(message)).await?;
    tx.commit().await?;
    now.ok_or(StorageError::NotFound)
}

/// The checklist posted as `message`.
pub async fn checklist(db: &Db, guild: u64, message: u64) -> Result<Option<Checklist>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::checklist::checklist(pg, guild, message).await;
    }
    let mut tx = db.begin().await?;
    let found = read(&mut tx, guild, "k.message_id = ?", id(message)).await?;
    tx.commit().await?;
    Ok(found)
}

/// The checklist of a case step, if one was posted.
pub async fn checklist_for_step(
    db: &Db,
    guild: u64,
    case: CaseId,
    step: &StepId,
) -> Result<Option<Checklist>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::checklist::checklist_for_step(pg, guild, case, step).await;
    }
    let mut tx = db.begin().await?;
    let checklist_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM checklists WHERE case_id = ? AND step = ?")
            .bind(case.0)
            .bind(step.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let found = match checklist_id {
        Some(k) => read(&mut tx, guild, "k.id = ?", k).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(found)
}

type ItemRow = (String, Option<i64>, Option<String>, Option<String>);

async fn read(
    conn: &mut SqliteConnection,
    guild: u64,
    which: &str,
    key: i64,
) -> Result<Option<Checklist>> {
    let head: Option<(i64, i64, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT k.id, k.case_id, k.step, k.channel_id, k.message_id
         FROM checklists k JOIN cases c ON c.id = k.case_id
         WHERE {which} AND c.guild_id = ?"
    ))
    .bind(key)
    .bind(id(guild))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((checklist_id, case, step, channel, message)) = head else {
        return Ok(None);
    };
    let rows: Vec<ItemRow> = sqlx::query_as(
        "SELECT item, ticked_by_id, ticked_by_name, ticked_at FROM checklist_items
         WHERE checklist_id = ? ORDER BY position, item",
    )
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await?;
    let items = rows
        .into_iter()
        .map(|(item, by_id, by_name, at)| {
            let ticked = match (opt_person(by_id, by_name), opt_ts_back(at.as_deref())?) {
                (Some(p), Some(at)) => Some((p, at)),
                _ => None,
            };
            Ok(ChecklistItem { item, ticked })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Checklist {
        case: CaseId(case),
        step: StepId::new(step),
        channel: id_back(channel),
        message: id_back(message),
        items,
    }))
}

/// Open cases on this server whose step `after` is done, whose start date is set, and that have
/// no checklist for `after` yet: the checklists owed. One query, however many cases are open.
pub async fn cases_owing_checklist(db: &Db, guild: u64, after: &StepId) -> Result<Vec<CaseId>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::checklist::cases_owing_checklist(pg, guild, after).await;
    }
    let mut conn = db.acquire().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT c.id FROM cases c
         JOIN case_steps s ON s.case_id = c.id AND s.step = ?2 AND s.state <> 'open'
         WHERE c.guild_id = ?1 AND c.status = 'open' AND c.startdato IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM checklists k WHERE k.case_id = c.id AND k.step = ?2)
         ORDER BY c.id",
    )
    .bind(id(guild))
    .bind(after.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(CaseId).collect())
}
