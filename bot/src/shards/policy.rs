//! When a process renews its shard leases, when it must stop its shards because it could not,
//! and when it may try to win free shards: pure logic, no I/O. Every decision takes `now` from
//! the caller (the process's monotonic clock: `tokio::time::Instant`), so tests move the clock
//! by hand.
//!
//! **Self-fencing.** The database decides by its own clock whether a lease is live
//! (`storage::win_shard_lease`); the process cannot read that clock, so it keeps a deadline of
//! its own that always comes first: a lease won or renewed by a request the process *sent* at
//! `t` is live in the database until at least `t + ttl` (the database's `now()` of the request
//! is later than its sending), so the process stops the shard at `t + ttl - margin` unless a
//! later renewal succeeded. The margin covers what the process cannot see: its monotonic clock
//! running slower than the database's (a few hundred ppm at worst: milliseconds over a TTL),
//! a paused process waking late (a GC-free Rust process, but a VM or a SIGSTOP can pause it),
//! and the time it takes serenity to close the shard's websocket. A renewal that answers after
//! that deadline counts for nothing: the deadline is measured from its *start*, so a slow
//! renewal can only shorten what the process believes it holds, never lengthen it.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// The lease's length, and how early before it ends a process that could not renew stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseTimes {
    /// How long a won or renewed lease lasts, by the database's clock.
    pub ttl: Duration,
    /// How long before the lease could end (by the process's clock, from the start of its last
    /// successful renewal) the process stops the shard.
    pub margin: Duration,
}

impl LeaseTimes {
    /// 30 s leases, renewed every 10 s, a shard stopped 10 s before its lease could end: a
    /// database that does not answer for 20 s stops the shards; a process that dies is replaced
    /// within 30 s plus one renewal period of the survivors (they try to win free shards as
    /// often as they renew) plus the IDENTIFY spacing.
    pub const DEFAULT: LeaseTimes = LeaseTimes {
        ttl: Duration::from_secs(30),
        margin: Duration::from_secs(10),
    };

    /// A lease of `ttl`, renewed every third of it and fenced a third before it could end
    /// (the default's proportions): `LOS_SHARD_LEASE_SECONDS`.
    pub fn thirds(ttl: Duration) -> LeaseTimes {
        LeaseTimes {
            ttl,
            margin: ttl / 3,
        }
    }

    /// Times that work: the process must get at least one more try after the first renewal
    /// fails, so the fence (`ttl - margin`) must come after the renewal period (`ttl / 3`).
    pub fn new(ttl: Duration, margin: Duration) -> Option<LeaseTimes> {
        let times = LeaseTimes { ttl, margin };
        (!margin.is_zero() && ttl.checked_sub(margin)? > times.renew_every()).then_some(times)
    }

    /// How often the leases are renewed (and free shards tried for).
    pub fn renew_every(&self) -> Duration {
        self.ttl / 3
    }

    /// How soon a renewal that failed is tried again: often enough for several tries before
    /// the fence.
    pub fn retry_after(&self) -> Duration {
        self.renew_every() / 4
    }

    /// How long after the start of the request that won or last renewed a lease the process
    /// stops its shard, unless renewed since.
    pub fn fence_after(&self) -> Duration {
        self.ttl.saturating_sub(self.margin)
    }
}

/// A lease the process holds, as it sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// The fencing token the lease was won with (renewals name it).
    pub epoch: i64,
    /// When the process sent the request that won or last renewed it.
    pub since: Instant,
}

/// What the keeper should do now, most urgent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Stop these shards now: their leases may end soon and could not be renewed. They are
    /// forgotten (the keeper may win them again later).
    Stop(Vec<u32>),
    /// Renew every held lease, each request bounded by `deadline` (the earliest fence: a
    /// renewal still unanswered then is a failed one).
    Renew { deadline: Instant },
    /// Try to win the shards not held.
    Win,
    /// Nothing to do before this time.
    Wait(Instant),
}

