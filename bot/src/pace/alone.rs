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
//!
//! ## Several processes share the limit
//!
//! The limit is per bot, not per process. On PostgreSQL several processes run one bot, and each
//! paces itself to its **share**: `floor(limit / live)` ([`share`]), where `live` is how many
//! processes the database counted at this process's last heartbeat (`storage::heartbeat`,
//! driven by [`crate::roster`]). Each share is paced exactly as above, with the same burst and
//! jitter allowance but clamped to the share (`quota(share, …)`), so each process lets at most
//! its share go in any `window + jitter`, and the shares of any `live` processes sum to at most
//! the limit: the argument for one process holds for their sum, as long as every process that
//! sends counts at least as many processes as send. On SQLite there is one process per file
//! (the file lock), so its share is the whole limit, at once and for good.
//!
//! **The switch.** governor's quota is fixed per limiter, so a new share is a new limiter, and
//! a new limiter knows nothing of what the old one let go: started at the moment of the switch
//! it would grant its burst on top of the old one's last window. So the pacer also keeps when
//! its last requests went ([`GLOBAL_LIMIT`] of them at most, across limiters), and lets a
//! request go only if fewer than the share in force went in the last `window + jitter`. Every
//! span of `window + jitter` then counts at most the share in force at its last request, old
//! limiter's requests included: no request passes on two limiters' allowance. (Outside a
//! switch the limiter alone already keeps to this; the record only matters across one.)
//!
//! **When the count grows** the smaller share applies at once (the next heartbeat), and a
//! newcomer must not send until every other process has counted it. A process trusts a count
//! for [`ShareTimes::trust`] after it *sent* that heartbeat (measured on its own monotonic
//! clock) and sends nothing once it is older; so [`ShareTimes::trust`] after the newcomer's
//! registration was stored, every process still sending counts it, and their last requests
//! under the larger share are a `window + jitter` later out of every window. The newcomer
//! therefore waits [`ShareTimes::grace`] (`trust + window + jitter`) after its registration
//! before its first request; so does a process whose registration had expired and that
//! registers again (`Heartbeat::joined`), since the others may have stopped counting it.
//!
//! **When the count shrinks** the larger share also applies at once, because a process stops
//! being counted only a `window + jitter` after its last request: a clean stop closes the pacer
//! first and deregisters with that linger ([`Pacer::close`], `storage::deregister`), and a
//! process that died or was cut off sent nothing after its count went stale (`trust`), which
//! is at least `window + jitter` before its registration expires (`ttl`, by the database's
//! clock: `trust + window + jitter <= ttl`, checked by [`ShareTimes::new`]).
//!
//! **Cut off from the database**, a process cannot know how many others live: new ones may
//! have joined and counted on it to have heard of them. It keeps its last share while that
//! count is trusted and then stops sending (its share is zero) until a heartbeat gets through
//! again; if its registration expired meanwhile, that heartbeat makes it a newcomer, who waits
//! the grace. The assumptions: the processes' monotonic clocks run at the database clock's
//! rate (drift within the margin `trust` leaves: it is half of what the TTL allows); no request
//! takes more than [`JITTER`] longer between the pacer and Discord than another; and the
//! requests that do not go through the pacer (the commands' registration at start-up, the
//! answers to interactions, which Discord does not count) are too few to matter. More than
//! [`GLOBAL_LIMIT`] processes would each have a share of zero and send nothing.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use serenity::http::{Http, Route};
use tokio::sync::Notify;

/// Discord's global limit: requests per second over all routes.
pub const GLOBAL_LIMIT: u32 = 50;
/// The window of the global limit.
pub const GLOBAL_WINDOW: Duration = Duration::from_secs(1);
/// How much longer one request may take than another between leaving the pacer and being
/// counted by Discord, without two windows' worth landing in one.
pub const JITTER: Duration = Duration::from_millis(20);
/// Requests that may go at once after a pause.
pub const BURST: u32 = 2;
/// The span in which a pacer lets at most its share go: a window and the jitter allowance.
pub const SPAN: Duration = GLOBAL_WINDOW.saturating_add(JITTER);

