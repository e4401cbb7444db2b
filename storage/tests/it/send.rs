//! Compile-time check: every function's future can be spawned (is `Send + 'static` when it owns
//! its `Db`), as the bot's command handlers need. Nothing here runs.

#![allow(dead_code)]

use chrono::Utc;
use flow::{Applied, Case, CaseId, PersonId, PersonRef, StepId};
use storage::{CaseCard, Db, GuildSettings};

fn spawnable<F: std::future::Future + Send + 'static>(_: F) {}

fn every_future_is_spawnable(db: Db, case: Case, applied: Applied, who: PersonRef) {
    let now = Utc::now();
    // Never runs: a leaked row the spawned blocks may borrow.
    let row: &'static storage::Outgoing = Box::leak(Box::new(storage::Outgoing {
        nonce: "n".into(),
        guild: 1,
        destination: storage::Destination::Nowhere,
        reminders: vec![1],
        attempts: 0,
        last_error: None,
        next_attempt_at: now,
        epoch: 1,
    }));
    let id = case.id;
    // Each call gets its own clones, moved into a spawnable block, as a handler would.
    macro_rules! check {
        ($db:ident, $case:ident, $applied:ident, $who:ident; $($call:expr;)*) => {$({
            let ($db, $case, $applied, $who) =
                ($db.clone(), $case.clone(), $applied.clone(), $who.clone());
            spawnable(async move {
                let $db = &$db;
                let _ = (&$case, &$applied, &$who);
                let _ = $call.await;
            });
        })*};
    }
    check! { db, case, applied, who;
        storage::create_case(db, 1, |_| applied.clone(), |_| Vec::new());
        storage::save_applied(db, 1, 1, &applied, &[]);
        storage::load_case(db, 1, id);
        storage::replan_reminders(db, 1, &case, &[]);
        storage::open_cases(db, 1);
        storage::set_case_thread(db, 1, id, 2);
        storage::case_by_thread(db, 1, 2);
        storage::history(db, 1, id, 10, 0);
        storage::pending_for(db, 1, PersonId(1), &[StepId::new("a")], &[]);
        storage::hr_overview(db, 1, now, 10, 0);
        storage::open_case_titles(db, 1, "x", 10);
        storage::claim_due(db, now, 10, "me");
        storage::release_stale_claims(db, now);
        storage::cancel_reminders_for_case(db, 1, id);
        storage::next_due_at(db);
        storage::reminders_for_case(db, 1, id);
        storage::cases_for_sending(db, 1, &[id]);
        storage::open_outgoing_many(db, &[], now);
        storage::set_card(db, 1, id, CaseCard { channel: 1, thread: None, message: 2 });
        storage::card(db, 1, id);
        storage::save_checklist(db, 1, id, &StepId::new("a"), 1, 2, &["x"], now);
        storage::tick_item(db, 1, 2, "x", &who, now);
        storage::untick_item(db, 1, 2, "x");
        storage::checklist(db, 1, 2);
        storage::checklist_for_step(db, 1, CaseId(1), &StepId::new("a"));
        storage::load_settings(db, 1);
        storage::save_settings(db, &GuildSettings::new(1));
        storage::purge(db, now, 12);
        storage::backup(db, std::path::Path::new("x"));
        storage::release_expired_claims(db, now, "me");
        storage::holders_gone_in(db, now, "me");
        storage::claim_outgoing(db, now, 10, "me");
        storage::resume_after_restart(db);
        storage::outgoing_due(db, None);
        storage::next_outgoing_at(db);
        storage::close_outgoing(db, row, storage::OutboxEnd::Sent, &[1], &[], &[], now);
        storage::retry_outgoing(db, row, "x", now);
        storage::requeue_outgoing(db, row, &[1], &[], "x", now, now);
        storage::record_problem(db, 1, storage::Destination::Nowhere, "x", None, "y", now);
        storage::resolve_problems(db, 1, storage::Destination::Nowhere, now);
        storage::problems_to_tell(db, now, 10);
        storage::open_problems(db, 1);
        storage::problem_places(db);
        storage::problems_noticed(db, 1, &[], now, None);
        storage::record_digest(db, 1, now.date_naive(), 1, now);
        storage::digest_done(db, 1, now.date_naive());
        storage::snooze(db, 1, now, now);
        storage::reminder_ref(db, 1);
    }
    spawnable(storage::backup_file("x", std::path::Path::new("y")));
}
