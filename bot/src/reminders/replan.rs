//! Changed reminder settings (`/oppsett paminnelser`) move the reminders of every open case.
//! The loop compares each server's reminder settings with those it last planned with, before
//! it claims anything; on start it plans every server once, so a crash between saving the
//! settings and replanning is mended on the next start.

use std::collections::HashMap;

use flow::CaseId;
use storage::{GuildSettings, ReminderOffsets, StorageError};

use crate::server;
use crate::types::Data;

/// What the reminders of a server were last planned with.
#[derive(Default)]
pub struct Replanner {
    planned: HashMap<u64, (ReminderOffsets, Option<u32>)>,
}

impl Replanner {
    /// Replans the open cases of every server whose settings changed since last time.
    pub async fn run(&mut self, data: &Data) {
        let db = data.db.pool();
        let Ok(guilds) = storage::configured_guilds(db).await else {
            return;
        };
        for guild in guilds {
            let Ok(Some(settings)) = storage::load_settings(db, guild).await else {
                continue;
            };
            let now = (settings.reminders.clone(), settings.retention_months);
            if self.planned.get(&guild) == Some(&now) {
                continue;
            }
            match replan_guild(data, &settings).await {
                Ok(cases) => {
                    tracing::debug!(guild, cases, "reminders planned with the server's settings");
                    self.planned.insert(guild, now);
                    data.reminders_changed.notify_one();
                }
                Err(e) => tracing::warn!(error = %e, guild, "replanning failed; will try again"),
            }
        }
    }
}

/// Plans every open case of a server again; how many there were.
pub async fn replan_guild(data: &Data, settings: &GuildSettings) -> Result<usize, StorageError> {
    let db = data.db.pool();
    let cases = storage::open_cases(db, settings.guild).await?;
    for case in &cases {
        replan_case(data, settings, *case).await?;
    }
    Ok(cases.len())
}

async fn replan_case(
    data: &Data,
    settings: &GuildSettings,
    id: CaseId,
) -> Result<(), StorageError> {
    let db = data.db.pool();
    let rs = server::reminder_settings(settings);
    let mut last = Ok(());
    for _ in 0..3 {
        let Some(case) = storage::load_case(db, settings.guild, id).await? else {
            return Ok(());
        };
        let wanted = flow::plan_reminders(&data.process, &case, &rs);
        match storage::replan_reminders(db, settings.guild, &case, &wanted).await {
            Err(e @ StorageError::Stale { .. }) => last = Err(e),
            other => return other,
        }
    }
    last
}
