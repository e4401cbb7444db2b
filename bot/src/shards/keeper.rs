//! The keeper: the one task that decides which gateway shards this process runs. It wins
//! shard leases (`storage::win_shard_lease`), starts only the shards it holds through
//! serenity's [`ShardManager`], renews the leases, and stops a shard itself before its lease
//! can end when it cannot renew ([`super::policy`]). Started once per process; a failure of
//! one round is logged and the loop goes on (it never ends by an error).
//!
//! serenity 0.12 starts shards by ranges whose end it counts as included
//! (`Client::start_shard_range(0..4, n)` runs shards 0 to 4), and its only way to start one
//! shard at run time is [`ShardManager::restart`], so the keeper never uses the client's
//! `start_*`: the manager is told the shard count with no shard of its own
//! (`set_shards(0, 0, n)`), and each won shard is started by itself.
//!
//! IDENTIFY pacing: in this process won shards start one at a time, each 5.5 s after the
//! previous one was seen connected ([`StartQueue`]); across processes a shard starts only
//! with its bucket's IDENTIFY slot (`storage::claim_identify`, bucket `shard %
//! max_concurrency`), held until the shard is connected and freed 5.5 s after
//! (`storage::identified`), by the database's clock. So all processes together keep
//! Discord's `max_concurrency` buckets. (serenity's own re-IDENTIFYs after a dropped session
//! bypass both; Discord's limit allows them as long as they are rare.)

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serenity::all::{ConnectionStage, ShardId, ShardManager};
use storage::Db;
use tokio::sync::watch;
use tokio::time::{timeout_at, Instant};

use super::policy::{
    LeaseTimes, Next, Pace, Policy, StartQueue, CONNECT_GIVE_UP, IDENTIFY_SPACING,
};
use super::share::Fleet;

/// This process's share of the shards ([`super::share`]) as the keeper last worked it out, for
/// `/readyz`: `None` until the keeper has looked at the fleet once.
#[derive(Debug, Clone, Default)]
pub struct Quota(Arc<AtomicU32>);

impl Quota {
    const UNKNOWN: u32 = u32::MAX;

    pub fn new() -> Quota {
        Quota(Arc::new(AtomicU32::new(Self::UNKNOWN)))
    }

    pub fn get(&self) -> Option<u32> {
        Some(self.0.load(Ordering::Relaxed)).filter(|q| *q != Self::UNKNOWN)
    }

    fn set(&self, quota: u32) {
        self.0
            .store(quota.min(Self::UNKNOWN - 1), Ordering::Relaxed);
    }
}

/// Why the keeper's loop is asked to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Keep going.
    No,
    /// End now, leaving the leases to expire (as a crash would).
    Now,
    /// Stop the shards, then release their leases so another process may take them at once.
    Release,
}

/// What one round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was due; the keeper waited until something was.
    Waited,
    /// These shards were stopped: their leases could not be renewed in time (self-fencing).
    Fenced(Vec<u32>),
    /// A renewal round: the leases that held, those found lost (their shards stopped at once),
    /// and those whose renewal failed or did not answer in time (tried again soon).
    Renewed {
        held: Vec<u32>,
        lost: Vec<u32>,
        failed: Vec<u32>,
    },
    /// A try for the shards not held: those won (queued to start), and whether the database
    /// failed.
    Won { won: Vec<u32>, failed: bool },
    /// This process held more than its share and another process less: this shard was
    /// stopped and its lease released, for that process to win at its next try.
    HandedOver(u32),
    /// A won shard was started (its IDENTIFY follows).
    Started(u32),
    /// The shard started last is connected: the next may start a spacing later.
    Connected(u32),
}

/// The gateway as `GET /gateway/bot` describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gateway {
    pub shards: u32,
    pub max_concurrency: u32,
}

/// Runs the shards this process holds the leases of.
pub struct Keeper {
    db: Db,
    owner: String,
    manager: Arc<ShardManager>,
    gateway: Gateway,
    policy: Policy,
    /// The shards started through the manager and not stopped since.
    running: BTreeSet<u32>,
    /// The shards won and not yet started, started one at a time in Discord's spacing.
    starts: StartQueue,
    /// The shards nobody held at the last try (two tries in a row: an orphan).
    free_before: BTreeSet<u32>,
    /// No shard is handed over before this (set when the keeper had to win an orphan).
    hand_over_after: Instant,
    /// Orphans won since the shards were last seen balanced: how long hand-overs wait.
    orphans_in_a_row: u32,
    /// This process's share, as last worked out.
    quota: Quota,
}

