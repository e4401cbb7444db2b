//! Every table through its functions and back.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime};
use flow::{CaseStatus, EventKind, PersonId, Role, StepId, StepState};
use storage::{CaseCard, GuildSettings, NotificationLevel, ReminderOffsets, RoleIds, StorageError};

use crate::common::*;

#[tokio::test]
async fn a_case_round_trips_through_every_change() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    assert_eq!(case.version, 1);
    let mut expected_events = replay(&p, case.id, 1).1;
    assert_eq!(
        storage::load_case(&db, GUILD, case.id).await.unwrap(),
        Some(case.clone())
    );

    let mut seen_confirmation = false;
    let mut seen_offer = false;
    for v in 1..LAST_VERSION {
        let applied = step_case(&db, &p, GUILD, case.id).await.unwrap();
        assert_eq!(applied.case.version, v + 1);
        let loaded = storage::load_case(&db, GUILD, case.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(loaded, applied.case, "after version {}", v + 1);
        seen_confirmation |= loaded.steps.values().any(
            |s| matches!(s, StepState::Open { confirmed, .. } if confirmed.contains_key(&Role::Manager)),
        );
        seen_offer |= loaded.offered_candidate().is_some();
        expected_events.extend(applied.events);

        // Reminders: exactly the wanted set is pending, all else cancelled.
        let want: Vec<String> = wanted(&p, &loaded).into_iter().map(|r| r.key).collect();
        let stored = storage::reminders_for_case(&db, GUILD, case.id)
            .await
            .unwrap();
        let mut pending: Vec<String> = stored
            .iter()
            .filter(|r| r.state == storage::ReminderState::Pending)
            .map(|r| r.key.clone())
            .collect();
        pending.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(
            pending,
            want_sorted,
            "pending reminders after version {}",
            v + 1
        );
    }
    assert!(
        seen_confirmation,
        "the union gate's half-confirmed state was stored"
    );
    assert!(seen_offer, "an offered candidate was stored");

    let done = storage::load_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(done.status, CaseStatus::Completed { .. }));
    assert!(done.marks.contains(&flow::Mark::new("ny_stilling")));
    assert_eq!(done.candidates.len(), 2);
    assert_eq!(done.dates.original_soknadsfrist, done.dates.soknadsfrist);
    assert!(matches!(
        done.steps[&StepId::new("bistand")],
        StepState::Skipped { .. }
    ));
    assert_eq!(done, replay(&p, case.id, LAST_VERSION).0);

    // The history: every event, in order, numbered without gaps, tagged with its version.
    let history = storage::history(&db, GUILD, case.id, 1000, 0)
        .await
        .unwrap();
    let events: Vec<_> = history.iter().map(|h| h.event.clone()).collect();
    assert_eq!(events, expected_events);
    assert!(history
        .iter()
        .enumerate()
        .all(|(i, h)| h.seq == i as i64 + 1));
    assert_eq!(history.last().unwrap().version, LAST_VERSION);
    let page = storage::history(&db, GUILD, case.id, 3, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|h| h.seq).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert!(history
        .iter()
        .any(|h| h.event.kind == EventKind::OfferDeclined));

    // Another server sees none of it.
    assert_eq!(
        storage::load_case(&db, OTHER_GUILD, case.id).await.unwrap(),
        None
    );
    assert!(storage::history(&db, OTHER_GUILD, case.id, 10, 0)
        .await
        .unwrap()
        .is_empty());

    // And it is all still there after closing and reopening the file.
    let path = db.sqlite_pool().connect_options().get_filename().to_owned();
    db.close().await;
    let db = storage::Db::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(
        storage::load_case(&db, GUILD, case.id).await.unwrap(),
        Some(done)
    );
}

