//! Gateway sessions and sharding, as Discord routes them (docs: events--gateway.mdx,
//! "Sharding"): a session identifies with `shard: [shard_id, num_shards]` (none means
//! `[0, 1]`); a guild's events go to every session for which
//! `(guild_id >> 22) % num_shards == shard_id`, and events without a guild (DMs) to the
//! sessions of shard 0. Like Discord, two sessions on one shard are not stopped: both get the
//! shard's events (an interaction then reaches two handlers). The sandbox records every such
//! overlap, so a test can assert it never happened. On demand (`Config::identify_spacing`)
//! IDENTIFYs are limited as Discord limits them: at most `max_concurrency` per five seconds,
//! one per rate-limit key (`shard_id % max_concurrency`); one too early is answered with
//! INVALID_SESSION.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;

/// What a gateway connection task is told to do.
#[derive(Debug)]
pub enum Outgoing {
    Frame(Value),
    /// Close the socket without a close frame (a dropped connection).
    Drop,
}

/// Discord: `max_concurrency` IDENTIFYs per this window.
pub const IDENTIFY_WINDOW: Duration = Duration::from_secs(5);

/// One session: what it was identified as, what was dispatched on it (for RESUME) and the
/// connection it is live on, if any.
#[derive(Debug)]
pub struct Session {
    pub session_id: String,
    pub shard: [u32; 2],
    pub intents: u64,
    pub seq: u64,
    /// Dispatches of the session, for RESUME replay.
    pub log: Vec<(u64, Value)>,
    /// The live connection: id and sender.
    pub conn: Option<(u64, mpsc::UnboundedSender<Outgoing>)>,
}

/// Two live sessions on one shard, seen at an IDENTIFY or RESUME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub shard: [u32; 2],
    pub at: Instant,
}

#[derive(Debug, Default)]
pub struct GatewayState {
    /// Every session that may still be resumed, oldest first.
    pub sessions: Vec<Session>,
    pub next_conn: u64,
    pub identifies: u32,
    pub resumes: u32,
    pub heartbeats: u32,
    /// Every opcode received from the bot, in order.
    pub received_ops: Vec<u8>,
    /// A gateway outage (Discord has them): new connections are refused with 503 while set.
    pub outage: bool,
    /// Connections refused during outages.
    pub refused: u32,
    /// When each IDENTIFY was accepted, with its rate-limit key.
    pub identified_at: Vec<(Instant, u32)>,
    /// IDENTIFYs refused for coming too soon after another of their key.
    pub identifies_too_soon: u32,
    /// Every moment two live sessions held one shard.
    pub overlaps: Vec<Overlap>,
}

/// The shard a guild's events go to (`None`: events without a guild, shard 0).
pub fn shard_of(guild: Option<u64>, num_shards: u32) -> u32 {
    match guild {
        #[allow(clippy::cast_possible_truncation)] // the modulo is below num_shards
        Some(g) => ((g >> 22) % u64::from(num_shards.max(1))) as u32,
        None => 0,
    }
}

impl Session {
    /// Whether this session gets the events of `guild` (`None`: no guild, as DMs).
    pub fn serves(&self, guild: Option<u64>) -> bool {
        shard_of(guild, self.shard[1]) == self.shard[0]
    }

    pub fn live(&self) -> bool {
        self.conn.is_some()
    }
}

impl GatewayState {
    /// Sends a dispatch (op 0) to every session that gets its events (by the `guild_id` in
    /// `d`; none: shard 0), if it subscribed to `intent` (0 = always). Kept for RESUME replay;
    /// queued while the bot is reconnecting.
    pub fn dispatch(&mut self, intent: u64, t: &str, d: &Value) {
        let guild = d["guild_id"].as_str().and_then(|g| g.parse::<u64>().ok());
        for session in self.sessions.iter_mut().filter(|x| x.serves(guild)) {
            send_dispatch(session, intent, t, d.clone());
        }
    }

    /// Sends a non-dispatch frame to every live connection; false if there is none.
    pub fn send_op(&self, frame: &Value) -> bool {
        let mut sent = false;
        for session in &self.sessions {
            if let Some((_, tx)) = &session.conn {
                sent |= tx.send(Outgoing::Frame(frame.clone())).is_ok();
            }
        }
        sent
    }

    /// The sessions that get `guild`'s events (`None`: DMs).
    pub fn sessions_for(&self, guild: Option<u64>) -> impl Iterator<Item = &Session> {
        self.sessions.iter().filter(move |s| s.serves(guild))
    }

    /// Whether some session gets `guild`'s events (live, or waiting to be resumed).
    pub fn has_session_for(&self, guild: Option<u64>) -> bool {
        self.sessions_for(guild).next().is_some()
    }