/// A name for this run of this process, unique across processes and restarts: the host (when
/// the environment names it), the process id and the start time.
pub fn owner_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "los".to_owned());
    let started = chrono::Utc::now().timestamp_micros();
    format!("{host}-{}-{started}", std::process::id())
}

impl Keeper {
    /// A keeper for `gateway.shards` shards on `manager`, which must not have started any.
    /// `sole`: no other process can be running on this database (SQLite, whose file lock
    /// guarantees it), so leases left by a previous run belong to a dead process and are
    /// ended at once rather than waited out.
    pub async fn new(
        db: Db,
        owner: String,
        manager: Arc<ShardManager>,
        gateway: Gateway,
        times: LeaseTimes,
        sole: bool,
        quota: Quota,
    ) -> Keeper {
        if sole {
            match storage::end_shard_leases_of_others(&db, &owner).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(leases = n, "shard leases of a previous run ended"),
                Err(e) => tracing::warn!(error = %e, "shard leases of a previous run not ended"),
            }
        }
        // No shard of its own (see the module's note on serenity's ranges): only the count,
        // which `restart` boots each shard with.
        manager.set_shards(0, 0, gateway.shards).await;
        Keeper {
            db,
            owner,
            manager,
            gateway,
            policy: Policy::new(times, Instant::now()),
            running: BTreeSet::new(),
            starts: StartQueue::default(),
            free_before: BTreeSet::new(),
            hand_over_after: Instant::now(),
            orphans_in_a_row: 0,
            quota,
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The shards running now.
    pub fn running(&self) -> Vec<u32> {
        self.running.iter().copied().collect()
    }

    /// The loop: one round after another until `stop` says otherwise.
    pub async fn run(mut self, mut stop: watch::Receiver<Stop>) {
        loop {
            let how = *stop.borrow_and_update();
            match how {
                Stop::No => {}
                Stop::Now => return,
                Stop::Release => return self.release_all().await,
            }
            tokio::select! {
                outcome = self.run_once() => log(&outcome),
                changed = stop.changed() => {
                    if changed.is_err() {
                        // Nobody can stop the keeper any longer: it ends with the process.
                        return self.release_all().await;
                    }
                }
            }
        }
    }

    /// One round: whatever the policy says is due now (stop, renew, win), or a wait until
    /// something is. Errors are part of the outcome, never returned.
    pub async fn run_once(&mut self) -> Outcome {
        match self.policy.next(Instant::now()) {
            Next::Stop(shards) => {
                for &s in &shards {
                    self.stop_shard(s).await;
                }
                self.policy.stopped(&shards);
                Outcome::Fenced(shards)
            }
            Next::Renew { deadline } => self.renew(deadline).await,
            Next::Win => self.win().await,
            Next::Wait(until) => self.pace(until).await,
        }
    }

    /// Between lease rounds (`until` the next): starts the next won shard when Discord's
    /// IDENTIFY spacing allows, or watches the one starting connect.
    async fn pace(&mut self, until: Instant) -> Outcome {
        let now = Instant::now();
        match self.starts.next(now) {
            Pace::Start(shard) => {
                if !self.policy.held().contains_key(&shard) {
                    self.starts.forget(shard);
                    return Outcome::Waited;
                }
                // Every process's IDENTIFYs in one bucket keep Discord's spacing: the shard
                // starts only with its bucket's slot, held until it is connected.
                let bucket = self.bucket(shard);
                let claim = storage::claim_identify(&self.db, &self.owner, bucket, CONNECT_GIVE_UP);
                match timeout_at(until, claim).await {
                    Ok(Ok(true)) => {
                        self.start_shard(shard).await;
                        Outcome::Started(shard)
                    }
                    Ok(Ok(false)) => {
                        self.starts.later(shard, now + Duration::from_millis(250));
                        Outcome::Waited
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(shard, error = %e, "could not take an IDENTIFY slot");
                        self.starts.later(shard, now + Duration::from_secs(1));
                        Outcome::Waited
                    }
                    Err(_) => {
                        self.starts.later(shard, now + Duration::from_secs(1));
                        Outcome::Waited
                    }
                }
            }
            Pace::Watch {
                shard,
                until: give_up,
            } => {
                if self.connected(shard).await {
                    self.starts.connected(Instant::now());
                    let bucket = self.bucket(shard);
                    let done = storage::identified(&self.db, &self.owner, bucket, IDENTIFY_SPACING);
                    match tokio::time::timeout(Duration::from_secs(5), done).await {
                        Ok(Ok(_)) => {}
                        // The slot frees when its hold runs out instead.
                        Ok(Err(e)) => tracing::warn!(shard, error = %e, "IDENTIFY slot not freed"),
                        Err(_) => tracing::warn!(shard, "IDENTIFY slot not freed in time"),
                    }
                    return Outcome::Connected(shard);
                }
                let look = (now + Duration::from_millis(50)).min(give_up).min(until);
                tokio::time::sleep_until(look).await;
                Outcome::Waited
            }
            Pace::Until(free) => {
                tokio::time::sleep_until(free.min(until)).await;
                Outcome::Waited
            }
            Pace::Idle => {
                tokio::time::sleep_until(until).await;
                Outcome::Waited
            }
        }
    }

    /// The shard's IDENTIFY rate-limit bucket.
    fn bucket(&self, shard: u32) -> u32 {
        shard % self.gateway.max_concurrency.max(1)
    }

    async fn connected(&self, shard: u32) -> bool {
        self.manager
            .runners
            .lock()
            .await
            .get(&ShardId(shard))
            .is_some_and(|r| r.stage == ConnectionStage::Connected)
    }

    async fn renew(&mut self, deadline: Instant) -> Outcome {
        let sent = Instant::now();
        let ttl = self.policy.times().ttl;
        let (mut held, mut lost, mut failed) = (Vec::new(), Vec::new(), Vec::new());
        let leases: Vec<(u32, i64)> = self
            .policy
            .held()
            .iter()
            .map(|(s, h)| (*s, h.epoch))
            .collect();
        for (shard, epoch) in leases {
            let renewal = storage::renew_shard_lease(&self.db, &self.owner, shard, epoch, ttl);
            match timeout_at(deadline, renewal).await {
                Ok(Ok(true)) => {
                    self.policy.renewed(shard, sent);
                    held.push(shard);
                }
                Ok(Ok(false)) => {
                    self.policy.lost(shard);
                    self.stop_shard(shard).await;
                    lost.push(shard);
                }
                Ok(Err(e)) => {
                    tracing::warn!(shard, error = %e, "a shard lease could not be renewed");
                    failed.push(shard);
                }
                Err(_) => {
                    tracing::warn!(shard, "a shard lease's renewal did not answer in time");
                    failed.push(shard);
                }
            }
        }
        self.policy
            .renewal_done(sent, failed.is_empty(), Instant::now());
        Outcome::Renewed { held, lost, failed }
    }

    /// A try for shards: looks at the fleet, wins shards up to this process's share (and any
    /// orphan), or hands one over to a process below its share ([`super::share`]).
    async fn win(&mut self) -> Outcome {
        let outcome = self.try_to_win().await;
        self.policy.tried_to_win(Instant::now());
        outcome
    }

    async fn try_to_win(&mut self) -> Outcome {
        let ttl = self.policy.times().ttl;
        // A slow database must not hold up the stop of a shard held already.
        let bound = self
            .policy
            .earliest_fence()
            .unwrap_or(Instant::now() + self.policy.times().renew_every());
        let look = async {
            let live = storage::live_processes(&self.db).await?;
            let owners = storage::shard_owners(&self.db).await?;
            Ok::<_, storage::StorageError>((live, owners))
        };
        let (live, owners) = match timeout_at(bound, look).await {
            Ok(Ok(fleet)) => fleet,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not look at the shard leases");
                return Outcome::Won {
                    won: vec![],
                    failed: true,
                };
            }
            Err(_) => {
                tracing::warn!("the look at the shard leases did not answer in time");
                return Outcome::Won {
                    won: vec![],
                    failed: true,
                };
            }
        };
        let owners: BTreeMap<u32, String> =
            owners.into_iter().map(|l| (l.shard, l.owner)).collect();
        let fleet = Fleet {
            me: &self.owner,
            shards: self.gateway.shards,
            live: &live,
            owners: &owners,
        };
        let held: BTreeSet<u32> = self.policy.held().keys().copied().collect();
        let plan = fleet.plan(
            &held,
            &self.free_before,
            Instant::now() >= self.hand_over_after,
        );
        self.quota.set(plan.quota);
        self.free_before = plan.free.iter().copied().collect();
        if let Some(shard) = plan.hand_over {
            self.hand_over(shard).await;
            return Outcome::HandedOver(shard);
        }
        if u32::try_from(plan.orphans.len()).unwrap_or(u32::MAX) > plan.want {
            // Whose share it was did not take it: this process keeps it, and hands nothing
            // over for a while (the other may be unable to take anything), twice as long each
            // time it happens again, up to 64 leases; back to 2 leases once all is balanced.
            self.orphans_in_a_row = (self.orphans_in_a_row + 1).min(6);
            self.hand_over_after = Instant::now() + ttl * (1 << self.orphans_in_a_row);
        } else if plan.free.is_empty()
            && plan.want == 0
            && held.len() as u64 == u64::from(plan.quota)
        {
            self.orphans_in_a_row = 0;
        }
        let mut won = Vec::new();
        let mut failed = false;
        let candidates = (0..self.gateway.shards).filter(|s| !held.contains(s));
        for shard in candidates {
            let wanted = u32::try_from(won.len()).unwrap_or(u32::MAX) < plan.want;
            if !wanted && !plan.orphans.contains(&shard) {
                continue;
            }
            let sent = Instant::now();
            let win =
                storage::win_shard_lease(&self.db, &self.owner, shard, self.gateway.shards, ttl);
            match timeout_at(bound, win).await {
                Ok(Ok(Some(lease))) => {
                    if self.policy.won(shard, lease.epoch, sent, Instant::now()) {
                        self.starts.push(shard);
                        won.push(shard);
                    }
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(shard, error = %e, "could not try for a shard lease");
                    failed = true;
                    break;
                }
                Err(_) => {
                    tracing::warn!(shard, "a try for a shard lease did not answer in time");
                    failed = true;
                    break;
                }
            }
        }
        Outcome::Won { won, failed }
    }

