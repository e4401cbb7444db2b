//! Whose turn it is on a case's messages in this process, and which version its card shows.
//! A leaf: it knows nothing of the rest of the bot (`crate::types::Data` holds one).

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use flow::CaseId;

/// What this process knows of each case's messages while it works on them: whose turn it is
/// to send the case's announcements, and which version its card shows. The handler of a press
/// and the reminder loop, or two presses in a row, take turns on a case's announcements; every
/// write to the card (the answer to a press, an edit) happens under the card's own short lock
/// and never shows an older version than the card shows already, so however presses
/// interleave, the card only moves forward.
#[derive(Default)]
pub struct CaseLocks {
    cases: std::sync::Mutex<HashMap<(u64, CaseId), Weak<CaseState>>>,
}

/// One case's turn and card.
#[derive(Default)]
pub struct CaseState {
    /// Held while the case's announcements are being sent (`super::announce`).
    pub turn: tokio::sync::Mutex<()>,
    /// The version the card shows, as far as this process knows (`None`: unknown).
    pub card: tokio::sync::Mutex<Option<i64>>,
}

/// Cases remembered before the ones nobody holds any more are forgotten.
const KEPT: usize = 1024;

impl CaseLocks {
    /// The case's state, shared with everyone working on it now.
    pub fn of(&self, guild: u64, case: CaseId) -> Arc<CaseState> {
        let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        if cases.len() > KEPT {
            cases.retain(|_, held| held.strong_count() > 0);
        }
        match cases.get(&(guild, case)).and_then(Weak::upgrade) {
            Some(state) => state,
            None => {
                let state = Arc::new(CaseState::default());
                cases.insert((guild, case), Arc::downgrade(&state));
                state
            }
        }
    }
}