#[tokio::test]
async fn a_closed_case_keeps_who_closed_it_and_why() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let reason = flow::Reason::parse("Stillingen ble trukket").unwrap();
    let applied = flow::apply(&p, &case, &hr(), &flow::Action::Close { reason }, at(1)).unwrap();
    storage::save_applied(&db, GUILD, 1, &applied, &wanted(&p, &applied.case))
        .await
        .unwrap();
    let loaded = storage::load_case(&db, GUILD, case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded, applied.case);
    assert!(matches!(loaded.status, CaseStatus::Closed { ref by, .. } if by.name == "Hanne HR"));
    // The history lines of that change, as its announcement reads them back.
    assert_eq!(
        storage::events_of_version(&db, GUILD, case.id, 2)
            .await
            .unwrap(),
        applied.events
    );
    assert!(storage::events_of_version(&db, OTHER_GUILD, case.id, 2)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn saving_over_the_wrong_version_or_server_changes_nothing() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let (who, action) = script(1).unwrap();
    let applied = flow::apply(&p, &case, &who, &action, at(1)).unwrap();
    let err = storage::save_applied(&db, OTHER_GUILD, 1, &applied, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound), "{err:?}");
    let err = storage::save_applied(&db, GUILD, 0, &applied, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    storage::save_applied(&db, GUILD, 1, &applied, &wanted(&p, &applied.case))
        .await
        .unwrap();
    let err = storage::save_applied(&db, GUILD, 1, &applied, &[])
        .await
        .unwrap_err();
    match err {
        StorageError::Stale { by, at: when } => {
            assert_eq!(by, Some(owner()));
            assert_eq!(when, at(1));
        }
        other => panic!("expected Stale, got {other:?}"),
    }
    assert_eq!(
        storage::load_case(&db, GUILD, case.id).await.unwrap(),
        Some(applied.case)
    );
}

#[tokio::test]
async fn the_shared_language_and_every_notification_level_are_stored() {
    let (_dir, db) = temp_db().await;
    let s = GuildSettings::new(GUILD);
    assert_eq!(s.language, flow::Lang::Nb, "bokmål unless changed");
    assert_eq!(s.notifications, NotificationLevel::WhenAsked, "the default");
    for lang in flow::Lang::ALL {
        for level in NotificationLevel::ALL {
            let mut s = s.clone();
            s.language = lang;
            s.notifications = level;
            storage::save_settings(&db, &s).await.unwrap();
            let back = storage::load_settings(&db, GUILD).await.unwrap().unwrap();
            assert_eq!((back.language, back.notifications), (lang, level));
        }
    }
    // The columns refuse what the enums cannot hold.
    let bad = sqlx::query("UPDATE guild_settings SET notifications = 'loud' WHERE guild_id = ?")
        .bind(GUILD as i64)
        .execute(db.sqlite_pool())
        .await;
    assert!(bad.is_err(), "an unknown level is refused");
    let bad = sqlx::query("UPDATE guild_settings SET shared_language = 'nn' WHERE guild_id = ?")
        .bind(GUILD as i64)
        .execute(db.sqlite_pool())
        .await;
    assert!(bad.is_err(), "an unknown language is refused");
}

contract! {
/// Every setting is stored and read back as it was, per server; what reminders were planned
/// with is remembered per server; the servers with settings are listed.
async fn settings_round_trip(db: Db) {
    assert_eq!(storage::load_settings(&db, GUILD).await.unwrap(), None);
    assert_eq!(storage::configured_guilds(&db).await.unwrap(), Vec::<u64>::new());
    let mut s = GuildSettings::new(GUILD);
    storage::save_settings(&db, &s).await.unwrap();
    assert_eq!(
        storage::load_settings(&db, GUILD).await.unwrap(),
        Some(s.clone())
    );

    s.roles = RoleIds {
        manager: None,
        hr: Some(u64::MAX),
        union_rep: Some(11),
        approver: Some(12),
        payroll: Some(13),
    };
    s.case_channel = Some(21);
    s.hr_channel = Some(22);
    s.onboarding_channel = Some(23);
    s.time_zone = "Europe/Oslo".into();
    s.docs = BTreeMap::from([
        (
            "rutiner".to_owned(),
            "https://example.org/rutiner".to_owned(),
        ),
        ("webcruiter".to_owned(), "https://example.org/wc".to_owned()),
    ]);
    s.reminders = ReminderOffsets {
        days: BTreeMap::from([("onboarding_utstyr".to_owned(), -21)]),
        stall_days: Some(3),
        escalate_days: Some(4),
        remind_at: NaiveTime::from_hms_opt(7, 30, 0),
        digest_cron: Some("0 0 8 * * Mon-Fri".into()),
    };
    s.retention_months = Some(6);
    s.language = flow::Lang::En;
    s.notifications = NotificationLevel::DigestOnly;
    storage::save_settings(&db, &s).await.unwrap();
    assert_eq!(storage::load_settings(&db, GUILD).await.unwrap(), Some(s));
    assert_eq!(
        storage::load_settings(&db, OTHER_GUILD).await.unwrap(),
        None
    );

    assert_eq!(storage::reminders_planned_with(&db, GUILD).await.unwrap(), None);
    storage::set_reminders_planned_with(&db, GUILD, "v1").await.unwrap();
    storage::set_reminders_planned_with(&db, OTHER_GUILD, "v9").await.unwrap();
    assert_eq!(
        storage::reminders_planned_with(&db, GUILD).await.unwrap().as_deref(),
        Some("v1")
    );
    assert_eq!(
        storage::reminders_planned_with(&db, OTHER_GUILD).await.unwrap(),
        None,
        "a server without settings keeps nothing"
    );
    storage::save_settings(&db, &GuildSettings::new(OTHER_GUILD)).await.unwrap();
    assert_eq!(
        storage::configured_guilds(&db).await.unwrap(),
        vec![OTHER_GUILD, GUILD]
    );
}
}

