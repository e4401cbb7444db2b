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
use sandbox::{HttpMode, Member, Sandbox, World};
use storage::Db;

use crate::seed;

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

/// The first nudge for a stalled step in the database at `path`: when it is due, as an
/// instant and as stored (to compare with `due_at`).
async fn first_due(path: &Path) -> anyhow::Result<(DateTime<Utc>, String)> {
    let db = Db::open(&path.display().to_string()).await?;
    let due: Option<String> = sqlx::query_scalar(
        "SELECT MIN(due_at) FROM reminders WHERE state = 'pending' AND kind = 'stalled'",
    )
    .fetch_one(db.sqlite_pool())
    .await?;
    db.close().await;
    let due = due.context("no reminder is planned")?;
    Ok((DateTime::parse_from_rfc3339(&due)?.with_timezone(&Utc), due))
}

/// A running bot whose first pass of the reminder loop (start-up replanning included) is
/// over an hour before `due`; then its clock is moved to reach `due` [`LEAD`] from now, and
/// the loop told. Answers the bot and the instant `due` is reached.
pub(crate) async fn bot_at(
    sb: &Sandbox,
    path: &Path,
    due: DateTime<Utc>,
) -> anyhow::Result<(los::app::Running, Instant)> {
    let clock = ShiftedClock::default();
    clock.set(due - chrono::Duration::hours(1) - Utc::now());
    let db = Db::open(&path.display().to_string()).await?;
    let data = los::app::data(db, Arc::new(clock.clone()))?;
    let guild = sb.world().guild_id;
    let bot = los::app::start(sb.http(HttpMode::Tls)?, data.clone(), Some(guild)).await?;
    bot.reminders.kick().await?;
    let lead = chrono::Duration::from_std(LEAD)?;
    clock.set(due - (Utc::now() + lead));
    let due_at = Instant::now() + LEAD;
    data.reminders_changed.notify_one();
    Ok((bot, due_at))
}

pub(crate) async fn stop(bot: los::app::Running) {
    let data = bot.data.clone();
    bot.stop().await;
    data.db.close().await;
}

/// Part 3: one case, its first reminder (a nudge to the manager by DM) due at T; how long
/// after T the message is in the sandbox. Each sample on a fresh bot and database.
pub async fn punctuality(dir: &Path, samples: usize) -> anyhow::Result<Vec<Duration>> {
    let mut late = Vec::new();
    for k in 0..samples {
        let path = dir.join(format!("punctual-{k}.db"));
        let world = los::harness::world();
        seed::database(&path, world.guild_id, 1, 0).await?;
        let (due, _) = first_due(&path).await?;
        let sb = Sandbox::start(world).await?;
        let (bot, due_at) = bot_at(&sb, &path, due).await?;
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
        stop(bot).await;
        let _ = std::fs::remove_file(&path);
    }
    Ok(late)
}

/// What part 2 measured.
pub struct Dispatch {
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
}

const FIRST_OWNER: u64 = 30_000;

/// Part 2: `reminders` nudges due at once, to `dms` managers by DM and, for `channels`
/// cases waiting on the approver (not a manager), in their case threads; Discord's limits.
pub async fn dispatch(
    dir: &Path,
    reminders: u32,
    dms: u64,
    channels: u32,
    limit: Duration,
) -> anyhow::Result<Dispatch> {
    let mut world: World = los::harness::world();
    for i in 0..dms {
        world = world.member(Member::new(FIRST_OWNER + i, &format!("Leder {i}")));
    }
    let guild = world.guild_id;
    let path = dir.join("dispatch.db");
    seed::database(&path, guild, 0, 0).await?;
    let by_dm = reminders.saturating_sub(channels);
    let owner = |i: u32| FIRST_OWNER + u64::from(i) * dms / u64::from(by_dm.max(1));
    let threads = seed_cases(&path, guild, by_dm, channels, owner).await?;
    let (due, stored) = first_due(&path).await?;
    let total: i64 = {
        let db = Db::open(&path.display().to_string()).await?;
        // HR's digest for that morning went out before (see docs/benchmarks.md: with 10,000
        // open cases it is hundreds of messages into one channel, and the loop is shared).
        let day = flow::engine::oslo_today(due);
        storage::record_digest(&db, guild, day, 1, due).await?;
        let n = count(&db, &format!("state = 'pending' AND due_at <= '{stored}'")).await?;
        db.close().await;
        n
    };
    let sb = Sandbox::start(world).await?;
    for t in &threads {
        sb.add_thread(cast::CASES, *t, "sak");
    }
    let (bot, due_at) = bot_at(&sb, &path, due).await?;
    let watcher = Db::open(&path.display().to_string()).await?;
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
    watcher.close().await;
    stop(bot).await;
    let sandbox::bench::Ideal {
        time: ideal,
        requests,
        messages,
    } = sb.ideal();
    let (duplicates, distinct) = snooze_buttons(&sb, &threads, dms);
    Ok(Dispatch {
        reminders: total,
        dms: dms as usize,
        channels: threads.len(),
        elapsed,
        ideal,
        requests,
        messages,
        needed: None,
        too_many: sb.requests().iter().filter(|r| r.status == 429).count(),
        duplicates,
        finished,
        sent,
        shown: distinct,
    })
}

pub(crate) async fn count(db: &Db, filter: &str) -> anyhow::Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM reminders WHERE {filter}");
    Ok(sqlx::query_scalar(&sql).fetch_one(db.sqlite_pool()).await?)
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
    path: &Path,
    guild: u64,
    by_dm: u32,
    channels: u32,
    owner: impl Fn(u32) -> u64,
) -> anyhow::Result<Vec<u64>> {
    let db = Db::open(&path.display().to_string()).await?;
    let (process, _) = los::prompts::load()?;
    let settings = seed::settings(guild);
    let plan_settings = los::guild::reminder_settings(&settings);
    let now = Utc::now();
    let mut threads = Vec::new();
    let mut tx = db.import().await?;
    for i in 0..by_dm + channels {
        let who = PersonRef {
            id: PersonId(if i < by_dm {
                owner(i)
            } else {
                owner((i - by_dm) * 7 % by_dm.max(1))
            }),
            name: "Leder".into(),
        };
        let mut case = seed::case(
            &mut tx,
            &process,
            &plan_settings,
            guild,
            &format!("Sak {i}"),
            who,
            now,
        )
        .await?;
        if i >= by_dm {
            for (actor, action) in los::harness::to_approval(&case) {
                let applied = flow::apply(&process, &case, &actor, &action, now)
                    .map_err(|e| anyhow::anyhow!("{action:?}: {e:?}"))?;
                let wanted = flow::plan_reminders(&process, &applied.case, &plan_settings);
                tx.save_applied(guild, case.version, &applied, &wanted)
                    .await?;
                case = applied.case;
            }
            threads.push(seed::thread_of(case.id.0));
        }
    }
    tx.commit().await?;
    // Every opening and change was announced in its thread, as the bot does it: the run
    // measures the reminders alone (as part 1 and the process tests seed).
    sqlx::query("UPDATE announcements SET done_at = created_at WHERE done_at IS NULL")
        .execute(db.sqlite_pool())
        .await?;
    seed::settle(db).await?;
    Ok(threads)
}
