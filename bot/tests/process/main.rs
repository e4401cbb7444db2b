//! The bot crate's one test binary: the release binary `los` run as a child process, as an
//! operator runs it.
//!
//! Only these are left in the bot crate, on purpose: `env!("CARGO_BIN_EXE_los")` exists only in
//! the tests of the package that owns the binary, and only for those does cargo build the
//! binary, fresh, before running them. From `tests/` (another package) the binary could only be
//! looked for in the target folder, where it may be missing or older than the code under test.
//! Every other end-to-end test is in `tests/it/`, on the one kit.

mod binary;
mod burst;
mod cutoff;
mod fleet;
mod operations;
mod postgres;
mod watch;
