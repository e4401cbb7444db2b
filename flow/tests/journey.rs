//! The onboarding journey: the shipped template loads, a broken one is refused with the item
//! and the fault, a server's edits are checked the same way, and a journey's days, ticks and
//! reminders follow working days, public holidays and the clock change.

mod common;

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use flow::journey::{
    probation_end, Closing, Decision, Item, Journey, JourneyRefusal, Owner, Presser, Template, Tick,
};
use flow::{CaseId, PersonId, PersonRef, ReminderKind, Target};

fn shipped() -> Template {
    let (process, texts) = common::shipped();
    let text = std::fs::read_to_string(flow::prompts_dir().join("onboarding.toml")).unwrap();
    Template::parse("onboarding.toml", &text, process, texts).unwrap()
}

fn refused(text: &str) -> String {
    let (process, texts) = common::shipped();
    Template::parse("onboarding.toml", text, process, texts)
        .expect_err("a broken template is refused")
        .to_string()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const NEW_HIRE: u64 = 10;
const BUDDY: u64 = 11;
const MANAGER: u64 = 12;

fn journey(start: NaiveDate) -> Journey {
    Journey {
        case: CaseId(7),
        version: 0,
        template: shipped(),
        start,
        new_hire: common::person(NEW_HIRE, "Nora Ny"),
        buddy: Some(common::person(BUDDY, "Frida Fadder")),
        done: BTreeMap::new(),
        closed: None,
    }
}

fn item<'a>(j: &'a Journey, id: &str) -> &'a Item {
    j.template.item(id).unwrap()
}

#[test]
fn the_shipped_journey_has_every_owner_and_one_decision_before_probation_ends() {
    let t = shipped();
    assert_eq!(t.probation_months, 6);
    for owner in Owner::ALL {
        assert!(t.items.iter().any(|i| i.owner == owner), "{owner:?}");
    }
    let decision = t.decision().unwrap();
    assert_eq!(decision.owner, Owner::Manager);
    assert!(decision.before_probation_end.is_some());
}

const SMALL: &str = r#"
probation_months = 6
[[item]]
id = "adgangskort"
owner = "new_hire"
from_start = 0
[[item]]
id = "provetid_avgjort"
owner = "manager"
before_probation_end = 14
decision = true
"#;

#[test]
fn a_broken_template_is_refused_with_the_item_and_the_fault() {
    let (process, texts) = common::shipped();
    Template::parse("onboarding.toml", SMALL, process, texts).unwrap();
    assert_eq!(
        refused(&SMALL.replace("id = \"provetid_avgjort\"", "id = \"adgangskort\"")),
        "onboarding.toml: item `adgangskort`: the id is used by more than one item"
    );
    assert_eq!(
        refused(&SMALL.replace("from_start = 0", "from_start = 0\nsystem = \"telefon\"")),
        "onboarding.toml: item `adgangskort`: the system `telefon` is not declared in the process"
    );
    assert_eq!(
        refused(&SMALL.replace("id = \"adgangskort\"", "id = \"kaffemaskin\"")),
        "onboarding.toml: item `kaffemaskin`: no title: `journey-item-kaffemaskin` is missing in nb"
    );
    assert_eq!(
        refused(&SMALL.replace("from_start = 0\n", "")),
        "onboarding.toml: item `adgangskort`: no `from_start` or `before_probation_end`: the item has no day"
    );
    assert_eq!(
        refused(&SMALL.replace("from_start = 0", "from_start = 0\nbefore_probation_end = 3")),
        "onboarding.toml: item `adgangskort`: both `from_start` and `before_probation_end`: give the item one day"
    );
    assert_eq!(
        refused(&SMALL.replace("decision = true", "")),
        "onboarding.toml: no item is the probation decision (`decision = true`)"
    );
    assert_eq!(
        refused(&SMALL.replace("probation_months = 6", "probation_months = 7")),
        "onboarding.toml: probation of 7 months: it must be 1 to 6 (arbeidsmiljøloven § 15-6)"
    );
    assert_eq!(
        refused(&SMALL.replace("from_start = 0", "from_start = 400")),
        "onboarding.toml: item `adgangskort`: day 400: out of range (from 60 days before the start to the end of probation)"
    );
    assert!(
        refused(&SMALL.replace("owner = \"new_hire\"", "owner = \"cat\""))
            .contains("onboarding.toml: not a valid onboarding file")
    );
}

