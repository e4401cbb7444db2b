//! Waking the reminder loop after a change: the one thing a change and the loop share. A
//! change ([`crate::change`]) tells it what it planned; the loop ([`crate::jobs`]) says when
//! it sleeps and when it is awake. Neither imports the other.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use flow::{Event, PlannedReminder};

use crate::render::checklist::AFTER as CHECKLIST_AFTER;
use crate::types::Data;

/// `Data::reminders_asleep_until` while the loop makes a pass.
pub const AWAKE: i64 = i64::MIN;

/// After a case changed: wakes the loop if the change planned a reminder due before the loop
/// would wake by itself, or brought the onboarding checklist. Other changes leave it asleep
/// (a cancelled reminder is dropped when it falls due), so a busy guild's presses do not
/// each cost a pass of the loop.
pub fn after_change(data: &Data, wanted: &[PlannedReminder], events: &[Event]) {
    let asleep_until = data.reminders_asleep_until.load(Ordering::SeqCst);
    if should_wake(asleep_until, wanted, events) {
        now(data);
    }
}

/// Wakes the loop for another pass at once.
pub fn now(data: &Data) {
    data.reminders_changed.notify_one();
}

/// The loop starts a pass: every change wakes it until it sleeps again.
pub fn awake(data: &Data) {
    data.reminders_asleep_until.store(AWAKE, Ordering::SeqCst);
}

/// The loop sleeps until `until` unless woken.
pub fn asleep_until(data: &Data, until: DateTime<Utc>) {
    data.reminders_asleep_until
        .store(until.timestamp_micros(), Ordering::SeqCst);
}

fn should_wake(asleep_until: i64, wanted: &[PlannedReminder], events: &[Event]) -> bool {
    let sooner = wanted
        .iter()
        .any(|r| r.due.timestamp_micros() < asleep_until);
    let checklist = events.iter().any(|e| {
        e.step
            .as_ref()
            .is_some_and(|s| s.as_str() == CHECKLIST_AFTER)
    });
    asleep_until == AWAKE || sooner || checklist
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_change_wakes_the_loop_only_for_what_is_due_before_it_wakes_anyway() {
        use flow::{CaseId, EventKind, ReminderKind, StepId, Target};
        let now = Utc::now();
        let asleep_until = (now + Duration::seconds(30)).timestamp_micros();
        let due = |at: DateTime<Utc>| PlannedReminder {
            key: "k".into(),
            case: CaseId(1),
            step: Some(StepId::new("bestiller_utstyr")),
            kind: ReminderKind::Onboarding,
            target: Target::Responsible,
            due: at,
        };
        let event = |step: &str| Event {
            at: now,
            actor: None,
            on_behalf: None,
            kind: EventKind::StepCompleted,
            step: Some(StepId::new(step)),
            outcome: None,
            detail: None,
        };
        let later = [due(now + Duration::days(3))];
        let sooner = [due(now + Duration::seconds(5))];
        let plain = [event("behovsanalyse")];
        assert!(!should_wake(asleep_until, &later, &plain));
        assert!(should_wake(asleep_until, &sooner, &plain));
        assert!(should_wake(AWAKE, &later, &plain), "mid-pass: always");
        assert!(
            should_wake(asleep_until, &later, &[event(CHECKLIST_AFTER)]),
            "the checklist is owed"
        );
    }
}
