//! Parts 2 and 3: the bot's own reminder loop (`los::jobs`), on a clock that runs with
//! the wall clock but shifted, so reminders planned days ahead fall due a moment after the bot
//! started; the loop sleeps, wakes and sends exactly as in production.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use flow::{PersonId, PersonRef};
use los::custom_id::{ComponentId, Verb};
use los::harness::cast;
use sandbox::{Member, Sandbox, World};
use storage::Db;

use crate::fleet::{self, Setup};
use crate::seed::{self, Imports};
use crate::store::{self, Home, Store};

/// The wall clock, shifted by a number of microseconds that can change.
#[derive(Clone, Default)]
struct ShiftedClock(Arc<AtomicI64>);

impl ShiftedClock {
    fn set(&self, shift: chrono::Duration) {
        let micros = shift.num_microseconds().unwrap_or(i64::MAX);
        self.0.store(micros, Ordering::SeqCst);
    }
}

impl flow::Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::microseconds(self.0.load(Ordering::SeqCst))
    }
}

/// How long after the bot is set going the reminders fall due.
const LEAD: Duration = Duration::from_millis(1500);

/// The first reminder of `kind` in the database: when it is due, as an instant and as the
/// SQLite codec writes it (to compare with `due_at` on either backend).
pub(crate) async fn first_due(
    store: &Store,
    kind: &str,
) -> anyhow::Result<(DateTime<Utc>, String)> {
    let db = store.open().await?;
    let min = store::time_text(&db, "MIN(due_at)");
    let sql = format!("SELECT {min} FROM reminders WHERE state = 'pending' AND kind = '{kind}'");
    let due: Option<String> = store::scalar(&db, &sql).await?;
    db.close().await;
    let due = due.context("no reminder is planned")?;
    Ok((DateTime::parse_from_rfc3339(&due)?.with_timezone(&Utc), due))
}

/// Running bots (`setup.processes` of them, on one clock) whose first pass of the reminder
/// loop (start-up replanning included) is over an hour before `due`, each registered among the
/// live processes; then their clock is moved to reach `due` [`LEAD`]
/// from now, and their loops told. Answers the bots and the instant `due` is reached.
pub(crate) async fn bots_at(
    sb: &Sandbox,
    store: &Store,
    setup: Setup,
    due: DateTime<Utc>,
) -> anyhow::Result<(Vec<los::app::Running>, Instant)> {
    let clock = ShiftedClock::default();
    clock.set(due - chrono::Duration::hours(1) - Utc::now());
    let bots = fleet::start(sb, store, setup.processes, Arc::new(clock.clone())).await?;
    for bot in &bots {
        bot.reminders.kick().await?;
    }
    let lead = chrono::Duration::from_std(LEAD)?;
    clock.set(due - (Utc::now() + lead));
    let due_at = Instant::now() + LEAD;
    for bot in &bots {
        bot.data.reminders_changed.notify_one();
    }
    Ok((bots, due_at))
}