/// The leases of one process and when it acts on them.
#[derive(Debug, Clone)]
pub struct Policy {
    times: LeaseTimes,
    held: BTreeMap<u32, Held>,
    next_renewal: Instant,
    next_win: Instant,
}

impl Policy {
    /// A process that holds nothing yet and may try to win shards at once.
    pub fn new(times: LeaseTimes, now: Instant) -> Policy {
        Policy {
            times,
            held: BTreeMap::new(),
            next_renewal: now,
            next_win: now,
        }
    }

    pub fn times(&self) -> LeaseTimes {
        self.times
    }

    /// The shards held, with their leases.
    pub fn held(&self) -> &BTreeMap<u32, Held> {
        &self.held
    }

    fn fence_of(&self, held: &Held) -> Instant {
        held.since + self.times.fence_after()
    }

    /// When the first held shard must stop unless renewed.
    pub fn earliest_fence(&self) -> Option<Instant> {
        self.held.values().map(|h| self.fence_of(h)).min()
    }

    /// What to do at `now`.
    pub fn next(&self, now: Instant) -> Next {
        let expiring: Vec<u32> = self
            .held
            .iter()
            .filter(|(_, h)| self.fence_of(h) <= now)
            .map(|(s, _)| *s)
            .collect();
        if !expiring.is_empty() {
            return Next::Stop(expiring);
        }
        if let Some(deadline) = self.earliest_fence() {
            if self.next_renewal <= now {
                return Next::Renew { deadline };
            }
        }
        if self.next_win <= now {
            return Next::Win;
        }
        let mut wake = self.next_win;
        if let Some(fence) = self.earliest_fence() {
            wake = wake.min(fence).min(self.next_renewal);
        }
        Next::Wait(wake)
    }

    /// The shards were stopped (after [`Next::Stop`]): they are no longer held.
    pub fn stopped(&mut self, shards: &[u32]) {
        for s in shards {
            self.held.remove(s);
        }
    }

    /// A win of `shard` with `epoch`, by a request sent at `sent` and answered at `now`.
    /// Answers whether the shard may start: not when the answer came so late that the lease
    /// is already within its margin (the shard would have to stop at once).
    pub fn won(&mut self, shard: u32, epoch: i64, sent: Instant, now: Instant) -> bool {
        let held = Held { epoch, since: sent };
        if self.fence_of(&held) <= now {
            return false;
        }
        if self.held.is_empty() {
            self.next_renewal = sent + self.times.renew_every();
        }
        self.held.insert(shard, held);
        true
    }

    /// The try to win free shards is over (won or not): the next one after a renewal period.
    pub fn tried_to_win(&mut self, now: Instant) {
        self.next_win = now + self.times.renew_every();
    }

    /// `shard`'s renewal, sent at `sent`, held. Its fence moves to `sent + ttl - margin` (never
    /// backwards: a renewal answered after a later one counts as the later one).
    pub fn renewed(&mut self, shard: u32, sent: Instant) {
        if let Some(h) = self.held.get_mut(&shard) {
            h.since = h.since.max(sent);
        }
    }

    /// `shard`'s renewal answered that the lease is no longer ours (expired or taken over):
    /// the shard must stop at once, whatever its fence says.
    pub fn lost(&mut self, shard: u32) {
        self.held.remove(&shard);
    }

    /// The renewal round started at `sent` is over; `all_answered`: every lease got an answer
    /// (held or lost). Next round after a renewal period, or soon when some failed.
    pub fn renewal_done(&mut self, sent: Instant, all_answered: bool, now: Instant) {
        self.next_renewal = if all_answered {
            sent + self.times.renew_every()
        } else {
            now + self.times.retry_after()
        };
    }
}

/// Discord's IDENTIFY window (five seconds per `max_concurrency` bucket), with room for the
/// two clocks (the process's, Discord's) and the network between them.
pub const IDENTIFY_SPACING: Duration = Duration::from_millis(5_500);

