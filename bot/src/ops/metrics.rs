//! The metrics the bot keeps, by name, and where each is recorded. One place for the names,
//! so `/metrics`, the README and the code agree.

use std::time::Duration;

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Presses, forms and commands handled, by `kind` (`button`, `select`, `modal`, `command`,
/// `autocomplete`).
pub const PRESSES: &str = "los_presses_total";
/// Seconds from an interaction's arrival until its handler ended, by `kind`.
pub const PRESS_SECONDS: &str = "los_press_seconds";
/// Changes stored per commit of the group-committing writer (recorded in `storage`).
pub const CHANGES_PER_COMMIT: &str = storage::metrics::CHANGES_PER_COMMIT;
/// Reminders shown to people.
pub const REMINDERS_SENT: &str = "los_reminders_sent_total";
/// Of those, reminders shown later than they were due (the bot was down, Discord failed).
pub const REMINDERS_LATE: &str = "los_reminders_late_total";
/// Reminders given up for good (their place refused them for two weeks).
pub const REMINDERS_FAILED: &str = "los_reminders_failed_total";
/// Answers 429 (Too Many Requests) the bot got from Discord.
pub const TOO_MANY_REQUESTS: &str = "los_discord_429_total";
/// Gateway shards this process runs, and how many of them are connected.
pub const SHARDS_OWNED: &str = "los_shards_owned";
pub const SHARDS_CONNECTED: &str = "los_shards_connected";
/// Places of Discord's global limit this process drew from the database, by `how`: `drawn`,
/// or `missed` (drawn but passed unused: a request woke too late, or the draw answered too
/// slowly to use). PostgreSQL only ([`crate::pace::shared`]); alone, a process draws none.
pub const GLOBAL_PLACES: &str = "los_global_places_total";
/// Shard lease renewals that held ([`crate::shards`]).
pub const LEASE_RENEWALS: &str = "los_shard_lease_renewals_total";
/// Shards given up, by `how`: `lost` (a renewal found the lease expired or taken over) or
/// `fenced` (stopped by the process itself, unable to renew in time).
pub const LEASE_LOSSES: &str = "los_shard_lease_losses_total";

/// Histogram buckets for press latency, in seconds: Discord wants an answer within 3 s.
const PRESS_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0];
/// Buckets for changes per commit (powers of two up to the writer's largest group).
const COMMIT_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Installs the process-wide Prometheus recorder; its handle renders `/metrics`. Call once.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full(PRESS_SECONDS.into()),
            PRESS_BUCKETS,
        )?
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full(CHANGES_PER_COMMIT.into()),
            COMMIT_BUCKETS,
        )?
        .install_recorder()?;
    describe();
    Ok(handle)
}

fn describe() {
    describe_counter!(PRESSES, "Presses, forms and commands handled, by kind.");
    describe_histogram!(
        PRESS_SECONDS,
        metrics::Unit::Seconds,
        "Time from an interaction's arrival until its handler ended, by kind."
    );
    describe_histogram!(CHANGES_PER_COMMIT, "Changes stored per database commit.");
    describe_counter!(REMINDERS_SENT, "Reminders shown to people.");
    describe_counter!(REMINDERS_LATE, "Reminders shown later than due.");
    describe_counter!(REMINDERS_FAILED, "Reminders given up for good.");
    describe_counter!(TOO_MANY_REQUESTS, "429 answers from Discord.");
    describe_gauge!(SHARDS_OWNED, "Gateway shards this process runs.");
    describe_gauge!(
        SHARDS_CONNECTED,
        "Gateway shards of this process connected now."
    );
    describe_counter!(
        GLOBAL_PLACES,
        "Places of Discord's global limit drawn from the database, and of those missed."
    );
    describe_counter!(LEASE_RENEWALS, "Shard lease renewals that held.");
    describe_counter!(
        LEASE_LOSSES,
        "Shards given up: lease lost, or stopped unable to renew (fenced)."
    );
    // Counters exist from the start at zero, so a scrape before the first event has them.
    for how in ["lost", "fenced"] {
        counter!(LEASE_LOSSES, "how" => how).absolute(0);
    }
    for how in ["drawn", "missed"] {
        counter!(GLOBAL_PLACES, "how" => how).absolute(0);
    }
    for kind in ["button", "select", "modal", "command", "autocomplete"] {
        counter!(PRESSES, "kind" => kind).absolute(0);
    }
    for name in [
        REMINDERS_SENT,
        REMINDERS_LATE,
        REMINDERS_FAILED,
        TOO_MANY_REQUESTS,
        LEASE_RENEWALS,
    ] {
        counter!(name).absolute(0);
    }
}

/// An interaction handled, of `kind`, in `took`.
pub fn press(kind: &'static str, took: Duration) {
    counter!(PRESSES, "kind" => kind).increment(1);
    histogram!(PRESS_SECONDS, "kind" => kind).record(took.as_secs_f64());
}

/// Reminders shown (`late` of them after their time).
pub fn reminders_sent(sent: usize, late: usize) {
    counter!(REMINDERS_SENT).increment(sent as u64);
    counter!(REMINDERS_LATE).increment(late as u64);
}

/// Reminders given up.
pub fn reminders_failed(n: usize) {
    counter!(REMINDERS_FAILED).increment(n as u64);
}

/// A request to Discord failed: counted when Discord answered 429.
pub fn discord_error(e: &serenity::Error) {
    if let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(resp)) = e {
        if resp.status_code.as_u16() == 429 {
            counter!(TOO_MANY_REQUESTS).increment(1);
        }
    }
}

/// The shards as last seen.
pub fn shards(owned: usize, connected: usize) {
    gauge!(SHARDS_OWNED).set(owned as f64);
    gauge!(SHARDS_CONNECTED).set(connected as f64);
}

/// Shard lease renewals that held, and shards given up (`how`: `lost` or `fenced`).
pub fn leases(renewed: usize, how: &'static str, given_up: usize) {
    counter!(LEASE_RENEWALS).increment(renewed as u64);
    counter!(LEASE_LOSSES, "how" => how).increment(given_up as u64);
}

/// Places of Discord's global limit drawn.
pub fn global_places_drawn(n: u64) {
    counter!(GLOBAL_PLACES, "how" => "drawn").increment(n);
}

/// Places drawn and passed unused.
pub fn global_places_missed(n: u64) {
    counter!(GLOBAL_PLACES, "how" => "missed").increment(n);
}