/// This process's share of a limit shared by `live` processes: `floor(limit / live)`.
pub fn share(limit: u32, live: u32) -> u32 {
    limit / live.max(1)
}

/// The times of the registry of live processes (see the module's note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareTimes {
    /// How long a heartbeat registers a process for, by the database's clock.
    ttl: Duration,
}

impl ShareTimes {
    /// A ten-second registration: a heartbeat every 1.5 s, a newcomer's first request 5.5 s
    /// after it registered.
    pub const DEFAULT: ShareTimes = ShareTimes {
        ttl: Duration::from_secs(10),
    };

    /// Times for a registration of `ttl`; `None` if it is too short to leave a process any
    /// time to trust its count (`ttl` must be over twice [`SPAN`]).
    pub fn new(ttl: Duration) -> Option<ShareTimes> {
        (ttl > SPAN * 2).then_some(ShareTimes { ttl })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// How long a count is trusted after its heartbeat was sent: half of what the TTL leaves
    /// after the last request's span (`trust + SPAN <= ttl`, with as much again to spare).
    pub fn trust(&self) -> Duration {
        self.ttl.saturating_sub(SPAN) / 2
    }

    /// How often to heartbeat: three tries while a count is trusted.
    pub fn every(&self) -> Duration {
        self.trust() / 3
    }

    /// How long a process that just registered waits before its first request: until every
    /// other sending process counts it, and their requests under the larger share are out of
    /// every window.
    pub fn grace(&self) -> Duration {
        self.trust() + SPAN
    }
}

/// Why a request may not go now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Try again after this long.
    For(Duration),
    /// Nothing may go until the share changes (none, no trusted count, or closed).
    Change,
}

type Limiter<C> = RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// Requests paced to this process's share of Discord's global limit.
pub struct Pacer<C: Clock + Clone = DefaultClock> {
    clock: C,
    state: Mutex<Paced<C>>,
    changed: Notify,
}

struct Paced<C: Clock> {
    /// Requests per window, this process's share.
    share: u32,
    /// The pace for the share (none for a share of zero).
    limiter: Option<Limiter<C>>,
    /// When the last requests were let go, oldest first, across limiters (see the switch).
    sent: VecDeque<C::Instant>,
    /// No request before this (a newcomer's grace).
    hold_until: Option<C::Instant>,
    /// No request from this on (the count is no longer trusted); `None`: the share is for good.
    trusted_until: Option<C::Instant>,
    /// Stopped for good ([`Pacer::close`]).
    closed: bool,
}

impl Pacer {
    /// The whole of Discord's global limit, for good: the only process (SQLite).
    pub fn discord() -> Pacer {
        Pacer::with_clock(GLOBAL_LIMIT, DefaultClock::default())
    }

    /// A share of Discord's global limit to be learnt: nothing goes until the first heartbeat
    /// says how many processes share it ([`Pacer::heard`]).
    pub fn shared() -> Pacer {
        Pacer::with_clock(0, DefaultClock::default())
    }

    /// Waits until a request on `route` may be sent now: serenity's bucket for it has room,
    /// and this process's share of the global pace allows one more. Call it right before the
    /// request.
    pub async fn ready(&self, http: &Http, route: Route<'_>) {
        route_room(http, route).await;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            match self.try_send() {
                Ok(()) => return,
                Err(Wait::For(wait)) => {
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = changed => {}
                    }
                }
                Err(Wait::Change) => changed.await,
            }
        }
    }
}

