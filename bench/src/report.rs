//! The one table: each figure, its floor from the same run, the ratio, the target and whether
//! it was met. Written into `docs/benchmarks.md` between two markers, so the prose around it
//! (what is measured, why a target is missed) stays as written.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::fleet::Setup;
use crate::press::Run;
use crate::reminders::Dispatch;

/// Part 1 for one database size and one number of members pressing at once.
pub struct Cell {
    pub setup: Setup,
    pub cases: u32,
    pub concurrency: usize,
    pub los: Run,
    pub floor: Run,
    pub duplicates: u64,
    /// Changes the group commit stored per commit (fsync), over the cell's presses.
    pub per_commit: f64,
    pub problems: Vec<String>,
}

/// Part 4: the real process.
pub struct Scale {
    pub cases: u32,
    pub events: i64,
    pub startup: Duration,
    pub floor_startup: Duration,
    pub idle: u64,
    pub floor_idle: u64,
    pub after_load: u64,
    pub peak: u64,
    pub load: Run,
    pub bytes_per_case: f64,
    pub empty_bytes: u64,
    pub full_bytes: u64,
}

pub struct Report {
    command: String,
    smoke: bool,
    pub cells: Vec<Cell>,
    pub scale: Option<Scale>,
    /// Part 2: SQLite's run, then PostgreSQL's.
    pub dispatch: Vec<Dispatch>,
    /// Part 2 for new hires' journey reminders.
    pub journeys: Option<Dispatch>,
    /// Part 3: how late each reminder was.
    pub punctual: Vec<Duration>,
    /// Correctness problems (never timing): the run fails if there are any.
    pub problems: Vec<String>,
    /// Why there are no PostgreSQL rows, when there are none.
    pub postgres_skipped: Option<String>,
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a / b < 0.1 {
        format!("×{:.4}", a / b)
    } else if b > 0.0 {
        format!("×{:.1}", a / b)
    } else {
        "–".into()
    }
}

fn dur_ratio(a: Duration, b: Duration) -> String {
    ratio(a.as_secs_f64(), b.as_secs_f64())
}

fn status(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**missed**"
    }
}

impl Cell {
    pub fn summary(&self) -> String {
        format!(
            "{}, {} cases, {} at once: los p50 {} p99 {} ms {:.0}/s ({:.1} changes per commit); floor p50 {} p99 {} ms {:.0}/s",
            self.setup.label(),
            self.cases,
            self.concurrency,
            ms(self.los.quantile(0.5)),
            ms(self.los.quantile(0.99)),
            self.los.per_second(),
            self.per_commit,
            ms(self.floor.quantile(0.5)),
            ms(self.floor.quantile(0.99)),
            self.floor.per_second(),
        )
    }
}