    /// Stops `shard`, then releases its lease: the process below its share wins it at its
    /// next try, with no wait for the lease to run out.
    async fn hand_over(&mut self, shard: u32) {
        let Some(epoch) = self.policy.held().get(&shard).map(|h| h.epoch) else {
            return;
        };
        self.stop_shard(shard).await;
        self.policy.lost(shard);
        let release = storage::release_shard_lease(&self.db, &self.owner, shard, epoch);
        match tokio::time::timeout(Duration::from_secs(5), release).await {
            Ok(Ok(_)) => {
                tracing::info!(
                    shard,
                    "shard handed over: another process is below its share"
                );
            }
            Ok(Err(e)) => {
                tracing::warn!(shard, error = %e, "a handed-over shard's lease was not released");
            }
            Err(_) => tracing::warn!(
                shard,
                "a handed-over shard's release did not answer in time"
            ),
        }
    }

    async fn start_shard(&mut self, shard: u32) {
        if !self.running.insert(shard) {
            return;
        }
        let id = ShardId(shard);
        // `restart` first shuts the shard down and waits (up to five seconds) for the shard
        // runner to say it ended; a shard never started has no runner to say so, so it is said
        // for it.
        self.manager.shutdown_finished(id);
        self.manager.restart(id).await;
        tracing::info!(
            shard,
            of = self.gateway.shards,
            "shard lease won: starting the shard"
        );
    }

