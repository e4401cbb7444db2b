//! Part 2, the journeys: `reminders` new hires' journey items due at once (each new hire
//! reminded by DM of the first day's access card), sent by the same loop, outbox and pace as
//! the case reminders, and measured the same way: from the instant they fell due to the last
//! one marked sent, next to what Discord's limits allow for the fewest requests that could carry
//! them (a DM channel opened per new hire, and their items due together merged into messages).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{Days, Utc};
use flow::journey::{Item, Journey, Owner, Template};
use flow::{PersonId, PersonRef, ReminderKind};
use sandbox::{Member, Sandbox, World};

use crate::fleet::Setup;
use crate::reminders::{count, deliver, first_due, Dispatch};
use crate::seed;
use crate::store::Store;

const FIRST_NEW_HIRE: u64 = 40_000;
/// Where the journeys' private threads are numbered from, apart from the case threads.
const JOURNEY_THREADS: u64 = 1 << 40;
/// The item every journey here is reminded of.
const ITEM: &str = "adgangskort";

fn template() -> Template {
    let item = |id: &str, owner, from_start, before_end, decision| Item {
        id: id.into(),
        owner,
        from_start,
        before_probation_end: before_end,
        docs: None,
        system: None,
        decision,
        title: None,
    };
    Template {
        probation_months: 6,
        items: vec![
            item(ITEM, Owner::NewHire, Some(0), None, false),
            item("provetid_avgjort", Owner::Manager, None, Some(14), true),
        ],
    }
}

/// `reminders` journeys of `dms` new hires whose first day is the next working day; only their
/// first day's item is queued (the rest of each journey falls due later).
async fn seed_journeys(store: &Store, guild: u64, reminders: u32, dms: u64) -> anyhow::Result<()> {
    let db = store.open().await?;
    let (process, _) = los::prompts::load()?;
    let settings = seed::settings(guild);
    let plan = los::guild::reminder_settings(&settings);
    let remind_at = plan.deadlines.remind_at;
    let now = Utc::now();
    let start =
        flow::calendar::working_day_on_or_after(flow::engine::oslo_today(now) + Days::new(1));
    let mut tx = db.import().await?;
    for i in 0..reminders {
        let owner = PersonRef {
            id: PersonId(los::harness::cast::LEDER),
            name: "Lise Leder".into(),
        };
        let case = seed::case(
            &mut tx,
            &process,
            &plan,
            guild,
            &format!("Sak {i}"),
            owner,
            now,
        )
        .await?;
        let journey = Journey {
            case: case.id,
            version: 0,
            template: template(),
            start,
            new_hire: PersonRef {
                id: PersonId(FIRST_NEW_HIRE + u64::from(i) % dms.max(1)),
                name: "Ny".into(),
            },
            buddy: None,
            done: BTreeMap::new(),
            closed: None,
        };
        let wanted: Vec<_> = journey
            .reminders(remind_at)
            .into_iter()
            .filter(|r| r.kind == ReminderKind::JourneyItem)
            .collect();
        let plan_case = |c: &flow::Case| flow::plan_reminders(&process, c, &plan);
        tx.create_journey(guild, &journey, &wanted, plan_case, now)
            .await?;
        // Its private thread and checklist are out, as the command leaves them: the part
        // measures the reminders, not the opening of threads.
        let thread = seed::thread_of(case.id.0) + JOURNEY_THREADS;
        tx.set_journey_thread(guild, case.id, thread).await?;
        tx.set_journey_message(guild, case.id, thread).await?;
    }
    tx.commit().await?;
    // And every case's opening was announced in its thread, as the bot does it.
    seed::announced(&db).await?;
    seed::settle(db).await?;
    Ok(())
}

/// Part 2 for journeys: see the module's doc.
pub async fn dispatch(
    dir: &Path,
    reminders: u32,
    dms: u64,
    limit: Duration,
) -> anyhow::Result<Dispatch> {
    let mut world: World = los::harness::world();
    for i in 0..dms {
        world = world.member(Member::new(FIRST_NEW_HIRE + i, &format!("Ny {i}")));
    }
    let guild = world.guild_id;
    let store = Store::Sqlite(dir.join("journeys.db"));
    seed::database(&store, guild, 0, 0).await?;
    seed_journeys(&store, guild, reminders, dms).await?;
    let (due, stored) = first_due(&store, "journey_item").await?;
    let total: i64 = {
        let db = store.open().await?;
        let day = flow::engine::oslo_today(due);
        storage::record_digest(&db, guild, day, 1, due).await?;
        let n = count(&db, &format!("state = 'pending' AND due_at <= '{stored}'")).await?;
        db.close().await;
        n
    };
    let sb = Sandbox::start(world).await?;
    let d = deliver(&sb, &store, Setup::SQLITE, (due, &stored), limit).await?;
    let sandbox::bench::Ideal {
        time: made,
        requests,
        messages,
    } = sb.ideal();
    // The fewest messages: each new hire's items due together, so many to a message; and one
    // DM channel opened each. The ideal is for those requests (at most the ones made).
    let per_person = (reminders as usize).div_ceil(dms.max(1) as usize);
    let needed = dms as usize * per_person.div_ceil(los::render::journey::REMINDERS_PER_MESSAGE);
    let fewest = (needed + dms as usize) as u64;
    let ideal = made.min(Duration::from_secs(fewest.div_ceil(50).saturating_sub(1)));
    // Each reminder is one line naming its case: a case named twice was shown twice.
    let mut lines: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..dms {
        for m in sb.dms(FIRST_NEW_HIRE + i) {
            let text = m["content"].as_str().unwrap_or("").to_owned();
            for line in text.lines().filter(|l| l.contains('«')) {
                let case = line.split(':').next().unwrap_or("").to_owned();
                *lines.entry(case).or_default() += 1;
            }
        }
    }
    let duplicates = lines.values().map(|n| n - 1).sum();
    Ok(Dispatch {
        setup: Setup::SQLITE,
        reminders: total,
        dms: dms as usize,
        channels: 0,
        elapsed: d.elapsed,
        ideal,
        requests,
        messages,
        needed: Some(needed),
        too_many: sb.requests().iter().filter(|r| r.status == 429).count(),
        duplicates,
        finished: d.finished,
        sent: d.sent,
        shown: lines.len(),
        by_process: d.by_process,
    })
}
