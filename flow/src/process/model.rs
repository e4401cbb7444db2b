//! The chart as data: the shape of `prompts/process.toml` once loaded and checked.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::dato::DateKey;
use crate::ids::{Mark, OutcomeId, PhaseId, Role, StepId, SystemId};

/// Where a path ends: a `next` target that opens nothing and lets the case complete once no
/// step is open.
pub const END: &str = "slutt";

/// What kind of step it is decides which actions it takes and which buttons it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Someone does it and marks it done.
    Task,
    /// "Ved behov": done, or skipped with a reason.
    IfNeeded,
    /// A decision with named outcomes, each leading somewhere.
    Choice,
    /// Only the approver decides: approve, or reject with a reason.
    Approval,
    /// Happens by itself in another system; someone confirms it happened.
    System,
    /// Asks for a date that deadlines hang on; setting it completes the step.
    Date,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Task => "task",
            StepKind::IfNeeded => "if_needed",
            StepKind::Choice => "choice",
            StepKind::Approval => "approval",
            StepKind::System => "system",
            StepKind::Date => "date",
        }
    }
}

/// What a candidate's answer becomes when an outcome of an offer step is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferAnswer {
    Accepted,
    Declined,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub id: OutcomeId,
    /// Steps opened when this outcome is chosen (`slutt` ends the path).
    #[serde(default)]
    pub next: Vec<StepId>,
    /// A mark left on the case, read by `required_when` and `end_when` of later steps.
    #[serde(default)]
    pub mark: Option<Mark>,
    /// On an offer answer: what the offered candidate's answer becomes.
    #[serde(default)]
    pub answer: Option<OfferAnswer>,
    /// On a decline: where the case goes when no candidate is left to ask.
    #[serde(default)]
    pub when_none_left: Vec<StepId>,
}

/// What a deadline is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The first application deadline set, even if it was extended later.
    OriginalSoknadsfrist,
    Soknadsfrist,
    Startdato,
}

impl Anchor {
    pub fn date_key(self) -> DateKey {
        match self {
            Anchor::OriginalSoknadsfrist | Anchor::Soknadsfrist => DateKey::Soknadsfrist,
            Anchor::Startdato => DateKey::Startdato,
        }
    }
}

/// Why a deadline exists: the reminders and their wording differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// A deadline the law sets (offentleglova § 25, arbeidsmiljøloven § 14-5).
    Legal,
    /// The new hire's first days: equipment, welcome package, welcome.
    Onboarding,
}

/// A deadline a step has, counted in days from one of the case's dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub anchor: Anchor,
    /// Days after (positive) or before (negative) the anchor date.
    pub days: i64,
    pub kind: DeadlineKind,
    /// The name of the server setting that may change `days` (e.g. `onboarding_utstyr`).
    #[serde(default)]
    pub setting: Option<String>,
    /// The law or rule behind it, for the reminder's text.
    #[serde(default)]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: StepId,
    pub phase: PhaseId,
    pub kind: StepKind,
    /// Who may mark it in the chat.
    pub roles: Vec<Role>,
    /// Every role in `roles` must confirm before the step is done (the union gate).
    #[serde(default)]
    pub all_roles: bool,
    /// Roles told about the step besides those responsible (e.g. HR for "bistand ved behov").
    #[serde(default)]
    pub notify: Vec<Role>,
    /// The system the step happens in, if any.
    #[serde(default)]
    pub system: Option<SystemId>,
    /// The documentation link key; the links themselves are per-server settings.
    #[serde(default)]
    pub docs: Option<String>,
    /// Steps opened when this one is done (`slutt` ends the path).
    #[serde(default)]
    pub next: Vec<StepId>,
    /// This step opens only when all of these are finished too (a join of parallel work).
    #[serde(default)]
    pub wait_for: Vec<StepId>,
    /// Named outcomes, for choice steps and offer answers.
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
    /// Approval steps: where a rejection goes back to.
    #[serde(default)]
    pub rejected: Vec<StepId>,
    /// If-needed steps: marks under which the step may not be skipped.
    #[serde(default)]
    pub required_when: Vec<Mark>,
    /// Marks under which finishing this step ends the case's path instead of `next`.
    #[serde(default)]
    pub end_when: Vec<Mark>,
    /// Date steps: which date they ask for.
    #[serde(default)]
    pub date: Option<DateKey>,
    /// The step cannot be marked done before this date of the case.
    #[serde(default)]
    pub not_before: Option<DateKey>,
    /// The recommendation: candidates are named here; it cannot be done without one.
    #[serde(default)]
    pub names_candidates: bool,
    /// The call: the best-ranked candidate not yet asked is offered the position.
    #[serde(default)]
    pub makes_offer: bool,
    /// The answer to the offer: its outcomes record the offered candidate's answer.
    #[serde(default)]
    pub records_answer: bool,
    /// A step open longer than the stall limit reminds its people (off for steps that wait on
    /// something outside, like the signature).
    #[serde(default = "yes")]
    pub stall_reminders: bool,
    #[serde(default)]
    pub deadline: Option<DeadlineRule>,
    /// How this page reads the chart where the chart is silent or ambiguous.
    #[serde(default)]
    pub reading: Option<String>,
}