#[test]
fn a_servers_edits_are_checked_and_the_decision_stays() {
    let (process, texts) = common::shipped();
    let t = shipped();
    let added = t
        .with_item(
            Item {
                id: "egen_1".into(),
                owner: Owner::Buddy,
                from_start: Some(3),
                before_probation_end: None,
                docs: None,
                system: None,
                decision: false,
                title: Some("Kaffe med teamet".into()),
            },
            process,
            texts,
        )
        .unwrap();
    assert_eq!(added.items.len(), t.items.len() + 1);
    let moved = added.with_item_at("egen_1", 1, process, texts).unwrap();
    assert_eq!(moved.items[0].id, "egen_1");
    let removed = moved.without_item("adgangskort", process, texts).unwrap();
    assert!(removed.item("adgangskort").is_none());
    assert_eq!(
        removed
            .without_item("provetid_avgjort", process, texts)
            .unwrap_err()
            .to_string(),
        "oppsett: item `provetid_avgjort`: the probation decision cannot be removed"
    );
    assert_eq!(
        removed
            .with_item_at("egen_1", 99, process, texts)
            .unwrap_err()
            .to_string(),
        format!(
            "oppsett: item `egen_1`: position 99: the journey has {} items",
            removed.items.len()
        )
    );
    assert_eq!(
        t.with_probation(0, process, texts).unwrap_err().to_string(),
        "oppsett: probation of 0 months: it must be 1 to 6 (arbeidsmiljøloven § 15-6)"
    );
    assert_eq!(
        t.with_probation(3, process, texts)
            .unwrap()
            .probation_months,
        3
    );
}

#[test]
fn probation_ends_the_day_before_the_same_date_months_later() {
    assert_eq!(probation_end(d(2027, 3, 1), 6), d(2027, 8, 31));
    assert_eq!(probation_end(d(2027, 3, 23), 6), d(2027, 9, 22));
    // The end of a month with no such day in the month it ends.
    assert_eq!(probation_end(d(2027, 8, 31), 6), d(2028, 2, 28));
}

#[test]
fn items_fall_on_working_days_across_easter() {
    // Tuesday 23 March 2027; Maundy Thursday 25, Good Friday 26 and Easter Monday 29 March.
    let j = journey(d(2027, 3, 23));
    assert_eq!(j.due(item(&j, "adgangskort")), d(2027, 3, 23));
    // Day 2 is Maundy Thursday: the next working day is the Tuesday after Easter.
    assert_eq!(j.due(item(&j, "hms_introduksjon")), d(2027, 3, 30));
    // Day 4 is a Saturday.
    assert_eq!(j.due(item(&j, "mote_verneombud")), d(2027, 3, 30));
    // Before the start: ten days before is Saturday 13 March, so Friday 12 March.
    assert_eq!(j.due(item(&j, "velkomstbrev")), d(2027, 3, 12));
    // Probation ends Wednesday 22 September; the decision is due two weeks before.
    assert_eq!(j.probation_end(), d(2027, 9, 22));
    assert_eq!(j.due(item(&j, "provetid_avgjort")), d(2027, 9, 8));
}

