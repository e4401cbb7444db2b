//! The background jobs: reminders, HR's digest, onboarding checklists and the daily purge, in
//! two loops, started once per bot by [`crate::app::start`] and stopped with it: at shutdown
//! each finishes the pass it is in ([`Handle::shutdown`]). The *dispatcher* loop replans
//! changed settings ([`replan`]), sends the reminders that are due ([`dispatcher`], [`batch`],
//! [`deliver`], [`destinations`]) and what stored changes still owe their threads
//! ([`crate::publish::announce`]); the *chores* loop posts digests ([`digest`]) and checklists
//! ([`checklist`]), brings out new hires' journeys ([`journey`]) and purges ([`purge`]), beside it, so a long digest never holds reminders
//! up. A change wakes the dispatcher through [`crate::wake`].
//!
//! The dispatcher sleeps until the next reminder is due, woken early by
//! `Data::reminders_changed`, but never longer than [`MAX_SLEEP`], so a jump of the wall clock
//! is noticed within a minute; each time it wakes it wakes the chores loop too, which
//! otherwise sleeps until the next digest. Tests move a `ManualClock` and call
//! [`Handle::kick`], which returns once a pass of *each* loop that saw the new time has
//! finished: no sleeping in tests.
//!
//! Delivery: each reminder is seen once in its channel. A reminder is claimed atomically, put
//! into an outbox row (its message: destination, reminders, nonce) before anything is sent,
//! sent with that nonce and `enforce_nonce`, and only then marked sent together with closing
//! the row. A crash before the row exists leaves a bare claim, released on start and sent
//! later; a crash after it leaves an open row, whose message is sent again with the same
//! nonce, so Discord returns the message already posted instead of posting it twice. This
//! holds within Discord's nonce window (a few minutes): a bot down longer than that between
//! sending and marking could post such a message twice. On SQLite the loop is the only sender
//! on its file and frees every claim and outbox row on start; on PostgreSQL several processes
//! send, each claim and row carries a lease and an epoch (a fencing token), a dead process's
//! are taken over after the lease with the same row and nonce, and a process whose claim was
//! taken over cannot mark it (see `dispatcher`).
//!
//! When Discord does not take a message (see `crate::publish::delivery` for the whole table): a DM the person
//! closed goes to the case thread instead; a case thread that was deleted gives up what was
//! for it (nothing else of the case); a place the bot may not write in, or a channel that is
//! gone, is tried again, backing off to an hour apart, for two weeks (a permission fixed on
//! Monday still gets Friday's reminder out), and HR is told once in the HR channel, naming the
//! place and what to fix; Discord's 5xx, the network and a request that does not end within
//! `LOS_DISCORD_TIMEOUT_SECS` are tried again the same way with the same nonce. Nothing meant
//! for one place is cancelled because another failed.
//!
//! Concurrency and pace: a pass claims what is due in batches (50 first, then twice as many
//! each time up to 500) and sends each batch while the next is being read and written to the
//! outbox (`dispatcher`, `batch`). Messages for different places are sent concurrently (up to
//! 16 places at once), those for one place one after the other, in order (`deliver`). Every
//! request, opening a DM channel included, first waits in [`crate::pace::Pacer`] (part of `Data`):
//! until serenity's bucket for the route has room, then for a place in a pace just under
//! Discord's 50 requests per second, so no 429 is provoked. Each person's DM channel is
//! opened once per process (`destinations`).

pub mod batch;
pub mod checklist;
pub mod deliver;
pub mod destinations;
pub mod digest;
pub mod dispatcher;
pub mod journey;
pub mod purge;
pub mod replan;
pub mod waits;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serenity::all::Http;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use crate::publish::announce;
use crate::types::Data;
use crate::wake;
pub use dispatcher::{Dispatcher, PassOutcome};

/// The longest the loop sleeps without looking at the clock again.
pub const MAX_SLEEP: std::time::Duration = std::time::Duration::from_secs(30);

/// How many of the loops run (a loop that ended, by a panic or a stop, no longer counts):
/// the readiness probe's view of the reminders.
#[derive(Clone, Default)]
pub struct Liveness(Arc<AtomicU64>);

impl Liveness {
    /// Both loops run.
    pub fn all_running(&self) -> bool {
        self.0.load(Ordering::SeqCst) == LOOPS
    }

