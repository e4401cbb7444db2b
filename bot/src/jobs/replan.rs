//! Changed reminder settings (`/oppsett paminnelser`) move the reminders of every open case
//! and of every open journey (a new hire's reminders follow a changed time of day too, on
//! their same working day; a journey runs on after its case has ended).
//! The loop compares each server's reminder settings (and the process they are planned by)
//! with the fingerprint its cases were last planned with, stored beside the settings, before it
//! claims anything. The fingerprint is stored only after every open case was planned again, so
//! a crash between saving the settings and replanning is mended on the next start; a restart
//! with nothing changed replans nothing (a server with 100,000 open cases starts at once).

use std::collections::HashMap;

use flow::CaseId;
use storage::{GuildSettings, StorageError};

use crate::guild;
use crate::types::Data;

/// What the reminders of each server were last planned with, as this process knows it.
#[derive(Default)]
pub struct Replanner {
    planned: HashMap<u64, String>,
}

impl Replanner {
    /// Replans the open cases of every server whose settings changed since last time.
    pub async fn run(&mut self, data: &Data) {
        let db = &data.db;
        let Ok(guilds) = storage::configured_guilds(db).await else {
            return;
        };
        for guild in guilds {
            let Ok(Some(settings)) = storage::load_settings(db, guild).await else {
                continue;
            };
            let now = fingerprint(&settings);
            if self.planned.get(&guild) == Some(&now) {
                continue;
            }
            match replan_if_changed(data, &settings, &now).await {
                Ok(cases) => {
                    if cases > 0 {
                        tracing::info!(
                            guild,
                            cases,
                            "reminders planned with the server's settings"
                        );
                        data.reminders_changed.notify_one();
                    }
                    self.planned.insert(guild, now);
                }
                Err(e) => tracing::warn!(error = %e, guild, "replanning failed; will try again"),
            }
        }
    }
}

/// What a server's reminders depend on besides its cases: its reminder settings, the process
/// (deadline rules, steps) and the planner, i.e. this build.
pub fn fingerprint(settings: &GuildSettings) -> String {
    // "journeys": since journeys are planned again with the cases, so a server whose
    // journeys were planned before that is planned once more.
    let text = format!(
        "{}|journeys|{}|{:?}|{:?}",
        env!("CARGO_PKG_VERSION"),
        storage::fingerprint(crate::prompts::PROCESS),
        settings.reminders,
        settings.retention_months
    );
    storage::fingerprint(&text)
}

/// Replans the server's open cases unless they were planned with `fingerprint` already; how
/// many were replanned.
async fn replan_if_changed(
    data: &Data,
    settings: &GuildSettings,
    fingerprint: &str,
) -> Result<usize, StorageError> {
    let db = &data.db;
    let stored = storage::reminders_planned_with(db, settings.guild).await?;
    if stored.as_deref() == Some(fingerprint) {
        return Ok(0);
    }
    let cases = replan_guild(data, settings).await?;
    storage::set_reminders_planned_with(db, settings.guild, fingerprint).await?;
    Ok(cases)
}

/// Plans every open case and every open journey of a server again; how many cases there
/// were. The cases are replanned a batch at a time, concurrently, so the group commit stores a
/// batch with one fsync; the journeys a batch per transaction.
pub async fn replan_guild(data: &Data, settings: &GuildSettings) -> Result<usize, StorageError> {
    use futures::stream::{self, StreamExt, TryStreamExt};
    const AT_ONCE: usize = 64;
    let cases = storage::open_cases(&data.db, settings.guild).await?;
    stream::iter(cases.iter().copied())
        .map(|case| replan_case(data, settings, case))
        .buffer_unordered(AT_ONCE)
        .try_collect::<Vec<()>>()
        .await?;
    replan_journeys(data, settings).await?;
    Ok(cases.len())
}

/// Plans the reminders of the server's open journeys again, [`JOURNEYS_AT_ONCE`] per
/// transaction.
async fn replan_journeys(data: &Data, settings: &GuildSettings) -> Result<(), StorageError> {
    let remind_at = guild::reminder_settings(settings).deadlines.remind_at;
    let mut after = None;
    while let Some(last) = storage::replan_journeys(
        &data.db,
        settings.guild,
        after,
        JOURNEYS_AT_ONCE,
        |journey| journey.reminders(remind_at),
    )
    .await?
    {
        after = Some(last);
    }
    Ok(())
}

/// Journeys planned again in one transaction: short enough that the writer is not held up.
const JOURNEYS_AT_ONCE: u32 = 200;

async fn replan_case(
    data: &Data,
    settings: &GuildSettings,
    id: CaseId,
) -> Result<(), StorageError> {
    let rs = guild::reminder_settings(settings);
    let mut last = Ok(());
    for _ in 0..3 {
        let Some(case) = storage::load_case(&data.db, settings.guild, id).await? else {
            return Ok(());
        };
        let wanted = flow::plan_reminders(&data.process, &case, &rs);
        match data.db.replan_reminders(settings.guild, case, wanted).await {
            Err(e @ StorageError::Stale { .. }) => last = Err(e),
            other => return other,
        }
    }
    last
}
