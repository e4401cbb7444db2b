//! The journey's template: `prompts/onboarding.toml` as data, and a server's own versions of it
//! (items added, removed, moved; another probation length). Every version is checked the same
//! way, and a broken one is refused with the item and the fault.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::SystemId;
use crate::process::Process;
use crate::texts::{Lang, Texts};

/// Who an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    NewHire,
    Manager,
    Buddy,
    Hr,
}

impl Owner {
    pub const ALL: [Owner; 4] = [Owner::NewHire, Owner::Manager, Owner::Buddy, Owner::Hr];

    pub fn as_str(self) -> &'static str {
        match self {
            Owner::NewHire => "new_hire",
            Owner::Manager => "manager",
            Owner::Buddy => "buddy",
            Owner::Hr => "hr",
        }
    }

    pub fn parse(s: &str) -> Option<Owner> {
        Owner::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// When an item falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Days after the start date (negative: before it; 0: the first day).
    FromStart(i32),
    /// Days before the last day of probation (0: on it).
    BeforeProbationEnd(u32),
}

/// One item of the journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Lowercase letters, digits and `_`; its title is `journey-item-<id>` in the Fluent files,
    /// unless the server typed one (`title`).
    pub id: String,
    pub owner: Owner,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_start: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_probation_end: Option<u32>,
    /// A documentation link key (set per server with `/oppsett lenke`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    /// The system it happens in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemId>,
    /// The probation decision: recorded, it closes the journey.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decision: bool,
    /// The title a server typed for an item it added (shown as typed, in every language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Item {
    /// When it falls due (a checked template has exactly one of the two).
    pub fn when(&self) -> When {
        match (self.from_start, self.before_probation_end) {
            (Some(d), _) => When::FromStart(d),
            (None, Some(d)) => When::BeforeProbationEnd(d),
            (None, None) => When::FromStart(0),
        }
    }

    /// The Fluent id of its title (for an item from the file).
    pub fn text_id(&self) -> String {
        format!("journey-item-{}", self.id)
    }
}

/// A journey template: the probation length and the items in the order shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Months of probation (arbeidsmiljøloven § 15-6: at most six).
    pub probation_months: u32,
    #[serde(rename = "item", default)]
    pub items: Vec<Item>,
}

/// A template that cannot be used, and exactly why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyError {
    /// The file, or `"oppsett"` for a server's own version.
    pub file: String,
    pub item: Option<String>,
    pub fault: JourneyFault,
}

impl fmt::Display for JourneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{}: item `{item}`: {}", self.file, self.fault),
            None => write!(f, "{}: {}", self.file, self.fault),
        }
    }
}

impl std::error::Error for JourneyError {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JourneyFault {
    #[error("not a valid onboarding file: {0}")]
    Syntax(String),
    #[error("probation of {0} months: it must be 1 to 6 (arbeidsmiljøloven § 15-6)")]
    ProbationMonths(u32),
    #[error("the journey has no items")]
    NoItems,
    #[error("the id must be 1 to 40 lowercase letters, digits or `_`")]
    BadId,
    #[error("the id is used by more than one item")]
    DuplicateItem,
    #[error("no `from_start` or `before_probation_end`: the item has no day")]
    NoDay,
    #[error("both `from_start` and `before_probation_end`: give the item one day")]
    TwoDays,
    #[error("day {0}: out of range (from 60 days before the start to the end of probation)")]
    DayOutOfRange(i64),
    #[error("the system `{0}` is not declared in the process")]
    UnknownSystem(String),
    #[error("the documentation link key `{0}` is not declared in the process")]
    UnknownDocs(String),
    #[error("no title: `{0}` is missing in {1}")]
    MissingText(String, &'static str),
    #[error("the title must be 1 to 100 characters")]
    BadTitle,
    #[error("no item is the probation decision (`decision = true`)")]
    NoDecision,
    #[error("more than one item is the probation decision")]
    TwoDecisions,
    #[error(
        "the probation decision must be the manager's, counted back from the end of probation"
    )]
    DecisionMisplaced,
    #[error("the probation decision cannot be removed")]
    DecisionRemoved,
    #[error("no such item")]
    UnknownItem,
    #[error("position {0}: the journey has {1} items")]
    BadPosition(usize, usize),
}

