//! Waiting on what the bot does, and faults on demand.

use std::time::Duration;

use anyhow::Context;
use serde_json::{json, Value};

use crate::gateway;
use crate::state::{Fault, FaultKind, Outgoing, RequestRecord};
use crate::Sandbox;

impl Sandbox {
    fn timeout(&self) -> Duration {
        self.world().config.answer_timeout
    }

    /// How long connecting may take: a bot starts its shards `max_concurrency` at a time,
    /// five seconds apart, as Discord allows.
    fn connect_timeout(&self) -> Duration {
        let c = &self.world().config;
        let rounds = c.shards.div_ceil(c.max_concurrency.max(1));
        self.timeout() + crate::sessions::IDENTIFY_WINDOW * rounds
    }

    /// Waits until the bot has registered its commands (a 2xx PUT/POST of commands).
    pub async fn wait_for_commands_registered(&self) -> anyhow::Result<()> {
        self.shared()
            .wait_for(self.timeout(), |s| (s.registrations > 0).then_some(()))
            .await
            .context("the bot did not register its commands")
    }

    /// Waits until the bot has identified and its connection is live.
    pub async fn wait_connected(&self) -> anyhow::Result<()> {
        self.shared()
            .wait_for(self.connect_timeout(), |s| {
                (s.gateway.identifies > 0 && s.gateway.all_shards_live()).then_some(())
            })
            .await
            .context("the bot did not connect to the gateway")
    }

    /// Waits until the bot has resumed `n` times in all.
    pub async fn wait_resumed(&self, n: u32) -> anyhow::Result<()> {
        self.shared()
            .wait_for(self.connect_timeout(), |s| {
                (s.gateway.resumes >= n && s.gateway.all_shards_live()).then_some(())
            })
            .await
            .with_context(|| format!("the bot did not resume (wanted {n} resumes)"))
    }

    /// Waits until the bot has identified `n` times in all.
    pub async fn wait_identified(&self, n: u32) -> anyhow::Result<()> {
        self.shared()
            .wait_for(self.connect_timeout(), |s| {
                (s.gateway.identifies >= n && s.gateway.all_shards_live()).then_some(())
            })
            .await
            .with_context(|| format!("the bot did not identify {n} times"))
    }

    /// Waits until `f` holds for the requests recorded so far.
    pub async fn wait_for_request(
        &self,
        f: impl Fn(&RequestRecord) -> bool,
    ) -> anyhow::Result<RequestRecord> {
        self.shared()
            .wait_for(self.timeout(), |s| {
                s.requests.iter().find(|r| f(r)).cloned()
            })
            .await
            .context("no such request arrived")
    }

    /// Waits until at least `n` requests on `route` (method and spec path, as in
    /// [`Sandbox::requests_on`]) have arrived: the `n`th process of one bot asking for the
    /// gateway, say.
    pub async fn wait_for_requests_on(&self, route: &str, n: usize) -> anyhow::Result<()> {
        let (method, path) = route
            .split_once(' ')
            .with_context(|| format!("a route is a method and a path: {route}"))?;
        self.shared()
            .wait_for(self.timeout(), |s| {
                let seen = s
                    .requests
                    .iter()
                    .filter(|r| r.method == method && r.route == path)
                    .count();
                (seen >= n).then_some(())
            })
            .await
            .with_context(|| format!("fewer than {n} requests on {route} arrived"))
    }

    /// The requests on `route` (`POST /users/@me/channels`: method and spec path), in order.
    pub fn requests_on(&self, route: &str) -> Vec<RequestRecord> {
        self.shared()
            .read()
            .requests
            .iter()
            .filter(|r| route.split_once(' ') == Some((r.method.as_str(), r.route.as_str())))
            .cloned()
            .collect()
    }

    /// How many requests were answered 429 Too Many Requests (by the rate limits, or by a
    /// fault the test asked for).
    pub fn too_many_requests(&self) -> usize {
        let s = self.shared().read();
        s.requests.iter().filter(|r| r.status == 429).count()
    }

    /// Waits until a message in `channel_id` satisfies `f`, and returns it.
    pub async fn wait_for_message(
        &self,
        channel_id: u64,
        f: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        self.shared()
            .wait_for(self.timeout(), |s| {
                s.messages.get(&channel_id)?.iter().find(|m| f(m)).cloned()
            })
            .await
            .with_context(|| format!("no such message in channel {channel_id}"))
    }