fn yes() -> bool {
    true
}

impl Step {
    pub fn outcome(&self, id: &OutcomeId) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| &o.id == id)
    }

    /// Every step this one can lead to, by any route.
    pub fn targets(&self) -> impl Iterator<Item = &StepId> {
        self.next.iter().chain(self.rejected.iter()).chain(
            self.outcomes
                .iter()
                .flat_map(|o| o.next.iter().chain(o.when_none_left.iter())),
        )
    }

    /// Whether finishing this step ends its path somewhere (directly or by a mark).
    pub fn can_end(&self) -> bool {
        !self.end_when.is_empty()
            || self.targets().any(|t| t.as_str() == END)
            || (self.kind != StepKind::Choice && self.next.is_empty() && self.rejected.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDecl {
    pub id: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemDecl {
    pub id: SystemId,
    /// The documentation link key shown with the system's steps.
    #[serde(default)]
    pub docs: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseDecl {
    pub id: PhaseId,
}

/// The file as written, before it is checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProcessFile {
    pub start: StepId,
    #[serde(default)]
    pub roles: Vec<RoleDecl>,
    #[serde(default)]
    pub systems: Vec<SystemDecl>,
    #[serde(default)]
    pub phases: Vec<PhaseDecl>,
    #[serde(default)]
    pub docs: Vec<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// A checked process: every id resolves, every step is reachable and can reach the end, and
/// every text exists in both languages.
#[derive(Debug, Clone)]
pub struct Process {
    pub start: StepId,
    pub roles: Vec<Role>,
    pub systems: Vec<SystemDecl>,
    pub phases: Vec<PhaseId>,
    /// The documentation link keys a server can configure.
    pub docs: Vec<String>,
    pub(crate) steps: Vec<Step>,
    pub(crate) index: HashMap<StepId, usize>,
    /// Where each step stands in the chart (computed when the file is loaded).
    pub(crate) layout: super::layout::Layout,
}

impl Process {
    pub fn step(&self, id: &StepId) -> Option<&Step> {
        self.index.get(id).map(|&i| &self.steps[i])
    }

    /// The chart's geometry: each step's box, computed from the file.
    pub fn layout(&self) -> &super::layout::Layout {
        &self.layout
    }

    /// All steps in the order of the file (the chart's order).
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The position of a step in the chart's order, for sorting.
    pub fn order(&self, id: &StepId) -> usize {
        self.index.get(id).copied().unwrap_or(usize::MAX)
    }

    pub fn phase_of(&self, id: &StepId) -> Option<&PhaseId> {
        self.step(id).map(|s| &s.phase)
    }

    /// The position of a phase (0-based) in the chart.
    pub fn phase_index(&self, phase: &PhaseId) -> usize {
        self.phases
            .iter()
            .position(|p| p == phase)
            .unwrap_or(usize::MAX)
    }

    pub fn system(&self, id: &SystemId) -> Option<&SystemDecl> {
        self.systems.iter().find(|s| &s.id == id)
    }

    /// The documentation link key of a step: its own, or its system's.
    pub fn docs_key<'a>(&'a self, step: &'a Step) -> Option<&'a str> {
        step.docs.as_deref().or_else(|| {
            step.system
                .as_ref()
                .and_then(|s| self.system(s))
                .and_then(|s| s.docs.as_deref())
        })
    }

    /// The ids of the steps that sort a set of ids in chart order.
    pub fn ordered<'a>(&self, ids: impl IntoIterator<Item = &'a StepId>) -> Vec<&'a StepId> {
        let mut v: Vec<&StepId> = ids.into_iter().collect();
        v.sort_by_key(|id| self.order(id));
        v
    }
}
