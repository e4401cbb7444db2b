//! Per-server settings on PostgreSQL (see `crate::settings`).

use chrono::Utc;

use super::PgDb;
use crate::codec::{id, opt_id, time};
use crate::settings::rows::{row_to_settings, GuildSettings, SettingsRow};
use crate::Result;

pub(crate) async fn load_settings(db: &PgDb, guild: u64) -> Result<Option<GuildSettings>> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT guild_id, manager_role_id, hr_role_id, union_rep_role_id, approver_role_id,
                payroll_role_id, case_channel_id, hr_channel_id, onboarding_channel_id,
                time_zone, docs_links::text AS docs_links, reminder_days::text AS reminder_days,
                stall_days, escalate_days, remind_at, digest_cron, retention_months,
                shared_language, notifications
         FROM guild_settings WHERE guild_id = $1",
    )
    .bind(id(guild))
    .fetch_optional(&db.pool)
    .await?;
    row.map(row_to_settings).transpose()
}

pub(crate) async fn save_settings(
    db: &PgDb,
    settings: &GuildSettings,
    docs: String,
    days: String,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO guild_settings (guild_id, manager_role_id, hr_role_id, union_rep_role_id,
                approver_role_id, payroll_role_id, case_channel_id, hr_channel_id,
                onboarding_channel_id, time_zone, docs_links, reminder_days, stall_days,
                escalate_days, remind_at, digest_cron, retention_months, updated_at,
                shared_language, notifications)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15,
                 $16, $17, $18, $19, $20)
         ON CONFLICT (guild_id) DO UPDATE SET
                manager_role_id = $2, hr_role_id = $3, union_rep_role_id = $4,
                approver_role_id = $5, payroll_role_id = $6, case_channel_id = $7,
                hr_channel_id = $8, onboarding_channel_id = $9, time_zone = $10,
                docs_links = $11::jsonb, reminder_days = $12::jsonb, stall_days = $13,
                escalate_days = $14, remind_at = $15, digest_cron = $16, retention_months = $17,
                updated_at = $18, shared_language = $19, notifications = $20",
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
    .bind(Utc::now())
    .bind(settings.language.dir())
    .bind(settings.notifications.as_str())
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(crate) async fn reminders_planned_with(db: &PgDb, guild: u64) -> Result<Option<String>> {
    let found: Option<Option<String>> =
        sqlx::query_scalar("SELECT reminders_planned_with FROM guild_settings WHERE guild_id = $1")
            .bind(id(guild))
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.flatten())
}

pub(crate) async fn set_reminders_planned_with(
    db: &PgDb,
    guild: u64,
    fingerprint: &str,
) -> Result<()> {
    sqlx::query("UPDATE guild_settings SET reminders_planned_with = $1 WHERE guild_id = $2")
        .bind(fingerprint)
        .bind(id(guild))
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(crate) async fn configured_guilds(db: &PgDb) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT guild_id FROM guild_settings ORDER BY guild_id")
            .fetch_all(&db.pool)
            .await?,
    )
}
