//! The journeys still owed in Discord ([`crate::publish::journey::bring_out`]): a private thread
//! or checklist that Discord refused when the journey opened, or a closed journey's thread not
//! archived yet, two minutes on (the command or press that opened or closed it goes first). Each chores pass brings them out; one that fails waits (doubling from 30
//! seconds to an hour) and never holds up another.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use flow::CaseId;
use serenity::all::Http;

use crate::publish::delivery::backoff;
use crate::publish::journey as publish;
use crate::types::{BotError, Data};

/// Journeys looked at in one pass at most.
const PER_PASS: u32 = 50;
/// What the command that opened or closed a journey is left to do first.
const GRACE: chrono::Duration = chrono::Duration::minutes(2);

/// The journeys that failed in this process: how often, and when to try again.
#[derive(Default)]
pub struct JourneyWaits(HashMap<(u64, CaseId), (u32, DateTime<Utc>)>);

/// Brings out every journey that is owed and not waiting.
pub async fn bring_out_owed(data: &Data, http: &Http, waits: &mut JourneyWaits) {
    let now = data.clock.now();
    let rows = match storage::journeys_owing(&data.db, now - GRACE, PER_PASS).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "journeys owed not read; will try again");
            return;
        }
    };
    for row in rows {
        let key = (row.guild, row.journey.case);
        if waits.0.get(&key).is_some_and(|(_, next)| *next > now) {
            continue;
        }
        match one(data, http, &row).await {
            Ok(()) => {
                waits.0.remove(&key);
            }
            Err(e) => {
                let tries = waits.0.get(&key).map_or(0, |(n, _)| *n);
                tracing::warn!(case = key.1 .0, error = %e, "journey not brought out; will retry");
                waits.0.insert(key, (tries + 1, now + backoff(tries)));
            }
        }
    }
}

async fn one(data: &Data, http: &Http, row: &storage::JourneyRow) -> Result<(), BotError> {
    let settings = crate::guild::settings_or_default(data, row.guild).await?;
    let case = storage::load_case(&data.db, row.guild, row.journey.case)
        .await?
        .ok_or(BotError::CaseNotFound(row.journey.case.0))?;
    publish::bring_out(http, data, &settings, row, &case).await
}
