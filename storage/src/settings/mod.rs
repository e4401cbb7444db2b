//! Per-server settings: who is who (Discord roles), where things go (channels), the time zone,
//! documentation links, reminder offsets, how long closed cases keep personal data, the
//! language of shared messages and how much the bot pings.

use chrono::Utc;
use sqlx::Acquire;

use crate::codec::{id, id_back, opt_id, time, ts};
use crate::error::corrupt;
use crate::{Db, Result};
use rows::{row_to_settings, GuildSettings, SettingsRow};

pub(crate) mod rows;

/// The server's settings, if it has saved any.
pub async fn load_settings(db: &Db, guild: u64) -> Result<Option<GuildSettings>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::settings::load_settings(pg, guild).await;
    }
    let mut conn = db.begin().await?;
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT guild_id, manager_role_id, hr_role_id, union_rep_role_id, approver_role_id,
                payroll_role_id, case_channel_id, hr_channel_id, onboarding_channel_id,
                time_zone, docs_links, reminder_days, stall_days, escalate_days, remind_at,
                digest_cron, retention_months, shared_language, notifications
         FROM guild_settings WHERE guild_id = ?",
    )
    .bind(id(guild))
    .fetch_optional(&mut *conn)
    .await?;
    conn.commit().await?;
    row.map(row_to_settings).transpose()
}

/// Saves the server's settings as a whole (insert or replace).
pub async fn save_settings(db: &Db, settings: &GuildSettings) -> Result<()> {
    let docs = serde_json::to_string(&settings.docs).map_err(|e| corrupt(e.to_string()))?;
    let days =
        serde_json::to_string(&settings.reminders.days).map_err(|e| corrupt(e.to_string()))?;
    if let Some(pg) = db.postgres() {
        return crate::pg::settings::save_settings(pg, settings, docs, days).await;
    }
    let mut conn = db.begin().await?;
    sqlx::query(
        "INSERT INTO guild_settings (guild_id, manager_role_id, hr_role_id, union_rep_role_id,
                approver_role_id, payroll_role_id, case_channel_id, hr_channel_id,
                onboarding_channel_id, time_zone, docs_links, reminder_days, stall_days,
                escalate_days, remind_at, digest_cron, retention_months, updated_at,
                shared_language, notifications)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20)
         ON CONFLICT (guild_id) DO UPDATE SET
                manager_role_id = ?2, hr_role_id = ?3, union_rep_role_id = ?4,
                approver_role_id = ?5, payroll_role_id = ?6, case_channel_id = ?7,
                hr_channel_id = ?8, onboarding_channel_id = ?9, time_zone = ?10,
                docs_links = ?11, reminder_days = ?12, stall_days = ?13, escalate_days = ?14,
                remind_at = ?15, digest_cron = ?16, retention_months = ?17, updated_at = ?18,
                shared_language = ?19, notifications = ?20",
    )
    .bind(id(settings.guild))
    .bind(opt_id(settings.roles.manager))
    .bind(opt_id(settings.roles.hr))
    .bind(opt_id(settings.roles.union_rep))
    .bind(opt_id(settings.roles.approver))
    .bind(opt_id(settings.roles.payroll))
    .bind(opt_id(settings.case_channel))
    .bind(opt_id(settings.hr_channel))
    .bind(opt_id(settings.onboarding_channel))
    .bind(&settings.time_zone)
    .bind(docs)
    .bind(days)
    .bind(settings.reminders.stall_days.map(i64::from))
    .bind(settings.reminders.escalate_days.map(i64::from))
    .bind(settings.reminders.remind_at.map(time))
    .bind(settings.reminders.digest_cron.as_deref())
    .bind(settings.retention_months.map(i64::from))
    .bind(ts(Utc::now())?)
    .bind(settings.language.dir())
    .bind(settings.notifications.as_str())
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(())
}

/// The fingerprint the server's reminders were last planned with (`None`: never).
pub async fn reminders_planned_with(db: &Db, guild: u64) -> Result<Option<String>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::settings::reminders_planned_with(pg, guild).await;
    }
    let mut conn = db.begin().await?;
    let found: Option<Option<String>> =
        sqlx::query_scalar("SELECT reminders_planned_with FROM guild_settings WHERE guild_id = ?")
            .bind(id(guild))
            .fetch_optional(&mut *conn)
            .await?;
    conn.commit().await?;
    Ok(found.flatten())
}

/// Records that every open case of the server is planned with `fingerprint`.
pub async fn set_reminders_planned_with(db: &Db, guild: u64, fingerprint: &str) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::settings::set_reminders_planned_with(pg, guild, fingerprint).await;
    }
    let mut conn = db.begin().await?;
    sqlx::query("UPDATE guild_settings SET reminders_planned_with = ? WHERE guild_id = ?")
        .bind(fingerprint)
        .bind(id(guild))
        .execute(&mut *conn)
        .await?;
    conn.commit().await?;
    Ok(())
}

/// Every server that has saved settings (for the loops that go through them all).
pub async fn configured_guilds(db: &Db) -> Result<Vec<u64>> {
    if let Some(pg) = db.postgres() {
        let ids = crate::pg::settings::configured_guilds(pg).await?;
        return Ok(ids.into_iter().map(id_back).collect());
    }
    let mut conn = db.begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT guild_id FROM guild_settings ORDER BY guild_id")
        .fetch_all(&mut *conn)
        .await?;
    conn.commit().await?;
    Ok(ids.into_iter().map(id_back).collect())
}
