//! The pace of a process that shares Discord's global limit with the bot's other processes
//! (PostgreSQL), by **places** drawn from one sequence in the database
//! (`storage::draw_places`): instants [`PERIOD`] apart, each good for one request, none drawn
//! twice. A request takes the next place this process holds, waits for it, and goes, unless it
//! is later than the place allows (then the place is lost and it takes the next); when the
//! process holds none, one request draws as many as are waiting (at most [`MOST_AT_ONCE`]).
//!
//! **Why no window counts more than 50.** The database lays places by its own clock: place
//! `k` at `t_k`, each at least [`PERIOD`] after the one before. A draw answers how long after
//! its `now()` its first place is; that `now()` fell somewhere between the moment the process
//! sent the draw and the moment the answer came back (the round trip `r`), so the process puts
//! the place at `at` = (the middle of the round trip + the offset), within `r / 2` of `t_k` on
//! its own monotonic clock. It sends no earlier than `at` and no later than
//! `latest = at + SLACK - r` (a draw whose round trip leaves less than [`LEAST_LATENESS`] is
//! not used), so every request leaves within `[t_k - r/2, t_k + SLACK - r/2]`, a spread of at
//! most [`SLACK`], and arrives at Discord within [`SLACK`] + [`JITTER`] of where its place
//! says. Fifty-one requests would then need fifty places within one window plus that spread,
//! but fifty places span `50 × PERIOD`, more than `window + SLACK + JITTER`. This holds however
//! many processes draw and whichever of them dies: a dead process's places are simply unused.
//!
//! The assumptions: the processes' monotonic clocks run at the database clock's rate (over
//! the second or so a place is held; the [`PERIOD`]'s margin covers 100 ppm); no request takes
//! more than [`JITTER`] longer between the pacer and Discord than another; and the database
//! answers a draw within [`SLACK`] less [`LEAST_LATENESS`] (a slower answer costs the places
//! drawn, never the limit).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use super::{GLOBAL_LIMIT, GLOBAL_WINDOW, JITTER};

/// How far from its place a request may leave, in all: half the draw's round trip either way,
/// and the rest of it for a request woken late.
pub const SLACK: Duration = Duration::from_millis(15);
/// The least lateness a draw must leave a request (a draw answered slower is not used).
pub const LEAST_LATENESS: Duration = Duration::from_millis(5);
/// The time between two places: fifty of them span more than a window, the slack and the
/// jitter (plus 100 µs for the clocks' rates).
pub const PERIOD: Duration = Duration::from_micros(
    ((GLOBAL_WINDOW.as_micros() + SLACK.as_micros() + JITTER.as_micros()) / GLOBAL_LIMIT as u128)
        as u64
        + 100,
);
/// The most places drawn at once (about a quarter of a second's worth).
pub const MOST_AT_ONCE: u32 = 12;
/// How long a draw may take before it is given up (its places would be of no use anyway).
const DRAW_TIMEOUT: Duration = Duration::from_secs(2);
/// The wait after a failed draw before the next.
const AFTER_FAILURE: Duration = Duration::from_millis(250);

/// One place held by this process: go no earlier than `at`, no later than `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub at: Instant,
    pub latest: Instant,
}

/// The places of a draw sent at `sent` and answered at `back`, on this process's clock; `None`
/// if the round trip was too long to place them closely enough.
pub fn lay(sent: Instant, back: Instant, places: &storage::Places) -> Option<Vec<Place>> {
    let trip = back.saturating_duration_since(sent);
    let lateness = SLACK.checked_sub(trip).filter(|l| *l >= LEAST_LATENESS)?;
    let middle = sent + trip / 2;
    Some(
        (0..places.count)
            .map(|i| {
                let at = middle + places.at(i);
                Place {
                    at,
                    latest: at + lateness,
                }
            })
            .collect(),
    )
}

/// The places this process holds, earliest first.
#[derive(Debug, Default)]
pub struct Held {
    places: VecDeque<Place>,
}

