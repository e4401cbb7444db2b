//! The bot's own pace for Discord's global limit (50 requests per second over all routes).
//!
//! serenity keeps each route's bucket from the response headers and waits before a request
//! that would overrun it, but it learns of the global limit only from a 429. A bot that sends
//! many messages at once must therefore pace itself, and [`Pacer::ready`] is where it does:
//! first it waits until serenity's bucket for the route has room (so serenity will not hold
//! the request back after it was counted here), then for a place in the global pace.
//!
//! The pace is a GCRA ([`governor`]) with a burst of [`BURST`]: one request every
//! `(window + jitter) / (limit - burst)`. Such a pace lets at most `burst + span / period`
//! requests start in any span of time, so at most `limit` in any `window + jitter`. Discord
//! (and the sandbox, `sandbox/src/ratelimit.rs`) count a window from the first request that
//! arrives after the last window ended; the requests that arrive within one window left the
//! bot within `window + jitter` of each other as long as none took `jitter` longer on its way
//! than another. [`JITTER`] is that allowance. The burst of two is not for speed: without it a
//! place taken a moment late (a timer fires on the next millisecond) would be lost for good.

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime};

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serenity::http::{Http, Route};

/// Discord's global limit: requests per second over all routes.
pub const GLOBAL_LIMIT: u32 = 50;
/// The window of the global limit.
pub const GLOBAL_WINDOW: Duration = Duration::from_secs(1);
/// How much longer one request may take than another between leaving the pacer and being
/// counted by Discord, without two windows' worth landing in one.
pub const JITTER: Duration = Duration::from_millis(20);
/// Requests that may go at once after a pause.
pub const BURST: u32 = 2;

/// Requests paced to stay under a limit per window.
pub struct Pacer {
    limiter: DefaultDirectRateLimiter,
}

impl Pacer {
    /// Discord's global limit, with [`JITTER`] to spare.
    pub fn discord() -> Pacer {
        Pacer::new(quota(GLOBAL_LIMIT, GLOBAL_WINDOW, JITTER, BURST))
    }

    pub fn new(quota: Quota) -> Pacer {
        Pacer {
            limiter: RateLimiter::direct(quota),
        }
    }

    /// Waits until a request on `route` may be sent now: serenity's bucket for it has room,
    /// and the global pace allows one more. Call it right before the request.
    pub async fn ready(&self, http: &Http, route: Route<'_>) {
        route_room(http, route).await;
        loop {
            match self.limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.limiter.clock().now());
                    tokio::time::sleep(wait).await;
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
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

    /// The most requests any window counted, the way `sandbox/src/ratelimit.rs` counts: a
    /// window starts with the first request that arrives after the last one ended.
    fn most_in_a_window(mut arrivals: Vec<Duration>, window: Duration) -> usize {
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
}
