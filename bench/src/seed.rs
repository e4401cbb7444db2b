//! The databases the benchmarks run on: open cases made through the real schema and the real
//! storage functions (`create_case`, `set_card`), in large transactions because seeding is not
//! what is measured; history filled up to a given number of events with one bulk statement.

use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use flow::{Case, CaseText, NewCase, PersonId, PersonRef, Process, ReminderSettings};
use los::harness::cast;
use storage::{CaseCard, Db, GuildSettings};

/// Every benchmark member holds all four roles, so any plain button on a card is theirs.
pub const MANAGER_ROLE: u64 = 505;

/// Where case `id`'s thread and card are (the sandbox gets them when a case is first pressed).
pub fn thread_of(case: i64) -> u64 {
    3_000_000_000_000_000 + case as u64
}
pub fn card_of(case: i64) -> u64 {
    4_000_000_000_000_000 + case as u64
}

/// The server's settings, as `/oppsett` would have saved them.
pub fn settings(guild: u64) -> GuildSettings {
    let mut s = GuildSettings::new(guild);
    s.roles.manager = Some(MANAGER_ROLE);
    s.roles.hr = Some(cast::HR_ROLE);
    s.roles.union_rep = Some(cast::UNION_ROLE);
    s.roles.approver = Some(cast::APPROVER_ROLE);
    s.case_channel = Some(cast::CASES);
    s.hr_channel = Some(cast::HR_CHANNEL);
    s.onboarding_channel = Some(cast::ONBOARDING);
    s
}

/// A database at `path` with `cases` open cases (each with its thread and card) and, if more
/// than the cases made themselves, `events` history lines in all.
pub async fn database(path: &Path, guild: u64, cases: u32, events: u64) -> anyhow::Result<()> {
    let db = Db::open(&path.display().to_string()).await?;
    let settings = settings(guild);
    storage::save_settings(&db, &settings).await?;
    let (process, _) = los::prompts::load()?;
    let reminders = los::guild::reminder_settings(&settings);
    let owner = PersonRef {
        id: PersonId(cast::LEDER),
        name: "Lise Leder".into(),
    };
    let now = Utc::now();
    let mut made = 0;
    while made < cases {
        let batch = (cases - made).min(5_000);
        let mut tx = db.import().await?;
        for n in made..made + batch {
            let title = format!("Rådgiver {n}");
            case(
                &mut tx,
                &process,
                &reminders,
                guild,
                &title,
                owner.clone(),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        made += batch;
    }
    // Every case was planned with these settings by this build, as a bot that has run
    // records it: starting on this database replans nothing (a settings change would).
    let planned_with = los::jobs::replan::fingerprint(&settings);
    storage::set_reminders_planned_with(&db, guild, &planned_with).await?;
    // And every case's opening was announced in its thread, as the bot does it.
    sqlx::query("UPDATE announcements SET done_at = created_at WHERE done_at IS NULL")
        .execute(db.sqlite_pool())
        .await?;
    fill_history(&db, cases, events).await?;
    settle(db).await
}

/// Moves everything from the write-ahead log into the file and closes it, so the file alone
/// (copied, or measured) is the whole database.
pub async fn settle(db: Db) -> anyhow::Result<()> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.sqlite_pool())
        .await?;
    db.close().await;
    Ok(())
}

/// One case opened by `owner` at `now`, with its thread and card, as `/rekruttering ny` leaves it.
pub async fn case(
    import: &mut storage::Import<'_>,
    process: &Process,
    reminders: &ReminderSettings,
    guild: u64,
    title: &str,
    owner: PersonRef,
    now: DateTime<Utc>,
) -> anyhow::Result<Case> {
    let draft = NewCase {
        title: CaseText::parse(title).context("title")?,
        unit: CaseText::parse("Bydel Frogner").context("unit")?,
        note: None,
    };
    let case = import
        .create_case(
            guild,
            |id| flow::start(process, id, draft, owner, now),
            |case| flow::plan_reminders(process, case, reminders),
        )
        .await?;
    let placed = CaseCard {
        channel: cast::CASES,
        thread: Some(thread_of(case.id.0)),
        message: card_of(case.id.0),
    };
    import
        .set_case_thread(guild, case.id, thread_of(case.id.0))
        .await?;
    import.set_card(guild, case.id, placed).await?;
    Ok(case)
}

/// Adds history lines (a completed first step, by the owner) to every case until there are
/// `events` in all. The trigger that keeps each case's numbering contiguous still runs.
async fn fill_history(db: &Db, cases: u32, events: u64) -> anyhow::Result<()> {
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(db.sqlite_pool())
        .await?;
    let missing = events.saturating_sub(have as u64);
    if missing == 0 || cases == 0 {
        return Ok(());
    }
    let per_case = missing.div_ceil(u64::from(cases)) as i64;
    let mut tx = db.sqlite_pool().begin().await?;
    sqlx::query(
        "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?1),
              last(case_id, seq, version, at) AS
                (SELECT e.case_id, MAX(e.seq), c.version, c.opened_at
                 FROM events e JOIN cases c ON c.id = e.case_id GROUP BY e.case_id)
         INSERT INTO events (case_id, seq, version, at, actor_id, actor_name, kind, step)
         SELECT last.case_id, last.seq + n.k, last.version, last.at, ?2, 'Lise Leder',
                'step_completed', 'stilling_vakant'
         FROM last, n ORDER BY last.case_id, n.k",
    )
    .bind(per_case)
    .bind(cast::LEDER as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
