//! This process in the registry of live processes (issue 14; PostgreSQL only): the roster's
//! loop heartbeats (`storage::heartbeat`) every [`Times::every`], so that the others know it
//! lives. The shard keeper shares the gateway shards among the live processes
//! (`crate::shards::share`), and the reminder senders take over the claims of a process whose
//! registration ended (`storage::claim_outgoing`). A failed or slow heartbeat is logged and the
//! loop goes on. On a graceful stop the roster deregisters at once, so the others take over
//! without waiting for the registration to expire; a process that dies is uncounted when its
//! registration ends, [`Times::ttl`] after its last heartbeat.
//!
//! On SQLite one process owns the file ([`storage::ProcessLock`]): there is no roster.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use crate::shards::Stop;
use crate::types::Data;

/// The times of the registry of live processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    /// How long a heartbeat registers a process for, by the database's clock.
    ttl: Duration,
}

impl Times {
    /// A ten-second registration, renewed about every 1.4 s.
    pub const DEFAULT: Times = Times {
        ttl: Duration::from_secs(10),
    };

    /// Times for a registration of `ttl`; `None` if it is under a second.
    pub fn new(ttl: Duration) -> Option<Times> {
        (ttl >= Duration::from_secs(1)).then_some(Times { ttl })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// How often to heartbeat: seven tries in a registration, so a few failures in a row
    /// do not end it.
    pub fn every(&self) -> Duration {
        self.ttl / 7
    }

    /// How long a heartbeat may take: an answer later than this one would be close to the
    /// next try.
    pub fn answer_within(&self) -> Duration {
        self.every() * 2
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    /// Nothing was due; the roster waited until a heartbeat was.
    Waited,
    /// A heartbeat answered: `live` processes, `joined` if it began this process's
    /// registration.
    Heard { live: u32, joined: bool },
    /// The heartbeat failed or did not answer in time.
    Failed,
}

/// Keeps this process registered.
pub struct Roster {
    data: Arc<Data>,
    owner: String,
    times: Times,
    next: Instant,
}

impl Roster {
    /// The roster of `owner` (a name unique to this run of this process), heartbeating at
    /// once.
    pub fn new(data: Arc<Data>, owner: String, times: Times) -> Roster {
        Roster {
            data,
            owner,
            times,
            next: Instant::now(),
        }
    }

    /// The loop: one round after another until `stop` says otherwise. `Stop::Release` closes
    /// deregisters; `Stop::Now` leaves the registration to expire (as a crash).
    pub async fn run(mut self, mut stop: watch::Receiver<Stop>) {
        loop {
            let how = *stop.borrow_and_update();
            match how {
                Stop::No => {}
                Stop::Now => return,
                Stop::Release => return self.leave().await,
            }
            tokio::select! {
                beat = self.run_once() => log(beat),
                changed = stop.changed() => {
                    if changed.is_err() {
                        return self.leave().await;
                    }
                }
            }
        }
    }

    /// One round: a heartbeat if one is due, else a wait until it is. Errors are part of the
    /// outcome, never returned.
    pub async fn run_once(&mut self) -> Beat {
        let now = Instant::now();
        if now < self.next {
            tokio::time::sleep_until(self.next).await;
            return Beat::Waited;
        }
        self.next = now + self.times.every();
        let beat = storage::heartbeat(&self.data.db, &self.owner, self.times.ttl());
        match timeout(self.times.answer_within(), beat).await {
            Ok(Ok(h)) => Beat::Heard {
                live: h.live,
                joined: h.joined,
            },
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "heartbeat failed");
                Beat::Failed
            }
            Err(_) => {
                tracing::warn!("heartbeat did not answer in time");
                Beat::Failed
            }
        }
    }

    /// Deregisters: the others stop counting this process at once.
    async fn leave(self) {
        let gone = storage::deregister(&self.data.db, &self.owner, Duration::ZERO);
        match timeout(Duration::from_secs(5), gone).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "not deregistered: the registration expires"),
            Err(_) => tracing::warn!("deregistration did not answer in time: it expires"),
        }
    }
}

fn log(beat: Beat) {
    if let Beat::Heard { live, joined: true } = beat {
        tracing::info!(live, "registered among the live processes");
    }
}
