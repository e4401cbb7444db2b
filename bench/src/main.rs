//! `bench`: how fast and how lean los is. Drives the real bot through the sandbox on real
//! SQLite files and prints one table, also written into `docs/benchmarks.md`; every figure
//! stands next to a floor measured in the same run, and as a ratio to it.
//!
//! `cargo build --release -p los -p bench && target/release/bench` (full sizes, a few minutes)
//! `target/release/bench --smoke` (small sizes; checks correctness, never timing)
//! With `LOS_TEST_POSTGRES` naming a PostgreSQL server (an admin URL), parts 1 and 2 also run
//! on PostgreSQL, with one process and with two, each on a database of its own that the run
//! drops at its end; without it those rows are skipped, and the report says so.
//! `--only 1,4` runs only some parts (e.g. to profile the child process under load; `j` is
//! part 2's journey run alone);
//! `--out FILE` writes the table elsewhere; `--cases 1000` measures part 1 on those database
//! sizes only (comma-separated).

mod fleet;
mod floor;
mod journey;
mod pictures;
mod press;
mod reminders;
mod report;
mod scale;
mod seed;
mod store;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use fleet::Setup;
use los::harness::{cast, TempDb};
use sandbox::{Member, Sandbox, World};
use storage::Db;

use report::{Cell, Report, Scale};
use store::{Home, Store};

/// What one invocation measures.
pub struct Sizes {
    pub case_counts: Vec<u32>,
    pub concurrency: Vec<usize>,
    /// Members at once on PostgreSQL (on the largest database only).
    pub postgres_concurrency: Vec<usize>,
    pub presses: usize,
    /// History lines in the largest database.
    pub events: u64,
    /// Presses on the child process, for the memory at the end of the load.
    pub load_presses: usize,
    /// Part 2: reminders due at once, people nudged by DM, case threads.
    pub reminders: u32,
    pub dm_users: u64,
    pub channels: u32,
    /// Part 2 stops waiting after this long.
    pub dispatch_limit: Duration,
    /// Part 3: reminders timed one by one.
    pub punctual: usize,
}

const MEMBERS: u64 = 128;
/// Untimed presses before each timed run: connections opened, caches filled.
const WARM_UP: usize = 20;
const FIRST_MEMBER: u64 = 20_000;
/// The PostgreSQL rows: one process, and two on the same database.
const POSTGRES_PROCESSES: [usize; 2] = [1, 2];

