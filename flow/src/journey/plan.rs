//! A case's journey: who takes part, the days its items fall due on, who may tick what, and the
//! reminders it wants (each item on its working day to the person it belongs to; the manager a
//! week before probation ends; HR on its last working day while no decision is recorded).

use std::collections::BTreeMap;

use chrono::{DateTime, Days, Months, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::template::{Item, Owner, Template, When};
use crate::calendar::{working_day_on_or_after, working_day_on_or_before};
use crate::deadlines::oslo_instant;
use crate::ids::{CaseId, PersonId, PersonRef, StepId};
use crate::reminders::{PlannedReminder, ReminderKind, Target};

/// Every journey reminder's key starts so: the case's own planning leaves them alone.
pub const JOURNEY_KEY_PREFIX: &str = "j";

/// The last day of probation: the day before the same date `months` later (a start on
/// 1 March with six months ends on 31 August).
pub fn probation_end(start: NaiveDate, months: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(start)
}

/// The two ways a probation decision is recorded. Never why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The employment continues.
    Continues,
    /// The manager confirms a dismissal was given before probation ended.
    DismissedInTime,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Continues => "continues",
            Decision::DismissedInTime => "dismissed_in_time",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        [Decision::Continues, Decision::DismissedInTime]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// An item ticked: by whom, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub by: PersonRef,
    pub at: DateTime<Utc>,
}

/// The journey closed by the probation decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub decision: Decision,
    pub by: PersonRef,
    pub at: DateTime<Utc>,
}

/// A case's journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journey {
    pub case: CaseId,
    /// The version of the server's template it started with (0: the shipped file).
    pub version: i64,
    pub template: Template,
    pub start: NaiveDate,
    pub new_hire: PersonRef,
    pub buddy: Option<PersonRef>,
    /// Items ticked, by item id.
    pub done: BTreeMap<String, Tick>,
    pub closed: Option<Closing>,
}

/// Where an item is shown, by when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    BeforeStart,
    FirstDay,
    FirstWeek,
    FirstMonth,
    Probation,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::BeforeStart => "before_start",
            Group::FirstDay => "first_day",
            Group::FirstWeek => "first_week",
            Group::FirstMonth => "first_month",
            Group::Probation => "probation",
        }
    }
}

/// The group an item is shown in.
pub fn group_of(item: &Item) -> Group {
    match item.when() {
        When::FromStart(d) if d < 0 => Group::BeforeStart,
        When::FromStart(0) => Group::FirstDay,
        When::FromStart(1..=6) => Group::FirstWeek,
        When::FromStart(7..=31) => Group::FirstMonth,
        _ => Group::Probation,
    }
}

/// Who pressed a tick, as the bot found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presser {
    pub id: PersonId,
    /// The case's manager or deputy.
    pub manager: bool,
    /// Holds the server's HR role.
    pub hr: bool,
}

/// Why a tick or a decision is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JourneyRefusal {
    #[error("no such item on this journey")]
    UnknownItem,
    #[error("the item is someone else's")]
    NotYours(Owner),
    #[error("already ticked")]
    AlreadyDone(Tick),
    #[error("the journey is closed")]
    Closed,
    #[error("the probation decision is recorded with its own buttons")]
    IsDecision,
    #[error("only the manager (or HR) records the probation decision")]
    NotManager,
}

impl Journey {
    /// The last day of probation.
    pub fn probation_end(&self) -> NaiveDate {
        probation_end(self.start, self.template.probation_months)
    }

    /// The working day an item falls due on: counted from the start date (a day that is no
    /// working day moves to the next one; before the start, to the one before), or back from
    /// the end of probation (to the working day before).
    pub fn due(&self, item: &Item) -> NaiveDate {
        match item.when() {
            When::FromStart(d) => {
                let day = if d < 0 {
                    self.start - Days::new(u64::from(d.unsigned_abs()))
                } else {
                    self.start + Days::new(u64::from(d.unsigned_abs()))
                };
                if d < 0 {
                    working_day_on_or_before(day)
                } else {
                    working_day_on_or_after(day)
                }
            }
            When::BeforeProbationEnd(d) => {
                working_day_on_or_before(self.probation_end() - Days::new(u64::from(d)))
            }
        }
    }

