//! The databases the benchmarks run on: open cases made through the real schema and the real
//! storage functions (`create_case`, `set_card`), in large imports because seeding is not what
//! is measured (on PostgreSQL, several smaller ones at once: see `Store::writes_per_import`);
//! history filled up to a given number of events with one bulk statement.

use std::future::Future;
use std::ops::Range;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use flow::{Case, CaseText, NewCase, PersonId, PersonRef, Process, ReminderSettings};
use los::harness::cast;
use storage::{CaseCard, Db, GuildSettings, Import};

use crate::store::{self, Store};

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

/// A database in `store` with `cases` open cases (each with its thread and card) and, if more
/// than the cases made themselves, `events` history lines in all.
pub async fn database(store: &Store, guild: u64, cases: u32, events: u64) -> anyhow::Result<()> {
    let db = store.open().await?;
    let settings = settings(guild);
    storage::save_settings(&db, &settings).await?;
    let (process, _) = los::prompts::load()?;
    let reminders = los::guild::reminder_settings(&settings);
    let owner = PersonRef {
        id: PersonId(cast::LEDER),
        name: "Lise Leder".into(),
    };
    let now = Utc::now();
    let (db, process, reminders) = (&db, &process, &reminders);
    in_parts(store, cases, |part| {
        let owner = owner.clone();
        async move {
            let mut imports = Imports::new(db, store);
            for n in part {
                let title = format!("Rådgiver {n}");
                let tx = imports.with_room(1).await?;
                case(tx, process, reminders, guild, &title, owner.clone(), now).await?;
            }
            imports.commit().await?;
            Ok(Vec::<()>::new())
        }
    })
    .await?;
    // Every case was planned with these settings by this build, as a bot that has run
    // records it: starting on this database replans nothing (a settings change would).
    let planned_with = los::jobs::replan::fingerprint(&settings);
    storage::set_reminders_planned_with(db, guild, &planned_with).await?;
    announced(db).await?;
    fill_history(db, cases, events).await?;
    settle(db.clone()).await
}

/// Every case's opening (and change) was announced in its thread, as the bot does it.
pub async fn announced(db: &Db) -> anyhow::Result<()> {
    store::execute(
        db,
        "UPDATE announcements SET done_at = created_at WHERE done_at IS NULL",
    )
    .await
}

/// Runs `seed` on `0..n` split into [`Store::seeders`] parts at once; answers what each part
/// answered, in order.
pub async fn in_parts<T, F, Fut>(store: &Store, n: u32, seed: F) -> anyhow::Result<Vec<T>>
where
    F: Fn(Range<u32>) -> Fut,
    Fut: Future<Output = anyhow::Result<Vec<T>>>,
{
    let each = n.div_ceil(store.seeders()).max(1);
    let parts = (0..n)
        .step_by(each as usize)
        .map(|k| seed(k..(k + each).min(n)));
    let done = futures::future::try_join_all(parts).await?;
    Ok(done.into_iter().flatten().collect())
}

/// Imports one after another, each committed once it carries [`Store::writes_per_import`].
pub struct Imports<'a> {
    db: &'a Db,
    tx: Option<Import<'a>>,
    writes: usize,
    per_import: usize,
}

impl<'a> Imports<'a> {
    pub fn new(db: &'a Db, store: &Store) -> Imports<'a> {
        Imports {
            db,
            tx: None,
            writes: 0,
            per_import: store.writes_per_import(),
        }
    }

    /// The import to make `writes` more writes in: this one, or a new one if they do not fit.
    pub async fn with_room(&mut self, writes: usize) -> anyhow::Result<&mut Import<'a>> {
        if self.writes + writes > self.per_import {
            if let Some(tx) = self.tx.take() {
                tx.commit().await?;
            }
        }
        let tx = match self.tx.take() {
            Some(tx) => tx,
            None => {
                self.writes = 0;
                self.db.import().await?
            }
        };
        self.writes += writes;
        Ok(self.tx.insert(tx))
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        if let Some(tx) = self.tx {
            tx.commit().await?;
        }
        Ok(())
    }
}

/// On SQLite, moves everything from the write-ahead log into the file, so the file alone
/// (copied, or measured) is the whole database; then closes it.
pub async fn settle(db: Db) -> anyhow::Result<()> {
    if !db.is_postgres() {
        store::execute(&db, "PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
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
/// `events` in all. The trigger that keeps each case's numbering contiguous still runs (rows in
/// order of case and number). The same statement on both backends.
async fn fill_history(db: &Db, cases: u32, events: u64) -> anyhow::Result<()> {
    let have: i64 = store::scalar(db, "SELECT COUNT(*) FROM events").await?;
    let missing = events.saturating_sub(have as u64);
    if missing == 0 || cases == 0 {
        return Ok(());
    }
    let per_case = missing.div_ceil(u64::from(cases));
    let sql = format!(
        "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {per_case}),
              last(case_id, seq, version, at) AS
                (SELECT e.case_id, MAX(e.seq), c.version, c.opened_at
                 FROM events e JOIN cases c ON c.id = e.case_id
                 GROUP BY e.case_id, c.version, c.opened_at)
         INSERT INTO events (case_id, seq, version, at, actor_id, actor_name, kind, step)
         SELECT last.case_id, last.seq + n.k, last.version, last.at, {}, 'Lise Leder',
                'step_completed', 'stilling_vakant'
         FROM last, n ORDER BY last.case_id, n.k",
        cast::LEDER
    );
    store::execute(db, &sql).await
}
