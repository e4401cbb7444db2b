//! Issue 14: 10,000 reminders fall due at once on a bot run by three `los run` processes on one
//! PostgreSQL database, and one of them is SIGKILLed in the middle of sending (about half were
//! shown, and it held claimed reminders). Every reminder is shown exactly once (each reminder
//! message carries a "remind me tomorrow" button naming its reminder, counted as the benchmark
//! counts them), none is lost (every one marked sent, and shown, no message left open), Discord
//! never answered 429 and no window of its global limit saw more than 50 requests, and all three
//! processes sent.
//!
//! The workload is the benchmark's part 2: 9,800 fresh cases whose managers (1,000 of them) are
//! nudged by DM, 200 cases at the approval whose approver is nudged in the case thread; seeded
//! through `storage::Import`, then moved to fall due a few seconds after the three processes
//! have started.
//!
//! How long it takes against what Discord's limits allow is a benchmark's figure, not this
//! test's (these machines are shared and noisy); the test prints it (`burst: ...`). Seen on 2
//! CPUs with the test's debug `los`: the last reminder shown 72 s after they fell due, against
//! an ideal of 67 s for the 3,386 requests made: ×1.08 (the issue asks for ×1.10). The three
//! processes draw places of Discord's global limit from one sequence in the database
//! (`los::pace::shared`, 48 a second for the whole bot), so the kill costs only the places the
//! dead one held and the wait for its claims, which are taken over when its registration (10 s)
//! ends, not after their 5-minute lease. Before the places (each process paced at its share,
//! floor(50 / 3)) it was ×1.24 to ×1.30.
//! The whole test takes three to four minutes, seeding 70 to 100 s of it.

#![cfg(unix)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use flow::{CaseText, NewCase, PersonId, PersonRef};
use los::custom_id::{ComponentId, Verb};
use los::harness::{cast, world};
use sandbox::{Member, Sandbox};
use sqlx::{Connection, PgPool};
use storage::{CaseCard, Db};
use tokio::process::Child;

use crate::operations::{read, settings, stop, MESSAGES};
use crate::postgres::{database, spawn};

/// Reminders due at once.
const REMINDERS: u32 = 10_000;
/// Of them, nudges to the approver in a case thread; the rest go to managers by DM.
const THREADS: u32 = 200;
/// Managers nudged by DM.
const MANAGERS: u64 = 1_000;
const FIRST_MANAGER: u64 = 30_000;
const LEASE_SECONDS: u64 = 8;
/// From moving the reminders to their falling due: time for the three processes to start and
/// register, and for the last to have waited its newcomer's grace (checked below).
const LEAD: Duration = Duration::from_secs(20);

fn thread_of(case: i64) -> u64 {
    3_000_000_000_000_000 + case as u64
}

fn card_of(case: i64) -> u64 {
    4_000_000_000_000_000 + case as u64
}

/// Concurrent imports the cases are seeded in (the pool has eight connections).
const SEEDERS: u32 = 4;

