//! Discord's REST API v10 and gateway on loopback, strict, for end-to-end tests and the demo.
//!
//! See `README.md` for how tests use it.

pub mod actor;
pub mod attachments;
pub mod bench;
mod bot;
mod changes;
mod control;
pub mod gateway;
pub mod limits;
pub mod payloads;
pub mod ratelimit;
mod rest;
pub mod script;
pub mod sessions;
pub mod spec;
pub mod state;
pub mod tls;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use serde_json::Value;
use serenity::http::{Http, HttpBuilder};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use actor::{Actor, ActorError, Answer, Pending};
pub use attachments::Attachment;
pub use bot::Bot;
pub use rest::channel_json;
pub use state::{ChannelRec, Failure, Fault, FaultKind, Ping, RequestRecord, State, ThreadMeta};
pub use world::{Config, Member, Overwrite, Role, TextChannel, World};

use crate::state::Shared;

/// How the bot's `Http` reaches the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMode {
    /// `HttpBuilder::proxy(http_url)` with serenity's rate limiter off (ordinary tests).
    Proxy,
    /// serenity's rate limiter on: a reqwest client that resolves `discord.com` to the
    /// sandbox's TLS port and trusts the sandbox's test CA.
    Tls,
}

struct Inner {
    shared: Arc<Shared>,
    limiter: Arc<ratelimit::RateLimiter>,
    addr: SocketAddr,
    tls_addr: SocketAddr,
    ca: Arc<tls::TestCa>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// A running sandbox. Cheap to clone; the servers stop when the last clone is dropped.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

impl Sandbox {
    /// Starts the HTTP + gateway server on 127.0.0.1 (ephemeral port) and the TLS server for
    /// `discord.com` on another.
    pub async fn start(world: World) -> anyhow::Result<Sandbox> {
        let mut st = State::default();
        for c in &world.channels {
            let mut rec = ChannelRec::guild(c.id, c.kind, &c.name);
            rec.overwrites = c.overwrites.clone();
            st.channels.insert(c.id, rec);
        }
        let shared = Arc::new(Shared::new(world, st));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("bind HTTP")?;
        let tls_listener = TcpListener::bind("127.0.0.1:0").await.context("bind TLS")?;
        let addr = listener.local_addr()?;
        let tls_addr = tls_listener.local_addr()?;
        let limiter: Arc<ratelimit::RateLimiter> = Default::default();
        let server = Arc::new(rest::Server {
            shared: shared.clone(),
            limiter: limiter.clone(),
            gateway_url: format!("ws://{addr}/gateway"),
        });
        let router = Router::new()
            .route("/gateway", get(gateway::upgrade))
            .fallback(rest::handle)
            .with_state(server);
        let ca = Arc::new(tls::TestCa::new()?);
        let plain = router.clone();
        // TCP_NODELAY: with Nagle on, a small gateway frame written while the last one is not
        // yet acknowledged waits for the peer's delayed ACK (about 40 ms on loopback), which
        // would swamp every latency measured through the sandbox.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let t1 = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, plain).await {
                tracing::error!("sandbox HTTP server stopped: {e}");
            }
        });
        let t2 = tokio::spawn(tls::serve(tls_listener, ca.clone(), router));
        tracing::info!(%addr, %tls_addr, "sandbox started");
        Ok(Sandbox {
            inner: Arc::new(Inner {
                shared,
                limiter,
                addr,
                tls_addr,
                ca,
                tasks: vec![t1, t2],
            }),
        })
    }

    /// The most requests that arrived within one window of Discord's global limit, over every
    /// connection with the bot's token, refused ones included: more than the limit exactly
    /// when the global limit refused some.
    pub fn most_in_a_global_window(&self) -> u32 {
        self.inner.limiter.most_in_a_global_window()
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    pub fn world(&self) -> &World {
        &self.inner.shared.world
    }

    /// `http://127.0.0.1:PORT`, for `HttpBuilder::proxy`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// `ws://127.0.0.1:PORT/gateway`.
    pub fn gateway_url(&self) -> String {
        format!("ws://{}/gateway", self.inner.addr)
    }

    /// The TLS server that stands in for `discord.com:443`.
    pub fn tls_addr(&self) -> SocketAddr {
        self.inner.tls_addr
    }

    /// The test CA's certificate (DER).
    pub fn ca_der(&self) -> &[u8] {
        &self.inner.ca.ca_der
    }

    /// A reqwest client that reaches the sandbox as `https://discord.com`.
    pub fn tls_client(&self) -> anyhow::Result<reqwest::Client> {
        let cert = reqwest::Certificate::from_der(self.ca_der()).context("CA certificate")?;
        reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(cert)
            .resolve("discord.com", self.inner.tls_addr)
            .build()
            .context("reqwest client")
    }

    /// An `HttpBuilder` for the bot, configured for `mode`.
    pub fn http_builder(&self, mode: HttpMode) -> anyhow::Result<HttpBuilder> {
        let app = serenity::model::id::ApplicationId::new(self.world().application_id);
        let b = HttpBuilder::new(&self.world().token).application_id(app);
        Ok(match mode {
            HttpMode::Proxy => b.proxy(self.http_url()).ratelimiter_disabled(true),
            HttpMode::Tls => b.client(self.tls_client()?).ratelimiter_disabled(false),
        })
    }

    /// The bot's `Http`, configured for `mode`.
    pub fn http(&self, mode: HttpMode) -> anyhow::Result<Http> {
        Ok(self.http_builder(mode)?.build())
    }

    /// A scripted person: the guild member `user_id`, acting in the first text channel.
    /// Panics if the test's world has no such member (a mistake in the test).
    pub fn member(&self, user_id: u64) -> Actor {
        let w = self.world();
        let m = w.members.iter().find(|m| m.id == user_id).cloned();
        let m = m.unwrap_or_else(|| panic!("the test's world has no member {user_id}"));
        let first_text = w.channels.iter().find(|c| c.kind == world::kinds::TEXT);
        Actor::new(self.clone(), m, first_text.map(|c| c.id).unwrap_or(0))
    }

    /// Every request the bot sent, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared().read().requests.clone()
    }

    /// Everything the bot did that Discord would refuse (or the sandbox cannot serve).
    pub fn failures(&self) -> Vec<Failure> {
        self.shared().read().failures.clone()
    }

    /// Panics naming each failure's route and reason.
    #[track_caller]
    pub fn assert_no_failures(&self) {
        let f = self.failures();
        if !f.is_empty() {
            let lines: Vec<String> = f
                .iter()
                .map(|f| format!("  {} {}: {}", f.route, f.path, f.reason))
                .collect();
            panic!(
                "the sandbox saw {} failure(s):\n{}",
                f.len(),
                lines.join("\n")
            );
        }
    }

    /// Messages in a channel, thread or DM, oldest first, with edits applied.
    /// Who each message the bot posted in a channel notified, in order (see [`state::Ping`]).
    pub fn pings(&self) -> Vec<state::Ping> {
        self.shared().read().pings.clone()
    }

    pub fn messages(&self, channel_id: u64) -> Vec<Value> {
        self.shared()
            .read()
            .messages
            .get(&channel_id)
            .cloned()
            .unwrap_or_default()
    }

    /// A channel, thread or DM as the sandbox holds it (a thread whose archive time has
    /// passed is archived first).
    pub fn channel(&self, channel_id: u64) -> Option<ChannelRec> {
        let w = self.world();
        self.shared().write(|s| {
            s.archive_idle_threads(w);
            s.channels.get(&channel_id).cloned()
        })
    }

    /// A channel as `GET /channels/{id}` answers it.
    pub fn channel_json(&self, channel_id: u64) -> Option<Value> {
        self.channel(channel_id)
            .map(|c| rest::channel_json(self.world(), &c))
    }

    /// Threads under a text channel, in creation order.
    pub fn threads(&self, parent_id: u64) -> Vec<ChannelRec> {
        let s = self.shared().read();
        let mut t: Vec<ChannelRec> = s
            .channels
            .values()
            .filter(|c| c.parent_id == Some(parent_id))
            .cloned()
            .collect();
        t.sort_by_key(|c| c.id);
        t
    }

    /// The DM channel with `user_id`, if the bot opened one.
    pub fn dm_channel(&self, user_id: u64) -> Option<u64> {
        let s = self.shared().read();
        s.channels
            .values()
            .find(|c| c.kind == 1 && c.recipient == Some(user_id))
            .map(|c| c.id)
    }

    /// Messages the bot sent to `user_id` by DM.
    pub fn dms(&self, user_id: u64) -> Vec<Value> {
        self.dm_channel(user_id)
            .map(|c| self.messages(c))
            .unwrap_or_default()
    }

    /// Registered global commands, then guild commands, as Discord stores them (localizations kept).
    pub fn commands(&self) -> Vec<Value> {
        let s = self.shared().read();
        let mut all = s.global_commands.clone();
        all.extend(s.guild_commands.values().flatten().cloned());
        all
    }

    /// A registered command by name.
    pub fn command(&self, name: &str) -> Option<Value> {
        self.commands().into_iter().find(|c| c["name"] == name)
    }

    /// Opcodes the bot sent on the gateway, in order (2 IDENTIFY, 6 RESUME, 1 heartbeat...).
    pub fn gateway_ops(&self) -> Vec<u8> {
        self.shared().read().gateway.received_ops.clone()
    }
}