#[test]
fn reminders_go_at_eight_oslo_time_on_both_sides_of_the_clock_change() {
    // Summer time begins on Sunday 28 March 2027: 08:00 is 07:00 UTC before, 06:00 after.
    let j = journey(d(2027, 3, 23));
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    let planned = j.reminders(eight);
    let of = |id: &str, kind: ReminderKind| {
        planned
            .iter()
            .find(|r| r.step.as_ref().is_some_and(|s| s.as_str() == id) && r.kind == kind)
            .unwrap_or_else(|| panic!("{id} {kind:?} in {planned:#?}"))
            .clone()
    };
    let card = of("adgangskort", ReminderKind::JourneyItem);
    assert_eq!(
        card.due,
        Utc.with_ymd_and_hms(2027, 3, 23, 7, 0, 0).unwrap()
    );
    assert_eq!(card.target, Target::NewHire);
    let hms = of("hms_introduksjon", ReminderKind::JourneyItem);
    assert_eq!(hms.due, Utc.with_ymd_and_hms(2027, 3, 30, 6, 0, 0).unwrap());
    assert_eq!(hms.target, Target::Manager);
    assert_eq!(
        of("enhetens_rutiner", ReminderKind::JourneyItem).target,
        Target::Buddy
    );
    assert_eq!(
        of("personalmappe", ReminderKind::JourneyItem).target,
        Target::HrChannel
    );
    // The week before probation ends (Wednesday 15 September) to the manager; its last
    // working day (Wednesday 22 September) to HR.
    let summary = of("provetid_avgjort", ReminderKind::ProbationSummary);
    assert_eq!(
        summary.due,
        Utc.with_ymd_and_hms(2027, 9, 15, 6, 0, 0).unwrap()
    );
    assert_eq!(summary.target, Target::Manager);
    let escalation = of("provetid_avgjort", ReminderKind::ProbationEscalation);
    assert_eq!(
        escalation.due,
        Utc.with_ymd_and_hms(2027, 9, 22, 6, 0, 0).unwrap()
    );
    assert_eq!(escalation.target, Target::HrChannel);
    assert!(planned.iter().all(|r| r.key.starts_with("j7:")));
    // Without a buddy, the buddy's items are the manager's.
    let mut alone = j.clone();
    alone.buddy = None;
    let to = alone
        .reminders(eight)
        .into_iter()
        .find(|r| {
            r.step
                .as_ref()
                .is_some_and(|s| s.as_str() == "enhetens_rutiner")
        })
        .unwrap();
    assert_eq!(to.target, Target::Manager);
}

#[test]
fn a_ticked_item_and_a_closed_journey_want_no_reminders() {
    let mut j = journey(d(2027, 3, 23));
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    let at = Utc.with_ymd_and_hms(2027, 3, 23, 9, 0, 0).unwrap();
    j.done.insert(
        "adgangskort".into(),
        Tick {
            by: common::person(NEW_HIRE, "Nora Ny"),
            at,
        },
    );
    assert!(j
        .reminders(eight)
        .iter()
        .all(|r| r.step.as_ref().is_none_or(|s| s.as_str() != "adgangskort")));
    assert_eq!(j.progress(), (1, j.template.items.len()));
    j.closed = Some(Closing {
        decision: Decision::Continues,
        by: common::person(MANAGER, "Lise Leder"),
        at,
    });
    assert!(j.reminders(eight).is_empty());
    assert_eq!(j.progress(), (2, j.template.items.len()));
}

#[test]
fn an_item_is_ticked_by_its_owner_or_the_manager_and_never_twice() {
    let mut j = journey(d(2027, 3, 23));
    let person = |id: u64| Presser {
        id: PersonId(id),
        manager: id == MANAGER,
        hr: false,
    };
    let stranger = person(99);
    assert_eq!(
        j.may_tick("adgangskort", &stranger),
        Err(JourneyRefusal::NotYours(Owner::NewHire))
    );
    assert!(j.may_tick("adgangskort", &person(NEW_HIRE)).is_ok());
    assert!(j.may_tick("adgangskort", &person(MANAGER)).is_ok());
    assert_eq!(
        j.may_tick("enhetens_rutiner", &person(NEW_HIRE)),
        Err(JourneyRefusal::NotYours(Owner::Buddy))
    );
    assert!(j.may_tick("enhetens_rutiner", &person(BUDDY)).is_ok());
    // HR's own item: HR, not the new hire.
    assert!(j
        .may_tick(
            "personalmappe",
            &Presser {
                id: PersonId(50),
                manager: false,
                hr: true
            }
        )
        .is_ok());
    assert_eq!(
        j.may_tick("provetid_avgjort", &person(MANAGER)),
        Err(JourneyRefusal::IsDecision)
    );
    assert_eq!(
        j.may_tick("finnes_ikke", &person(MANAGER)),
        Err(JourneyRefusal::UnknownItem)
    );
    let tick = Tick {
        by: PersonRef {
            id: PersonId(NEW_HIRE),
            name: "Nora Ny".into(),
        },
        at: Utc.with_ymd_and_hms(2027, 3, 23, 9, 0, 0).unwrap(),
    };
    j.done.insert("adgangskort".into(), tick.clone());
    assert_eq!(
        j.may_tick("adgangskort", &person(NEW_HIRE)),
        Err(JourneyRefusal::AlreadyDone(tick))
    );
    assert_eq!(j.may_decide(&stranger), Err(JourneyRefusal::NotManager));
    assert!(j.may_decide(&person(MANAGER)).is_ok());
}