    async fn stop_shard(&mut self, shard: u32) {
        self.starts.forget(shard);
        if self.running.remove(&shard) {
            self.manager.shutdown(ShardId(shard), 1000).await;
            tracing::info!(shard, "shard stopped");
        }
    }

    /// Stops every shard, then releases its lease (a graceful stop: others take over at once).
    async fn release_all(mut self) {
        let held: Vec<(u32, i64)> = self
            .policy
            .held()
            .iter()
            .map(|(s, h)| (*s, h.epoch))
            .collect();
        for (shard, epoch) in held {
            self.stop_shard(shard).await;
            let release = storage::release_shard_lease(&self.db, &self.owner, shard, epoch);
            match tokio::time::timeout(Duration::from_secs(5), release).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(shard, error = %e, "a shard lease was not released"),
                Err(_) => tracing::warn!(shard, "a shard lease's release did not answer in time"),
            }
        }
    }
}

fn log(outcome: &Outcome) {
    match outcome {
        Outcome::Fenced(shards) => crate::ops::metrics::leases(0, "fenced", shards.len()),
        Outcome::Renewed { held, lost, .. } => {
            crate::ops::metrics::leases(held.len(), "lost", lost.len());
        }
        _ => {}
    }
    match outcome {
        Outcome::Waited => {}
        Outcome::Fenced(shards) => {
            tracing::error!(?shards, "shard leases not renewed in time: shards stopped");
        }
        Outcome::Renewed { lost, failed, .. } if !lost.is_empty() || !failed.is_empty() => {
            tracing::warn!(?lost, ?failed, "shard lease renewal");
        }
        Outcome::Renewed { .. } => {}
        Outcome::Won { won, .. } if !won.is_empty() => {
            tracing::info!(?won, "shard leases won");
        }
        Outcome::Won { .. }
        | Outcome::HandedOver(_)
        | Outcome::Started(_)
        | Outcome::Connected(_) => {}
    }
}