#[tokio::main]
async fn main() -> ExitCode {
    // The bot's warnings (slow statements, retries) go to stderr; RUST_LOG says otherwise.
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .or_else(|| (!smoke).then(|| PathBuf::from("docs/benchmarks.md")));
    let sizes = if smoke {
        Sizes {
            case_counts: vec![200],
            concurrency: vec![1, 8],
            postgres_concurrency: vec![8],
            presses: 60,
            events: 2_000,
            load_presses: 60,
            reminders: 60,
            dm_users: 10,
            channels: 4,
            dispatch_limit: Duration::from_secs(120),
            punctual: 3,
        }
    } else {
        Sizes {
            case_counts: vec![1_000, 100_000],
            concurrency: vec![1, 16, 128],
            postgres_concurrency: vec![16, 128],
            presses: 3_000,
            events: 1_000_000,
            load_presses: 5_000,
            reminders: 10_000,
            dm_users: 1_000,
            channels: 200,
            dispatch_limit: Duration::from_secs(180),
            punctual: 20,
        }
    };
    let mut sizes = sizes;
    if let Some(counts) = args
        .iter()
        .position(|a| a == "--cases")
        .and_then(|i| args.get(i + 1))
    {
        sizes.case_counts = counts.split(',').filter_map(|n| n.parse().ok()).collect();
    }
    match run(&sizes, &args).await {
        Ok(mut report) => {
            let mut table = report.markdown();
            // Part 5: pictures and statistics (bench/src/pictures.rs).
            let (cases, renders) = if smoke { (200, 5) } else { (100_000, 100) };
            let only = args
                .iter()
                .position(|a| a == "--only")
                .and_then(|i| args.get(i + 1));
            if only.is_none_or(|o| o.contains('5')) {
                let dir =
                    std::env::temp_dir().join(format!("los-bench-pictures-{}", std::process::id()));
                let ran = match std::fs::create_dir_all(&dir) {
                    Ok(()) => pictures::run(&dir, world().guild_id, cases, renders).await,
                    Err(e) => Err(e.into()),
                };
                let _ = std::fs::remove_dir_all(&dir);
                match ran {
                    Ok((rows, problems)) => {
                        table.push_str(&pictures::markdown(&rows));
                        report.problems.extend(problems);
                    }
                    Err(e) => report
                        .problems
                        .push(format!("pictures and statistics: {e:#}")),
                }
            }
            println!("{table}");
            if let Some(path) = out {
                if let Err(e) = report::write_into(&path, &table) {
                    eprintln!("bench: could not write {}: {e:#}", path.display());
                    return ExitCode::FAILURE;
                }
                eprintln!("bench: wrote {}", path.display());
            }
            if report.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                for p in &report.problems {
                    eprintln!("bench: {p}");
                }
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The sandbox server for the benchmarks: the cast, 128 members who hold every role, and
/// limits wide enough that the thread lines after each press never wait (part 1 measures the
/// bot, not Discord's 50 requests per second).
fn world() -> World {
    let mut w = los::harness::world().role(seed::MANAGER_ROLE, "Leder");
    for i in 0..MEMBERS {
        let roles = [
            seed::MANAGER_ROLE,
            cast::HR_ROLE,
            cast::UNION_ROLE,
            cast::APPROVER_ROLE,
        ];
        w = w.member(Member::new(FIRST_MEMBER + i, &format!("Medlem {i}")).roles(&roles));
    }
    let wide = (1_000_000, Duration::from_secs(1));
    w.config.global_limit = wide.0;
    w.config.default_bucket = wide;
    w.config
        .buckets
        .insert("POST /channels/{channel_id}/messages".into(), wide);
    w.config.answer_timeout = Duration::from_secs(30);
    w
}

fn members() -> Vec<u64> {
    (FIRST_MEMBER..FIRST_MEMBER + MEMBERS).collect()
}

async fn run(sizes: &Sizes, args: &[String]) -> anyhow::Result<Report> {
    let tmp = TempDb::new("bench")?;
    let mut report = Report::new(args);
    let postgres = Home::postgres();
    let measured = measure(sizes, args, &tmp.dir, postgres.as_ref(), &mut report).await;
    if let Ok(pg) = &postgres {
        pg.remove_all().await;
    }
    measured.map(|()| report)
}

async fn measure(
    sizes: &Sizes,
    args: &[String],
    dir: &Path,
    postgres: Result<&Home, &String>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let guild = world().guild_id;
    let only: Option<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let part = |n: char| only.as_ref().is_none_or(|o| o.contains(n));
    let sqlite = Home::Dir(dir.to_owned());
    let postgres = match postgres {
        Ok(pg) => Some(pg),
        Err(why) => {
            if part('1') || part('2') {
                report.postgres_skipped = Some(why.clone());
            }
            None
        }
    };
    let largest = *sizes.case_counts.iter().max().context("no sizes")?;
    let mut templates = Vec::new();
    for &cases in sizes.case_counts.iter().filter(|_| part('1') || part('4')) {
        let events = if cases == largest { sizes.events } else { 0 };
        templates.push((cases, seed_template(&sqlite, guild, cases, events).await?));
    }
    if part('1') {
        for (cases, template) in &templates {
            let setup = (Setup::SQLITE, sizes.concurrency.as_slice());
            cells(&sqlite, template, *cases, setup, sizes, report).await?;
        }
        // PostgreSQL's rows next to SQLite's, on the largest database.
        if let Some(pg) = postgres {
            let template = seed_template(pg, guild, largest, sizes.events).await?;
            for processes in POSTGRES_PROCESSES {
                let setup = (Setup::postgres(processes), &sizes.postgres_concurrency[..]);
                cells(pg, &template, largest, setup, sizes, report).await?;
            }
        }
    }
    if part('2') {
        let mut homes = vec![(&sqlite, vec![Setup::SQLITE])];
        if let Some(pg) = postgres {
            homes.push((pg, POSTGRES_PROCESSES.map(Setup::postgres).to_vec()));
        }
        for (home, setups) in homes {
            let (r, dms, channels) = (sizes.reminders, sizes.dm_users, sizes.channels);
            let base = reminders::base(home, r, dms, channels).await?;
            for setup in setups {
                let d = reminders::dispatch(home, &base, setup, sizes.dispatch_limit).await?;
                eprintln!(
                    "bench: {}: {} reminders delivered in {:.1?} (ideal {:?}), {} 429s",
                    setup.label(),
                    d.reminders,
                    d.elapsed,
                    d.ideal,
                    d.too_many
                );
                check_dispatch(report, &d, &format!("reminders ({})", setup.label()));
                report.dispatch.push(d);
            }
        }
    }
    // `--only j`: the journeys' run of part 2 alone.
    if part('2') || part('j') {
        let j =
            journey::dispatch(dir, sizes.reminders, sizes.dm_users, sizes.dispatch_limit).await?;
        eprintln!(
            "bench: {} journey reminders delivered in {:.1?} (ideal {:?}), {} 429s",
            j.reminders, j.elapsed, j.ideal, j.too_many
        );
        check_dispatch(report, &j, "journey reminders");
        if let Some(needed) = j.needed.filter(|n| j.finished && j.messages > *n) {
            report.problems.push(format!(
                "journey reminders: {} messages where {needed} would carry them",
                j.messages
            ));
        }
        report.journeys = Some(j);
    }
    if part('3') {
        report.punctual = reminders::punctuality(dir, sizes.punctual).await?;
    }
    if part('4') {
        let (cases, template) = templates.last().context("no template")?;
        let Store::Sqlite(template) = template else {
            bail!("part 4 runs on SQLite");
        };
        report.scale = Some(scale_part(dir, template, *cases, sizes, guild, report).await?);
    }
    Ok(())
}

/// Part 1's database of `cases` cases in `home`, seeded once and copied for each cell.
async fn seed_template(home: &Home, guild: u64, cases: u32, events: u64) -> anyhow::Result<Store> {
    let store = home.create(&format!("template_{cases}")).await?;
    let t = Instant::now();
    seed::database(&store, guild, cases, events).await?;
    let on = if matches!(store, Store::Postgres { .. }) {
        " on PostgreSQL"
    } else {
        ""
    };
    eprintln!("bench: seeded {cases} cases{on} in {:.1?}", t.elapsed());
    Ok(store)
}

/// Part 2's problems (never timing): a reminder shown twice, or (when all were sent in time)
/// one not marked sent or not shown.
fn check_dispatch(report: &mut Report, d: &reminders::Dispatch, what: &str) {
    let lost = d.finished && (d.sent != d.reminders || d.shown as i64 != d.sent);
    if d.duplicates > 0 || lost {
        report.problems.push(format!(
            "{what}: {} due, {} marked sent, {} shown, {} shown twice",
            d.reminders, d.sent, d.shown, d.duplicates
        ));
    }
}

/// Part 1 on `template` for each number of members at once, each cell on a copy of its own.
async fn cells(
    home: &Home,
    template: &Store,
    cases: u32,
    (setup, concurrency): (Setup, &[usize]),
    sizes: &Sizes,
    report: &mut Report,
) -> anyhow::Result<()> {
    for &c in concurrency {
        let name = format!("cell_{cases}_{c}_{}", setup.processes);
        let store = home.copy(template, &name).await?;
        let cell = interaction_cell(&store, setup, cases, c, sizes.presses).await;
        home.remove(&store).await;
        let cell = cell?;
        eprintln!("bench: {}", cell.summary());
        report.problems.extend(cell.problems.iter().cloned());
        report.cells.push(cell);
    }
    Ok(())
}

/// `n` distinct case ids out of 1..=cases, at random.
fn pick(cases: u32, n: usize, seed: u64) -> Vec<i64> {
    let mut ids: Vec<i64> = (1..=i64::from(cases)).collect();
    let mut rng = seed | 1;
    for i in (1..ids.len()).rev() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        ids.swap(i, (rng % (i as u64 + 1)) as usize);
    }
    ids.truncate(n);
    ids
}

async fn targets_from(
    store: &Store,
    guild: u64,
    ids: &[i64],
) -> anyhow::Result<Vec<press::Target>> {
    let db = store.open().await?;
    let targets = press::targets(&db, guild, ids).await?;
    db.close().await;
    Ok(targets)
}

/// Part 1 for one database size and one number of members pressing at once: the floor, then
/// los (the processes of `setup`), each on a fresh sandbox; los on `store`, a fresh copy.
async fn interaction_cell(
    store: &Store,
    setup: Setup,
    cases: u32,
    concurrency: usize,
    presses: usize,
) -> anyhow::Result<Cell> {
    let guild = world().guild_id;
    let seed = 0x9e37_79b9_7f4a_7c15 ^ (cases as u64) ^ ((concurrency as u64) << 32);
    let ids = pick(cases, WARM_UP + presses + concurrency, seed);
    let targets = targets_from(store, guild, &ids).await?;
    let members = members();
    let mut problems = Vec::new();

    let sb = Sandbox::start(world()).await?;
    let fl = floor::Floor::start(&sb).await?;
    press::place(&sb, cast::CASES, &targets);
    let spent = &mut vec![false; targets.len()];
    press::run(&sb, &members, &targets, spent, WARM_UP, concurrency, !seed).await?;
    let floor = press::run(&sb, &members, &targets, spent, presses, concurrency, seed).await?;
    fl.stop().await;
    problems.extend(
        sb.failures()
            .iter()
            .map(|f| format!("floor: {} {}", f.route, f.reason)),
    );
    drop(sb);

    let sb = Sandbox::start(world()).await?;
    let bots = fleet::start(&sb, store, setup.processes, Arc::new(flow::SystemClock)).await?;
    sb.wait_for_commands_registered().await?;
    press::place(&sb, cast::CASES, &targets);
    let spent = &mut vec![false; targets.len()];
    let warm = press::run(&sb, &members, &targets, spent, WARM_UP, concurrency, !seed).await?;
    let los = press::run(&sb, &members, &targets, spent, presses, concurrency, seed).await?;
    let first = &bots.first().context("no bot")?.data.db;
    let stored = stored_changes(first, &ids).await?;
    let (changes, commits) = bots
        .iter()
        .map(|b| b.data.db.write_stats())
        .fold((0, 0), |(changes, commits), w| {
            (changes + w.changes, commits + w.commits)
        });
    let per_commit = changes as f64 / commits.max(1) as f64;
    let answered =
        los.latencies.len() + warm.latencies.len() - los.other_answers - warm.other_answers;
    fleet::stop(bots).await;
    let who = format!("los ({})", setup.label());
    problems.extend(
        sb.failures()
            .iter()
            .map(|f| format!("{who}: {} {}", f.route, f.reason)),
    );
    if los.unanswered + floor.unanswered > 0 {
        problems.push(format!(
            "{} presses unanswered ({who}), {} (floor)",
            los.unanswered, floor.unanswered
        ));
    }
    if los.other_answers > 0 {
        problems.push(format!(
            "{who}: {} presses were not answered with the card",
            los.other_answers
        ));
    }
    if stored != answered as i64 {
        problems.push(format!(
            "{who}: {stored} changes stored for {answered} answered presses (duplicates or losses)"
        ));
    }
    Ok(Cell {
        setup,
        cases,
        concurrency,
        los,
        floor,
        duplicates: (stored - answered as i64).max(0) as u64,
        per_commit,
        problems,
    })
}

/// Changes stored on these cases since they were seeded (each starts at version 1).
async fn stored_changes(db: &Db, ids: &[i64]) -> anyhow::Result<i64> {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(version - 1), 0) AS BIGINT) FROM cases WHERE id IN ({})",
        list.join(",")
    );
    store::scalar(db, &sql).await
}

