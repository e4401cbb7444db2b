//! What both backends share about journeys: a stored journey as the bot sees it, and the
//! decoding of a stored template (both read it as JSON text).

use chrono::{DateTime, Utc};
use flow::journey::{Journey, Template};

use crate::error::corrupt;
use crate::Result;

/// A stored journey and where it is in Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyRow {
    pub guild: u64,
    pub journey: Journey,
    /// The private thread in the onboarding channel, once opened.
    pub thread: Option<u64>,
    /// The checklist message in it, once posted.
    pub message: Option<u64>,
    /// When the closed journey's thread was archived.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A template as stored (JSON).
pub(crate) fn template_back(s: &str) -> Result<Template> {
    serde_json::from_str(s).map_err(|e| corrupt(format!("journey template: {e}")))
}