    fn guard(&self) -> Running {
        self.0.fetch_add(1, Ordering::SeqCst);
        Running(self.0.clone())
    }
}

/// The dispatcher and the chores loop.
const LOOPS: u64 = 2;

/// Held by a running loop; dropped when it ends however it ends (a panic unwinds through it,
/// an abort drops it).
struct Running(Arc<AtomicU64>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The running loops.
pub struct Handle {
    liveness: Liveness,
    requested: Arc<AtomicU64>,
    sent: watch::Receiver<(u64, PassOutcome)>,
    chores: watch::Receiver<u64>,
    data: Arc<Data>,
    tasks: Vec<JoinHandle<()>>,
    /// Set once to ask the loops to end after the pass they are in ([`Handle::shutdown`]).
    stopping: watch::Sender<bool>,
}

impl Handle {
    /// Which loops run, for the readiness probe.
    pub fn liveness(&self) -> Liveness {
        self.liveness.clone()
    }

    /// Asks for a pass now and waits until a pass of each loop that started after the asking
    /// has ended; returns what the dispatcher's did.
    pub async fn kick(&self) -> anyhow::Result<PassOutcome> {
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        self.data.reminders_changed.notify_one();
        let mut sent = self.sent.clone();
        let outcome = sent.wait_for(|(n, _)| *n >= ticket).await?.1.clone();
        let mut chores = self.chores.clone();
        chores.wait_for(|n| *n >= ticket).await?;
        Ok(outcome)
    }

    /// Stops the loops wherever they are (as a crash would).
    pub async fn stop(self) {
        abort_all(self.tasks).await;
    }

    /// Stops the loops gracefully: each finishes the pass it is in (a message being sent is
    /// sent and marked, a digest or checklist posted and recorded) and starts no other. What
    /// has not ended `within` is then stopped where it is, as [`Handle::stop`] does, which the
    /// outbox makes safe: an open row is sent again with its nonce at the next start. Whether
    /// both loops ended by themselves.
    pub async fn shutdown(self, within: std::time::Duration) -> bool {
        let _ = self.stopping.send(true);
        let deadline = tokio::time::Instant::now() + within;
        let mut ended = true;
        for mut task in self.tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
                let _ = task.await;
                ended = false;
            }
        }
        ended
    }
}

/// Resolves once a graceful stop is asked for; never if the handle is dropped without one
/// (the loops then go on, as before).
async fn stopping(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn abort_all(tasks: Vec<JoinHandle<()>>) {
    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        let _ = task.await;
    }
}

/// Starts the loops. Call once per bot; `owner`: the name the process is registered under
/// (`crate::roster`), which its claims carry.
pub fn start(data: Arc<Data>, http: Arc<Http>, owner: String) -> Handle {
    let requested = Arc::new(AtomicU64::new(0));
    let (sent_tx, sent) = watch::channel((0, PassOutcome::default()));
    let (chores_tx, chores) = watch::channel(0);
    let poke = Arc::new(Notify::new());
    let (stopping, stop) = watch::channel(false);
    let liveness = Liveness::default();
    let (dispatcher_runs, chores_run) = (liveness.guard(), liveness.guard());
    let dispatcher_loop = run(
        data.clone(),
        http.clone(),
        owner,
        requested.clone(),
        sent_tx,
        poke.clone(),
        stop.clone(),
    );
    let chore_loop = run_chores(data.clone(), http, requested.clone(), chores_tx, poke, stop);
    let tasks = vec![
        tokio::spawn(async move {
            let _running = dispatcher_runs;
            dispatcher_loop.await;
        }),
        tokio::spawn(async move {
            let _running = chores_run;
            chore_loop.await;
        }),
    ];
    Handle {
        liveness,
        requested,
        sent,
        chores,
        data,
        tasks,
        stopping,
    }
}

