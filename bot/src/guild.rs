//! The guild (a Discord server) as the rest of the bot needs it: its saved settings or the
//! defaults, the process roles its members hold, its reminder settings and digest schedule,
//! what rendering needs to know of it, and what it must set before cases can be opened.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use flow::{Actor, DeadlineSettings, PersonRef, ReminderSettings, Role};
use serenity::all::Member;
use storage::{GuildSettings, NotificationLevel};

use crate::types::{BotError, Data};

/// The guild's saved settings, or the defaults for a guild that saved none: the one place
/// that says so.
pub async fn load_or_default(db: &storage::Db, guild: u64) -> storage::Result<GuildSettings> {
    Ok(storage::load_settings(db, guild)
        .await?
        .unwrap_or_else(|| GuildSettings::new(guild)))
}

/// [`load_or_default`], for a handler.
pub async fn settings_or_default(data: &Data, guild: u64) -> Result<GuildSettings, BotError> {
    Ok(load_or_default(&data.db, guild).await?)
}

/// The settings to word a reply by (a refusal, an error): the guild's, or the defaults when
/// there is no guild or its settings cannot be read just now.
pub async fn settings_for_reply(data: &Data, guild: Option<u64>) -> GuildSettings {
    match guild {
        Some(g) => load_or_default(&data.db, g)
            .await
            .unwrap_or_else(|_| GuildSettings::new(g)),
        None => GuildSettings::new(0),
    }
}

/// How much the guild wants to be pinged in case threads (`/oppsett varsler`).
pub fn notification_level(s: &GuildSettings) -> NotificationLevel {
    s.notifications
}

/// The Discord role id configured for each process role.
pub fn role_ids(s: &GuildSettings) -> BTreeMap<Role, u64> {
    [
        (Role::Manager, s.roles.manager),
        (Role::Hr, s.roles.hr),
        (Role::UnionRep, s.roles.union_rep),
        (Role::Approver, s.roles.approver),
        (Role::Payroll, s.roles.payroll),
    ]
    .into_iter()
    .filter_map(|(r, id)| id.map(|id| (r, id)))
    .collect()
}

/// What rendering needs to know about the guild: who holds which role, and the links to the
/// municipality's own documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuildView {
    /// The Discord role id for each process role that has one configured.
    pub roles: BTreeMap<Role, u64>,
    /// Documentation links by key (`webcruiter`, `hr_everyone`, `rutiner`).
    pub links: BTreeMap<String, String>,
}

pub fn view(s: &GuildSettings) -> GuildView {
    GuildView {
        roles: role_ids(s),
        links: s.docs.clone(),
    }
}

/// The process roles a member holds, from their Discord roles. The guild's manager role is
/// not among them: it only lets a person open cases ([`crate::authz::may_open_cases`]); on a
/// case, its owner and deputy are its manager (`flow::Case::roles_of`).
pub fn roles_of_member(s: &GuildSettings, member_roles: &[u64]) -> BTreeSet<Role> {
    role_ids(s)
        .into_iter()
        .filter(|(r, id)| *r != Role::Manager && member_roles.contains(id))
        .map(|(r, _)| r)
        .collect()
}

/// The person acting, with the process roles their Discord roles give them here.
pub fn actor_of(settings: &GuildSettings, member: &Member) -> Actor {
    let roles: Vec<u64> = member.roles.iter().map(|r| r.get()).collect();
    Actor {
        person: PersonRef {
            id: flow::PersonId(member.user.id.get()),
            name: member.display_name().to_owned(),
        },
        roles: roles_of_member(settings, &roles),
    }
}

/// The reminder settings this guild asked for, on top of the defaults.
pub fn reminder_settings(s: &GuildSettings) -> ReminderSettings {
    let defaults = ReminderSettings::default();
    ReminderSettings {
        deadlines: DeadlineSettings {
            remind_at: s
                .reminders
                .remind_at
                .unwrap_or(defaults.deadlines.remind_at),
            days: s.reminders.days.clone().into_iter().collect(),
        },
        stall_days: s.reminders.stall_days.unwrap_or(defaults.stall_days),
        escalate_days: s.reminders.escalate_days.unwrap_or(defaults.escalate_days),
        retention_months: s.retention_months.unwrap_or(defaults.retention_months),
        purge_notice_days: defaults.purge_notice_days,
    }
}

/// HR's digest when a guild has not chosen: weekdays at 08:00 (Europe/Oslo).
pub const DEFAULT_DIGEST_CRON: &str = "0 0 8 * * Mon-Fri";

/// A digest schedule as the `cron` crate reads it (seconds first).
pub fn digest_schedule(expr: &str) -> Result<cron::Schedule, cron::error::Error> {
    cron::Schedule::from_str(expr.trim())
}

/// The guild's digest schedule, or the default when it has none or an unreadable one.
pub fn digest_schedule_of(settings: &GuildSettings) -> Option<cron::Schedule> {
    let expr = settings
        .reminders
        .digest_cron
        .as_deref()
        .unwrap_or(DEFAULT_DIGEST_CRON);
    digest_schedule(expr)
        .or_else(|_| digest_schedule(DEFAULT_DIGEST_CRON))
        .ok()
}

/// What a guild must set before cases can be opened, by the setting's text id suffix.
pub fn missing(s: &GuildSettings) -> Vec<&'static str> {
    let mut out = Vec::new();
    if s.roles.hr.is_none() {
        out.push("role-hr");
    }
    if s.roles.union_rep.is_none() {
        out.push("role-union_rep");
    }
    if s.roles.approver.is_none() {
        out.push("role-approver");
    }
    if s.case_channel.is_none() {
        out.push("channel-cases");
    }
    if s.hr_channel.is_none() {
        out.push("channel-hr");
    }
    if s.onboarding_channel.is_none() {
        out.push("channel-onboarding");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_schedule_parses() {
        assert!(super::digest_schedule(super::DEFAULT_DIGEST_CRON).is_ok());
    }
}
