//! The end-to-end tests, one binary: the real bot on a real SQLite file against the Discord
//! sandbox, driven through the one kit in `tests/src/lib.rs` (`los_e2e::Kit`).
//!
//! `cargo test -p los-e2e --test it` runs them all; a name narrows it down:
//! `cargo test -p los-e2e --test it reminders::delivery` or `… a_hung_request`.

/// A case pressed through Discord: its paths, refusals, views, languages, and what its
/// thread is owed whatever happens to the bot or to Discord.
mod cases {
    mod announcements;
    mod clarity;
    mod languages;
    mod manager_rights;
    mod notifications;
    mod pages;
    mod paths;
    mod pictures;
    mod purge;
    mod refusals;
    mod restart;
    mod views;
    mod whole_case;
}

/// Reminders, digests and the onboarding checklist: when they go out, once, and what their
/// buttons do; delivery through crashes, Discord's errors and places that refuse.
mod reminders {
    mod bulk;
    mod buttons;
    mod checklist;
    mod delivery;
    mod digest;
    mod faults;
    mod onboarding;
    mod problems;
    mod settings;
    mod sigkill;
}

/// A new hire's onboarding journey: its private thread and checklist, ticks, reminders, the
/// probation decision, the server's own template, a restart in the middle; reminders due
/// together in one message.
mod journey {
    mod batched;
    mod common;
    mod purge;
    mod restart;
    mod settings;
    mod setup;
    mod template;
    mod whole;
}

// Processes of one bot on one PostgreSQL database share Discord's global limit.
mod global_limit;
// A failed interaction in the log, with what identifies it.
mod interaction_log;

mod shards;
// Every text id the bot's code names exists in both languages.
mod texts;
// No module imports a module that imports it, in flow, storage, bot and sandbox.
mod architecture;