#[tokio::test]
async fn cards_threads_and_checklists_round_trip() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;

    assert_eq!(storage::card(&db, GUILD, case.id).await.unwrap(), None);
    let card = CaseCard {
        channel: 1,
        thread: Some(2),
        message: 3,
    };
    storage::set_card(&db, GUILD, case.id, card).await.unwrap();
    assert_eq!(
        storage::card(&db, GUILD, case.id).await.unwrap(),
        Some(card)
    );
    let moved = CaseCard {
        channel: 1,
        thread: None,
        message: u64::MAX,
    };
    storage::set_card(&db, GUILD, case.id, moved).await.unwrap();
    assert_eq!(
        storage::card(&db, GUILD, case.id).await.unwrap(),
        Some(moved)
    );
    assert_eq!(
        storage::card(&db, OTHER_GUILD, case.id).await.unwrap(),
        None
    );
    assert!(matches!(
        storage::set_card(&db, OTHER_GUILD, case.id, card).await,
        Err(StorageError::NotFound)
    ));

    storage::set_case_thread(&db, GUILD, case.id, 777)
        .await
        .unwrap();
    assert_eq!(
        storage::case_by_thread(&db, GUILD, 777).await.unwrap(),
        Some(case.id)
    );
    assert_eq!(
        storage::case_by_thread(&db, OTHER_GUILD, 777)
            .await
            .unwrap(),
        None
    );

    let step = StepId::new("tilbud");
    let list = storage::save_checklist(
        &db,
        GUILD,
        case.id,
        &step,
        50,
        51,
        &["pc", "nokkel", "velkomst"],
        base(),
    )
    .await
    .unwrap();
    assert_eq!(list.items.len(), 3);
    assert!(list.items.iter().all(|i| i.ticked.is_none()));
    let ticked = storage::tick_item(&db, GUILD, 51, "nokkel", &owner(), at(2))
        .await
        .unwrap();
    assert_eq!(ticked.items[1].ticked, Some((owner(), at(2))));
    // A second tick keeps the first.
    let again = storage::tick_item(&db, GUILD, 51, "nokkel", &hr().person, at(3))
        .await
        .unwrap();
    assert_eq!(again.items[1].ticked, Some((owner(), at(2))));
    assert!(matches!(
        storage::tick_item(&db, GUILD, 51, "finnes-ikke", &owner(), at(3)).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage::tick_item(&db, OTHER_GUILD, 51, "pc", &owner(), at(3)).await,
        Err(StorageError::NotFound)
    ));
    // Posted anew with a changed list: ticks of kept items stay, dropped items go.
    let reposted = storage::save_checklist(
        &db,
        GUILD,
        case.id,
        &step,
        50,
        60,
        &["nokkel", "pc"],
        base(),
    )
    .await
    .unwrap();
    assert_eq!(reposted.message, 60);
    assert_eq!(
        reposted
            .items
            .iter()
            .map(|i| i.item.as_str())
            .collect::<Vec<_>>(),
        ["nokkel", "pc"]
    );
    assert_eq!(reposted.items[0].ticked, Some((owner(), at(2))));
    assert_eq!(
        storage::checklist(&db, GUILD, 60).await.unwrap(),
        Some(reposted.clone())
    );
    assert_eq!(storage::checklist(&db, GUILD, 51).await.unwrap(), None);
    assert_eq!(
        storage::checklist_for_step(&db, GUILD, case.id, &step)
            .await
            .unwrap(),
        Some(reposted)
    );
    let unticked = storage::untick_item(&db, GUILD, 60, "nokkel")
        .await
        .unwrap();
    assert!(unticked.items.iter().all(|i| i.ticked.is_none()));
}

