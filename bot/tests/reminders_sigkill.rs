//! A real crash: the dispatcher runs in a child process (this test binary, re-executed) and is
//! killed with SIGKILL as soon as the sandbox receives its first message of the day, wherever
//! it is then (between sending and marking, or between two sends). After six such deaths the
//! bot comes back: every reminder arrived once, none twice.

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::*;
use los::harness::cast::*;

const CHILD_DB: &str = "LOS_SIGKILL_DB";
const CHILD_URL: &str = "LOS_SIGKILL_URL";
const CHILD_NOW: &str = "LOS_SIGKILL_NOW";
const ONBOARDING_STEPS: [&str; 3] = ["bestiller_utstyr", "bestiller_velkomstpakke", "tar_imot"];

/// The child: the reminder loop alone, on the parent's database and sandbox, until killed.
/// Run by `killed_with_sigkill_never_doubles`; run alone (no `LOS_SIGKILL_*`), it returns at
/// once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_child() {
    let (Ok(db), Ok(url), Ok(now)) = (
        std::env::var(CHILD_DB),
        std::env::var(CHILD_URL),
        std::env::var(CHILD_NOW),
    ) else {
        return;
    };
    let now: DateTime<Utc> = now.parse().expect("the parent gives a time");
    let db = storage::Db::open(&db).await.expect("the parent's database");
    let data = los::app::data(db, Arc::new(flow::ManualClock::new(now))).expect("prompts load");
    let http = los::app::http_for(
        &los::harness::world().token,
        Some(&url),
        los::config::DEFAULT_DISCORD_TIMEOUT,
    )
    .expect("an HTTP client");
    let _loop = los::jobs::start(data, Arc::new(http));
    std::future::pending::<()>().await;
}

fn spawn_child(db: &std::path::Path, url: &str, now: DateTime<Utc>) -> Child {
    Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "sigkill_child", "--nocapture"])
        .env(CHILD_DB, db)
        .env(CHILD_URL, url)
        .env(CHILD_NOW, now.to_rfc3339())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_sigkill_never_doubles() {
    // The child reaches the sandbox without serenity's rate limiter (no TLS route for it), and
    // serenity cannot read the sandbox's 429 bodies then: this world lifts the per-channel
    // bucket. Rate limits have their own test (reminders_delivery).
    let mut world = los::harness::world();
    world.config.buckets.insert(
        "POST /channels/{channel_id}/messages".into(),
        (10_000, std::time::Duration::from_secs(5)),
    );
    let mut bot = Bot::start_in("sigkill", world).await;
    let (a, ta) = bot.open("Rådgiver A").await;
    bot.to_start_date(a, date(2027, 3, 1)).await;
    let (b, tb) = bot.open("Rådgiver B").await;
    bot.to_start_date(b, date(2027, 3, 9)).await;
    bot.kick().await;
    bot.down().await;
    let url = bot.h.sandbox.http_url();
    let days = [
        date(2027, 2, 8),
        date(2027, 2, 16),
        date(2027, 2, 19),
        date(2027, 2, 26),
        date(2027, 3, 1),
        date(2027, 3, 9),
    ];
    for day in days {
        let places: Vec<u64> = [HR_CHANNEL, ta, tb]
            .into_iter()
            .chain(bot.h.sandbox.dm_channel(LEDER))
            .collect();
        let seen: Vec<String> = places
            .iter()
            .flat_map(|p| bot.h.sandbox.messages(*p))
            .map(|m| m["id"].to_string())
            .collect();
        let mut child = spawn_child(&bot.db.path, &url, eight(day));
        let sb = &bot.h.sandbox;
        let new = |m: &serde_json::Value| !seen.contains(&m["id"].to_string());
        let at = |i: usize| places.get(i).copied().unwrap_or(0);
        // The first DM of all opens the DM channel; watch the HR channel and threads then.
        tokio::select! {
            Ok(_) = sb.wait_for_message(at(0), new) => {}
            Ok(_) = sb.wait_for_message(at(1), new) => {}
            Ok(_) = sb.wait_for_message(at(2), new) => {}
            Ok(_) = sb.wait_for_message(at(3), new) => {}
            else => panic!("the child posted nothing on {day}"),
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
    }
    bot.clock.set(eight(date(2027, 3, 10)));
    bot.h.restart().await.unwrap();
    bot.kick().await;
    for (case, title) in [(a, "Rådgiver A"), (b, "Rådgiver B")] {
        for step in ONBOARDING_STEPS {
            let dms = bot.h.sandbox.dms(LEDER);
            let hr = bot.h.sandbox.messages(HR_CHANNEL);
            assert_eq!(
                Bot::count(&dms, &bot.manager_line_of(case, title, step)),
                1,
                "{title} {step}"
            );
            assert_eq!(
                Bot::count(&hr, &bot.hr_line_of(case, title, step)),
                1,
                "{title} {step} to HR"
            );
        }
    }
    let mut contents: BTreeMap<String, usize> = BTreeMap::new();
    for m in bot
        .h
        .sandbox
        .dms(LEDER)
        .into_iter()
        .chain(bot.h.sandbox.messages(HR_CHANNEL))
    {
        *contents
            .entry(m["content"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    let doubled: Vec<_> = contents.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "{doubled:#?}");
    bot.stop().await;
}
