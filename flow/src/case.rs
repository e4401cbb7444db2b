//! The state of one recruitment case: which steps are open, what was done, by whom.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::dato::DateKey;
use crate::ids::{CaseId, Mark, OutcomeId, PersonId, PersonRef, Role, StepId};
use crate::text::{CandidateName, CaseText, Reason};

/// A case as the engine sees it. Storage keeps it in rows; the bot renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub title: CaseText,
    pub unit: CaseText,
    pub note: Option<CaseText>,
    /// The manager who opened the case: the case's manager (`manager` on this case).
    pub owner: PersonRef,
    /// A stand-in the manager (or HR) named: holds `manager` on this case too, acting for the
    /// owner (see [`Case::roles_of`]). Never the owner.
    #[serde(default)]
    pub deputy: Option<PersonRef>,
    pub status: CaseStatus,
    /// Every step that has been opened at least once, by id. A step not here was never reached.
    pub steps: BTreeMap<StepId, StepState>,
    /// Marks left by chosen outcomes (e.g. `uten_ny_avtale`) that later branches read.
    pub marks: BTreeSet<Mark>,
    /// The recommendation's candidates, in rank order (1 = first choice).
    pub candidates: Vec<Candidate>,
    pub dates: CaseDates,
    pub opened_at: DateTime<Utc>,
    /// Bumped by every change; storage writes only over the version it read.
    pub version: i64,
    /// The new hire's onboarding journey, as far as the case's own rules need it (when its
    /// personal data is deleted, see [`Case::retention_from`]). Storage reads it with the
    /// case; the engine never changes it.
    #[serde(default)]
    pub journey: JourneyState,
}

/// Whether a case has an onboarding journey (`crate::journey`), and when it closed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JourneyState {
    /// No journey was opened.
    #[default]
    None,
    /// The journey runs: the case's personal data is kept until it closes.
    Running,
    /// Closed by the probation decision at `at`.
    Closed { at: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    /// Every path of the chart has run to its end.
    Completed {
        at: DateTime<Utc>,
    },
    /// Closed early by a person, with a reason.
    Closed {
        at: DateTime<Utc>,
        by: PersonRef,
        reason: Reason,
    },
}

impl CaseStatus {
    pub fn is_open(&self) -> bool {
        matches!(self, CaseStatus::Open)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    /// Waiting for someone. `confirmed` lists the roles that have already agreed, for steps
    /// that need every one of their roles (the union gate).
    Open {
        since: DateTime<Utc>,
        #[serde(default)]
        confirmed: BTreeMap<Role, PersonRef>,
    },
    Done {
        by: PersonRef,
        at: DateTime<Utc>,
        outcome: Option<OutcomeId>,
    },
    Skipped {
        by: PersonRef,
        at: DateTime<Utc>,
        reason: Reason,
    },
}

impl StepState {
    pub fn is_open(&self) -> bool {
        matches!(self, StepState::Open { .. })
    }

    /// Done or skipped: the step no longer holds anything up.
    pub fn is_finished(&self) -> bool {
        !self.is_open()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Display name only: nothing else about an applicant is ever kept.
    pub name: CandidateName,
    pub rank: u32,
    pub answer: CandidateAnswer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateAnswer {
    /// Not yet offered the position.
    Waiting,
    /// Offered, answer not yet recorded.
    Offered,
    Accepted,
    Declined,
}

impl CandidateAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateAnswer::Waiting => "waiting",
            CandidateAnswer::Offered => "offered",
            CandidateAnswer::Accepted => "accepted",
            CandidateAnswer::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<CandidateAnswer> {
        [
            CandidateAnswer::Waiting,
            CandidateAnswer::Offered,
            CandidateAnswer::Accepted,
            CandidateAnswer::Declined,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// The dates of a case. The original application deadline is kept when the deadline is
/// extended, because the public applicant list is due from the original one (offentleglova § 25).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDates {
    pub soknadsfrist: Option<NaiveDate>,
    pub original_soknadsfrist: Option<NaiveDate>,
    pub startdato: Option<NaiveDate>,
}

impl CaseDates {
    pub fn get(&self, key: DateKey) -> Option<NaiveDate> {
        match key {
            DateKey::Soknadsfrist => self.soknadsfrist,
            DateKey::Startdato => self.startdato,
        }
    }
}

impl Case {
    /// The moment the case's retention counts from: its end, or its journey's close when that
    /// came later. `None` while the case is open or its journey still runs (nothing is
    /// deleted then). The purge (`storage::purge`) counts from the same moment.
    pub fn retention_from(&self) -> Option<DateTime<Utc>> {
        let ended = match &self.status {
            CaseStatus::Open => return None,
            CaseStatus::Completed { at } | CaseStatus::Closed { at, .. } => *at,
        };
        match self.journey {
            JourneyState::None => Some(ended),
            JourneyState::Running => None,
            JourneyState::Closed { at } => Some(ended.max(at)),
        }
    }

    /// The steps waiting for someone now, in the order of the process file when rendered
    /// through [`crate::Process::ordered`].
    pub fn open_steps(&self) -> impl Iterator<Item = &StepId> {
        self.steps
            .iter()
            .filter(|(_, s)| s.is_open())
            .map(|(id, _)| id)
    }

    pub fn is_step_open(&self, step: &StepId) -> bool {
        self.steps.get(step).is_some_and(StepState::is_open)
    }

    /// The roles this person holds on this case: their server roles, except `manager`, and
    /// `manager` for the case's owner and its deputy. A manager role on the server only lets
    /// a person open cases; on a case, `manager` is that case's own manager and the stand-in
    /// they named, nobody else. (HR may act in the manager's part too, for them: see
    /// [`crate::engine::apply`].)
    pub fn roles_of(&self, actor: &crate::Actor) -> BTreeSet<Role> {
        let mut roles = actor.roles.clone();
        roles.remove(&Role::Manager);
        if self.is_manager(actor.person.id) {
            roles.insert(Role::Manager);
        }
        roles
    }

    /// The owner or the deputy: who holds `manager` on this case.
    pub fn is_manager(&self, person: PersonId) -> bool {
        self.owner.id == person || self.is_deputy(person)
    }

    pub fn is_deputy(&self, person: PersonId) -> bool {
        self.deputy.as_ref().is_some_and(|d| d.id == person)
    }

    /// Who the manager's reminders go to: the deputy while one is named (the one expected to
    /// act while the manager is away), else the manager.
    pub fn reminded_manager(&self) -> &PersonRef {
        self.deputy.as_ref().unwrap_or(&self.owner)
    }

    /// The candidate who has been offered the position and not yet answered, if any.
    pub fn offered_candidate(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.answer == CandidateAnswer::Offered)
    }

    /// The best-ranked candidate not yet asked.
    pub fn next_waiting_candidate(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .filter(|c| c.answer == CandidateAnswer::Waiting)
            .min_by_key(|c| c.rank)
    }

    pub fn accepted_candidate(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.answer == CandidateAnswer::Accepted)
    }

    pub fn is_owner(&self, person: PersonId) -> bool {
        self.owner.id == person
    }
}
