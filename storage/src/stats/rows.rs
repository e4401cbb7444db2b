//! What both backends share about HR's statistics: which history lines they read.

/// The event kinds the statistics read.
pub(crate) const KINDS: &str = "('step_opened', 'step_reopened', 'step_completed', 'step_skipped',
                      'outcome_chosen', 'approved', 'rejected', 'step_withdrawn',
                      'candidates_exhausted')";