async fn run(
    data: Arc<Data>,
    http: Arc<Http>,
    owner: String,
    requested: Arc<AtomicU64>,
    served: watch::Sender<(u64, PassOutcome)>,
    chores: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mut dispatcher = Dispatcher::new(data.clone(), http.clone(), owner.clone());
    let mut replanner = replan::Replanner::default();
    while !*stop.borrow() {
        let ticket = requested.load(Ordering::SeqCst);
        wake::awake(&data);
        chores.notify_one();
        replanner.run(&data).await;
        let outcome = dispatcher.run_once().await;
        // What stored changes still owe their threads (retries; a process that died first).
        announce::send_due(&http, &data).await;
        served.send_replace((ticket, outcome.clone()));
        let wait = until_next(&data, &owner, outcome.error.is_some()).await;
        let wake = data.clock.now() + chrono::Duration::from_std(wait).unwrap_or_default();
        wake::asleep_until(&data, wake);
        tokio::select! {
            _ = data.reminders_changed.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stopping(&mut stop) => {}
        }
    }
}

/// How long to sleep: until the next reminder, retry or digest, at most [`MAX_SLEEP`].
/// Digests, checklists and the purge, woken by the dispatcher loop or the next digest time.
async fn run_chores(
    data: Arc<Data>,
    http: Arc<Http>,
    requested: Arc<AtomicU64>,
    served: watch::Sender<u64>,
    poke: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mut purged: Option<NaiveDate> = None;
    let mut digests = waits::ChannelWaits::default();
    let mut checklists = waits::ChannelWaits::default();
    let mut journeys = journey::JourneyWaits::default();
    while !*stop.borrow() {
        let ticket = requested.load(Ordering::SeqCst);
        digest::run_due(&data, &http, &mut digests).await;
        checklist::post_due(&data, &http, &mut checklists).await;
        journey::bring_out_owed(&data, &http, &mut journeys).await;
        purge::daily(&data, &mut purged).await;
        purge::scrub(&data, &http).await;
        served.send_replace(ticket);
        let now = data.clock.now();
        let wait = sleep_for(digest::next_run(&data, now).await, now);
        tokio::select! {
            _ = poke.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stopping(&mut stop) => {}
        }
    }
}

/// How long to sleep: until the next reminder or retry, or until another process holding some
/// can be taken over from (`storage::holders_gone_in`), at most [`MAX_SLEEP`].
async fn until_next(data: &Data, owner: &str, had_error: bool) -> std::time::Duration {
    if had_error {
        return MAX_SLEEP;
    }
    let db = &data.db;
    let now = data.clock.now();
    let gone_in = storage::holders_gone_in(db, now, owner)
        .await
        .ok()
        .flatten()
        .unwrap_or(MAX_SLEEP);
    let next = [
        storage::next_due_at(db).await.ok().flatten(),
        storage::next_outgoing_at(db).await.ok().flatten(),
        storage::next_announcement_at(db).await.ok().flatten(),
    ]
    .into_iter()
    .flatten()
    .min();
    // A registration that ended a moment ago: look again a little later rather than at once
    // (the claims may be in the middle of being taken by another process).
    sleep_for(next, now).min(gone_in.max(std::time::Duration::from_millis(250)))
}

fn sleep_for(next: Option<DateTime<Utc>>, now: DateTime<Utc>) -> std::time::Duration {
    match next {
        Some(at) if at <= now => std::time::Duration::ZERO,
        Some(at) => (at - now).to_std().unwrap_or(MAX_SLEEP).min(MAX_SLEEP),
        None => MAX_SLEEP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn sleeps_are_capped_and_never_negative() {
        let now = Utc::now();
        assert_eq!(sleep_for(None, now), MAX_SLEEP);
        assert_eq!(
            sleep_for(Some(now - Duration::hours(1)), now),
            std::time::Duration::ZERO
        );
        assert_eq!(sleep_for(Some(now + Duration::days(3)), now), MAX_SLEEP);
        assert_eq!(
            sleep_for(Some(now + Duration::seconds(5)), now),
            std::time::Duration::from_secs(5)
        );
    }

    #[test]
    fn backoff_grows_to_an_hour() {
        assert_eq!(crate::publish::delivery::backoff(0), Duration::seconds(30));
        assert_eq!(crate::publish::delivery::backoff(1), Duration::seconds(60));
        assert_eq!(crate::publish::delivery::backoff(20), Duration::hours(1));
    }

    #[test]
    fn nonces_fit_discord_and_differ_by_set() {
        let a = batch::nonce_of(&[1, 2, 3]);
        assert!(a.len() <= 25);
        assert_eq!(a, batch::nonce_of(&[1, 2, 3]));
        assert_ne!(a, batch::nonce_of(&[1, 2]));
    }
}