#[tokio::test]
async fn pending_actions_overview_and_autocomplete() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let a = open_case(&db, &p, GUILD).await;
    let b = open_case(&db, &p, GUILD).await;
    let _elsewhere = open_case(&db, &p, OTHER_GUILD).await;
    // b moves on to the union gate, where the owner confirms first.
    for _ in 0..3 {
        step_case(&db, &p, GUILD, b.id).await.unwrap();
    }
    let owner_steps = [
        StepId::new("behov"),
        StepId::new("frist"),
        StepId::new("drofting"),
    ];
    let mine = storage::pending_for(&db, GUILD, owner().id, &[], &owner_steps)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!((mine[0].case, mine[0].step.as_str()), (a.id, "behov"));
    assert_eq!(mine[0].since, base());
    // Someone else's case is not mine by ownership.
    let other = storage::pending_for(&db, GUILD, PersonId(9), &[], &owner_steps)
        .await
        .unwrap();
    assert!(other.is_empty());
    // The union rep may do `drofting` on every case and has not confirmed b yet.
    let rep = storage::pending_for(
        &db,
        GUILD,
        union_rep().person.id,
        &[StepId::new("drofting")],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(rep.iter().map(|x| x.case).collect::<Vec<_>>(), vec![b.id]);

    // HR's overview: a's first step is overdue once its stall reminder is due.
    let stalled_due = storage::reminders_for_case(&db, GUILD, a.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind == flow::ReminderKind::Stalled)
        .expect("a stall reminder")
        .due;
    let before = storage::hr_overview(&db, GUILD, stalled_due - Duration::seconds(1), 10, 0)
        .await
        .unwrap();
    assert_eq!(before.total, 2);
    assert!(before.cases.iter().all(|c| !c.overdue));
    assert_eq!(
        before.cases[0].id, a.id,
        "oldest first when nothing is overdue"
    );
    // Both cases' open steps opened on the same Oslo day, so both stall at once; ties go by age, then id.
    let now = stalled_due;
    let over = storage::hr_overview(&db, GUILD, now, 10, 0).await.unwrap();
    assert!(over.cases.iter().all(|c| c.overdue));
    let first = &over.cases[0];
    assert_eq!(first.id, a.id);
    assert!(first.overdue && first.steps[0].overdue);
    assert_eq!(first.steps[0].step.as_str(), "behov");
    assert_eq!(first.owner, owner());
    let page2 = storage::hr_overview(&db, GUILD, now, 1, 1).await.unwrap();
    assert_eq!(page2.cases.len(), 1);
    assert_eq!(page2.cases[0].id, b.id);
    assert_eq!(page2.cases[0].steps[0].step.as_str(), "drofting");

    let titles = storage::open_case_titles(&db, GUILD, "lær", 10)
        .await
        .unwrap();
    assert_eq!(
        titles.iter().map(|t| t.0).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    assert!(storage::open_case_titles(&db, GUILD, "%", 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        storage::open_case_titles(&db, GUILD, "", 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn backup_is_a_consistent_copy_and_never_overwrites() {
    let (dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let applied = step_case(&db, &p, GUILD, case.id).await.unwrap();
    let target = dir.path().join("backup.db");
    storage::backup(&db, &target).await.unwrap();
    assert!(matches!(
        storage::backup(&db, &target).await,
        Err(StorageError::BackupExists(_))
    ));
    let copy = storage::Db::open(target.to_str().unwrap()).await.unwrap();
    assert_eq!(
        storage::load_case(&copy, GUILD, case.id).await.unwrap(),
        Some(applied.case)
    );
}