/// How long a starting shard may take to connect before the next one starts anyway (a gateway
/// that refuses connections must not hold every other shard back for good).
pub const CONNECT_GIVE_UP: Duration = Duration::from_secs(30);

/// The shards won and waiting to start (in this process), started one at a time so that
/// IDENTIFYs keep
/// Discord's spacing: the next shard starts only [`IDENTIFY_SPACING`] after the previous one
/// was seen connected (READY, which comes after its IDENTIFY). Serenity's own queue waits five
/// seconds from when it *opened* the previous shard's socket, not from its IDENTIFY, so on a
/// busy machine two IDENTIFYs can come closer than that; counted from READY they cannot. One
/// shard at a time keeps every `max_concurrency` bucket within its limit, whatever it is.
#[derive(Debug, Clone, Default)]
pub struct StartQueue {
    pending: VecDeque<u32>,
    starting: Option<(u32, Instant)>,
    free_at: Option<Instant>,
}

/// What the start queue wants now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Start this shard now.
    Start(u32),
    /// This shard was started and has not been seen connected: look again, until `until`.
    Watch { shard: u32, until: Instant },
    /// The next start may not come before this time.
    Until(Instant),
    /// Nothing waits to start.
    Idle,
}

impl StartQueue {
    /// A won shard waits to start (once).
    pub fn push(&mut self, shard: u32) {
        if !self.pending.contains(&shard) && self.starting.map(|(s, _)| s) != Some(shard) {
            self.pending.push_back(shard);
        }
    }

    /// The shard no longer starts (stopped, its lease lost).
    pub fn forget(&mut self, shard: u32) {
        self.pending.retain(|s| *s != shard);
        if self.starting.map(|(s, _)| s) == Some(shard) {
            self.starting = None;
        }
    }

    /// The starting shard was seen connected at `now`: the next may start a spacing later.
    pub fn connected(&mut self, now: Instant) {
        if self.starting.take().is_some() {
            self.free_at = Some(now + IDENTIFY_SPACING);
        }
    }

    /// The shard [`Pace::Start`] gave could not start yet (another process is identifying in
    /// its bucket): it starts first, not before `at`.
    pub fn later(&mut self, shard: u32, at: Instant) {
        if self.starting.map(|(s, _)| s) == Some(shard) {
            self.starting = None;
        }
        if !self.pending.contains(&shard) {
            self.pending.push_front(shard);
        }
        self.free_at = Some(self.free_at.map_or(at, |f| f.max(at)));
    }

