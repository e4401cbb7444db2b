//! What both backends share about the purge: the report it answers with.

use flow::CaseId;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// The cases purged by this run.
    pub cases: Vec<CaseId>,
    /// Candidate rows deleted.
    pub candidates: u64,
    /// History lines whose names or details were erased.
    pub events: u64,
    /// Whether what was erased, by this run or an earlier one, has left the write-ahead log:
    /// the log was copied into the file and emptied. `false`: not clean yet (a reader held
    /// the checkpoint up, or it failed); run the purge again soon. On PostgreSQL: no snapshot
    /// older than the erasures is left and a VACUUM after them pruned the erased row versions
    /// (see `crate::pg::retention`); `false` likewise means run it again soon.
    pub clean: bool,
}
