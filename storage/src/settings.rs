//! Per-server settings: who is who (Discord roles), where things go (channels), the time zone,
//! documentation links, reminder offsets, how long closed cases keep personal data, the
//! language of shared messages and how much the bot pings.

use crate::Db;
use std::collections::BTreeMap;

use chrono::{NaiveTime, Utc};
use flow::Lang;
use sqlx::Acquire;

use crate::codec::{id, id_back, opt_id, opt_id_back, opt_time_back, time, ts};
use crate::error::corrupt;
use crate::Result;

/// The Discord role that stands for each role of the chart. The manager role is optional:
/// without it, anyone may open a case and becomes its manager.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleIds {
    pub manager: Option<u64>,
    pub hr: Option<u64>,
    pub union_rep: Option<u64>,
    pub approver: Option<u64>,
    pub payroll: Option<u64>,
}

/// What a server changed about reminders; `None` keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderOffsets {
    /// Overrides of a deadline rule's days, by the rule's setting name (`onboarding_utstyr`).
    pub days: BTreeMap<String, i64>,
    pub stall_days: Option<u32>,
    pub escalate_days: Option<u32>,
    /// Oslo wall-clock time reminders go out.
    pub remind_at: Option<NaiveTime>,
    /// When HR's digest is posted, as a cron expression.
    pub digest_cron: Option<String>,
}

/// How much the bot pings people in case threads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotificationLevel {
    /// Every step that opens is told, pinging its people.
    EveryStep,
    /// Only the people asked to act are pinged.
    #[default]
    WhenAsked,
    /// Nothing in the threads pings: the daily digest and the direct messages carry it.
    DigestOnly,
}

impl NotificationLevel {
    pub const ALL: [NotificationLevel; 3] = [
        NotificationLevel::EveryStep,
        NotificationLevel::WhenAsked,
        NotificationLevel::DigestOnly,
    ];

    /// Stable name, as stored and as the Fluent id suffix (`notifications-when_asked`).
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationLevel::EveryStep => "every_step",
            NotificationLevel::WhenAsked => "when_asked",
            NotificationLevel::DigestOnly => "digest_only",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationLevel> {
        NotificationLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

fn lang_back(s: &str) -> Result<Lang> {
    Lang::ALL
        .into_iter()
        .find(|l| l.dir() == s)
        .ok_or_else(|| corrupt(format!("shared language {s:?}")))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildSettings {
    pub guild: u64,
    pub roles: RoleIds,
    /// Where case threads are opened.
    pub case_channel: Option<u64>,
    /// Where HR's reminders and digest go.
    pub hr_channel: Option<u64>,
    /// Where onboarding checklists are posted.
    pub onboarding_channel: Option<u64>,
    /// IANA name, `Europe/Oslo` unless changed.
    pub time_zone: String,
    /// Documentation link key -> URL.
    pub docs: BTreeMap<String, String>,
    pub reminders: ReminderOffsets,
    /// Months after a case ends that its personal data is deleted; `None`: the default (12).
    pub retention_months: Option<u32>,
    /// The language of what everyone sees (the card, its buttons, thread lines, reminders in
    /// channels, the digest, checklists): bokmål unless changed.
    pub language: Lang,
    /// How much the bot pings in case threads.
    pub notifications: NotificationLevel,
}

impl GuildSettings {
    /// A server that has set nothing yet.
    pub fn new(guild: u64) -> GuildSettings {
        GuildSettings {
            guild,
            roles: RoleIds::default(),
            case_channel: None,
            hr_channel: None,
            onboarding_channel: None,
            time_zone: "Europe/Oslo".to_owned(),
            docs: BTreeMap::new(),
            reminders: ReminderOffsets::default(),
            retention_months: None,
            language: Lang::Nb,
            notifications: NotificationLevel::default(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    guild_id: i64,
    manager_role_id: Option<i64>,
    hr_role_id: Option<i64>,
    union_rep_role_id: Option<i64>,
    approver_role_id: Option<i64>,
    payroll_role_id: Option<i64>,
    case_channel_id: Option<i64>,
    hr_channel_id: Option<i64>,
    onboarding_channel_id: Option<i64>,
    time_zone: String,
    docs_links: String,
    reminder_days: String,
    stall_days: Option<i64>,
    escalate_days: Option<i64>,
    remind_at: Option<String>,
    digest_cron: Option<String>,
    retention_months: Option<i64>,
    shared_language: String,
    notifications: String,
}

fn small(what: &str, v: Option<i64>) -> Result<Option<u32>> {
    v.map(|n| u32::try_from(n).map_err(|_| corrupt(format!("{what} {n}"))))
        .transpose()
}

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

/// A stored row as settings (both backends read the same columns).
pub(crate) fn row_to_settings(r: SettingsRow) -> Result<GuildSettings> {
    Ok(GuildSettings {
        guild: id_back(r.guild_id),
        roles: RoleIds {
            manager: opt_id_back(r.manager_role_id),
            hr: opt_id_back(r.hr_role_id),
            union_rep: opt_id_back(r.union_rep_role_id),
            approver: opt_id_back(r.approver_role_id),
            payroll: opt_id_back(r.payroll_role_id),
        },
        case_channel: opt_id_back(r.case_channel_id),
        hr_channel: opt_id_back(r.hr_channel_id),
        onboarding_channel: opt_id_back(r.onboarding_channel_id),
        time_zone: r.time_zone,
        docs: serde_json::from_str(&r.docs_links).map_err(|e| corrupt(format!("docs: {e}")))?,
        reminders: ReminderOffsets {
            days: serde_json::from_str(&r.reminder_days)
                .map_err(|e| corrupt(format!("reminder days: {e}")))?,
            stall_days: small("stall days", r.stall_days)?,
            escalate_days: small("escalate days", r.escalate_days)?,
            remind_at: opt_time_back(r.remind_at.as_deref())?,
            digest_cron: r.digest_cron,
        },
        retention_months: small("retention months", r.retention_months)?,
        language: lang_back(&r.shared_language)?,
        notifications: NotificationLevel::parse(&r.notifications)
            .ok_or_else(|| corrupt(format!("notifications {:?}", r.notifications)))?,
    })
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
