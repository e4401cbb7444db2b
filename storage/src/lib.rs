//! `storage`: every piece of SQL in los. SQLite through sqlx, with the schema in
//! `storage/migrations/` run at start-up.
//!
//! Each public function is one use of the data and takes `&Db`: callers never see a pool, a
//! connection or a transaction (the seam a second backend goes behind). A function that changes
//! several tables does it in one transaction: all of it or none of it. [`Import`] joins many
//! writes into one transaction, for tools that fill a database in bulk.
//! See `storage/README.md` for the tables and the transaction boundaries.

mod announcements;
mod backup;
mod cases;
mod checklist;
mod codec;
mod db;
mod error;
#[cfg(feature = "faults")]
pub mod faults;
mod global_pace;
mod ids;
mod import;
mod journey;
mod leases;
mod lock;
pub mod metrics;
mod overview;
mod pg;
mod processes;
mod reminders;
mod retention;
mod settings;
mod stats;
mod writer;

pub use announcements::rows::{
    change_nonce, Announcement, AnnouncementKind, Pinged, PostedLine, Settled,
    GRACE as ANNOUNCEMENT_GRACE,
};
pub use announcements::{
    announcements_due, ask_for_help, next_announcement_at, owed_for_case, pinged_since,
    posted_lines, settle_announcement,
};
pub use backup::{backup, backup_file};
pub use cases::cards::{
    card, case_place, cases_to_scrub, mark_scrubbed, set_card, set_starter_message,
};
pub use cases::history::{events_of_version, history};
pub use cases::rows::{CaseCard, CasePlace, CaseToSend, HistoryEntry};
pub use cases::{
    case_by_thread, cases_for_sending, create_case, load_case, open_cases, replan_reminders,
    save_applied, set_case_thread,
};
pub use checklist::rows::{Checklist, ChecklistItem};
pub use checklist::{
    cases_owing_checklist, checklist, checklist_for_step, save_checklist, tick_item, untick_item,
};
pub use codec::nonce::{fingerprint, nonce};
pub use codec::ERASED;
pub use db::{Db, OpenLimits, DEFAULT_PATH, MIGRATOR};
pub use error::StorageError;
pub use global_pace::{draw_places, Places};
pub use ids::{ChannelId, Destination, GuildId, MessageId, RoleId, UserId};
pub use import::Import;
pub use journey::rows::JourneyRow;
pub use journey::{
    close_journey, create_journey, journey, journey_template, journeys_of, journeys_of_person,
    journeys_owing, replan_journeys, save_journey_template, set_journey_archived,
    set_journey_buddy, set_journey_message, set_journey_thread, tick_journey_item,
};
pub use leases::{
    claim_identify, end_shard_leases_of_others, identified, release_shard_lease, renew_shard_lease,
    shard_owners, win_shard_lease, ShardLease,
};
pub use lock::{LockError, ProcessLock};
pub use overview::rows::{HrOverview, OverviewCase, OverviewStep, PendingAction, OVERDUE_KINDS};
pub use overview::{hr_overview, open_case_titles, pending_for};
pub use pg::create_postgres_database;
pub use processes::{deregister, heartbeat, live_processes, Heartbeat};
pub use reminders::delivery::{
    open_problems, problem_places, problems_noticed, problems_to_tell, record_problem,
    requeue_outgoing, resolve_problems,
};
pub use reminders::digests::{digest_done, record_digest};
pub use reminders::outbox::{
    claim_outgoing, close_outgoing, next_outgoing_at, open_outgoing_many, outgoing_due,
    retry_outgoing,
};
pub use reminders::rows::{
    planned_key, snooze_key, ClaimedReminder, DeliveryProblem, OutboxEnd, Outgoing, ReminderState,
    Resumed, StoredReminder, CLAIM_LEASE, SNOOZE_MARK,
};
pub use reminders::{
    cancel_reminders_for_case, claim_due, holders_gone_in, next_due_at, release_expired_claims,
    release_stale_claims, reminder_ref, reminders_for_case, resume_after_restart, snooze,
};
pub use retention::purge;
pub use retention::rows::PurgeReport;
pub use settings::rows::{GuildSettings, NotificationLevel, ReminderOffsets, RoleIds};
pub use settings::{
    configured_guilds, load_settings, reminders_planned_with, save_settings,
    set_reminders_planned_with,
};
pub use stats::{purged_at, timelines};
pub use writer::WriteStats;

/// What every function here returns.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;
