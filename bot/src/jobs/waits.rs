//! Guilds whose channel refused what the chores loop posts there (HR's digest, an onboarding
//! checklist): the channel, how often, and when to try again. Without it a refusing channel
//! would have every owed case read again on every pass of the loop, for ever; a channel set
//! anew is tried at once.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::publish::delivery::backoff;

/// Per guild: the channel that refused, how often in a row, and until when to wait.
#[derive(Default)]
pub struct ChannelWaits(HashMap<u64, (u64, u32, DateTime<Utc>)>);

impl ChannelWaits {
    /// Whether the guild still waits before trying `channel` again.
    pub fn waiting(&self, guild: u64, channel: u64, now: DateTime<Utc>) -> bool {
        self.0
            .get(&guild)
            .is_some_and(|(was, _, until)| *was == channel && *until > now)
    }

    /// `channel` refused once more: the guild waits, doubling up to an hour. How long.
    pub fn refused(&mut self, guild: u64, channel: u64, now: DateTime<Utc>) -> Duration {
        let failures = match self.0.get(&guild) {
            Some((was, n, _)) if *was == channel => n + 1,
            _ => 1,
        };
        let wait = backoff(failures - 1);
        self.0.insert(guild, (channel, failures, now + wait));
        wait
    }

    /// The guild's channel took it: no more waiting.
    pub fn clear(&mut self, guild: u64) {
        self.0.remove(&guild);
    }
}
