//! This process in the registry of live processes (issue 14), so that the processes of one
//! bot share Discord's global limit ([`crate::pace`]): the roster's loop heartbeats
//! (`storage::heartbeat`) every [`ShareTimes::every`], and hands each answer (how many are
//! live, whether this heartbeat began a new registration, how long ago it was sent) to the
//! pacer, which paces to its share from then on. A failed or slow heartbeat is logged and the
//! loop goes on: the pacer stops sending by itself once its count is no longer trusted. On a
//! graceful stop the roster closes the pacer and deregisters with a linger of one span, so the
//! others count it until its last request is out of every window.
//!
//! Only on PostgreSQL: on SQLite one process owns the file and its share is the whole limit.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use crate::pace::{ShareTimes, SPAN};
use crate::shards::Stop;
use crate::types::Data;

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    /// Nothing was due; the roster waited until a heartbeat was.
    Waited,
    /// A heartbeat answered: `live` processes, `joined` if it began this process's
    /// registration; the pacer's share from now (zero while a newcomer waits).
    Heard { live: u32, joined: bool, share: u32 },
    /// The heartbeat failed or did not answer in time.
    Failed,
}

/// Keeps this process registered and its pacer's share up to date.
pub struct Roster {
    data: Arc<Data>,
    owner: String,
    times: ShareTimes,
    next: Instant,
}

impl Roster {
    /// The roster of `owner` (a name unique to this run of this process), heartbeating at
    /// once.
    pub fn new(data: Arc<Data>, owner: String, times: ShareTimes) -> Roster {
        Roster {
            data,
            owner,
            times,
            next: Instant::now(),
        }
    }

    /// The loop: one round after another until `stop` says otherwise. `Stop::Release` closes
    /// the pacer and deregisters; `Stop::Now` leaves the registration to expire (as a crash).
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
            crate::ops::metrics::global_share(self.data.pacer.share_now());
            return Beat::Waited;
        }
        self.next = now + self.times.every();
        let beat = storage::heartbeat(&self.data.db, &self.owner, self.times.ttl());
        // An answer later than the trust is of no use: the count would be stale on arrival.
        let beat = match timeout(self.times.trust(), beat).await {
            Ok(Ok(h)) => {
                let pacer = &self.data.pacer;
                pacer.heard(h.live, h.joined, now.elapsed(), &self.times);
                Beat::Heard {
                    live: h.live,
                    joined: h.joined,
                    share: pacer.share_now(),
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "heartbeat failed");
                Beat::Failed
            }
            Err(_) => {
                tracing::warn!("heartbeat did not answer in time");
                Beat::Failed
            }
        };
        crate::ops::metrics::global_share(self.data.pacer.share_now());
        beat
    }

    /// Stops sending, then deregisters: the others count this process for one more span, the
    /// most its last request can still count against a window.
    async fn leave(self) {
        self.data.pacer.close();
        crate::ops::metrics::global_share(0);
        let gone = storage::deregister(&self.data.db, &self.owner, SPAN);
        match timeout(Duration::from_secs(5), gone).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "not deregistered: the registration expires"),
            Err(_) => tracing::warn!("deregistration did not answer in time: it expires"),
        }
    }
}

fn log(beat: Beat) {
    if let Beat::Heard {
        live,
        joined: true,
        share,
    } = beat
    {
        tracing::info!(live, share, "registered among the live processes");
    }
}