/// Part 4: the real process on an empty database (the floor) and on the largest one.
async fn scale_part(
    dir: &Path,
    template: &Path,
    cases: u32,
    sizes: &Sizes,
    guild: u64,
    report: &mut Report,
) -> anyhow::Result<Scale> {
    let empty = dir.join("empty.db");
    seed::settle(Db::open(&empty.display().to_string()).await?).await?;
    let empty_bytes = std::fs::metadata(&empty)?.len();
    let full_bytes = std::fs::metadata(template)?.len();

    // The floor: the same binary on a database with the schema and nothing else.
    let fresh = dir.join("fresh.db");
    std::fs::copy(&empty, &fresh)?;
    let (floor_startup, floor, sb) = start_median(&fresh).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (floor_idle, _) = floor.memory()?;
    drop(floor);
    drop(sb);

    let db_path = dir.join("scale.db");
    std::fs::copy(template, &db_path)?;
    let concurrency = *sizes.concurrency.iter().max().context("no concurrency")?;
    let ids = pick(cases, sizes.load_presses + concurrency, 7);
    let targets = targets_from(&Store::Sqlite(db_path.clone()), guild, &ids).await?;
    let (startup, bot, sb) = start_median(&db_path).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle, _) = bot.memory()?;
    press::place(&sb, cast::CASES, &targets);
    eprintln!("bench: load on los run, pid {}", bot.pid());
    let spent = &mut vec![false; targets.len()];
    let load = press::run(
        &sb,
        &members(),
        &targets,
        spent,
        sizes.load_presses,
        concurrency,
        7,
    )
    .await?;
    let (after, peak) = bot.memory()?;
    if load.other_answers > 0 || load.unanswered > 0 || !sb.failures().is_empty() {
        report.problems.push(format!(
            "los run under load: {} odd answers, {} sandbox failures",
            load.other_answers,
            sb.failures().len()
        ));
    }
    let events: i64 = {
        let db = Db::open(&db_path.display().to_string()).await?;
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(db.sqlite_pool())
            .await?;
        db.close().await;
        n
    };
    if events < sizes.events as i64 {
        bail!("the database has {events} events, not {}", sizes.events);
    }
    Ok(Scale {
        cases,
        events,
        startup,
        floor_startup,
        idle,
        floor_idle,
        after_load: after,
        peak,
        load,
        bytes_per_case: full_bytes.saturating_sub(empty_bytes) as f64 / f64::from(cases.max(1)),
        empty_bytes,
        full_bytes,
    })
}

/// Starts `los run` on `db` once untimed (the binary into the page cache), then five times,
/// each on a fresh sandbox: the median start-up time, and the last process still running.
async fn start_median(db: &Path) -> anyhow::Result<(Duration, scale::Bot, Sandbox)> {
    const TIMES: usize = 5;
    let sb = Sandbox::start(world()).await?;
    drop(scale::Bot::start(&sb, db).await?);
    let mut times = Vec::new();
    loop {
        let sb = Sandbox::start(world()).await?;
        let bot = scale::Bot::start(&sb, db).await?;
        times.push(bot.startup);
        if times.len() == TIMES {
            times.sort();
            return Ok((times[TIMES / 2], bot, sb));
        }
    }
}
