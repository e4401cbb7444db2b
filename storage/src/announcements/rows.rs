//! What both backends share about announcements: the announcement and its parts as the bot
//! sees them, the grace a fresh one waits, a change's nonce, and the stored row with its
//! decoding (PostgreSQL reads its times as the text SQLite stores, so both decode here).

use chrono::{DateTime, Duration, Utc};
use flow::{CaseId, PersonRef};

use crate::codec::{id_back, opt_id_back, opt_person, ts_back};
use crate::{Result, StorageError};

/// How long after a change its announcement is left to the handler that made it before the
/// reminder sender takes it up. Longer than a handler can take: three Discord calls, each
/// bounded by the HTTP timeout.
pub const GRACE: Duration = Duration::minutes(2);

/// What an announcement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnnouncementKind {
    /// The change that produced the row's version.
    Change,
    /// A request for HR's help, by this person.
    Help { asker: PersonRef },
}

/// One owed announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub id: i64,
    pub guild: u64,
    pub case: CaseId,
    pub version: i64,
    pub kind: AnnouncementKind,
    pub nonce: String,
    /// The line, once posted: channel and message.
    pub line: Option<(u64, u64)>,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// The people and roles a line pinged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pinged {
    pub users: Vec<u64>,
    pub roles: Vec<u64>,
}

impl Pinged {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.roles.is_empty()
    }
}

/// How a sent announcement is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The line that was posted now (channel, message, who it pinged), if one was.
    pub line: Option<(u64, u64, Pinged)>,
    /// Everything it owed is done: the row is closed.
    pub done: bool,
    /// Why it is not done, and when to try again.
    pub retry: Option<(String, DateTime<Utc>)>,
}

/// The nonce of a change's announcement: stable for the change, at most 25 characters.
pub fn change_nonce(case: CaseId, version: i64) -> String {
    format!("a{}v{version}", case.0)
}

/// An announcement's row; PostgreSQL's (`crate::pg::announcements`) reads its times as the
/// text SQLite stores, so both decode here.
#[derive(sqlx::FromRow)]
pub(crate) struct AnnouncementRow {
    id: i64,
    guild_id: i64,
    case_id: i64,
    kind: String,
    version: i64,
    asker_id: Option<i64>,
    asker_name: Option<String>,
    nonce: String,
    line_channel_id: Option<i64>,
    line_message_id: Option<i64>,
    attempts: i64,
    created_at: String,
}

impl AnnouncementRow {
    pub(crate) fn decode(self) -> Result<Announcement> {
        let kind = match self.kind.as_str() {
            "change" => AnnouncementKind::Change,
            "help" => AnnouncementKind::Help {
                asker: opt_person(self.asker_id, self.asker_name).ok_or_else(|| {
                    StorageError::Corrupt(format!("help announcement {} without asker", self.id))
                })?,
            },
            other => {
                return Err(StorageError::Corrupt(format!(
                    "announcement kind {other:?}"
                )))
            }
        };
        let line = match (
            opt_id_back(self.line_channel_id),
            opt_id_back(self.line_message_id),
        ) {
            (Some(c), Some(m)) => Some((c, m)),
            _ => None,
        };
        Ok(Announcement {
            id: self.id,
            guild: id_back(self.guild_id),
            case: CaseId(self.case_id),
            version: self.version,
            kind,
            nonce: self.nonce,
            line,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            created_at: ts_back(&self.created_at)?,
        })
    }
}

/// Rows as announcements; one that does not decode is reported and left out, so one bad row
/// never holds up the others.
pub(crate) fn decoded(rows: Vec<AnnouncementRow>) -> Vec<Announcement> {
    rows.into_iter()
        .filter_map(|r| {
            let row_id = r.id;
            r.decode()
                .map_err(|e| tracing::error!(announcement = row_id, error = %e, "skipped"))
                .ok()
        })
        .collect()
}

/// Who these lines (their `pinged` JSON) pinged, each once.
pub(crate) fn merge_pinged(rows: Vec<String>) -> Result<Pinged> {
    let mut all = Pinged::default();
    for row in rows {
        let one: Pinged = serde_json::from_str(&row)
            .map_err(|e| StorageError::Corrupt(format!("pinged {row:?}: {e}")))?;
        all.users.extend(one.users);
        all.roles.extend(one.roles);
    }
    all.users.sort_unstable();
    all.users.dedup();
    all.roles.sort_unstable();
    all.roles.dedup();
    Ok(all)
}

/// A line the bot posted about a case, for the purge to empty of names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedLine {
    pub announcement: i64,
    pub kind: AnnouncementKind,
    pub version: i64,
    pub channel: u64,
    pub message: u64,
}

/// The posted lines among these rows.
pub(crate) fn lines(rows: Vec<AnnouncementRow>) -> Vec<PostedLine> {
    decoded(rows)
        .into_iter()
        .filter_map(|a| {
            let (channel, message) = a.line?;
            Some(PostedLine {
                announcement: a.id,
                kind: a.kind,
                version: a.version,
                channel,
                message,
            })
        })
        .collect()
}
