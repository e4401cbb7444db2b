//! The bot under measure: one process or several, each run in this program as `los run` runs
//! it (`los::app::start`), with its own pool on the database and its own client against the
//! sandbox. On PostgreSQL several share one database, its gateway shards by leases and
//! Discord's global limit by places drawn from the database (`los::pace::shared`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use los::app::Running;
use sandbox::{HttpMode, Sandbox};

use crate::store::Store;

/// What a row ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    pub postgres: bool,
    pub processes: usize,
}

impl Setup {
    pub const SQLITE: Setup = Setup {
        postgres: false,
        processes: 1,
    };

    pub fn postgres(processes: usize) -> Setup {
        Setup {
            postgres: true,
            processes,
        }
    }

    pub fn label(&self) -> String {
        match (self.postgres, self.processes) {
            (false, _) => "SQLite".into(),
            (true, 1) => "PostgreSQL, 1 process".into(),
            (true, n) => format!("PostgreSQL, {n} processes"),
        }
    }
}

/// `processes` bots on `store`, started one after another, each once the one before is
/// registered as live (so the first is the longest registered, and keeps the one shard the
/// sandbox has); answers once every one is registered.
pub async fn start(
    sb: &Sandbox,
    store: &Store,
    processes: usize,
    clock: Arc<dyn flow::Clock>,
) -> anyhow::Result<Vec<Running>> {
    let guild = sb.world().guild_id;
    let mut bots: Vec<Running> = Vec::new();
    for n in 1..=processes {
        let data = los::app::data(store.open().await?, clock.clone())?;
        bots.push(los::app::start(sb.http(HttpMode::Tls)?, data, Some(guild)).await?);
        if processes > 1 {
            let db = &bots[0].data.db;
            until("processes registered", || async {
                Ok(storage::live_processes(db).await?.len() >= n)
            })
            .await?;
        }
    }
    Ok(bots)
}

async fn until<F, Fut>(what: &str, mut done: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let start = Instant::now();
    while !done().await? {
        if start.elapsed() > Duration::from_secs(60) {
            bail!("{what}: not within a minute");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Stops each bot where it is (as a crash would) and closes its database. Its pacer closes
/// first, so that what was still queued to send (announcements of the last presses) waits for
/// good instead of going on to a closed database.
pub async fn stop(bots: Vec<Running>) {
    for bot in bots {
        let data = bot.data.clone();
        data.pacer.close();
        bot.stop().await;
        data.db.close().await;
    }
}