/// Part 3: one case, its first reminder (a nudge to the manager by DM) due at T; how long
/// after T the message is in the sandbox. Each sample on a fresh bot and database.
pub async fn punctuality(dir: &Path, samples: usize) -> anyhow::Result<Vec<Duration>> {
    let mut late = Vec::new();
    for k in 0..samples {
        let path = dir.join(format!("punctual-{k}.db"));
        let store = Store::Sqlite(path.clone());
        let world = los::harness::world();
        seed::database(&store, world.guild_id, 1, 0).await?;
        let (due, _) = first_due(&store, "stalled").await?;
        let sb = Sandbox::start(world).await?;
        let (bots, due_at) = bots_at(&sb, &store, Setup::SQLITE, due).await?;
        let arrived = loop {
            if !sb.dms(cast::LEDER).is_empty() {
                break Instant::now();
            }
            if due_at.elapsed() > Duration::from_secs(60) {
                anyhow::bail!("the reminder did not arrive within a minute of falling due");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        late.push(arrived.saturating_duration_since(due_at));
        fleet::stop(bots).await;
        let _ = std::fs::remove_file(&path);
    }
    Ok(late)
}

/// What part 2 measured.
pub struct Dispatch {
    pub setup: Setup,
    pub reminders: i64,
    pub dms: usize,
    pub channels: usize,
    /// From the instant they fell due to the last one being sent.
    pub elapsed: Duration,
    /// What Discord's limits allow for the requests the bot made.
    pub ideal: Duration,
    pub requests: usize,
    pub messages: usize,
    /// The fewest messages that could carry them all, where the run knows it (the journeys:
    /// each person's items due together, [`los::render::journey::REMINDERS_PER_MESSAGE`] to a
    /// message); the ideal is then for those and the DM channels opened, not for what was sent.
    pub needed: Option<usize>,
    pub too_many: usize,
    pub duplicates: usize,
    /// All sent before the time limit.
    pub finished: bool,
    /// Marked sent in the database, and shown in the sandbox (distinct reminders).
    pub sent: i64,
    pub shown: usize,
    /// Reminders sent by each process, most first (PostgreSQL: from the outbox's rows).
    pub by_process: Vec<i64>,
}

/// How sending went, as the database saw it.
pub(crate) struct Delivered {
    pub finished: bool,
    pub elapsed: Duration,
    pub sent: i64,
    pub by_process: Vec<i64>,
}

/// Starts the bots of `setup` on `store` with the reminders falling due (`due`, stored as
/// `stored`) just after, and waits until every one of them has been sent, or `limit` after.
pub(crate) async fn deliver(
    sb: &Sandbox,
    store: &Store,
    setup: Setup,
    (due, stored): (DateTime<Utc>, &str),
    limit: Duration,
) -> anyhow::Result<Delivered> {
    let (bots, due_at) = bots_at(sb, store, setup, due).await?;
    let watcher = store.open().await?;
    let finished = loop {
        let open = count(
            &watcher,
            &format!("state IN ('pending', 'claimed') AND due_at <= '{stored}'"),
        )
        .await?;
        if open == 0 {
            break true;
        }
        if due_at.elapsed() > limit {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let elapsed = due_at.elapsed();
    let sent = count(
        &watcher,
        &format!("state = 'sent' AND due_at <= '{stored}'"),
    )
    .await?;
    let by_process = if watcher.is_postgres() {
        let sql = "SELECT SUM(jsonb_array_length(reminder_ids))::bigint FROM reminder_outbox
                   WHERE outcome = 'sent' GROUP BY claim_owner ORDER BY 1 DESC";
        store::column(&watcher, sql).await?
    } else {
        Vec::new()
    };
    watcher.close().await;
    fleet::stop(bots).await;
    Ok(Delivered {
        finished,
        elapsed,
        sent,
        by_process,
    })
}

const FIRST_OWNER: u64 = 30_000;

/// Part 2's database, seeded once and copied for each run.
pub struct Base {
    store: Store,
    threads: Vec<u64>,
    dms: u64,
}

/// The sandbox's server for part 2: the cast and the managers nudged by DM.
fn world(dms: u64) -> World {
    let mut world: World = los::harness::world();
    for i in 0..dms {
        world = world.member(Member::new(FIRST_OWNER + i, &format!("Leder {i}")));
    }
    world
}

/// Part 2's database in `home`: `reminders` nudges that fall due at once, to `dms` managers by
/// DM and, for `channels` cases waiting on the approver (not a manager), in their case
/// threads. HR's digest for that morning went out before (see docs/benchmarks.md: with 10,000
/// open cases it is hundreds of messages into one channel, and the loop is shared).
pub async fn base(home: &Home, reminders: u32, dms: u64, channels: u32) -> anyhow::Result<Base> {
    let guild = world(dms).guild_id;
    let store = home.create("dispatch").await?;
    seed::database(&store, guild, 0, 0).await?;
    let by_dm = reminders.saturating_sub(channels);
    let owner = |i: u32| FIRST_OWNER + u64::from(i) * dms / u64::from(by_dm.max(1));
    let threads = seed_cases(&store, guild, by_dm, channels, owner).await?;
    let (due, _) = first_due(&store, "stalled").await?;
    let db = store.open().await?;
    storage::record_digest(&db, guild, flow::engine::oslo_today(due), 1, due).await?;
    seed::settle(db).await?;
    Ok(Base {
        store,
        threads,
        dms,
    })
}

/// Part 2 on a copy of `base` in `home`, sent by the bots of `setup`; Discord's limits.
pub async fn dispatch(
    home: &Home,
    base: &Base,
    setup: Setup,
    limit: Duration,
) -> anyhow::Result<Dispatch> {
    let store = home
        .copy(&base.store, &format!("dispatch_{}", setup.processes))
        .await?;
    let measured = dispatch_on(&store, base, setup, limit).await;
    home.remove(&store).await;
    measured
}

async fn dispatch_on(
    store: &Store,
    base: &Base,
    setup: Setup,
    limit: Duration,
) -> anyhow::Result<Dispatch> {
    let (due, stored) = first_due(store, "stalled").await?;
    let total = {
        let db = store.open().await?;
        let n = count(&db, &format!("state = 'pending' AND due_at <= '{stored}'")).await?;
        db.close().await;
        n
    };
    let sb = Sandbox::start(world(base.dms)).await?;
    for t in &base.threads {
        sb.add_thread(cast::CASES, *t, "sak");
    }
    let d = deliver(&sb, store, setup, (due, &stored), limit).await?;
    let sandbox::bench::Ideal {
        time: ideal,
        requests,
        messages,
    } = sb.ideal();
    let (duplicates, distinct) = snooze_buttons(&sb, &base.threads, base.dms);
    Ok(Dispatch {
        setup,
        reminders: total,
        dms: base.dms as usize,
        channels: base.threads.len(),
        elapsed: d.elapsed,
        ideal,
        requests,
        messages,
        needed: None,
        too_many: sb.requests().iter().filter(|r| r.status == 429).count(),
        duplicates,
        finished: d.finished,
        sent: d.sent,
        shown: distinct,
        by_process: d.by_process,
    })
}

pub(crate) async fn count(db: &Db, filter: &str) -> anyhow::Result<i64> {
    store::scalar(
        db,
        &format!("SELECT COUNT(*) FROM reminders WHERE {filter}"),
    )
    .await
}

/// Every reminder message carries a "remind me tomorrow" button naming its reminder: how many
/// reminders were shown more than once, and how many distinct ones were shown at all.
fn snooze_buttons(sb: &Sandbox, threads: &[u64], dms: u64) -> (usize, usize) {
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let dm_messages = (0..dms).flat_map(|i| sb.dms(FIRST_OWNER + i));
    let thread_messages = threads.iter().flat_map(|t| sb.messages(*t));
    for m in dm_messages.chain(thread_messages) {
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
    let duplicates = seen.values().map(|n| n - 1).sum();
    (duplicates, seen.len())
}

/// `by_dm` fresh cases (their manager is nudged by DM) and `channels` cases brought to the
/// approval (the approver is nudged in the case thread), all opened now; answers the threads.
async fn seed_cases(
    store: &Store,
    guild: u64,
    by_dm: u32,
    channels: u32,
    owner: impl Fn(u32) -> u64,
) -> anyhow::Result<Vec<u64>> {
    let db = store.open().await?;
    let (process, _) = los::prompts::load()?;
    let settings = seed::settings(guild);
    let plan_settings = los::guild::reminder_settings(&settings);
    let now = Utc::now();
    let (db_ref, process, plan, owner) = (&db, &process, &plan_settings, &owner);
    let threads = seed::in_parts(store, by_dm + channels, |part| async move {
        let mut imports = Imports::new(db_ref, store);
        let mut threads = Vec::new();
        for i in part {
            let who = PersonRef {
                id: PersonId(if i < by_dm {
                    owner(i)
                } else {
                    owner((i - by_dm) * 7 % by_dm.max(1))
                }),
                name: "Leder".into(),
            };
            let tx = imports.with_room(1).await?;
            let title = format!("Sak {i}");
            let mut case = seed::case(tx, process, plan, guild, &title, who, now).await?;
            if i >= by_dm {
                for (actor, action) in los::harness::to_approval(&case) {
                    let applied = flow::apply(process, &case, &actor, &action, now)
                        .map_err(|e| anyhow::anyhow!("{action:?}: {e:?}"))?;
                    let wanted = flow::plan_reminders(process, &applied.case, plan);
                    let tx = imports.with_room(1).await?;
                    tx.save_applied(guild, case.version, &applied, &wanted)
                        .await?;
                    case = applied.case;
                }
                threads.push(seed::thread_of(case.id.0));
            }
        }
        imports.commit().await?;
        Ok(threads)
    })
    .await?;
    seed::announced(&db).await?;
    seed::settle(db).await?;
    Ok(threads)
}
