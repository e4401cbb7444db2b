//! Integration tests of `storage`, all on real SQLite files in temporary folders.

mod common;

mod announcements;
mod claims;
mod crash;
mod delivery;
mod deputy;
mod faults;
mod global_pace;
mod journey;
mod leases;
mod migrations;
mod open;
mod processes;
mod race;
mod reminders;
mod retention;
mod roundtrip;
mod schema;
mod send;
mod shipped;