impl JourneyFault {
    /// The fault's key (its text is `journey-fault-<key>`), and its number and detail.
    pub fn parts(&self) -> (&'static str, i64, i64, String) {
        match self {
            JourneyFault::Syntax(d) => ("syntax", 0, 0, d.clone()),
            JourneyFault::ProbationMonths(n) => {
                ("probation_months", i64::from(*n), 0, String::new())
            }
            JourneyFault::NoItems => ("no_items", 0, 0, String::new()),
            JourneyFault::BadId => ("bad_id", 0, 0, String::new()),
            JourneyFault::DuplicateItem => ("duplicate_item", 0, 0, String::new()),
            JourneyFault::NoDay => ("no_day", 0, 0, String::new()),
            JourneyFault::TwoDays => ("two_days", 0, 0, String::new()),
            JourneyFault::DayOutOfRange(d) => ("day_out_of_range", *d, 0, String::new()),
            JourneyFault::UnknownSystem(s) => ("unknown_system", 0, 0, s.clone()),
            JourneyFault::UnknownDocs(s) => ("unknown_docs", 0, 0, s.clone()),
            JourneyFault::MissingText(id, lang) => ("missing_text", 0, 0, format!("{id}, {lang}")),
            JourneyFault::BadTitle => ("bad_title", 0, 0, String::new()),
            JourneyFault::NoDecision => ("no_decision", 0, 0, String::new()),
            JourneyFault::TwoDecisions => ("two_decisions", 0, 0, String::new()),
            JourneyFault::DecisionMisplaced => ("decision_misplaced", 0, 0, String::new()),
            JourneyFault::DecisionRemoved => ("decision_removed", 0, 0, String::new()),
            JourneyFault::UnknownItem => ("unknown_item", 0, 0, String::new()),
            JourneyFault::BadPosition(p, n) => (
                "bad_position",
                i64::try_from(*p).unwrap_or(i64::MAX),
                i64::try_from(*n).unwrap_or(i64::MAX),
                String::new(),
            ),
        }
    }
}

/// Days a server's own item may be given: from this many days before the start.
pub const EARLIEST: i64 = -60;
/// Days of a month, counted generously for the range check of `from_start`.
const DAYS_PER_MONTH: i64 = 31;

impl Template {
    /// Reads and checks a template file's text.
    pub fn parse(
        file: &str,
        text: &str,
        process: &Process,
        texts: &Texts,
    ) -> Result<Template, JourneyError> {
        let template: Template = toml::from_str(text).map_err(|e| JourneyError {
            file: file.to_owned(),
            item: None,
            fault: JourneyFault::Syntax(e.message().to_owned()),
        })?;
        template.check(file, process, texts)?;
        Ok(template)
    }