/// The benchmark's part 2 in `db`: `REMINDERS - THREADS` fresh cases of the managers, and
/// `THREADS` brought to the approval, all opened now, each with its thread and card; every
/// opening and change already announced, today's and tomorrow's digests sent, the reminders
/// planned with these settings (nothing is replanned on start). Answers the case threads.
async fn seed(db: &Db, pool: &PgPool, guild: u64) -> Vec<u64> {
    let settings = settings(guild);
    storage::save_settings(db, &settings).await.unwrap();
    let (process, _) = los::prompts::load().unwrap();
    let plan = los::guild::reminder_settings(&settings);
    let now = Utc::now();
    let each = REMINDERS.div_ceil(SEEDERS);
    let parts = (0..SEEDERS).map(|k| {
        let cases = k * each..((k + 1) * each).min(REMINDERS);
        seed_cases(db, &process, &plan, guild, now, cases)
    });
    let threads = futures::future::join_all(parts).await.concat();
    let planned_with = los::jobs::replan::fingerprint(&settings);
    storage::set_reminders_planned_with(db, guild, &planned_with)
        .await
        .unwrap();
    let today = flow::engine::oslo_today(now);
    for day in [today, today.succ_opt().unwrap()] {
        storage::record_digest(db, guild, day, 0, now)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE announcements SET done_at = created_at WHERE done_at IS NULL")
        .execute(pool)
        .await
        .unwrap();
    threads
}

/// Writes (a case made, a change saved) per import: each is a savepoint in the import's
/// transaction, and PostgreSQL slows down for everyone once one transaction has more than 64.
const WRITES_PER_IMPORT: usize = 48;

/// Cases number `cases` of [`seed`], in imports of at most [`WRITES_PER_IMPORT`] writes: those
/// from `REMINDERS - THREADS` on are brought to the approval. Answers their threads.
async fn seed_cases(
    db: &Db,
    process: &flow::Process,
    plan: &flow::ReminderSettings,
    guild: u64,
    now: DateTime<Utc>,
    cases: std::ops::Range<u32>,
) -> Vec<u64> {
    let by_dm = REMINDERS - THREADS;
    let owner = |i: u32| FIRST_MANAGER + u64::from(i) * MANAGERS / u64::from(by_dm);
    // A case at the approval has the manager of another case, spread as in the benchmark.
    let nudged = |i: u32| {
        if i < by_dm {
            i
        } else {
            (i - by_dm) * 7 % by_dm
        }
    };
    let mut threads = Vec::new();
    let mut tx = db.import().await.unwrap();
    let mut writes = 0;
    for i in cases {
        if writes >= WRITES_PER_IMPORT {
            tx.commit().await.unwrap();
            tx = db.import().await.unwrap();
            writes = 0;
        }
        let who = PersonRef {
            id: PersonId(owner(nudged(i))),
            name: "Leder".into(),
        };
        let draft = NewCase {
            title: CaseText::parse(&format!("Sak {i}")).unwrap(),
            unit: CaseText::parse("Bydel Frogner").unwrap(),
            note: None,
        };
        let mut case = tx
            .create_case(
                guild,
                |id| flow::start(process, id, draft, who, now),
                |case| flow::plan_reminders(process, case, plan),
            )
            .await
            .unwrap();
        writes += 1;
        let thread = thread_of(case.id.0);
        tx.set_case_thread(guild, case.id, thread).await.unwrap();
        let card = CaseCard {
            channel: cast::CASES,
            thread: Some(thread),
            message: card_of(case.id.0),
        };
        tx.set_card(guild, case.id, card).await.unwrap();
        if i >= by_dm {
            for (actor, action) in los::harness::to_approval(&case) {
                let applied = flow::apply(process, &case, &actor, &action, now)
                    .unwrap_or_else(|e| panic!("{action:?}: {e:?}"));
                let wanted = flow::plan_reminders(process, &applied.case, plan);
                tx.save_applied(guild, case.version, &applied, &wanted)
                    .await
                    .unwrap();
                writes += 1;
                case = applied.case;
            }
            threads.push(thread);
        }
    }
    tx.commit().await.unwrap();
    threads
}

/// Moves every reminder due at the first nudge (one per case) to fall due `lead` from now, by
/// the database's clock. Answers their ids and that instant.
async fn fall_due(pool: &PgPool, lead: Duration) -> (HashSet<i64>, DateTime<Utc>) {
    let rows: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(
        "UPDATE reminders SET due_at = now() + make_interval(secs => $1),
                next_attempt_at = now() + make_interval(secs => $1)
         WHERE state = 'pending' AND due_at <= (SELECT MIN(due_at) FROM reminders
                                                WHERE state = 'pending' AND kind = 'stalled')
         RETURNING id, due_at",
    )
    .bind(lead.as_secs_f64())
    .fetch_all(pool)
    .await
    .unwrap();
    let due = rows.first().expect("reminders to move").1;
    (rows.into_iter().map(|(id, _)| id).collect(), due)
}

/// How many times each reminder was shown: the reminders named by the "remind me tomorrow"
/// buttons of the messages in the managers' DMs, the case threads and the server's channels.
fn shown(sb: &Sandbox, threads: &[u64]) -> HashMap<i64, usize> {
    let dms = (0..MANAGERS).flat_map(|i| sb.dms(FIRST_MANAGER + i));
    let channels = [cast::CASES, cast::HR_CHANNEL, cast::ONBOARDING];
    let elsewhere = threads
        .iter()
        .chain(&channels)
        .flat_map(|c| sb.messages(*c));
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for m in dms.chain(elsewhere) {
        let rows = m["components"].as_array().cloned().unwrap_or_default();
        for c in rows
            .iter()
            .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        {
            if let Some(ComponentId::Press {
                verb: Verb::Snooze(id),
                ..
            }) = c["custom_id"].as_str().and_then(ComponentId::parse)
            {
                *seen.entry(id).or_default() += 1;
            }
        }
    }
    seen
}

/// Waits on the sandbox until `want` distinct reminders have been shown; answers when the
/// request that completed them was recorded (to the time one count of the sandbox takes), and
/// the count. Each round waits for as many more message requests as the missing reminders
/// need at the least (`PER_MESSAGE` to a message), so it never waits for one that need not
/// come; a reminder that never comes fails the wait after the sandbox's answer timeout.
async fn until_shown(
    sb: &Sandbox,
    threads: &[u64],
    want: usize,
    logs: impl Fn() -> String,
) -> (Instant, HashMap<i64, usize>) {
    let mut requests = 0;
    let mut at = Instant::now();
    loop {
        let seen = shown(sb, threads);
        let missing = want.saturating_sub(seen.len());
        if missing == 0 {
            return (at, seen);
        }
        requests += missing.div_ceil(los::jobs::batch::PER_MESSAGE);
        sb.wait_for_requests_on(MESSAGES, requests)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{e:#}: {} of {want} reminders shown\n{}",
                    seen.len(),
                    logs()
                )
            });
        at = Instant::now();
    }
}

