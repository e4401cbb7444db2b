//! One pass of the reminder loop: claim what is due, in batches, and send it. Batch by batch
//! (see `batch`): claim, read, group by place, write the outbox rows; then send (see
//! `deliver`) while the next batch is being prepared, so the pace is never left idle waiting
//! for the database. A pass goes on until nothing that was due at its start is left.
//!
//! A crash anywhere leaves either an unsent claim or an open outbox row (sent again with the
//! same nonce, which Discord answers with the message already posted). On SQLite (one process
//! per file) both are freed on start; on PostgreSQL (several processes) they are taken over by
//! any process once their lease (`storage::CLAIM_LEASE`) has run out. An error between
//! claiming and writing the outbox rows leaves an unsent claim too: every pass takes back the
//! claims whose lease ran out and no open row holds, so they go out a few minutes late, not
//! after the next restart. Every claim and every row taken carries an epoch (a fencing
//! token): a process whose claim was taken over meanwhile cannot open, mark or close it
//! (`storage` refuses, and the job is dropped here).

use std::sync::Arc;

use serenity::all::Http;

use super::batch::{self, SettingsCache};
use super::destinations::DmChannels;
use crate::publish::delivery;
use crate::types::Data;

/// Reminders claimed in a pass's first batch; each next batch of the same pass takes twice
/// as many, up to [`MAX_BATCH`]. The first is small so the first messages go out at once.
pub const BATCH: u32 = 50;
/// The most reminders claimed at once (and so held in memory, with their cases, twice: one
/// batch being sent and the next being prepared).
pub const MAX_BATCH: u32 = 500;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassOutcome {
    pub messages_sent: usize,
    pub reminders_sent: usize,
    pub cancelled: usize,
    pub retried: usize,
    pub failed: usize,
    /// A storage error that cut the pass short; the next pass tries again.
    pub error: Option<String>,
}

impl PassOutcome {
    /// Adds what another part of the pass did (the first error stays).
    pub fn add(&mut self, other: PassOutcome) {
        self.messages_sent += other.messages_sent;
        self.reminders_sent += other.reminders_sent;
        self.cancelled += other.cancelled;
        self.retried += other.retried;
        self.failed += other.failed;
        if self.error.is_none() {
            self.error = other.error;
        }
    }
}

/// The dispatcher's state between passes.
pub struct Dispatcher {
    pub data: Arc<Data>,
    pub http: Arc<Http>,
    /// Who claims: this process.
    pub owner: String,
    /// Each person's DM channel, opened once per process.
    pub dms: DmChannels,
    recovered: bool,
}

impl Dispatcher {
    /// The dispatcher of `owner`: the name this process is registered under
    /// (`crate::roster`), so that when the registration ends, what it claimed is taken over.
    pub fn new(data: Arc<Data>, http: Arc<Http>, owner: String) -> Dispatcher {
        Dispatcher {
            data,
            http,
            owner,
            dms: DmChannels::default(),
            recovered: false,
        }
    }

    /// One pass. Never fails: what went wrong is in the outcome and retried later. At its
    /// end HR is told of places the bot cannot deliver to (see [`crate::publish::delivery`]).
    #[tracing::instrument(name = "reminder_pass", skip_all)]
    pub async fn run_once(&mut self) -> PassOutcome {
        let mut out = PassOutcome::default();
        delivery::refresh(&self.data).await;
        if let Err(e) = self.pass(&mut out).await {
            out.error.get_or_insert(e.to_string());
        }
        delivery::tell(&self.data, &self.http).await;
        if let Some(e) = &out.error {
            tracing::warn!(error = %e, "reminder pass cut short");
        }
        out
    }

    async fn pass(&mut self, out: &mut PassOutcome) -> storage::Result<()> {
        let now = self.data.clock.now();
        let db = &self.data.db;
        if !self.recovered {
            // On SQLite we are the only sender: whatever is still claimed or held was by a
            // process that died, and is freed (the open rows are taken below, with the nonce
            // they were maybe sent with). On PostgreSQL nothing is freed here: other live
            // processes may hold it; a dead one's is taken over after its lease.
            let resumed = storage::resume_after_restart(db).await?;
            if resumed != storage::Resumed::default() {
                tracing::info!(
                    released = resumed.released,
                    open = resumed.freed_rows,
                    "reminders resumed after a restart"
                );
            }
            self.recovered = true;
        }
        let expired = storage::release_expired_claims(db, now, &self.owner).await?;
        if expired > 0 {
            tracing::warn!(
                expired,
                "reminders claimed but never put in the outbox were released"
            );
        }
        let mut settings = SettingsCache::default();
        // Open rows due now that nobody holds first (sent before, tried and failed, or left by
        // a process that died): then the fresh batches.
        let open = storage::claim_outgoing(db, now, MAX_BATCH, &self.owner).await?;
        let mut sending = batch::reopen(&self.data, &mut settings, open).await?;
        let mut size = BATCH;
        let mut more = true;
        loop {
            let this = &*self;
            let next = async {
                if more {
                    batch::claim(&this.data, &this.owner, &mut settings, size, now)
                        .await
                        .map(Some)
                } else {
                    Ok(None)
                }
            };
            let (done, next) = tokio::join!(this.deliver_all(sending), next);
            out.add(done);
            // Claimed and opened but not sent (after an error): open rows, the next pass's.
            let next = next?;
            if out.error.is_some() {
                return Ok(());
            }
            match next {
                Some((jobs, claimed)) if claimed > 0 => {
                    more = claimed >= size as usize;
                    sending = jobs;
                    size = size.saturating_mul(2).min(MAX_BATCH);
                }
                _ => return Ok(()),
            }
        }
    }
}
