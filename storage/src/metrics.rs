//! The one metric this crate records (through the `metrics` facade; the bot installs the
//! exporter, and without one recording does nothing).

/// Changes stored per commit of the writer: how much the group commit groups.
pub const CHANGES_PER_COMMIT: &str = "los_changes_per_commit";
