//! What both backends share about cases: the stored case row and its decoding, the check that
//! a change steps the version by one, which Discord id of a case is set, and the answers the
//! bot reads (a case to send, its card and place in Discord, a line of its history) with the
//! history row they decode from. Times, dates and JSON come as the text SQLite stores, so one
//! decoding serves both.

use std::collections::BTreeSet;

use flow::{
    Applied, Case, CaseDates, CaseId, CaseStatus, CaseText, Event, EventKind, JourneyState, Mark,
    OutcomeId, StepId,
};

use super::steps::{self, reason_or_erased};
use crate::codec::{opt_date_back, opt_person, parsed, person, ts_back};
use crate::error::corrupt;
use crate::{Result, StorageError};

/// Refuses a change that does not step the case's version by exactly one.
pub(crate) fn check_version_step(applied: &Applied, expected_version: i64) -> Result<()> {
    if applied.case.version != expected_version + 1 {
        return Err(StorageError::Invalid(format!(
            "a change over version {expected_version} must produce version {}, not {}",
            expected_version + 1,
            applied.case.version
        )));
    }
    Ok(())
}

/// A Discord id a case remembers (its thread; the message its thread is started from).
#[derive(Debug, Clone, Copy)]
pub(crate) enum DiscordColumn {
    Thread,
    StarterMessage,
}

/// A case row as both backends read it (times and dates as the codec's text, JSON as text),
/// decoded by [`decode_case`].
#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    title: String,
    unit: String,
    note: Option<String>,
    owner_id: i64,
    owner_name: String,
    status: String,
    ended_at: Option<String>,
    closed_by_id: Option<i64>,
    closed_by_name: Option<String>,
    close_reason: Option<String>,
    marks: String,
    soknadsfrist: Option<String>,
    original_soknadsfrist: Option<String>,
    startdato: Option<String>,
    opened_at: String,
    version: i64,
    deputy_id: Option<i64>,
    deputy_name: Option<String>,
    has_journey: bool,
    journey_closed_at: Option<String>,
    steps_json: String,
    confirmations_json: String,
    candidates_json: String,
}

/// A case from its row.
pub(crate) fn decode_case(row: CaseRow) -> Result<Case> {
    let text = |what: &str, s: &str| {
        CaseText::parse(s).map_err(|e| corrupt(format!("case {}: {what}: {e}", row.id)))
    };
    let ended = || {
        row.ended_at
            .as_deref()
            .ok_or_else(|| corrupt(format!("case {} ended without a time", row.id)))
            .and_then(ts_back)
    };
    let status = match row.status.as_str() {
        "open" => CaseStatus::Open,
        "completed" => CaseStatus::Completed { at: ended()? },
        "closed" => CaseStatus::Closed {
            at: ended()?,
            by: person(
                row.closed_by_id.unwrap_or(0),
                row.closed_by_name.clone().unwrap_or_default(),
            ),
            reason: reason_or_erased(row.close_reason.as_deref())?,
        },
        other => return Err(corrupt(format!("case status {other:?}"))),
    };
    let marks: BTreeSet<Mark> =
        serde_json::from_str(&row.marks).map_err(|e| corrupt(format!("marks: {e}")))?;
    Ok(Case {
        id: CaseId(row.id),
        title: text("title", &row.title)?,
        unit: text("unit", &row.unit)?,
        note: row.note.as_deref().map(|n| text("note", n)).transpose()?,
        owner: person(row.owner_id, row.owner_name.clone()),
        deputy: opt_person(row.deputy_id, row.deputy_name.clone()),
        status,
        steps: steps::steps_from_json(&row.steps_json, &row.confirmations_json)?,
        marks,
        candidates: steps::candidates_from_json(&row.candidates_json)?,
        dates: CaseDates {
            soknadsfrist: opt_date_back(row.soknadsfrist.as_deref())?,
            original_soknadsfrist: opt_date_back(row.original_soknadsfrist.as_deref())?,
            startdato: opt_date_back(row.startdato.as_deref())?,
        },
        opened_at: ts_back(&row.opened_at)?,
        version: row.version,
        journey: match (row.has_journey, row.journey_closed_at.as_deref()) {
            (false, _) => JourneyState::None,
            (true, None) => JourneyState::Running,
            (true, Some(at)) => JourneyState::Closed { at: ts_back(at)? },
        },
    })
}

/// A case the sender has reminders for, and where its card is.
#[derive(Debug, Clone)]
pub struct CaseToSend {
    pub case: Case,
    /// The case's thread, else the channel of its card; `None` without a card.
    pub thread: Option<u64>,
    /// The card's message, when it has one (for a link straight to it).
    pub card: Option<u64>,
}

/// Where a case's card message was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseCard {
    pub channel: u64,
    pub thread: Option<u64>,
    pub message: u64,
}

/// Where a case stands in Discord: the message its thread was started from, its thread, and
/// its card, as far as they exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CasePlace {
    pub starter: Option<u64>,
    pub thread: Option<u64>,
    pub card: Option<CaseCard>,
}

/// One line of a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// 1, 2, 3 ... per case, without gaps.
    pub seq: i64,
    /// The case version the change that wrote this line produced.
    pub version: i64,
    pub event: Event,
}

/// A history line as both backends read it (`at` as the codec's text).
#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    version: i64,
    at: String,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    kind: String,
    step: Option<String>,
    outcome: Option<String>,
    detail: Option<String>,
    for_id: Option<i64>,
    for_name: Option<String>,
}

impl EventRow {
    pub(crate) fn into_entry(self) -> Result<HistoryEntry> {
        Ok(HistoryEntry {
            seq: self.seq,
            version: self.version,
            event: Event {
                at: ts_back(&self.at)?,
                actor: opt_person(self.actor_id, self.actor_name),
                on_behalf: opt_person(self.for_id, self.for_name),
                kind: parsed("event kind", &self.kind, EventKind::parse)?,
                step: self.step.map(StepId::new),
                outcome: self.outcome.map(OutcomeId::new),
                detail: self.detail,
            },
        })
    }
}
