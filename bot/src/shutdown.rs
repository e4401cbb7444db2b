//! Stopping on SIGTERM (what systemd, Docker and Kubernetes send) or Ctrl-C without losing
//! what is under way: the gateway is closed first (no new presses or commands), the presses
//! and commands being handled finish, the reminder loops finish the pass they are in, the
//! writer stores what is queued, and the database is closed, all within a bound
//! (`LOS_SHUTDOWN_SECONDS`, default [`DEFAULT_GRACE`]). What has not finished by then is left
//! as a crash would leave it, which is safe: a change is stored whole or not at all, and a
//! message in the outbox is sent again with its nonce at the next start.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{Client, Context, FullEvent};
use tokio::sync::watch;

/// The default bound on a shutdown: under Docker's 10 seconds between SIGTERM and SIGKILL
/// (Kubernetes gives 30, systemd 90), with room to spare. A press or a reminder message takes
/// well under a second.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(8);

/// What is kept back from the bound for closing the database (storing what is queued).
const CLOSE_RESERVE: Duration = Duration::from_secs(2);

/// Waits for SIGTERM or Ctrl-C (SIGINT). Listening starts when this is made, so make it
/// before anything that must not be cut short starts.
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn listen() -> std::io::Result<Signals> {
        Ok(Signals {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?,
        })
    }

    /// The name of the signal that came.
    pub async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "Ctrl-C",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// How the time of a shutdown is split: the work under way until `work`, closing the
/// database until `grace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub work: Duration,
    pub close: Duration,
}

impl Budget {
    pub fn of(grace: Duration) -> Budget {
        let close = CLOSE_RESERVE.min(grace / 4);
        Budget {
            work: grace - close,
            close,
        }
    }
}

/// What a shutdown got done within its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Every press and command under way finished.
    pub handlers: bool,
    /// The reminder loops ended after their pass (else they were stopped where they were).
    pub reminders: bool,
    /// The database stored what was queued and closed.
    pub database: bool,
}

impl Report {
    pub fn complete(&self) -> bool {
        self.handlers && self.reminders && self.database
    }
}

/// The events (presses, forms, commands) being handled, counted so a shutdown can wait for
/// them.
#[derive(Clone)]
pub struct InFlight(Arc<watch::Sender<usize>>);

impl Default for InFlight {
    fn default() -> Self {
        InFlight(Arc::new(watch::channel(0).0))
    }
}

impl InFlight {
    fn enter(&self) -> Entered {
        self.0.send_modify(|n| *n += 1);
        Entered(self.0.clone())
    }

    /// How many are being handled now.
    pub fn count(&self) -> usize {
        *self.0.borrow()
    }

    /// Waits until none is being handled, at most `within`; whether that happened.
    pub async fn idle_within(&self, within: Duration) -> bool {
        let mut rx = self.0.subscribe();
        let idle = tokio::time::timeout(within, rx.wait_for(|n| *n == 0))
            .await
            .is_ok_and(|r| r.is_ok());
        idle
    }
}

struct Entered(Arc<watch::Sender<usize>>);

impl Drop for Entered {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// The bot's framework (poise's), with every event it handles counted in [`InFlight`].
pub struct Tracked<F> {
    pub inner: F,
    pub in_flight: InFlight,
}

#[serenity::async_trait]
impl<F: serenity::Framework> serenity::Framework for Tracked<F> {
    async fn init(&mut self, client: &Client) {
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: Context, event: FullEvent) {
        let _entered = self.in_flight.enter();
        let kind = match &event {
            FullEvent::InteractionCreate { interaction } => Some(press_kind(interaction)),
            _ => None,
        };
        let started = std::time::Instant::now();
        self.inner.dispatch(ctx, event).await;
        if let Some(kind) = kind {
            crate::ops::metrics::press(kind, started.elapsed());
        }
    }
}

/// The kind of interaction, as the press metrics name it.
fn press_kind(interaction: &serenity::all::Interaction) -> &'static str {
    use serenity::all::{ComponentInteractionDataKind as Kind, Interaction};
    match interaction {
        Interaction::Command(_) => "command",
        Interaction::Autocomplete(_) => "autocomplete",
        Interaction::Modal(_) => "modal",
        Interaction::Component(c) if matches!(c.data.kind, Kind::Button) => "button",
        Interaction::Component(_) => "select",
        _ => "other",
    }
}