impl<C: Clock + Clone> Pacer<C> {
    /// `share` requests per window for good, on `clock`.
    pub fn with_clock(share: u32, clock: C) -> Pacer<C> {
        Pacer {
            state: Mutex::new(Paced {
                share,
                limiter: limiter(share, &clock),
                sent: VecDeque::with_capacity(GLOBAL_LIMIT as usize),
                hold_until: None,
                trusted_until: None,
                closed: false,
            }),
            clock,
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Paced<C>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a place for one request now, or says how long to wait.
    pub fn try_send(&self) -> Result<(), Wait> {
        let now = self.clock.now();
        let mut s = self.lock();
        if s.closed || s.share == 0 {
            return Err(Wait::Change);
        }
        if let Some(hold) = s.hold_until.filter(|h| now < *h) {
            return Err(Wait::For(hold.duration_since(now).into()));
        }
        if s.trusted_until.is_some_and(|t| now >= t) {
            return Err(Wait::Change);
        }
        // The record spans limiters: the share-th latest request must be a span ago.
        let share = s.share as usize;
        if s.sent.len() >= share {
            let since: Duration = now.duration_since(s.sent[s.sent.len() - share]).into();
            if since < SPAN {
                return Err(Wait::For(SPAN - since));
            }
        }
        let Some(limiter) = s.limiter.as_ref() else {
            return Err(Wait::Change);
        };
        if let Err(not_until) = limiter.check() {
            return Err(Wait::For(not_until.wait_time_from(now)));
        }
        if s.sent.len() == GLOBAL_LIMIT as usize {
            s.sent.pop_front();
        }
        s.sent.push_back(now);
        Ok(())
    }

    /// A heartbeat answered: `live` processes, `joined` if it began this process's
    /// registration, sent `ago`. Applies the share at once (a new limiter if it changed), holds
    /// a newcomer for the grace, and trusts the count until `trust` after it was sent.
    pub fn heard(&self, live: u32, joined: bool, ago: Duration, times: &ShareTimes) {
        let hold = if joined {
            times.grace()
        } else {
            Duration::ZERO
        };
        let trusted = times.trust().saturating_sub(ago);
        self.set_share(share(GLOBAL_LIMIT, live), hold, Some(trusted));
    }

    /// `share` requests per window from now, none for `hold` (kept if an earlier hold ends
    /// later), and none from `trusted` on (`None`: for good).
    pub fn set_share(&self, share: u32, hold: Duration, trusted: Option<Duration>) {
        let now = self.clock.now();
        {
            let mut s = self.lock();
            if s.share != share || s.limiter.is_none() {
                s.share = share;
                s.limiter = limiter(share, &self.clock);
            }
            let hold = now + hold.into();
            s.hold_until = Some(s.hold_until.map_or(hold, |h| h.max(hold)));
            s.trusted_until = trusted.map(|t| now + t.into());
        }
        self.changed.notify_waiters();
    }

    /// No request goes any more (the process is stopping): before it deregisters, so that the
    /// others count it until its last request is out of every window.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_waiters();
    }

    /// Requests per window this process may send now: zero while held, closed, or when its
    /// count is no longer trusted.
    pub fn share_now(&self) -> u32 {
        let now = self.clock.now();
        let s = self.lock();
        let held = s.hold_until.is_some_and(|h| now < h);
        let stale = s.trusted_until.is_some_and(|t| now >= t);
        if s.closed || held || stale {
            0
        } else {
            s.share
        }
    }
}

fn limiter<C: Clock + Clone>(share: u32, clock: &C) -> Option<Limiter<C>> {
    (share > 0).then(|| {
        RateLimiter::direct_with_clock(quota(share, GLOBAL_WINDOW, JITTER, BURST), clock.clone())
    })
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
    /// Processes paced by their pacers on one simulated clock, each sending greedily: a
    /// request as soon as its pacer allows one. Records who sent when.
    struct Sim {
        clock: FakeRelativeClock,
        pacers: Vec<Pacer<FakeRelativeClock>>,
        sent: Vec<(usize, Duration)>,
    }

    impl Sim {
        fn new(shares: &[u32]) -> Sim {
            let clock = FakeRelativeClock::default();
            let pacers = shares
                .iter()
                .map(|&s| Pacer::with_clock(s, clock.clone()))
                .collect();
            Sim {
                clock,
                pacers,
                sent: Vec::new(),
            }
        }

        fn now(&self) -> Duration {
            self.clock.now().into()
        }

        /// Every pacer sends whenever it may, until `end`.
        fn run_until(&mut self, end: Duration) {
            while self.now() < end {
                let now = self.now();
                let mut next = end;
                for (i, p) in self.pacers.iter().enumerate() {
                    loop {
                        match p.try_send() {
                            Ok(()) => self.sent.push((i, now)),
                            Err(Wait::For(d)) => {
                                next = next.min(now + d.max(Duration::from_nanos(1)));
                                break;
                            }
                            Err(Wait::Change) => break,
                        }
                    }
                }
                self.clock.advance(next - now);
            }
        }

        fn of(&self, who: usize) -> Vec<Duration> {
            self.sent
                .iter()
                .filter(|(i, _)| *i == who)
                .map(|(_, t)| *t)
                .collect()
        }

        /// The most any window of the limit counted, with every request on time, and with
        /// every third request of each process late by the whole jitter allowance.
        fn most_in_a_window(&self) -> usize {
            let on_time: Vec<Duration> = self.sent.iter().map(|(_, t)| *t).collect();
            let mut nth = vec![0usize; self.pacers.len()];
            let late: Vec<Duration> = self
                .sent
                .iter()
                .map(|(i, t)| {
                    nth[*i] += 1;
                    if nth[*i].is_multiple_of(3) {
                        *t + JITTER
                    } else {
                        *t
                    }
                })
                .collect();
            most_in_a_window(on_time, GLOBAL_WINDOW).max(most_in_a_window(late, GLOBAL_WINDOW))
        }
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn shares_are_the_limit_divided_by_the_live_processes_rounded_down() {
        assert_eq!(share(GLOBAL_LIMIT, 1), 50);
        assert_eq!(share(GLOBAL_LIMIT, 2), 25);
        assert_eq!(share(GLOBAL_LIMIT, 3), 16);
        assert_eq!(share(GLOBAL_LIMIT, 7), 7);
        assert_eq!(share(GLOBAL_LIMIT, 51), 0);
        assert_eq!(
            share(GLOBAL_LIMIT, 0),
            50,
            "a count of none is this process alone"
        );
        for live in 1..=60 {
            assert!(live * share(GLOBAL_LIMIT, live) <= GLOBAL_LIMIT);
        }
    }

    #[test]
    fn share_times_leave_a_stale_process_a_span_before_its_registration_ends() {
        assert_eq!(ShareTimes::new(SPAN * 2), None);
        for t in [ShareTimes::DEFAULT, ShareTimes::new(secs(2.5)).unwrap()] {
            assert!(t.trust() + SPAN <= t.ttl());
            assert!(t.every() < t.trust() && !t.every().is_zero());
            assert_eq!(t.grace(), t.trust() + SPAN);
        }
    }

    #[test]
    fn shares_of_live_processes_never_sum_over_the_limit_in_any_window() {
        for live in 1..=7u32 {
            let mut sim = Sim::new(&vec![share(GLOBAL_LIMIT, live); live as usize]);
            sim.run_until(secs(20.0));
            let most = sim.most_in_a_window();
            assert!(most <= GLOBAL_LIMIT as usize, "{live} processes: {most}");
            // And together they are not needlessly slow.
            let rate = sim.sent.len() as f64 / 20.0;
            assert!(rate > 30.0, "{live} processes: {rate} per second");
        }
    }

    /// Every span of `SPAN` that ends at a request after `switch` counts at most `share`.
    fn most_in_a_span_ending_after(sent: &[Duration], switch: Duration) -> usize {
        sent.iter()
            .filter(|t| **t >= switch)
            .map(|t| sent.iter().filter(|u| **u <= *t && *t - **u < SPAN).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn the_switch_never_lets_a_request_pass_on_both_limiters() {
        for k in 0..25u32 {
            let switch = secs(2.0) + Duration::from_micros(1_700) * k;
            let mut sim = Sim::new(&[50]);
            sim.run_until(switch);
            sim.pacers[0].set_share(25, Duration::ZERO, None);
            sim.run_until(secs(5.0));
            let sent = sim.of(0);
            assert!(
                sent.iter().any(|t| *t > switch + SPAN),
                "it goes on sending"
            );
            assert!(
                most_in_a_span_ending_after(&sent, switch) <= 25,
                "switch at {switch:?}"
            );
            assert!(sim.most_in_a_window() <= GLOBAL_LIMIT as usize);
        }
    }

    #[test]
    fn a_fresh_limiter_at_the_switch_would_let_a_span_count_both() {
        // What the record of the last requests prevents: the old pace until the switch, then
        // a new limiter's on its own.
        let switch = secs(2.0);
        let old = greedy(quota(50, GLOBAL_WINDOW, JITTER, BURST), 1_000);
        let new = greedy(quota(25, GLOBAL_WINDOW, JITTER, BURST), 30);
        let sent: Vec<Duration> = old
            .into_iter()
            .filter(|t| *t < switch)
            .chain(new.into_iter().map(|t| t + switch))
            .collect();
        assert!(most_in_a_span_ending_after(&sent, switch) > 25);
    }

    /// Process 0 has the whole limit, heartbeating every `every` (answered at once), its
    /// beats failing from `cut_at` on if given; process 1 registers at `joins`. Answers the
    /// simulation run to 12 s.
    fn newcomer(joins: Duration, cut_at: Option<Duration>, grace: bool) -> Sim {
        let times = ShareTimes::new(secs(4.0)).unwrap();
        let mut sim = Sim::new(&[0, 0]);
        sim.pacers[0].heard(1, false, Duration::ZERO, &times);
        let mut beats: Vec<Duration> = (1..)
            .map(|k| times.every() * k)
            .take_while(|t| *t < secs(12.0))
            .collect();
        beats.push(joins);
        beats.sort();
        for at in beats {
            sim.run_until(at);
            if at == joins {
                if grace {
                    sim.pacers[1].heard(2, true, Duration::ZERO, &times);
                } else {
                    sim.pacers[1].set_share(25, Duration::ZERO, Some(times.trust()));
                }
                continue;
            }
            if cut_at.is_none_or(|c| at < c) {
                let live = if at >= joins { 2 } else { 1 };
                sim.pacers[0].heard(live, false, Duration::ZERO, &times);
            }
            if at >= joins {
                sim.pacers[1].heard(2, false, Duration::ZERO, &times);
            }
        }
        sim.run_until(secs(12.0));
        sim
    }

    #[test]
    fn a_newcomer_waits_until_every_process_counts_it() {
        let times = ShareTimes::new(secs(4.0)).unwrap();
        // Joining just after a beat of the other (the longest it goes uninformed), mid-way,
        // and just before one; with the other's beats answered, or cut off from then on.
        for offset in [0.000_001, 0.2, times.every().as_secs_f64() - 0.000_001] {
            let joins = times.every() * 2 + secs(offset);
            for cut_at in [None, Some(joins)] {
                let sim = newcomer(joins, cut_at, true);
                let most = sim.most_in_a_window();
                assert!(most <= 50, "joins at {joins:?}, cut {cut_at:?}: {most}");
                let first = sim.of(1).first().copied().expect("the newcomer sends");
                assert!(first >= joins + times.grace());
                if cut_at.is_some() {
                    let last = sim.of(0).last().copied().unwrap_or_default();
                    assert!(
                        last < times.every() * 2 + times.trust(),
                        "the cut-off one stops"
                    );
                } else {
                    assert!(sim.of(0).last().copied().unwrap_or_default() > secs(11.0));
                }
            }
        }
    }

    #[test]
    fn without_the_grace_a_newcomer_would_overrun_a_window() {
        let times = ShareTimes::new(secs(4.0)).unwrap();
        let sim = newcomer(times.every() * 2 + secs(0.000_001), None, false);
        assert!(sim.most_in_a_window() > 50);
    }

    #[test]
    fn a_process_cut_off_sends_nothing_once_its_count_is_stale_and_rejoins_as_a_newcomer() {
        let times = ShareTimes::new(secs(4.0)).unwrap();
        let mut sim = Sim::new(&[0]);
        // Its last heartbeat answered 0.3 s after it was sent; none after that.
        sim.pacers[0].heard(2, false, secs(0.3), &times);
        assert_eq!(sim.pacers[0].share_now(), 25);
        sim.run_until(secs(10.0));
        let last = sim
            .of(0)
            .last()
            .copied()
            .expect("it sent while it trusted its count");
        assert!(last < times.trust() - secs(0.3));
        assert_eq!(sim.pacers[0].share_now(), 0);
        // Back, its registration expired meanwhile: a newcomer, alone now.
        sim.pacers[0].heard(1, true, Duration::ZERO, &times);
        assert_eq!(sim.pacers[0].share_now(), 0, "held for the grace");
        for k in 1..=20 {
            sim.run_until(secs(10.0) + times.every() * k);
            sim.pacers[0].heard(1, false, Duration::ZERO, &times);
        }
        sim.run_until(secs(20.0));
        let back = sim
            .of(0)
            .into_iter()
            .find(|t| *t > secs(10.0))
            .expect("it sends again");
        assert!(back >= secs(10.0) + times.grace());
        assert!(sim.most_in_a_window() <= 50);
    }

    #[test]
    fn a_process_that_leaves_is_uncounted_only_after_its_last_span() {
        let times = ShareTimes::new(secs(4.0)).unwrap();
        // Process 1 stops at about 3 s: cleanly (closes, deregisters with a span's linger), or dies
        // (sends nothing after its count goes stale; its registration ends a TTL after its
        // last beat).
        for clean in [true, false] {
            let mut sim = Sim::new(&[0, 0]);
            // Just before a beat of the other: the soonest it can hear of it.
            let stop = times.every() * 6 - Duration::from_micros(1);
            let mut last_beat_of_1 = Duration::ZERO;
            for p in &sim.pacers {
                p.heard(2, false, Duration::ZERO, &times);
            }
            let beats: Vec<Duration> = (1..)
                .map(|k| times.every() * k)
                .take_while(|t| *t < secs(15.0))
                .collect();
            let mut closed = false;
            for at in beats {
                if clean && !closed && at >= stop {
                    sim.run_until(stop);
                    sim.pacers[1].close();
                    closed = true;
                }
                sim.run_until(at);
                let gone_at = if clean {
                    stop + SPAN
                } else {
                    last_beat_of_1 + times.ttl()
                };
                let live = if at >= gone_at { 1 } else { 2 };
                sim.pacers[0].heard(live, false, Duration::ZERO, &times);
                if at < stop {
                    sim.pacers[1].heard(2, false, Duration::ZERO, &times);
                    last_beat_of_1 = at;
                }
            }
            sim.run_until(secs(15.0));
            assert!(sim.most_in_a_window() <= 50, "clean: {clean}");
            assert_eq!(
                sim.pacers[0].share_now(),
                50,
                "the survivor has the whole limit"
            );
            let late = sim.of(0).into_iter().filter(|t| *t > secs(13.0)).count();
            assert!(late > 40, "clean: {clean}: {late} in the last two seconds");
        }
    }
}
