//! Where each case's card message was posted, so the bot can edit it when the case changes.

use chrono::Utc;
use flow::CaseId;
use sqlx::{Acquire, Sqlite};

use crate::codec::{id, id_back, opt_id, opt_id_back, ts};
use crate::{Result, StorageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseCard {
    pub channel: u64,
    pub thread: Option<u64>,
    pub message: u64,
}

/// Remembers (or moves) the case's card. The case must be on this server.
pub async fn set_card<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    case: CaseId,
    card: CaseCard,
) -> Result<()> {
    let mut conn = db.begin().await?;
    let done = sqlx::query(
        "INSERT INTO case_cards (case_id, channel_id, thread_id, message_id, updated_at)
         SELECT id, ?, ?, ?, ? FROM cases WHERE id = ? AND guild_id = ?
         ON CONFLICT (case_id) DO UPDATE SET channel_id = excluded.channel_id,
             thread_id = excluded.thread_id, message_id = excluded.message_id,
             updated_at = excluded.updated_at",
    )
    .bind(id(card.channel))
    .bind(opt_id(card.thread))
    .bind(id(card.message))
    .bind(ts(Utc::now())?)
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound);
    }
    conn.commit().await?;
    Ok(())
}

/// The case's card, if one was posted.
pub async fn card<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    case: CaseId,
) -> Result<Option<CaseCard>> {
    let mut conn = db.begin().await?;
    let row: Option<(i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT k.channel_id, k.thread_id, k.message_id
         FROM case_cards k JOIN cases c ON c.id = k.case_id
         WHERE k.case_id = ? AND c.guild_id = ?",
    )
    .bind(case.0)
    .bind(id(guild))
    .fetch_optional(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(row.map(|(channel, thread, message)| CaseCard {
        channel: id_back(channel),
        thread: opt_id_back(thread),
        message: id_back(message),
    }))
}
