//! Which steps a case's path holds: what its choices so far leave reachable. Progress counts
//! these, and a reopen names the ones it undoes.

use std::collections::{BTreeSet, VecDeque};

use super::model::{Process, Step, StepKind, END};
use crate::case::{Case, StepState};
use crate::engine::REJECTED;
use crate::ids::StepId;

impl Process {
    /// The steps on this case's path: every step it has reached, and every step it can still
    /// reach going forward, given the outcomes chosen and the marks left so far. A choice not
    /// yet made keeps all its outcomes' steps on the path; a choice made keeps only its own; a
    /// mark that ends the path (`end_when`) ends it. Going back (a rejection, a declined offer)
    /// adds nothing: those steps are on the path already.
    ///
    /// A case that ended without a new hire after four steps has four steps on its path; a
    /// case that will hire has all of them, the ones skipped included.
    pub fn steps_on_path(&self, case: &Case) -> BTreeSet<StepId> {
        let mut seen: BTreeSet<StepId> = BTreeSet::new();
        let mut queue: VecDeque<StepId> = std::iter::once(self.start.clone())
            .chain(case.steps.keys().cloned())
            .collect();
        while let Some(id) = queue.pop_front() {
            let Some(def) = self.step(&id) else { continue };
            if !seen.insert(id.clone()) {
                continue;
            }
            for target in self.leads_to(def, case) {
                let forward = self.order(target) > self.order(&id);
                if forward && target.as_str() != END && !seen.contains(target) {
                    queue.push_back(target.clone());
                }
            }
        }
        seen
    }

    /// Where a step can lead on this case: where it did lead, once it is finished; anywhere
    /// it may lead, while it is not.
    fn leads_to<'a>(&'a self, def: &'a Step, case: &Case) -> Vec<&'a StepId> {
        if def.end_when.iter().any(|m| case.marks.contains(m)) {
            return Vec::new();
        }
        match case.steps.get(&def.id) {
            Some(StepState::Done {
                outcome: Some(outcome),
                ..
            }) => match def.kind {
                StepKind::Approval if outcome.as_str() == REJECTED => def.rejected.iter().collect(),
                StepKind::Approval => def.next.iter().collect(),
                _ => match def.outcome(outcome) {
                    Some(o) => o.next.iter().chain(o.when_none_left.iter()).collect(),
                    None => def.next.iter().collect(),
                },
            },
            Some(StepState::Done { outcome: None, .. } | StepState::Skipped { .. }) => {
                def.next.iter().collect()
            }
            Some(StepState::Open { .. }) | None => def.targets().collect(),
        }
    }

    /// The steps reachable from `from` through edges that go forward in the chart's order: what
    /// going back to `from` undoes.
    pub fn forward_from(&self, from: &StepId) -> Vec<StepId> {
        let mut seen: BTreeSet<StepId> = BTreeSet::new();
        let mut queue = VecDeque::from([from.clone()]);
        while let Some(id) = queue.pop_front() {
            let Some(def) = self.step(&id) else { continue };
            for t in def.targets() {
                if self.order(t) > self.order(&id)
                    && self.step(t).is_some()
                    && seen.insert(t.clone())
                {
                    queue.push_back(t.clone());
                }
            }
        }
        seen.into_iter().collect()
    }

    /// The steps of this case that reopening `step` sends back to not started, in the chart's
    /// order: the ones after it that were done, skipped or are open now.
    pub fn undone_by_reopening(&self, case: &Case, step: &StepId) -> Vec<StepId> {
        let mut undone: Vec<StepId> = self
            .forward_from(step)
            .into_iter()
            .filter(|s| case.steps.contains_key(s))
            .collect();
        undone.sort_by_key(|s| self.order(s));
        undone
    }
}
