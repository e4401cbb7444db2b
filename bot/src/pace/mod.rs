//! The bot's own pace for Discord's global limit (50 requests per second over all routes).
//!
//! serenity keeps each route's bucket from the response headers and waits before a request
//! that would overrun it, but it learns of the global limit only from a 429. A bot that sends
//! many messages at once must therefore pace itself, and [`Pacer::ready`] is where it does:
//! first it waits until serenity's bucket for the route has room (so serenity will not hold
//! the request back after it was counted here), then for a place in the global pace.
//!
//! The limit is per bot, not per process, so how a process paces depends on whether it is
//! alone:
//! - **Alone** ([`alone`], SQLite: one process per file, held by the file lock): a GCRA in the
//!   process, the whole limit its own.
//! - **Shared** ([`shared`], PostgreSQL: any number of processes of one bot): the processes
//!   draw **places** from one sequence in the database, a place every [`shared::PERIOD`], and
//!   each request waits for a place of its own. No count of live processes, no shares: a
//!   process that dies only loses the few places it had drawn, and the others go on at the
//!   bot's whole pace.
//!
//! Both allow [`JITTER`]: how much longer one request may take than another between leaving
//! the pacer and being counted by Discord, without two windows' worth landing in one. The
//! requests that do not go through the pacer (the commands' registration at start-up, the
//! answers to interactions, which Discord does not count) are too few to matter.

pub mod alone;
pub mod shared;

use std::time::{Duration, SystemTime};

use serenity::http::{Http, Route};

pub use alone::quota;

/// Discord's global limit: requests per second over all routes.
pub const GLOBAL_LIMIT: u32 = 50;
/// The window of the global limit.
pub const GLOBAL_WINDOW: Duration = Duration::from_secs(1);
/// How much longer one request may take than another between leaving the pacer and being
/// counted by Discord, without two windows' worth landing in one.
pub const JITTER: Duration = Duration::from_millis(20);

/// Requests paced to Discord's global limit, alone or shared with the bot's other processes.
pub struct Pacer {
    kind: Kind,
}

enum Kind {
    Alone(alone::Alone),
    Shared(shared::Shared),
}

impl Pacer {
    /// The whole of Discord's global limit, paced here: the only process (SQLite).
    pub fn discord() -> Pacer {
        Pacer {
            kind: Kind::Alone(alone::Alone::new()),
        }
    }

    /// The limit shared with every process of the bot on `db` (PostgreSQL), by places drawn
    /// from the database.
    pub fn shared(db: storage::Db) -> Pacer {
        Pacer {
            kind: Kind::Shared(shared::Shared::new(db)),
        }
    }

    /// Waits until a request on `route` may be sent now: serenity's bucket for it has room,
    /// and the global pace has a place for it. Call it right before the request. Once the
    /// pacer is closed it never answers.
    pub async fn ready(&self, http: &Http, route: Route<'_>) {
        route_room(http, route).await;
        match &self.kind {
            Kind::Alone(a) => a.ready().await,
            Kind::Shared(s) => s.ready().await,
        }
    }

    /// How many draws of places failed or did not answer so far, as it changes (alone: none,
    /// ever).
    pub fn draw_failures(&self) -> tokio::sync::watch::Receiver<u64> {
        match &self.kind {
            Kind::Alone(_) => tokio::sync::watch::Sender::new(0).subscribe(),
            Kind::Shared(s) => s.failures(),
        }
    }

    /// No request goes any more (the process is stopping, its database about to close).
    pub fn close(&self) {
        match &self.kind {
            Kind::Alone(a) => a.close(),
            Kind::Shared(s) => s.close(),
        }
    }
}

/// Waits until serenity's bucket for `route` has a request left, or has reset (serenity would
/// otherwise wait itself after the request was counted against the global pace).
async fn route_room(http: &Http, route: Route<'_>) {
    let Some(limiter) = http.ratelimiter.as_ref() else {
        return;
    };
    let bucket = route.ratelimiting_bucket();
    if bucket.is_none() {
        return;
    }
    let routes = limiter.routes();
    let Some(entry) = routes.read().await.get(&bucket).cloned() else {
        return;
    };
    let wait = {
        let state = entry.lock().await;
        match state.reset() {
            Some(reset) if state.remaining() == 0 => {
                reset.duration_since(SystemTime::now()).unwrap_or_default()
            }
            _ => Duration::ZERO,
        }
    };
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}

/// The most requests any window counted, the way `sandbox/src/ratelimit.rs` counts: a window
/// starts with the first request that arrives after the last one ended.
#[cfg(test)]
pub(crate) fn most_in_a_window(mut arrivals: Vec<Duration>, window: Duration) -> usize {
    arrivals.sort();
    let (mut most, mut used, mut started) = (0, 0, None::<Duration>);
    for a in arrivals {
        match started {
            Some(s) if a - s < window => used += 1,
            _ => {
                started = Some(a);
                used = 1;
            }
        }
        most = most.max(used);
    }
    most
}
