//! Reads `process.toml` and refuses a broken one with the file, the step and the fault.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::path::Path;

use super::model::{Process, ProcessFile, Step, StepKind, END};
use crate::ids::StepId;
use crate::texts::{ids, Lang, Texts};

/// A process file that cannot be used, and exactly why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub step: Option<StepId>,
    pub fault: Fault,
}

impl LoadError {
    pub(crate) fn file(path: &Path, message: String) -> LoadError {
        LoadError {
            file: path.display().to_string(),
            step: None,
            fault: Fault::Unreadable(message),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.step {
            Some(step) => write!(f, "{}: step `{}`: {}", self.file, step, self.fault),
            None => write!(f, "{}: {}", self.file, self.fault),
        }
    }
}

impl std::error::Error for LoadError {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("{0}")]
    Unreadable(String),
    #[error("not a valid process file: {0}")]
    Syntax(String),
    #[error("the id is used by more than one step")]
    DuplicateStep,
    #[error("the start step `{0}` does not exist")]
    UnknownStart(StepId),
    #[error("leads to `{0}`, which is not a step")]
    UnknownStep(StepId),
    #[error("outcome `{0}` leads nowhere (give it `next`, or `next = [\"slutt\"]`)")]
    OutcomeLeadsNowhere(String),
    #[error("waits for `{0}`, which does not lead here")]
    JoinNotLeadingHere(StepId),
    #[error("the outcome id `{0}` is used twice")]
    DuplicateOutcome(String),
    #[error("no path from the start reaches this step")]
    Unreachable,
    #[error("a loop with no way out: from here the process can never end")]
    NoWayOut,
    #[error("role `{0}` is not declared under [[roles]]")]
    RoleNotDeclared(String),
    #[error("system `{0}` is not declared under [[systems]]")]
    SystemNotDeclared(String),
    #[error("phase `{0}` is not declared under [[phases]]")]
    PhaseNotDeclared(String),
    #[error("documentation key `{0}` is not declared under docs")]
    DocsNotDeclared(String),
    #[error("the {lang} text `{id}` is missing")]
    TextMissing { lang: Lang, id: String },
    #[error("{0}")]
    Shape(String),
    #[error("the chart cannot be drawn readably: {0}")]
    Layout(String),
}

impl Process {
    /// Reads and checks `dir/process.toml` against the texts in `dir/nb` and `dir/en`.
    pub fn load(dir: &Path) -> Result<(Process, Texts), LoadError> {
        let texts = Texts::load(dir)?;
        let path = dir.join("process.toml");
        let src = std::fs::read_to_string(&path)
            .map_err(|e| LoadError::file(&path, format!("cannot read: {e}")))?;
        let process = Process::parse(&path.display().to_string(), &src, &texts)?;
        Ok((process, texts))
    }

    /// Checks a process file's text; `file` names it in errors.
    pub fn parse(file: &str, src: &str, texts: &Texts) -> Result<Process, LoadError> {
        let err = |step: Option<&StepId>, fault: Fault| LoadError {
            file: file.to_owned(),
            step: step.cloned(),
            fault,
        };
        let raw: ProcessFile =
            toml::from_str(src).map_err(|e| err(None, Fault::Syntax(e.to_string())))?;

        let mut index = HashMap::new();
        for (i, step) in raw.steps.iter().enumerate() {
            if step.id.as_str() == END || index.insert(step.id.clone(), i).is_some() {
                return Err(err(Some(&step.id), Fault::DuplicateStep));
            }
        }
        if !index.contains_key(&raw.start) {
            return Err(err(None, Fault::UnknownStart(raw.start.clone())));
        }
        let process = Process {
            start: raw.start,
            roles: raw.roles.iter().map(|r| r.id).collect(),
            systems: raw.systems,
            phases: raw.phases.into_iter().map(|p| p.id).collect(),
            docs: raw.docs,
            steps: raw.steps,
            index,
            layout: super::layout::Layout::default(),
        };
        for step in &process.steps {
            check_step(&process, step).map_err(|fault| err(Some(&step.id), fault))?;
        }
        check_graph(&process).map_err(|(step, fault)| err(Some(&step), fault))?;
        check_texts(&process, texts).map_err(|(step, fault)| err(step.as_ref(), fault))?;
        let mut process = process;
        process.layout = super::arrange::lay_out(&process)
            .map_err(|(step, why)| err(step.as_ref(), Fault::Layout(why)))?;
        Ok(process)
    }
}