    /// What to do at `now`; a [`Pace::Start`] counts as started.
    pub fn next(&mut self, now: Instant) -> Pace {
        if let Some((shard, since)) = self.starting {
            let until = since + CONNECT_GIVE_UP;
            if now < until {
                return Pace::Watch { shard, until };
            }
            self.starting = None;
            self.free_at = Some(now);
        }
        if self.pending.is_empty() {
            return Pace::Idle;
        }
        if let Some(free) = self.free_at.filter(|f| *f > now) {
            return Pace::Until(free);
        }
        match self.pending.pop_front() {
            Some(shard) => {
                self.starting = Some((shard, now));
                Pace::Start(shard)
            }
            None => Pace::Idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn times() -> LeaseTimes {
        LeaseTimes::new(30 * S, 10 * S).expect("valid times")
    }

    #[test]
    fn times_that_leave_no_second_try_are_refused() {
        assert_eq!(
            LeaseTimes::new(30 * S, 20 * S),
            None,
            "fence at the first renewal"
        );
        assert_eq!(LeaseTimes::new(30 * S, Duration::ZERO), None, "no margin");
        assert_eq!(LeaseTimes::new(30 * S, 31 * S), None);
        assert_eq!(LeaseTimes::new(30 * S, 10 * S), Some(LeaseTimes::DEFAULT));
        assert_eq!(times().renew_every(), 10 * S);
        assert_eq!(times().fence_after(), 20 * S);
    }

    #[test]
    fn a_new_process_tries_to_win_at_once_then_every_renewal_period() {
        let t0 = Instant::now();
        let mut p = Policy::new(times(), t0);
        assert_eq!(p.next(t0), Next::Win);
        p.tried_to_win(t0 + S);
        assert_eq!(p.next(t0 + S), Next::Wait(t0 + 11 * S));
        assert_eq!(p.next(t0 + 11 * S), Next::Win);
    }

    #[test]
    fn held_leases_are_renewed_every_third_of_the_ttl() {
        let t0 = Instant::now();
        let mut p = Policy::new(times(), t0);
        assert!(p.won(0, 1, t0, t0 + S / 10));
        assert!(p.won(1, 4, t0, t0 + S / 10));
        p.tried_to_win(t0 + S / 10);
        assert_eq!(p.next(t0 + S), Next::Wait(t0 + 10 * S));
        let at = t0 + 10 * S;
        assert_eq!(
            p.next(at),
            Next::Renew {
                deadline: t0 + 20 * S
            }
        );
        p.renewed(0, at);
        p.renewed(1, at);
        p.renewal_done(at, true, at + S / 10);
        // The try for free shards comes due on its own period, from when it last ended.
        assert_eq!(p.next(at + S), Next::Win);
        p.tried_to_win(at + S);
        assert_eq!(p.next(at + S), Next::Wait(t0 + 20 * S));
        assert_eq!(p.earliest_fence(), Some(at + 20 * S));
        assert_eq!(
            p.next(t0 + 20 * S),
            Next::Renew {
                deadline: at + 20 * S
            }
        );
        assert_eq!(p.held()[&1].epoch, 4);
    }

    #[test]
    fn a_process_that_cannot_renew_stops_its_shards_before_the_lease_can_end() {
        let t0 = Instant::now();
        let mut p = Policy::new(times(), t0);
        assert!(p.won(2, 1, t0, t0));
        p.tried_to_win(t0);
        // Every renewal fails (the database is gone): retried soon, never past the fence.
        let mut now = t0 + 10 * S;
        let mut tries = 0;
        loop {
            match p.next(now) {
                Next::Renew { deadline } => {
                    assert_eq!(deadline, t0 + 20 * S, "bounded by the fence");
                    tries += 1;
                    p.renewal_done(now, false, now);
                }
                Next::Wait(until) => {
                    assert!(until > now);
                    now = until;
                }
                Next::Stop(shards) => {
                    assert_eq!(shards, vec![2]);
                    p.stopped(&shards);
                    break;
                }
                Next::Win => {
                    p.tried_to_win(now);
                }
            }
        }
        assert!(tries >= 2, "more than one try before stopping: {tries}");
        assert_eq!(now, t0 + 20 * S, "stopped at the fence");
        assert!(
            now + times().margin <= t0 + times().ttl,
            "before the lease can end"
        );
        assert!(p.held().is_empty());
        assert_eq!(p.earliest_fence(), None);
    }

    #[test]
    fn a_slow_renewal_counts_from_when_it_was_sent() {
        let t0 = Instant::now();
        let mut p = Policy::new(times(), t0);
        assert!(p.won(0, 1, t0, t0));
        p.tried_to_win(t0);
        // Sent at 10 s, answered "held" at 19 s: the lease is good until 10 + 20 = 30 s by the
        // process's reckoning, not 19 + 20.
        let sent = t0 + 10 * S;
        p.renewed(0, sent);
        p.renewal_done(sent, true, t0 + 19 * S);
        assert_eq!(p.earliest_fence(), Some(t0 + 30 * S));
        p.tried_to_win(t0 + 19 * S);
        assert_eq!(
            p.next(t0 + 19 * S),
            Next::Wait(t0 + 20 * S),
            "next round: sent + 10 s"
        );
        assert_eq!(
            p.next(t0 + 20 * S),
            Next::Renew {
                deadline: t0 + 30 * S
            }
        );
        // An older renewal answered late never moves the fence back... nor forward.
        p.renewed(0, t0 + 5 * S);
        assert_eq!(p.earliest_fence(), Some(t0 + 30 * S));
        // And a renewal too slow to matter: answered after its own fence, the shard stops.
        let mut p = Policy::new(times(), t0);
        assert!(p.won(0, 1, t0, t0));
        p.tried_to_win(t0);
        assert_eq!(p.next(t0 + 20 * S), Next::Stop(vec![0]));
    }

    #[test]
    fn a_win_answered_too_late_does_not_start_the_shard() {
        let t0 = Instant::now();
        let mut p = Policy::new(times(), t0);
        assert!(
            !p.won(3, 1, t0, t0 + 20 * S),
            "its fence has passed already"
        );
        assert!(p.held().is_empty());
        assert!(p.won(3, 1, t0, t0 + 19 * S));
        assert_eq!(
            p.next(t0 + 19 * S),
            Next::Renew {
                deadline: t0 + 20 * S
            }
        );
    }

    #[test]
    fn a_lease_found_lost_is_dropped_at_once() {
        let t0 = Instant::now();
        let mut p = Policy::new(times(), t0);
        assert!(p.won(0, 1, t0, t0));
        assert!(p.won(1, 1, t0, t0));
        p.tried_to_win(t0);
        let at = t0 + 10 * S;
        p.renewed(0, at);
        p.lost(1);
        p.renewal_done(at, true, at);
        assert_eq!(p.held().keys().copied().collect::<Vec<_>>(), vec![0]);
        assert_eq!(p.earliest_fence(), Some(at + 20 * S));
    }

    #[test]
    fn shards_start_one_at_a_time_a_spacing_after_the_previous_connected() {
        let t0 = Instant::now();
        let mut q = StartQueue::default();
        assert_eq!(q.next(t0), Pace::Idle);
        for s in [0, 1, 2, 1] {
            q.push(s);
        }
        assert_eq!(q.next(t0), Pace::Start(0));
        assert_eq!(
            q.next(t0 + S),
            Pace::Watch {
                shard: 0,
                until: t0 + CONNECT_GIVE_UP
            }
        );
        // Connected after 3 s (a slow machine): the next IDENTIFY waits 5.5 s from then, not
        // from when shard 0 was started.
        q.connected(t0 + 3 * S);
        assert_eq!(
            q.next(t0 + 5 * S),
            Pace::Until(t0 + 3 * S + IDENTIFY_SPACING)
        );
        let at = t0 + 3 * S + IDENTIFY_SPACING;
        assert_eq!(q.next(at), Pace::Start(1));
        q.forget(2);
        q.connected(at);
        assert_eq!(
            q.next(at + IDENTIFY_SPACING),
            Pace::Idle,
            "2 was forgotten, 1 queued once"
        );
    }

    #[test]
    fn a_shard_that_never_connects_holds_the_others_back_only_so_long() {
        let t0 = Instant::now();
        let mut q = StartQueue::default();
        q.push(0);
        q.push(1);
        assert_eq!(q.next(t0), Pace::Start(0));
        let late = t0 + CONNECT_GIVE_UP;
        assert_eq!(
            q.next(late - S),
            Pace::Watch {
                shard: 0,
                until: late
            }
        );
        assert_eq!(q.next(late), Pace::Start(1));
        // A shard stopped while starting no longer holds the queue.
        q.push(2);
        q.forget(1);
        assert_eq!(q.next(late + S), Pace::Start(2));
    }

    #[test]
    fn a_start_put_off_goes_first_when_its_time_comes() {
        let t0 = Instant::now();
        let mut q = StartQueue::default();
        q.push(0);
        q.push(1);
        assert_eq!(q.next(t0), Pace::Start(0));
        q.later(0, t0 + S);
        assert_eq!(q.next(t0), Pace::Until(t0 + S));
        assert_eq!(q.next(t0 + S), Pace::Start(0));
    }
}
