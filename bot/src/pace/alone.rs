//! The pace of a process that has Discord's global limit to itself (SQLite: one process per
//! file).
//!
//! A GCRA ([`governor`]) with a burst of [`BURST`]: one request every
//! `(window + jitter) / (limit - burst)`. Such a pace lets at most `burst + span / period`
//! requests start in any span of time, so at most `limit` in any `window + jitter`. Discord
//! (and the sandbox, `sandbox/src/ratelimit.rs`) count a window from the first request that
//! arrives after the last window ended; the requests that arrive within one window left the
//! bot within `window + jitter` of each other as long as none took [`JITTER`] longer on its
//! way than another. The burst of two is not for speed: without it a place taken a moment
//! late (a timer fires on the next millisecond) would be lost for good.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::Notify;

use super::{GLOBAL_LIMIT, GLOBAL_WINDOW, JITTER};

/// Requests that may go at once after a pause.
pub const BURST: u32 = 2;

/// The whole limit, paced in this process.
pub struct Alone {
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
    closed: AtomicBool,
    changed: Notify,
}

impl Alone {
    pub fn new() -> Alone {
        Alone {
            limiter: RateLimiter::direct(quota(GLOBAL_LIMIT, GLOBAL_WINDOW, JITTER, BURST)),
            clock: DefaultClock::default(),
            closed: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }

    /// Waits for a place in the pace (never, once closed).
    pub async fn ready(&self) {
        loop {
            let changed = self.changed.notified();
            if self.closed.load(Ordering::SeqCst) {
                return std::future::pending().await;
            }
            match self.limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = changed => {}
                    }
                }
            }
        }
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}

impl Default for Alone {
    fn default() -> Self {
        Alone::new()
    }
}

/// The pace for at most `limit` requests in any `window + jitter`, `burst` of them at once:
/// one every `(window + jitter) / (limit - burst)`.
pub fn quota(limit: u32, window: Duration, jitter: Duration, burst: u32) -> Quota {
    let burst = burst.clamp(1, limit.saturating_sub(1).max(1));
    let period = (window + jitter) / limit.saturating_sub(burst).max(1);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pace::most_in_a_window;
    use governor::clock::FakeRelativeClock;

    /// A greedy sender on a simulated clock: takes a place as soon as the pace allows, for
    /// `n` requests. Answers when each was let go.
    fn greedy(quota: Quota, n: usize) -> Vec<Duration> {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::direct_with_clock(quota, clock.clone());
        let mut at = Vec::new();
        let mut now = Duration::ZERO;
        while at.len() < n {
            match limiter.check() {
                Ok(()) => at.push(now),
                Err(not_until) => {
                    let wait = not_until.wait_time_from(clock.now());
                    clock.advance(wait);
                    now += wait;
                }
            }
        }
        at
    }

    #[test]
    fn no_window_counts_more_than_the_limit_even_with_jitter() {
        let q = quota(GLOBAL_LIMIT, GLOBAL_WINDOW, JITTER, BURST);
        let sent = greedy(q, 1_000);
        // Every request on time, or every third one late by the whole allowance.
        let on_time = sent.clone();
        let late: Vec<Duration> = sent
            .iter()
            .enumerate()
            .map(|(i, t)| if i % 3 == 0 { *t + JITTER } else { *t })
            .collect();
        assert!(most_in_a_window(on_time, GLOBAL_WINDOW) <= GLOBAL_LIMIT as usize);
        assert!(most_in_a_window(late, GLOBAL_WINDOW) <= GLOBAL_LIMIT as usize);
        // And the pace is not needlessly slow: over 46 requests per second.
        let last = sent.last().copied().unwrap_or_default();
        let rate = sent.len() as f64 / last.as_secs_f64();
        assert!(rate > 46.0, "{rate} per second");
    }

    #[test]
    fn without_the_allowance_a_late_request_would_overrun_a_window() {
        // The same sender at the full 50 per second: one late request is one too many.
        let q = quota(GLOBAL_LIMIT + 1, GLOBAL_WINDOW, Duration::ZERO, 1);
        let sent = greedy(q, 200);
        let late: Vec<Duration> = sent
            .iter()
            .enumerate()
            .map(|(i, t)| if i == 49 { *t + JITTER } else { *t })
            .collect();
        assert!(most_in_a_window(late, GLOBAL_WINDOW) > GLOBAL_LIMIT as usize);
    }

    #[tokio::test]
    async fn a_closed_pace_lets_nothing_go() {
        let alone = Alone::new();
        alone.ready().await;
        alone.close();
        assert!(
            futures::FutureExt::now_or_never(alone.ready()).is_none(),
            "a request went after the pace closed"
        );
    }
}
