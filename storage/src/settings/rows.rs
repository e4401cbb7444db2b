//! What both backends share about a server's settings: the settings as the bot sees them, the
//! stored row both read, and how that row decodes (JSON columns as text, small numbers, the
//! language and notification level by their stored names).

use std::collections::BTreeMap;

use chrono::NaiveTime;
use flow::Lang;

use crate::codec::{id_back, opt_id_back, opt_time_back};
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