impl Report {
    pub fn new(args: &[String]) -> Report {
        Report {
            command: format!("cargo run --release -p bench -- {}", args.join(" "))
                .trim_end()
                .to_owned(),
            smoke: args.iter().any(|a| a == "--smoke"),
            cells: Vec::new(),
            scale: None,
            dispatch: Vec::new(),
            journeys: None,
            punctual: Vec::new(),
            problems: Vec::new(),
            postgres_skipped: None,
        }
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_owned())
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "Command: `{}`{}  ",
            self.command,
            if self.smoke {
                " (smoke sizes: not a measurement)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "Machine: {cores} cores ({cpu}), {}  ",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        );
        let _ = writeln!(s, "Latency: from the sandbox writing INTERACTION_CREATE to the initial response arriving. Floor: a minimal poise bot in the same program, same sandbox, fixed reply, no database.\n");
        if let Some(why) = &self.postgres_skipped {
            let _ = writeln!(s, "PostgreSQL: no rows in this run, {why}.\n");
        }
        let _ = writeln!(s, "| database | cases | members at once | los p50 ms | los p99 ms | los max ms | los presses/s | floor p50 ms | floor p99 ms | floor max ms | floor presses/s | p99 ratio | rate ratio | presses | duplicates | changes per commit |");
        let _ = writeln!(
            s,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for c in &self.cells {
            let (l, f) = (&c.los, &c.floor);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {:.0} | {} | {} | {} | {:.0} | {} | {} | {}{} | {} | {:.1} |",
                c.setup.label(),
                c.cases,
                c.concurrency,
                ms(l.quantile(0.5)),
                ms(l.quantile(0.99)),
                ms(l.quantile(1.0)),
                l.per_second(),
                ms(f.quantile(0.5)),
                ms(f.quantile(0.99)),
                ms(f.quantile(1.0)),
                f.per_second(),
                dur_ratio(l.quantile(0.99), f.quantile(0.99)),
                ratio(l.per_second(), f.per_second()),
                l.latencies.len(),
                match l.acknowledged {
                    0 => String::new(),
                    n => format!(" ({n} acknowledged, card edited)"),
                },
                c.duplicates,
                c.per_commit,
            );
        }
        if self.cells.iter().any(|c| c.setup.processes > 1) {
            let _ = writeln!(s, "\nPostgreSQL, 2 processes: two bots in this program, each with its own connections to the same database and its own gateway client; the sandbox's server is one guild on one shard, so every press lands on the process that holds that shard, while the other runs its loops (reminders, shard leases, registration) beside it.");
        }
        let _ = writeln!(s, "\n| target | los | floor | ratio | status |");
        let _ = writeln!(s, "|---|---:|---:|---:|---|");
        let sqlite = self.cells.iter().filter(|c| c.setup == Setup::SQLITE);
        if let Some(c) = sqlite.max_by_key(|c| (c.cases, c.concurrency)) {
            let p99 = c.los.quantile(0.99);
            let _ = writeln!(
                s,
                "| p99 < 2 ms, {} members at once, {} cases | {} ms | {} ms | {} | {} |",
                c.concurrency,
                c.cases,
                ms(p99),
                ms(c.floor.quantile(0.99)),
                dur_ratio(p99, c.floor.quantile(0.99)),
                status(p99 < Duration::from_millis(2))
            );
            let rate = c.los.per_second();
            let _ = writeln!(
                s,
                "| ≥ 1,000 presses/s, same cell | {rate:.0}/s | {:.0}/s | {} | {} |",
                c.floor.per_second(),
                ratio(rate, c.floor.per_second()),
                status(rate >= 1000.0)
            );
        }
        if let Some(x) = &self.scale {
            let limit = 64 * 1024 * 1024;
            let _ = writeln!(s, "| start to commands registered (median of 5), {} cases + {} events (floor: empty database) | {} ms | {} ms | {} | – |", x.cases, x.events, ms(x.startup), ms(x.floor_startup), dur_ratio(x.startup, x.floor_startup));
            let _ = writeln!(
                s,
                "| RSS at idle < 64 MiB (`los run`, VmRSS) | {} | {} | {} | {} |",
                mib(x.idle),
                mib(x.floor_idle),
                ratio(x.idle as f64, x.floor_idle as f64),
                status(x.idle < limit)
            );
            let _ = writeln!(
                s,
                "| RSS after {} presses answered ({} unanswered), {:.0}/s, p99 {} ms (peak {}) | {} | {} | {} | {} |",
                x.load.latencies.len(),
                x.load.unanswered,
                x.load.per_second(),
                ms(x.load.quantile(0.99)),
                mib(x.peak),
                mib(x.after_load),
                mib(x.floor_idle),
                ratio(x.after_load as f64, x.floor_idle as f64),
                status(x.after_load < limit && x.peak < limit)
            );
            let _ = writeln!(s, "| database bytes per case (file {} − empty schema {}) / cases | {:.0} B | – | – | – |", x.full_bytes, x.empty_bytes, x.bytes_per_case);
        }
        for d in &self.dispatch {
            let by = match d.by_process.as_slice() {
                [] | [_] if d.setup.processes == 1 => String::new(),
                sent => {
                    let each: Vec<String> = sent.iter().map(i64::to_string).collect();
                    format!("; sent by each process: {}", each.join(" + "))
                }
            };
            let what = format!("{}: {} reminders due at once ({} DMs, {} threads) delivered within 10 % of the ideal for the requests made ({} requests, {} messages{by})", d.setup.label(), d.reminders, d.dms, d.channels, d.requests, d.messages);
            dispatch_rows(&mut s, d, &what);
        }
        if let Some(d) = &self.journeys {
            let needed = d.needed.map_or(String::new(), |n| format!("; {n} needed"));
            let what = format!("{} journey reminders due at once (new hires' items, {} DMs) delivered within 10 % of the ideal for the fewest messages ({} requests, {} messages{needed})", d.reminders, d.dms, d.requests, d.messages);
            dispatch_rows(&mut s, d, &what);
        }
        if !self.punctual.is_empty() {
            let mut v = self.punctual.clone();
            v.sort();
            let q = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
            let poll = Duration::from_millis(9_900);
            let _ = writeln!(s, "| reminder due at T is in the sandbox at T + (p99 < 1 s; {} samples, p50 {} ms, max {} ms; floor: 10 s poll loop, p99 of a uniform 0–10 s wait) | {} ms | {} ms | {} | {} |", v.len(), ms(q(0.5)), ms(q(1.0)), ms(q(0.99)), ms(poll), dur_ratio(q(0.99), poll), status(q(0.99) < Duration::from_secs(1)));
        }
        s
    }
}

const BEGIN: &str = "<!-- bench:begin (written by target/release/bench) -->";
const END: &str = "<!-- bench:end -->";

/// Replaces the text between the markers in `path` (or appends them with the table).
pub fn write_into(path: &Path, table: &str) -> anyhow::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let block = format!("{BEGIN}\n{table}{END}");
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &old[..a], &old[b + END.len()..]),
        _ => format!("{old}\n{block}\n"),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, new)?;
    Ok(())
}

/// The rows of part 2 for one run: how long, 429s, duplicates, how late the last one was.
fn dispatch_rows(s: &mut String, d: &Dispatch, what: &str) {
    let secs = d.elapsed.as_secs_f64();
    let ideal = d.ideal.as_secs_f64();
    if d.finished {
        let _ = writeln!(
            s,
            "| {what} | {secs:.1} s | ideal {ideal:.0} s | {} | {} |",
            ratio(secs, ideal),
            status(secs <= ideal * 1.1)
        );
    } else {
        let rate = d.sent as f64 / secs;
        let _ = writeln!(s, "| {what} | **not finished**: {} of {} sent in {secs:.0} s ({rate:.1}/s; all ≈ {:.0} s) | ideal so far {ideal:.0} s | {} | {} |", d.sent, d.reminders, d.reminders as f64 / rate.max(1e-9), ratio(secs, ideal), status(false));
    }
    let _ = writeln!(
        s,
        "| 429s received | {} | 0 | – | {} |",
        d.too_many,
        status(d.too_many == 0)
    );
    let _ = writeln!(
        s,
        "| duplicates (reminders shown twice); sent / shown | {}; {} / {} | 0 | – | {} |",
        d.duplicates,
        d.sent,
        d.shown,
        status(d.duplicates == 0)
    );
    let last = if d.finished {
        format!("{secs:.1} s")
    } else {
        format!("> {secs:.0} s")
    };
    let _ = writeln!(s, "| how late the last reminder was | {last} | – | – | – |");
}
