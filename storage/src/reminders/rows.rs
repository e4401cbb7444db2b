//! What both backends share about reminders, their outbox and delivery problems: the answers
//! the bot reads (a claimed reminder, a stored one, a message on its way and how it ended, a
//! place that could not be delivered to), the lease a claim lasts, the keys of snoozed copies,
//! and the decoding of the text columns both store alike (a reminder's kind, target and state;
//! a count). The rows themselves stay with each backend: SQLite's times are the codec's text,
//! PostgreSQL's are `timestamptz`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use flow::{CaseId, ReminderKind, StepId, Target};

use crate::codec::parsed;
use crate::ids::Destination;
use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderState {
    Pending,
    Claimed,
    Sent,
    Cancelled,
    Failed,
}

impl ReminderState {
    pub const ALL: [ReminderState; 5] = [
        ReminderState::Pending,
        ReminderState::Claimed,
        ReminderState::Sent,
        ReminderState::Cancelled,
        ReminderState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderState::Pending => "pending",
            ReminderState::Claimed => "claimed",
            ReminderState::Sent => "sent",
            ReminderState::Cancelled => "cancelled",
            ReminderState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<ReminderState> {
        ReminderState::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A reminder handed to one sender to send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedReminder {
    pub id: i64,
    pub key: String,
    pub guild: u64,
    pub case: CaseId,
    pub step: Option<StepId>,
    pub kind: ReminderKind,
    pub target: Target,
    pub due: DateTime<Utc>,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub claimed_at: DateTime<Utc>,
    /// The claim's fencing token: the outbox row its message goes in is opened and marked
    /// under it ([`crate::Outgoing::epoch`]), and refused once another claim took it over.
    pub epoch: i64,
}

/// A reminder as stored, for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReminder {
    pub id: i64,
    pub key: String,
    pub case: CaseId,
    pub step: Option<StepId>,
    pub kind: ReminderKind,
    pub target: Target,
    pub due: DateTime<Utc>,
    pub state: ReminderState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub late: bool,
    /// A fingerprint of the key (the messages reminders go out in carry their outbox row's
    /// nonce, not this).
    pub nonce: String,
}

/// How long a claim lasts without an outbox row holding it.
///
/// A sender claims a batch and, in the same pass, writes the outbox rows that hold it: one
/// read of the batch's cases and one write, each bounded by the 15 s busy timeout, so a live
/// sender holds a bare claim for seconds, well under a minute even behind a slow disk or a
/// long checkpoint. A bare claim older than that was left by a sender that failed between
/// the two (an error, a crash, a kill) and will never be sent by it. Five minutes is many
/// times what a live sender needs, so a claim is never taken from one that is still working
/// (with several senders, later, that would send a reminder twice), and short enough that a
/// stranded reminder goes out a few minutes late instead of at the next restart.
pub const CLAIM_LEASE: Duration = Duration::minutes(5);

/// What [`crate::resume_after_restart`] freed: bare claims put back in the queue, and open outbox
/// rows whose hold was let go (taken by the next pass at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resumed {
    pub released: u64,
    pub freed_rows: u64,
}

/// The key a snoozed copy of `key` gets for the day it moves to. Storage's reconcile leaves
/// such copies alone (the planner does not know them); the sender checks the original key.
pub fn snooze_key(key: &str, day: NaiveDate) -> String {
    format!("{key}{SNOOZE_MARK}{}", day.format("%Y%m%d"))
}

/// Marks a snoozed copy's key: what comes before it is the original key.
pub const SNOOZE_MARK: &str = "~z";

/// The key the planner knows a reminder by (a snoozed copy's original).
pub fn planned_key(key: &str) -> &str {
    key.split(SNOOZE_MARK).next().unwrap_or(key)
}

/// A message on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub nonce: String,
    pub guild: u64,
    pub destination: Destination,
    pub reminders: Vec<i64>,
    /// Attempts that failed so far.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    /// The epoch the row is held under: its reminders' claim ([`ClaimedReminder::epoch`]) when
    /// it is opened, a new one when it is taken over ([`crate::claim_outgoing`]). Its marks are
    /// refused once another holds it.
    pub epoch: i64,
}

/// How an outgoing message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxEnd {
    /// Posted: its reminders are sent.
    Sent,
    /// Not wanted any more (the step is done, the case closed, the channel gone).
    Cancelled,
    /// Given up: its reminders are failed.
    Failed,
    /// Went elsewhere (a closed DM goes to the case thread): its reminders are in other rows.
    Rerouted,
}

impl OutboxEnd {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OutboxEnd::Sent => "sent",
            OutboxEnd::Cancelled => "cancelled",
            OutboxEnd::Failed => "failed",
            OutboxEnd::Rerouted => "rerouted",
        }
    }
}

/// A place the bot could not deliver to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryProblem {
    pub guild: u64,
    pub place: Destination,
    /// What is wrong there (the bot's own names: `missing_access`, `unknown_channel`, ...).
    pub problem: String,
    /// The case whose thread the place is, when it is one.
    pub case: Option<CaseId>,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub failures: u32,
    pub last_error: Option<String>,
    pub told_at: Option<DateTime<Utc>>,
    pub notice_tries: u32,
}

/// A reminder's kind as stored.
pub(crate) fn kind_back(s: &str) -> Result<ReminderKind> {
    parsed("reminder kind", s, ReminderKind::parse)
}

/// A reminder's target as stored.
pub(crate) fn target_back(s: &str) -> Result<Target> {
    parsed("reminder target", s, Target::parse)
}

/// A reminder's state as stored.
pub(crate) fn state_back(s: &str) -> Result<ReminderState> {
    parsed("reminder state", s, ReminderState::parse)
}

/// A stored count (attempts, failures, tries), at most `u32::MAX`.
pub(crate) fn count_back(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
