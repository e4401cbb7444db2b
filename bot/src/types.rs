//! The shared state, the command context and the one error type of the bot. Everything may
//! use this module; it uses only leaves ([`crate::pace`], [`crate::publish::turns`]).

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use flow::{Clock, PersonRef, Process, Refusal, Texts};
use serenity::all::HttpError;
use storage::Db;
use tokio::sync::Notify;

use crate::pace::Pacer;
use crate::publish::turns::CaseLocks;

/// What every handler can reach.
pub struct Data {
    pub db: Db,
    pub process: Process,
    pub texts: Texts,
    pub clock: Arc<dyn Clock>,
    /// Woken when a reminder is queued, so the dispatcher can look again ([`crate::wake`]).
    pub reminders_changed: Arc<Notify>,
    /// Until when the reminder loop sleeps (microseconds since the epoch, UTC), or
    /// [`crate::wake::AWAKE`] while it is making a pass: a change wakes it only for something
    /// due before then ([`crate::wake::after_change`]).
    pub reminders_asleep_until: AtomicI64,
    /// The pace that keeps the bot's own bulk requests (reminders, digests, checklists) under
    /// Discord's global limit.
    pub pacer: Pacer,
    /// One announcement sender per case at a time ([`crate::publish::announce`]).
    pub announcing: CaseLocks,
    /// The places (guild, `c:<channel>` / `u:<user>`) with an open delivery problem, so a
    /// message that gets through there ends it ([`crate::publish::delivery`]).
    pub troubled: std::sync::Mutex<std::collections::HashSet<(u64, storage::Destination)>>,
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
    #[error("case {0} not found in this guild")]
    CaseNotFound(i64),
    /// The case changed after the person was shown what a change would do (the preview of
    /// going back to a step): what they confirmed is no longer what would happen.
    #[error("case {0} changed since the preview")]
    CaseChanged(i64),
    #[error("the guild's setup is incomplete: {0:?}")]
    NotSetUp(Vec<&'static str>),
    #[error("only in a guild")]
    NotInGuild,
    /// A button pressed in a DM by someone no longer on the case's guild.
    #[error("the person has left the guild")]
    LeftGuild,
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
            BotError::Discord(e) => discord_code(e),
            _ => None,
        }
    }
}

/// Discord's JSON error code of a refused request, if it was one.
pub fn discord_code(e: &serenity::Error) -> Option<isize> {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(resp)) => Some(resp.error.code),
        _ => None,
    }
}

impl From<serenity::Error> for BotError {
    fn from(e: serenity::Error) -> Self {
        BotError::Discord(Box::new(e))
    }
}