impl Held {
    /// The next place a request may still use at `now`, and how many places were already past
    /// (lost).
    pub fn take(&mut self, now: Instant) -> (Option<Place>, u64) {
        let mut lost = 0;
        while let Some(place) = self.places.pop_front() {
            if now <= place.latest {
                return (Some(place), lost);
            }
            lost += 1;
        }
        (None, lost)
    }

    pub fn add(&mut self, places: impl IntoIterator<Item = Place>) {
        self.places.extend(places);
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// The limit shared through the database.
pub struct Shared {
    db: storage::Db,
    held: Mutex<Held>,
    /// One draw at a time in this process.
    drawing: tokio::sync::Mutex<()>,
    /// Requests waiting for a place.
    waiting: AtomicUsize,
    closed: AtomicBool,
    changed: Notify,
    /// Draws that failed or did not answer, so far.
    failures: watch::Sender<u64>,
}

impl Shared {
    pub fn new(db: storage::Db) -> Shared {
        Shared {
            db,
            held: Mutex::new(Held::default()),
            drawing: tokio::sync::Mutex::new(()),
            waiting: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            changed: Notify::new(),
            failures: watch::Sender::new(0),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a place of this process's own and until it comes (never, once closed).
    pub async fn ready(&self) {
        loop {
            if self.closed.load(Ordering::SeqCst) {
                return std::future::pending().await;
            }
            let waiting = Waiting::count(&self.waiting);
            let (next, lost) = self.held().take(Instant::now());
            if lost > 0 {
                crate::ops::metrics::global_places_missed(lost);
            }
            let Some(place) = next else {
                self.draw().await;
                continue;
            };
            drop(waiting);
            let changed = self.changed.notified();
            tokio::select! {
                () = tokio::time::sleep_until(place.at) => {}
                () = changed => {}
            }
            if self.closed.load(Ordering::SeqCst) {
                continue;
            }
            if Instant::now() <= place.latest {
                return;
            }
            crate::ops::metrics::global_places_missed(1);
        }
    }

    /// Draws places for the requests waiting, unless another request did meanwhile.
    async fn draw(&self) {
        let _one = self.drawing.lock().await;
        if !self.held().is_empty() || self.closed.load(Ordering::SeqCst) {
            return;
        }
        let want = u32::try_from(self.waiting.load(Ordering::SeqCst))
            .unwrap_or(u32::MAX)
            .clamp(1, MOST_AT_ONCE);
        let sent = Instant::now();
        let drawn =
            tokio::time::timeout(DRAW_TIMEOUT, storage::draw_places(&self.db, want, PERIOD));
        match drawn.await {
            Ok(Ok(places)) => {
                crate::ops::metrics::global_places_drawn(u64::from(places.count));
                match lay(sent, Instant::now(), &places) {
                    Some(laid) => self.held().add(laid),
                    None => {
                        tracing::warn!(
                            took = ?sent.elapsed(),
                            "places of the global limit drawn too slowly to use"
                        );
                        crate::ops::metrics::global_places_missed(u64::from(places.count));
                    }
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "drawing places of the global limit failed");
                self.failures.send_modify(|n| *n += 1);
                tokio::time::sleep(AFTER_FAILURE).await;
            }
            Err(_) => {
                tracing::warn!("drawing places of the global limit did not answer in time");
                self.failures.send_modify(|n| *n += 1);
            }
        }
    }

    /// How many draws failed or did not answer so far, as it changes.
    pub fn failures(&self) -> watch::Receiver<u64> {
        self.failures.subscribe()
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}

/// A request counted as waiting for a place while this lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn count(waiting: &'a AtomicUsize) -> Waiting<'a> {
        waiting.fetch_add(1, Ordering::SeqCst);
        Waiting(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pace::most_in_a_window;

    /// Where request `k` arrives when its place is `k` periods in and it arrives `offset(k)`
    /// from it.
    fn arrivals(period: Duration, n: usize, offset: impl Fn(usize) -> i64) -> Vec<Duration> {
        let spread = (SLACK + JITTER).as_micros() as i64;
        (0..n)
            .map(|k| {
                let at = (period * k as u32).as_micros() as i64 + spread + offset(k);
                Duration::from_micros(u64::try_from(at).unwrap())
            })
            .collect()
    }

    /// Offsets at the ends of what the places allow: every `block`-th request as late as it
    /// may be (the slack and the jitter), the others as early (half of a round trip of
    /// `SLACK - LEAST_LATENESS`), and the same the other way round.
    fn extremes(block: usize, phase: usize, late_first: bool) -> impl Fn(usize) -> i64 {
        let early = -(((SLACK - LEAST_LATENESS) / 2).as_micros() as i64);
        let late = (SLACK + JITTER).as_micros() as i64 + early;
        move |k| {
            let first = (k + phase).is_multiple_of(block);
            if first == late_first {
                late
            } else {
                early
            }
        }
    }

    #[test]
    fn places_keep_every_window_to_the_limit_however_late_or_early_within_the_slack() {
        for block in [2, 25, 49, 50, 51, 100] {
            for phase in [0, 1, 7, 49] {
                for late_first in [true, false] {
                    let a = arrivals(PERIOD, 1_000, extremes(block, phase, late_first));
                    let most = most_in_a_window(a, GLOBAL_WINDOW);
                    assert!(most <= GLOBAL_LIMIT as usize, "{block}/{phase}: {most}");
                }
            }
        }
        // And the pace is close to the limit: over 48 places a second.
        assert!(1.0 / PERIOD.as_secs_f64() > 48.0, "{PERIOD:?}");
    }

    #[test]
    fn without_the_slack_in_the_period_a_window_would_count_too_many() {
        let tight = GLOBAL_WINDOW / GLOBAL_LIMIT;
        let most = (0..50)
            .map(|phase| {
                most_in_a_window(
                    arrivals(tight, 1_000, extremes(51, phase, true)),
                    GLOBAL_WINDOW,
                )
            })
            .max()
            .unwrap();
        assert!(most > GLOBAL_LIMIT as usize, "{most}");
    }

    fn places(first_ms: u64, count: u32) -> storage::Places {
        storage::Places {
            first_in: Duration::from_millis(first_ms),
            count,
            period: PERIOD,
        }
    }

    #[test]
    fn a_draw_is_placed_at_the_middle_of_its_round_trip_and_allows_what_the_slack_leaves() {
        let sent = Instant::now();
        let back = sent + Duration::from_millis(4);
        let laid = lay(sent, back, &places(100, 3)).unwrap();
        assert_eq!(laid.len(), 3);
        let middle = sent + Duration::from_millis(2);
        for (i, p) in laid.iter().enumerate() {
            assert_eq!(
                p.at,
                middle + Duration::from_millis(100) + PERIOD * i as u32
            );
            assert_eq!(p.latest, p.at + SLACK - Duration::from_millis(4));
        }
    }

    #[test]
    fn a_draw_answered_too_slowly_is_not_used() {
        let sent = Instant::now();
        let slow = sent + (SLACK - LEAST_LATENESS) + Duration::from_micros(1);
        assert_eq!(lay(sent, slow, &places(0, 3)), None);
        assert!(lay(sent, sent + (SLACK - LEAST_LATENESS), &places(0, 3)).is_some());
    }

    #[test]
    fn places_that_passed_their_latest_are_lost_and_the_next_is_taken() {
        let now = Instant::now();
        let mut held = Held::default();
        let laid = lay(now, now, &places(0, 3)).unwrap();
        held.add(laid.clone());
        // Just after the first place's latest, before the second's.
        let later = laid[0].latest + Duration::from_micros(1);
        assert!(later <= laid[1].latest);
        assert_eq!(held.take(later), (Some(laid[1]), 1), "the first lost");
        assert_eq!(held.take(later), (Some(laid[2]), 0));
        assert_eq!(held.take(later), (None, 0));
        assert!(held.is_empty());
    }
}
