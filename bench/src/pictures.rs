//! Part 5, pictures and statistics: drawing a case's chart (p50, p99) next to drawing a blank
//! PNG of the same size, and HR's statistics over every case of a database (read, computed,
//! written as CSV) next to reading the same rows and doing nothing with them.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use flow::{CaseId, CaseText, NewCase, PersonId, PersonRef};
use los::harness::cast;
use los::i18n::Tr;
use los::render::Scope;
use storage::Db;

use crate::seed;

/// One timed figure and its floor.
pub struct Row {
    pub what: String,
    pub los: Duration,
    pub floor: Duration,
    pub floor_what: String,
}

fn quantile(times: &mut [Duration], q: f64) -> Duration {
    times.sort_unstable();
    let i = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1;
    times[i]
}

/// Runs the part: the rows, and any correctness problem found.
pub async fn run(
    dir: &Path,
    guild: u64,
    cases: u32,
    renders: usize,
) -> anyhow::Result<(Vec<Row>, Vec<String>)> {
    let mut problems = Vec::new();
    let (process, texts) = los::prompts::load()?;
    let settings = seed::settings(guild);
    let view = los::guild::view(&settings);
    let draft = NewCase {
        title: CaseText::parse("Rådgiver")?,
        unit: CaseText::parse("Bydel Frogner")?,
        note: None,
    };
    let owner = PersonRef {
        id: PersonId(cast::LEDER),
        name: "Lise Leder".into(),
    };
    let case = flow::start(&process, CaseId(1), draft, owner, Utc::now()).case;
    let words = los::render::chart::render(
        Scope::new(&process, &texts, &view),
        &case,
        Tr::of(&texts, flow::Lang::Nb),
    );
    let layout = process.layout();
    let mut chart_times = Vec::with_capacity(renders);
    let mut blank_times = Vec::with_capacity(renders);
    for _ in 0..renders {
        let t = Instant::now();
        let drawn = pictures::chart::render(layout, &words.chart)?;
        chart_times.push(t.elapsed());
        if (drawn.width, drawn.height) != (layout.width, layout.height) || drawn.png.len() < 1000 {
            problems.push(format!(
                "the chart is {}×{}, {} bytes",
                drawn.width,
                drawn.height,
                drawn.png.len()
            ));
        }
        let t = Instant::now();
        let blank = pictures::png::blank(layout.width, layout.height)?;
        blank_times.push(t.elapsed());
        std::hint::black_box(blank);
    }
    let size = format!("{}×{}", layout.width, layout.height);
    let mut rows = vec![
        Row {
            what: format!("case chart {size} PNG, p50 of {renders}"),
            los: quantile(&mut chart_times, 0.5),
            floor: quantile(&mut blank_times, 0.5),
            floor_what: format!("blank {size} PNG"),
        },
        Row {
            what: format!("case chart {size} PNG, p99 of {renders}"),
            los: quantile(&mut chart_times, 0.99),
            floor: quantile(&mut blank_times, 0.99),
            floor_what: format!("blank {size} PNG"),
        },
    ];

    // Statistics over every case of a database of `cases` cases.
    let store = crate::store::Store::Sqlite(dir.join(format!("stats-{cases}.db")));
    seed::database(&store, guild, cases, 0).await?;
    let db = store.open().await?;
    let from = Utc::now() - Days::new(400);
    let to = Utc::now() + Days::new(1);
    let t = Instant::now();
    let timelines = storage::timelines(&db, guild, from, to).await?;
    let limits = los::guild::reminder_settings(&seed::settings(guild));
    let stats = flow::stats::compute(&process, &limits, &timelines, Utc::now());
    let tr = Tr::of(&texts, flow::Lang::Nb);
    let (header, table) = los::render::stats::csv(&process, &stats, tr);
    let csv = pictures::csv::write(&header, &table)?;
    let los_time = t.elapsed();
    if stats.rows.len() != cases as usize || csv.is_empty() {
        problems.push(format!(
            "statistics counted {} of {cases} cases",
            stats.rows.len()
        ));
    }
    let t = Instant::now();
    let raw = floor_read(&db, guild, from, to).await?;
    let floor_time = t.elapsed();
    if raw.0 != cases as usize {
        problems.push(format!("the floor read {} of {cases} cases", raw.0));
    }
    rows.push(Row {
        what: format!(
            "statistics over {cases} cases ({} history lines): read, computed, CSV",
            raw.1
        ),
        los: los_time,
        floor: floor_time,
        floor_what: "reading the same rows".into(),
    });
    db.close().await;
    Ok((rows, problems))
}

/// The same two reads as `storage::timelines`, rows fetched and dropped.
async fn floor_read(
    db: &Db,
    guild: u64,
    from: chrono::DateTime<Utc>,
    to: chrono::DateTime<Utc>,
) -> anyhow::Result<(usize, usize)> {
    let ts = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S.%9fZ").to_string();
    let cases = sqlx::query(
        "SELECT id, unit, status, opened_at, ended_at, original_soknadsfrist, soknadsfrist,
                startdato, marks
         FROM cases WHERE guild_id = ? AND opened_at >= ? AND opened_at < ? ORDER BY id",
    )
    .bind(guild as i64)
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(db.sqlite_pool())
    .await?;
    let events = sqlx::query(
        "SELECT e.case_id, e.kind, e.step, e.at
         FROM cases c JOIN events e ON e.case_id = c.id
         WHERE c.guild_id = ? AND c.opened_at >= ? AND c.opened_at < ?
           AND e.kind IN ('step_opened', 'step_reopened', 'step_completed', 'step_skipped',
                          'outcome_chosen', 'approved', 'rejected', 'step_withdrawn',
                          'candidates_exhausted')
         ORDER BY e.case_id, e.seq",
    )
    .bind(guild as i64)
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(db.sqlite_pool())
    .await?;
    Ok((cases.len(), events.len()))
}

/// The rows as a markdown table, after the report's.
pub fn markdown(rows: &[Row]) -> String {
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    let mut s = String::from(
        "\n### Pictures and statistics\n\n| what | los | floor | floor is | ratio |\n|---|---|---|---|---|\n",
    );
    for r in rows {
        let ratio = if r.floor.as_secs_f64() > 0.0 {
            format!("×{:.1}", r.los.as_secs_f64() / r.floor.as_secs_f64())
        } else {
            "–".into()
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {ratio} |\n",
            r.what,
            ms(r.los),
            ms(r.floor),
            r.floor_what
        ));
    }
    s
}
