//! A server's saved settings, read the way the rest of the bot needs them.

use std::collections::{BTreeMap, BTreeSet};

use flow::{DeadlineSettings, ReminderSettings, Role};
use storage::{GuildSettings, NotificationLevel};

use crate::render::ServerView;
use crate::types::{BotError, Data};

/// The server's saved settings, or the defaults for a server that saved none.
pub async fn settings_or_default(data: &Data, guild: u64) -> Result<GuildSettings, BotError> {
    Ok(storage::load_settings(data.db.pool(), guild)
        .await?
        .unwrap_or_else(|| GuildSettings::new(guild)))
}

/// How much the server wants to be pinged in case threads (`/oppsett varsler`).
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

pub fn view(s: &GuildSettings) -> ServerView {
    ServerView {
        roles: role_ids(s),
        links: s.docs.clone(),
    }
}

/// The process roles a member holds, from their Discord roles. The server's manager role is
/// not among them: it only lets a person open cases ([`crate::authz::may_open_cases`]); on a
/// case, its owner and deputy are its manager (`flow::Case::roles_of`).
pub fn roles_of_member(s: &GuildSettings, member_roles: &[u64]) -> BTreeSet<Role> {
    role_ids(s)
        .into_iter()
        .filter(|(r, id)| *r != Role::Manager && member_roles.contains(id))
        .map(|(r, _)| r)
        .collect()
}

/// The reminder settings this server asked for, on top of the defaults.
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

/// What a server must set before cases can be opened, by the setting's text id suffix.
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
