//! The shared state, the command context and the one error type of the bot.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use flow::{Clock, PersonRef, Process, Refusal, Texts};
use storage::Db;
use tokio::sync::Notify;

use crate::reminders::pacer::Pacer;

/// What every handler can reach.
pub struct Data {
    pub db: Db,
    pub process: Process,
    pub texts: Texts,
    pub clock: Arc<dyn Clock>,
    /// Woken when a reminder is queued, so the dispatcher can look again.
    pub reminders_changed: Arc<Notify>,
    /// Until when the reminder loop sleeps (microseconds since the epoch, UTC), or `i64::MIN`
    /// while it is making a pass: a change wakes it only for something due before then
    /// ([`crate::reminders::after_change`]).
    pub reminders_asleep_until: AtomicI64,
    /// The pace that keeps the bot's own bulk requests (reminders, digests, checklists) under
    /// Discord's global limit.
    pub pacer: Pacer,
    /// One announcement sender per case at a time (`crate::announce`).
    pub announcing: crate::announce::CaseLocks,
    /// The places (server, `c:<channel>` / `u:<user>`) with an open delivery problem, so a
    /// message that gets through there ends it ([`crate::reminders::problems`]).
    pub troubled: std::sync::Mutex<std::collections::HashSet<(u64, String)>>,
}

pub type Context<'a> = poise::Context<'a, Arc<Data>, BotError>;

/// Why a request did not go through. The first group is the user's to hear (politely, in
/// their language, only to them); the second is ours to log.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    #[error("someone else changed the case first")]
    Stale {
        by: Option<PersonRef>,
        at: DateTime<Utc>,
    },
    #[error("invalid input: {0:?}")]
    Input(InputError),
    #[error("case {0} not found on this server")]
    CaseNotFound(i64),
    /// The case changed after the person was shown what a change would do (the preview of
    /// going back to a step): what they confirmed is no longer what would happen.
    #[error("case {0} changed since the preview")]
    CaseChanged(i64),
    #[error("the server's setup is incomplete: {0:?}")]
    NotSetUp(Vec<&'static str>),
    #[error("only in a server")]
    NotInServer,
    /// A button pressed in a DM by someone no longer on the case's server.
    #[error("the person has left the server")]
    LeftServer,
    #[error("this button is not for this bot")]
    UnknownComponent,

    #[error("storage: {0}")]
    Storage(#[from] storage::StorageError),
    #[error("discord: {0}")]
    Discord(Box<serenity::Error>),
    #[error("{0}")]
    Internal(String),
}

/// Input a person typed that cannot be used, with the field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    Date {
        input: String,
    },
    Text {
        field: &'static str,
        error: flow::TextError,
    },
    DocsKey {
        input: String,
        known: Vec<String>,
    },
    Url {
        input: String,
    },
    Number {
        field: &'static str,
        input: String,
    },
    Cron {
        input: String,
    },
    Time {
        input: String,
    },
    /// The bot may not do what it must in the channel chosen (permission text id suffixes).
    ChannelPermissions {
        channel: u64,
        missing: Vec<&'static str>,
    },
}

impl BotError {
    /// Whether the person should be told why (as opposed to "something went wrong").
    pub fn is_for_user(&self) -> bool {
        !matches!(
            self,
            BotError::Storage(_) | BotError::Discord(_) | BotError::Internal(_)
        )
    }
}

impl BotError {
    /// Discord's JSON error code, when Discord refused the request.
    pub fn discord_code(&self) -> Option<isize> {
        match self {
            BotError::Discord(e) => crate::announce::discord_code(e),
            _ => None,
        }
    }
}

impl From<serenity::Error> for BotError {
    fn from(e: serenity::Error) -> Self {
        BotError::Discord(Box::new(e))
    }
}