    /// Waits until a message in any channel satisfies `f`, and returns its channel and it.
    pub async fn wait_for_message_anywhere(
        &self,
        f: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<(u64, Value)> {
        self.shared()
            .wait_for(self.timeout(), |s| {
                s.messages
                    .iter()
                    .find_map(|(c, ms)| ms.iter().find(|m| f(m)).map(|m| (*c, m.clone())))
            })
            .await
            .context("no such message in any channel")
    }

    /// Answers the next `n` requests on `route` (`POST /channels/{channel_id}/messages`, or `*`)
    /// with 500.
    pub fn fail_next(&self, route: &str, n: u32) {
        self.fault(route, None, n, FaultKind::ServerError);
    }

    /// Answers the next `n` requests on `route` (or `*`), only those about `channel` when given
    /// (its `channel_id`, or the channel of the interaction a callback or follow-up belongs
    /// to), with `status` and Discord's error body `{"code": code, "message": …}` (the message
    /// Discord writes for that code). Nothing is carried out.
    pub fn fail_next_with(
        &self,
        route: &str,
        channel: Option<u64>,
        status: u16,
        code: u32,
        n: u32,
    ) {
        self.fault(route, channel, n, FaultKind::Error { status, code });
    }

    /// Accepts the next `n` requests on `route` (or `*`) and never carries them out nor answers
    /// them: the connection stays open until the client gives up. Each is recorded at once
    /// with status 0.
    pub fn hang_next(&self, route: &str, n: u32) {
        self.fault(route, None, n, FaultKind::Hang);
    }

    /// Answers the next `n` requests on `route` with 429 and `Retry-After: retry_after`.
    pub fn rate_limit_next(&self, route: &str, n: u32, retry_after: f64, global: bool) {
        self.fault(
            route,
            None,
            n,
            FaultKind::RateLimited {
                retry_after,
                global,
            },
        );
    }

    /// Delays the next `n` replies on `route`.
    pub fn delay_next(&self, route: &str, n: u32, delay: Duration) {
        self.fault(route, None, n, FaultKind::Delay(delay));
    }

    /// Carries out the next `n` requests on `route` but never answers them: what a bot sees
    /// when it dies between sending and hearing back.
    pub fn lose_reply_next(&self, route: &str, n: u32) {
        self.fault(route, None, n, FaultKind::LoseReply);
    }

    fn fault(&self, route: &str, channel: Option<u64>, n: u32, kind: FaultKind) {
        let f = Fault {
            route: route.into(),
            channel,
            remaining: n,
            kind,
        };
        self.shared().write(|s| s.faults.push(f));
    }

    /// Sends RECONNECT (op 7) on every live session; the bot should come back with RESUME.
    /// False if none is connected.
    pub fn reconnect(&self) -> bool {
        self.shared()
            .write(|s| gateway::send_op(s, &json!({ "op": 7, "d": null, "s": null, "t": null })))
    }

    /// Sends INVALID_SESSION (op 9) on every live session; `resumable` false also ends the
    /// sessions, so the bot must identify again.
    pub fn invalid_session(&self, resumable: bool) -> bool {
        self.shared().write(|s| {
            let sent =
                gateway::send_op(s, &json!({ "op": 9, "d": resumable, "s": null, "t": null }));
            if !resumable {
                s.gateway.sessions.clear();
            }
            sent
        })
    }

    /// A gateway outage as Discord has them: the live connections drop without a close frame
    /// and new ones are refused (503) until `gateway_outage(false)`.
    pub fn gateway_outage(&self, down: bool) {
        self.shared().write(|s| {
            s.gateway.outage = down;
            if down {
                drop_all(s);
            }
        });
    }

    /// Waits until `n` connections in all were refused by an outage.
    pub async fn wait_gateway_refused(&self, n: u32) -> anyhow::Result<()> {
        self.shared()
            .wait_for(self.timeout(), |s| (s.gateway.refused >= n).then_some(()))
            .await
            .with_context(|| format!("the bot did not try to reconnect {n} times"))
    }

    /// Waits until no shard has a live session (the bot closed every one of its own accord).
    pub async fn wait_no_live_shards(&self) -> anyhow::Result<()> {
        self.shared()
            .wait_for(self.connect_timeout(), |s| {
                s.gateway.live_shards().is_empty().then_some(())
            })
            .await
            .context("the bot's shards stayed connected")
    }

    /// Waits (at most `within`) until the shards with a live session, each with how many
    /// sessions ([`Sandbox::live_shards`]), satisfy `f`; answers them as they were then.
    pub async fn wait_live_shards(
        &self,
        within: Duration,
        f: impl Fn(&[([u32; 2], usize)]) -> bool,
    ) -> anyhow::Result<Vec<([u32; 2], usize)>> {
        self.shared()
            .wait_for(within, |s| {
                let live = s.gateway.live_shards();
                f(&live).then_some(live)
            })
            .await
            .context("the live shards never came to what was waited for")
    }

    /// Drops every gateway connection without a close frame.
    pub fn drop_connection(&self) -> bool {
        self.shared().write(drop_all)
    }

    /// Every dispatch frame (`{op: 0, t, s, d}`) sent on the sessions that may still be
    /// resumed, session by session, in order.
    pub fn dispatched(&self) -> Vec<Value> {
        self.shared()
            .read()
            .gateway
            .sessions
            .iter()
            .flat_map(|x| x.log.iter().map(|(_, f)| f.clone()))
            .collect()
    }

    /// The shards that have a live session now (`[shard_id, num_shards]`), each with how
    /// many sessions: more than one is two processes on one shard.
    pub fn live_shards(&self) -> Vec<([u32; 2], usize)> {
        self.shared().read().gateway.live_shards()
    }

    /// The dispatch frames sent on the sessions of `shard` (`[shard_id, num_shards]`).
    pub fn dispatched_on(&self, shard: [u32; 2]) -> Vec<Value> {
        self.shared()
            .read()
            .gateway
            .sessions
            .iter()
            .filter(|x| x.shard == shard)
            .flat_map(|x| x.log.iter().map(|(_, f)| f.clone()))
            .collect()
    }

    /// Every moment two live sessions held one shard (Discord allows it; the bot must not).
    pub fn shard_overlaps(&self) -> Vec<crate::sessions::Overlap> {
        self.shared().read().gateway.overlaps.clone()
    }

    /// IDENTIFYs refused for coming sooner than `max_concurrency` allows.
    pub fn identifies_too_soon(&self) -> u32 {
        self.shared().read().gateway.identifies_too_soon
    }

    /// Sends a dispatch on the bot's session (for tests of events the sandbox does not model).
    pub fn dispatch(&self, t: &str, d: Value) {
        self.shared().write(|s| gateway::dispatch(s, 0, t, d));
    }
}

/// Drops every live connection without a close frame; whether there was one.
fn drop_all(s: &mut crate::state::State) -> bool {
    let mut dropped = false;
    for session in &mut s.gateway.sessions {
        if let Some((_, tx)) = session.conn.take() {
            dropped |= tx.send(Outgoing::Drop).is_ok();
        }
    }
    dropped
}
