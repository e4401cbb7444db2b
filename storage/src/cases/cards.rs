//! Where each case's card message was posted, so the bot can edit it when the case changes.

use chrono::Utc;
use flow::CaseId;
use sqlx::{Acquire, Sqlite};

use super::rows::{CaseCard, CasePlace, DiscordColumn};
use crate::codec::{id, id_back, opt_id, opt_id_back, ts};
use crate::{Db, Result, StorageError};

/// Remembers (or moves) the case's card. The case must be on this server.
pub async fn set_card(db: &Db, guild: u64, case: CaseId, card: CaseCard) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::set_card_on(&pg.pool, guild, case, card).await;
    }
    set_card_on(db, guild, case, card).await
}

/// [`set_card`] on a connection or transaction of the caller's ([`crate::Import`]).
pub(crate) async fn set_card_on<'a>(
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
pub async fn card(db: &Db, guild: u64, case: CaseId) -> Result<Option<CaseCard>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::card(pg, guild, case).await;
    }
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

/// The case's place in Discord; `None` for a case not on this server.
pub async fn case_place(db: &Db, guild: u64, case: CaseId) -> Result<Option<CasePlace>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::case_place(pg, guild, case).await;
    }
    let mut conn = db.begin().await?;
    #[derive(sqlx::FromRow)]
    struct PlaceRow {
        starter: Option<i64>,
        thread: Option<i64>,
        channel: Option<i64>,
        card_thread: Option<i64>,
        message: Option<i64>,
    }
    let row: Option<PlaceRow> = sqlx::query_as(
        "SELECT c.starter_message_id AS starter, c.thread_id AS thread,
                k.channel_id AS channel, k.thread_id AS card_thread, k.message_id AS message
         FROM cases c LEFT JOIN case_cards k ON k.case_id = c.id
         WHERE c.id = ? AND c.guild_id = ?",
    )
    .bind(case.0)
    .bind(id(guild))
    .fetch_optional(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(row.map(|r| CasePlace {
        starter: opt_id_back(r.starter),
        thread: opt_id_back(r.thread),
        card: match (r.channel, r.message) {
            (Some(channel), Some(message)) => Some(CaseCard {
                channel: id_back(channel),
                thread: opt_id_back(r.card_thread),
                message: id_back(message),
            }),
            _ => None,
        },
    }))
}

/// Remembers the message the case's thread is (to be) started from.
pub async fn set_starter_message(db: &Db, guild: u64, case: CaseId, message: u64) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::set_discord_id(
            &pg.pool,
            guild,
            case,
            DiscordColumn::StarterMessage,
            message,
        )
        .await;
    }
    super::set_discord_id(db, guild, case, DiscordColumn::StarterMessage, message).await
}

/// Purged cases whose messages in Discord have not yet been emptied of names, oldest first.
pub async fn cases_to_scrub(db: &Db, limit: u32) -> Result<Vec<(u64, CaseId)>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::cases_to_scrub(pg, limit).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT guild_id, id FROM cases
         WHERE purged_at IS NOT NULL AND scrubbed_at IS NULL ORDER BY purged_at, id LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|(g, c)| (id_back(g), CaseId(c)))
        .collect())
}

/// Records that the case's messages in Discord carry no names or free text any more.
pub async fn mark_scrubbed(
    db: &Db,
    guild: u64,
    case: CaseId,
    at: chrono::DateTime<Utc>,
) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::mark_scrubbed(pg, guild, case, at).await;
    }
    let mut conn = db.begin().await?;
    sqlx::query(
        "UPDATE cases SET scrubbed_at = ? WHERE id = ? AND guild_id = ? AND purged_at IS NOT NULL",
    )
    .bind(ts(at)?)
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(())
}