    /// Checks a template: every fault names its item.
    pub fn check(&self, file: &str, process: &Process, texts: &Texts) -> Result<(), JourneyError> {
        let fail = |item: Option<&Item>, fault| JourneyError {
            file: file.to_owned(),
            item: item.map(|i| i.id.clone()),
            fault,
        };
        if !(1..=6).contains(&self.probation_months) {
            return Err(fail(
                None,
                JourneyFault::ProbationMonths(self.probation_months),
            ));
        }
        if self.items.is_empty() {
            return Err(fail(None, JourneyFault::NoItems));
        }
        let latest = i64::from(self.probation_months) * DAYS_PER_MONTH;
        let mut seen = HashSet::new();
        for item in &self.items {
            let good_id = !item.id.is_empty()
                && item.id.len() <= 40
                && item
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !good_id {
                return Err(fail(Some(item), JourneyFault::BadId));
            }
            if !seen.insert(item.id.as_str()) {
                return Err(fail(Some(item), JourneyFault::DuplicateItem));
            }
            match (item.from_start, item.before_probation_end) {
                (None, None) => return Err(fail(Some(item), JourneyFault::NoDay)),
                (Some(_), Some(_)) => return Err(fail(Some(item), JourneyFault::TwoDays)),
                (Some(d), None) if !(EARLIEST..=latest).contains(&i64::from(d)) => {
                    return Err(fail(Some(item), JourneyFault::DayOutOfRange(i64::from(d))))
                }
                (None, Some(d)) if i64::from(d) > latest => {
                    return Err(fail(Some(item), JourneyFault::DayOutOfRange(-i64::from(d))))
                }
                _ => {}
            }
            if let Some(system) = &item.system {
                if process.system(system).is_none() {
                    return Err(fail(
                        Some(item),
                        JourneyFault::UnknownSystem(system.as_str().to_owned()),
                    ));
                }
            }
            if let Some(docs) = &item.docs {
                if !process.docs.contains(docs) {
                    return Err(fail(Some(item), JourneyFault::UnknownDocs(docs.clone())));
                }
            }
            match &item.title {
                Some(title) => {
                    let n = title.trim().chars().count();
                    if n == 0 || n > 100 {
                        return Err(fail(Some(item), JourneyFault::BadTitle));
                    }
                }
                None => {
                    for lang in Lang::ALL {
                        if !texts.has(lang, &item.text_id()) {
                            return Err(fail(
                                Some(item),
                                JourneyFault::MissingText(item.text_id(), lang.dir()),
                            ));
                        }
                    }
                }
            }
        }
        let decisions: Vec<&Item> = self.items.iter().filter(|i| i.decision).collect();
        match decisions.as_slice() {
            [] => return Err(fail(None, JourneyFault::NoDecision)),
            [one] => {
                let placed = one.owner == Owner::Manager
                    && matches!(one.when(), When::BeforeProbationEnd(_));
                if !placed {
                    return Err(fail(Some(one), JourneyFault::DecisionMisplaced));
                }
            }
            [_, second, ..] => return Err(fail(Some(second), JourneyFault::TwoDecisions)),
        }
        Ok(())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The probation decision item (a checked template has one).
    pub fn decision(&self) -> Option<&Item> {
        self.items.iter().find(|i| i.decision)
    }

    /// This template with `item` added at the end, checked.
    pub fn with_item(
        &self,
        item: Item,
        process: &Process,
        texts: &Texts,
    ) -> Result<Template, JourneyError> {
        let mut next = self.clone();
        next.items.push(item);
        next.check(SERVER, process, texts)?;
        Ok(next)
    }

    /// This template without the item `id` (the decision stays), checked.
    pub fn without_item(
        &self,
        id: &str,
        process: &Process,
        texts: &Texts,
    ) -> Result<Template, JourneyError> {
        let fail = |fault| JourneyError {
            file: SERVER.to_owned(),
            item: Some(id.to_owned()),
            fault,
        };
        let item = self
            .item(id)
            .ok_or_else(|| fail(JourneyFault::UnknownItem))?;
        if item.decision {
            return Err(fail(JourneyFault::DecisionRemoved));
        }
        let mut next = self.clone();
        next.items.retain(|i| i.id != id);
        next.check(SERVER, process, texts)?;
        Ok(next)
    }

    /// This template with the item `id` moved to `position` (1-based), checked.
    pub fn with_item_at(
        &self,
        id: &str,
        position: usize,
        process: &Process,
        texts: &Texts,
    ) -> Result<Template, JourneyError> {
        let fail = |fault| JourneyError {
            file: SERVER.to_owned(),
            item: Some(id.to_owned()),
            fault,
        };
        let from = self
            .items
            .iter()
            .position(|i| i.id == id)
            .ok_or_else(|| fail(JourneyFault::UnknownItem))?;
        if position == 0 || position > self.items.len() {
            return Err(fail(JourneyFault::BadPosition(position, self.items.len())));
        }
        let mut next = self.clone();
        let item = next.items.remove(from);
        next.items.insert(position - 1, item);
        next.check(SERVER, process, texts)?;
        Ok(next)
    }

    /// This template with another probation length, checked.
    pub fn with_probation(
        &self,
        months: u32,
        process: &Process,
        texts: &Texts,
    ) -> Result<Template, JourneyError> {
        let mut next = self.clone();
        next.probation_months = months;
        next.check(SERVER, process, texts)?;
        Ok(next)
    }
}

/// What a server's own version is called in a refusal.
pub const SERVER: &str = "oppsett";