/// The reminders claimed and not yet sent, by process (its `-pid-` in the owner's name).
async fn claimed_by(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT claim_owner, COUNT(*) FROM reminders WHERE state = 'claimed'
         GROUP BY claim_owner ORDER BY COUNT(*) DESC",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The last part of a log.
fn tail(text: &str) -> &str {
    let from = text.len().saturating_sub(4_000);
    let from = (from..text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    &text[from..]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(los_postgres),
    ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
)]
async fn ten_thousand_reminders_due_at_once_on_three_processes_one_killed_are_each_shown_once() {
    let url = database("burst").await;
    let mut w = world();
    for i in 0..MANAGERS {
        w = w.member(Member::new(FIRST_MANAGER + i, &format!("Leder {i}")));
    }
    // Every wait on the sandbox below may have to outlast a dead process's claim lease.
    let lease = storage::CLAIM_LEASE.to_std().unwrap();
    w.config.answer_timeout = lease + los::jobs::MAX_SLEEP + Duration::from_secs(60);
    let guild = w.guild_id;
    let db = Db::open_postgres(&url).await.unwrap();
    let pool = db.postgres_pool().expect("PostgreSQL").clone();
    let seeding = Instant::now();
    let threads = seed(&db, &pool, guild).await;
    let seeded_in = seeding.elapsed();
    let sb = Sandbox::start(w).await.unwrap();
    for t in &threads {
        sb.add_thread(cast::CASES, *t, "sak");
    }
    let dir = tempfile::tempdir().unwrap();
    let names = ["a.log", "b.log", "c.log"];
    let logs = || {
        names
            .iter()
            .map(|n| format!("--- {n}\n{}", tail(&read(dir.path(), n))))
            .collect::<Vec<_>>()
            .join("\n")
    };

    // The reminders fall due LEAD from now; the processes start, each sleeps until then.
    let (due_ids, due_at) = fall_due(&pool, LEAD).await;
    let due = Instant::now() + (due_at - Utc::now()).to_std().unwrap_or_default();
    assert_eq!(
        due_ids.len(),
        REMINDERS as usize,
        "one reminder due per case"
    );
    let mut children: Vec<Child> = names
        .iter()
        .map(|n| spawn(&sb, dir.path(), &url, n, LEASE_SECONDS, &[]))
        .collect();
    sb.wait_for_requests_on("GET /gateway/bot", 3)
        .await
        .unwrap_or_else(|e| panic!("{e:#}\n{}", logs()));
    // About half are shown: the process holding the most claims is SIGKILLed, mid-sending.
    let (half_at, half) = until_shown(&sb, &threads, due_ids.len() / 2, logs).await;
    let half_requests = sb.ideal().requests;
    let claims = claimed_by(&pool).await;
    let (victim, held) = claims
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("nobody holds claims at half-way (none is sending)"));
    let k = children
        .iter()
        .position(|c| {
            c.id()
                .is_some_and(|pid| victim.contains(&format!("-{pid}-")))
        })
        .unwrap_or_else(|| panic!("{victim} is none of ours"));
    let mut killed = children.remove(k);
    let killed_log = names[k];
    let survivors: Vec<&str> = names.iter().copied().filter(|n| *n != killed_log).collect();
    killed.start_kill().unwrap();
    killed.wait().await.unwrap();
    let killed_at = Instant::now();
    let open_rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM reminder_outbox WHERE done_at IS NULL AND claim_owner = $1",
    )
    .bind(&victim)
    .fetch_one(&pool)
    .await
    .unwrap();

    // Every reminder is shown; the survivors stop gracefully, each finishing the pass it is in
    // (a message sent is marked sent before the process ends): then every one is marked sent.
    let (last_shown, seen) = until_shown(&sb, &threads, due_ids.len(), logs).await;
    for (child, log) in children.iter_mut().zip(&survivors) {
        let (status, _) = stop(child, dir.path(), log).await;
        assert_eq!(status.code(), Some(0), "{}", read(dir.path(), log));
        assert!(!read(dir.path(), log).contains("panicked"), "{}", logs());
    }
    let open: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reminder_outbox WHERE done_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    let by_process: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT claim_owner, COUNT(*), SUM(jsonb_array_length(reminder_ids))::bigint
         FROM reminder_outbox WHERE outcome = 'sent' GROUP BY claim_owner ORDER BY claim_owner",
    )
    .fetch_all(&pool)
    .await
    .unwrap();

    let ideal = sb.ideal();
    let elapsed = last_shown.saturating_duration_since(due);
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    let shown_ids: HashSet<i64> = seen.keys().copied().collect();
    let sent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reminders WHERE id = ANY($1) AND state = 'sent'")
            .bind(due_ids.iter().copied().collect::<Vec<_>>())
            .fetch_one(&pool)
            .await
            .unwrap();
    let too_many = sb.too_many_requests();
    eprintln!(
        "burst: seeded {REMINDERS} cases in {seeded_in:.1?}; {} shown at half-way after {:.1?} \
         ({half_requests} requests); killed {victim} ({held} claimed, {open_rows} open rows) \
         {:.1?} after due; \
         last shown after {elapsed:.1?}; ideal {:?} for {} \
         requests ({} messages); ×{:.3}; {too_many} 429s; most in a global window {}; \
         sent by process (rows, reminders): {by_process:?}",
        half.len(),
        half_at.saturating_duration_since(due),
        killed_at.saturating_duration_since(due),
        ideal.time,
        ideal.requests,
        ideal.messages,
        elapsed.as_secs_f64() / ideal.time.as_secs_f64().max(f64::EPSILON),
        sb.most_in_a_global_window(),
    );

    // The figures are in: the database (10,000 cases) goes before anything is asserted.
    db.close().await;
    let admin = std::env::var("LOS_TEST_POSTGRES").expect("LOS_TEST_POSTGRES names a server");
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    let name = url.rsplit('/').next().unwrap_or_default();
    sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    assert_eq!(duplicates, 0, "reminders shown more than once");
    let mut lost: Vec<_> = due_ids.difference(&shown_ids).collect();
    let mut strays: Vec<_> = shown_ids.difference(&due_ids).collect();
    lost.sort();
    strays.sort();
    assert!(lost.is_empty(), "never shown: {lost:?}");
    assert!(strays.is_empty(), "shown, though not due: {strays:?}");
    assert_eq!(sent, i64::from(REMINDERS), "every reminder marked sent");
    assert_eq!(open, 0, "no message left open");
    assert_eq!(too_many, 0, "429s");
    assert!(sb.most_in_a_global_window() <= 50);
    assert_eq!(by_process.len(), 3, "all three sent: {by_process:?}");
    sb.assert_no_failures();
}