    /// The intents of the sessions that get `guild`'s events (any of them).
    pub fn intents_for(&self, guild: Option<u64>) -> u64 {
        self.sessions_for(guild).fold(0, |a, s| a | s.intents)
    }

    /// Whether every shard of the latest identified shard count has a live session.
    pub fn all_shards_live(&self) -> bool {
        let Some(num) = self.sessions.last().map(|s| s.shard[1]) else {
            return false;
        };
        (0..num).all(|id| {
            self.sessions
                .iter()
                .any(|s| s.shard == [id, num] && s.live())
        })
    }

    /// Shards (of their own count) that have a live session now, with how many each.
    pub fn live_shards(&self) -> Vec<([u32; 2], usize)> {
        let mut out: Vec<([u32; 2], usize)> = Vec::new();
        for s in self.sessions.iter().filter(|s| s.live()) {
            match out.iter_mut().find(|(k, _)| *k == s.shard) {
                Some((_, n)) => *n += 1,
                None => out.push((s.shard, 1)),
            }
        }
        out.sort_unstable();
        out
    }

    /// Whether an IDENTIFY for `shard_id` may start now under `max_concurrency`; records it
    /// if so.
    pub fn identify_allowed(&mut self, shard_id: u32, max_concurrency: u32, now: Instant) -> bool {
        let key = shard_id % max_concurrency.max(1);
        let too_soon = self
            .identified_at
            .iter()
            .any(|(at, k)| *k == key && now.duration_since(*at) < IDENTIFY_WINDOW);
        if too_soon {
            self.identifies_too_soon += 1;
            return false;
        }
        self.identified_at.push((now, key));
        true
    }

    /// A new session on `conn`; sessions of the same shard that are no longer live are
    /// forgotten (they can no longer be resumed usefully), a live one is an overlap.
    pub fn open(&mut self, session: Session) {
        let shard = session.shard;
        let conn = session.conn.as_ref().map(|(id, _)| *id);
        self.sessions.retain(|s| s.shard != shard || s.live());
        // The same connection identifying again replaces its own session.
        self.sessions
            .retain(|s| s.conn.as_ref().map(|(id, _)| *id) != conn);
        self.note_overlap(shard);
        self.sessions.push(session);
    }

    /// Records an overlap if `shard` already has a live session.
    pub fn note_overlap(&mut self, shard: [u32; 2]) {
        if self.sessions.iter().any(|s| s.shard == shard && s.live()) {
            self.overlaps.push(Overlap {
                shard,
                at: Instant::now(),
            });
        }
    }

    /// The session `conn` is live on.
    pub fn session_on(&mut self, conn: u64) -> Option<&mut Session> {
        self.sessions
            .iter_mut()
            .find(|s| s.conn.as_ref().is_some_and(|(id, _)| *id == conn))
    }

    /// `conn` closed: its session stays, to be resumed.
    pub fn closed(&mut self, conn: u64) {
        if let Some(s) = self.session_on(conn) {
            s.conn = None;
        }
    }
}

/// Sends a dispatch on one session (READY, GUILD_CREATE and RESUMED are for a session, not
/// routed by guild).
pub fn send_dispatch(session: &mut Session, intent: u64, t: &str, d: Value) {
    if intent != 0 && session.intents & intent == 0 {
        return;
    }
    session.seq += 1;
    let frame = json!({ "op": 0, "t": t, "s": session.seq, "d": d });
    session.log.push((session.seq, frame.clone()));
    if let Some((_, tx)) = &session.conn {
        let _ = tx.send(Outgoing::Frame(frame));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guild_goes_to_the_shard_of_discords_formula_and_dms_to_shard_0() {
        // Discord's example: (guild_id >> 22) % num_shards.
        let guild = 800_000_000_000_000_001_u64;
        assert_eq!(shard_of(Some(guild), 1), 0);
        assert_eq!(shard_of(Some(guild), 4), ((guild >> 22) % 4) as u32);
        assert_eq!(shard_of(None, 4), 0);
    }

    #[test]
    fn identifies_of_one_key_are_five_seconds_apart() {
        let mut g = GatewayState::default();
        let t0 = Instant::now();
        assert!(g.identify_allowed(0, 1, t0));
        assert!(!g.identify_allowed(1, 1, t0 + Duration::from_secs(1)));
        assert!(g.identify_allowed(1, 1, t0 + Duration::from_secs(5)));
        // max_concurrency 2: shards 0 and 1 have keys of their own.
        let mut g = GatewayState::default();
        assert!(g.identify_allowed(0, 2, t0));
        assert!(g.identify_allowed(1, 2, t0));
        assert!(!g.identify_allowed(2, 2, t0));
        assert_eq!(g.identifies_too_soon, 1);
    }
}