fn check_step(p: &Process, step: &Step) -> Result<(), Fault> {
    if !p.phases.contains(&step.phase) {
        return Err(Fault::PhaseNotDeclared(step.phase.to_string()));
    }
    if step.roles.is_empty() {
        return Err(Fault::Shape("names no role that may do it".into()));
    }
    for role in step.roles.iter().chain(step.notify.iter()) {
        if !p.roles.contains(role) {
            return Err(Fault::RoleNotDeclared(role.to_string()));
        }
    }
    if let Some(system) = &step.system {
        if p.system(system).is_none() {
            return Err(Fault::SystemNotDeclared(system.to_string()));
        }
    }
    if let Some(docs) = &step.docs {
        if !p.docs.contains(docs) {
            return Err(Fault::DocsNotDeclared(docs.clone()));
        }
    }
    for target in step.targets().chain(step.wait_for.iter()) {
        if target.as_str() != END && p.step(target).is_none() {
            return Err(Fault::UnknownStep(target.clone()));
        }
    }
    for waited in &step.wait_for {
        let leads_here = p
            .step(waited)
            .is_some_and(|w| w.targets().any(|t| t == &step.id));
        if !leads_here {
            return Err(Fault::JoinNotLeadingHere(waited.clone()));
        }
    }
    let mut seen = HashSet::new();
    for outcome in &step.outcomes {
        if !seen.insert(&outcome.id) {
            return Err(Fault::DuplicateOutcome(outcome.id.to_string()));
        }
        if outcome.next.is_empty() {
            return Err(Fault::OutcomeLeadsNowhere(outcome.id.to_string()));
        }
    }
    check_kind(step)
}

fn check_kind(step: &Step) -> Result<(), Fault> {
    let shape = |s: &str| Err(Fault::Shape(s.to_owned()));
    match step.kind {
        StepKind::Choice if step.outcomes.len() < 2 => {
            return shape("a choice needs at least two outcomes");
        }
        StepKind::Choice if !step.next.is_empty() => {
            return shape("a choice leads on through its outcomes, not `next`");
        }
        StepKind::Approval if step.rejected.is_empty() => {
            return shape("an approval needs `rejected`: where a rejection goes back to");
        }
        StepKind::Date if step.date.is_none() => return shape("a date step needs `date`"),
        _ => {}
    }
    if step.kind != StepKind::Choice && !step.outcomes.is_empty() {
        return shape("only a choice step has outcomes");
    }
    if step.kind != StepKind::Date && step.date.is_some() {
        return shape("only a date step asks for a date");
    }
    if step.kind != StepKind::IfNeeded && !step.required_when.is_empty() {
        return shape("only an if-needed step has `required_when`");
    }
    if step.records_answer {
        let answers = step.outcomes.iter().filter_map(|o| o.answer).count();
        if answers != step.outcomes.len() || answers < 2 {
            return shape("an offer answer needs outcomes that each record an `answer`");
        }
    }
    for o in &step.outcomes {
        if !o.when_none_left.is_empty() && o.answer != Some(super::OfferAnswer::Declined) {
            return shape("only a decline has `when_none_left`");
        }
        if o.answer == Some(super::OfferAnswer::Declined) && o.when_none_left.is_empty() {
            return shape("a decline needs `when_none_left`: where to go when nobody is left");
        }
    }
    if step.all_roles && step.roles.len() < 2 {
        return shape("`all_roles` needs at least two roles");
    }
    Ok(())
}

/// Every step is reachable from the start, and from every step the process can end.
fn check_graph(p: &Process) -> Result<(), (StepId, Fault)> {
    let succ = |s: &Step| -> Vec<usize> {
        s.targets()
            .filter_map(|t| p.index.get(t).copied())
            .collect()
    };
    let mut reached = vec![false; p.steps.len()];
    let mut queue = VecDeque::from([p.index[&p.start]]);
    reached[p.index[&p.start]] = true;
    while let Some(i) = queue.pop_front() {
        for j in succ(&p.steps[i]) {
            if !reached[j] {
                reached[j] = true;
                queue.push_back(j);
            }
        }
    }
    if let Some(i) = reached.iter().position(|r| !r) {
        return Err((p.steps[i].id.clone(), Fault::Unreachable));
    }
    // Walk backwards from the steps that can end a path.
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); p.steps.len()];
    for (i, s) in p.steps.iter().enumerate() {
        for j in succ(s) {
            preds[j].push(i);
        }
    }
    let mut can_end: Vec<bool> = p.steps.iter().map(Step::can_end).collect();
    let mut queue: VecDeque<usize> = (0..p.steps.len()).filter(|&i| can_end[i]).collect();
    while let Some(j) = queue.pop_front() {
        for &i in &preds[j] {
            if !can_end[i] {
                can_end[i] = true;
                queue.push_back(i);
            }
        }
    }
    if let Some(i) = can_end.iter().position(|e| !e) {
        return Err((p.steps[i].id.clone(), Fault::NoWayOut));
    }
    Ok(())
}

fn check_texts(p: &Process, texts: &Texts) -> Result<(), (Option<StepId>, Fault)> {
    for lang in Lang::ALL {
        let missing = |id: String| Fault::TextMissing { lang, id };
        for step in &p.steps {
            let mut needed = vec![ids::step_title(&step.id), ids::step_guide(&step.id)];
            needed.extend(step.outcomes.iter().map(|o| ids::outcome(&step.id, &o.id)));
            for id in needed {
                if !texts.has(lang, &id) {
                    return Err((Some(step.id.clone()), missing(id)));
                }
            }
        }
        let global = p
            .phases
            .iter()
            .map(ids::phase)
            .chain(p.roles.iter().map(|r| ids::role(*r)))
            .chain(p.systems.iter().map(|s| ids::system(&s.id)));
        for id in global {
            if !texts.has(lang, &id) {
                return Err((None, missing(id)));
            }
        }
    }
    Ok(())
}