    /// The person an item goes to: the new hire, the buddy (the manager while none is named),
    /// the manager; `None` for HR's (the HR channel).
    pub fn owner_person(&self, item: &Item, manager: &PersonRef) -> Option<PersonRef> {
        match item.owner {
            Owner::NewHire => Some(self.new_hire.clone()),
            Owner::Buddy => Some(self.buddy.clone().unwrap_or_else(|| manager.clone())),
            Owner::Manager => Some(manager.clone()),
            Owner::Hr => None,
        }
    }

    /// Whether `who` may tick the item now: the person it belongs to, or the manager (HR's
    /// items: HR; the manager's: HR too, for the manager).
    pub fn may_tick(&self, item_id: &str, who: &Presser) -> Result<&Item, JourneyRefusal> {
        if self.closed.is_some() {
            return Err(JourneyRefusal::Closed);
        }
        let item = self
            .template
            .item(item_id)
            .ok_or(JourneyRefusal::UnknownItem)?;
        if item.decision {
            return Err(JourneyRefusal::IsDecision);
        }
        if let Some(tick) = self.done.get(item_id) {
            return Err(JourneyRefusal::AlreadyDone(tick.clone()));
        }
        let own = match item.owner {
            Owner::NewHire => who.id == self.new_hire.id,
            Owner::Buddy => match &self.buddy {
                Some(b) => who.id == b.id,
                None => false,
            },
            Owner::Manager => who.hr,
            Owner::Hr => who.hr,
        };
        if own || who.manager {
            Ok(item)
        } else {
            Err(JourneyRefusal::NotYours(item.owner))
        }
    }

    /// Whether `who` may record the probation decision now.
    pub fn may_decide(&self, who: &Presser) -> Result<(), JourneyRefusal> {
        if self.closed.is_some() {
            return Err(JourneyRefusal::Closed);
        }
        if who.manager || who.hr {
            Ok(())
        } else {
            Err(JourneyRefusal::NotManager)
        }
    }

    /// Items done (the decision counts once recorded) and all items.
    pub fn progress(&self) -> (usize, usize) {
        let total = self.template.items.len();
        let done = self
            .template
            .items
            .iter()
            .filter(|i| self.is_done(i))
            .count();
        (done, total)
    }

    pub fn is_done(&self, item: &Item) -> bool {
        if item.decision {
            self.closed.is_some()
        } else {
            self.done.contains_key(&item.id)
        }
    }

    /// Every reminder the journey wants now, at the server's reminder time on each day: each
    /// open item to its person on the day it falls due; the manager's summary on the working
    /// day a week before probation ends; HR's escalation on its last working day while the
    /// decision is not recorded. Nothing once closed. Keys carry the day, so a moved start
    /// date gives new ones.
    pub fn reminders(&self, remind_at: NaiveTime) -> Vec<PlannedReminder> {
        if self.closed.is_some() {
            return Vec::new();
        }
        let at = |d: NaiveDate| oslo_instant(d, remind_at);
        let mut out = Vec::new();
        let mut push = |item: &str, kind: ReminderKind, target: Target, day: NaiveDate| {
            out.push(PlannedReminder {
                key: format!(
                    "{JOURNEY_KEY_PREFIX}{}:{item}:{}:{}:{day}",
                    self.case,
                    kind.as_str(),
                    target.as_str()
                ),
                case: self.case,
                step: Some(StepId::new(item)),
                kind,
                target,
                due: at(day),
            });
        };
        for item in &self.template.items {
            if self.is_done(item) {
                continue;
            }
            let target = match item.owner {
                Owner::NewHire => Target::NewHire,
                Owner::Buddy if self.buddy.is_some() => Target::Buddy,
                Owner::Buddy | Owner::Manager => Target::Manager,
                Owner::Hr => Target::HrChannel,
            };
            push(&item.id, ReminderKind::JourneyItem, target, self.due(item));
        }
        if let Some(decision) = self.template.decision() {
            let end = self.probation_end();
            let week_before = working_day_on_or_before(end - Days::new(7));
            push(
                &decision.id,
                ReminderKind::ProbationSummary,
                Target::Manager,
                week_before,
            );
            push(
                &decision.id,
                ReminderKind::ProbationEscalation,
                Target::HrChannel,
                working_day_on_or_before(end),
            );
        }
        out
    }
}
