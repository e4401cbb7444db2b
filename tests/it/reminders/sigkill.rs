//! A real crash: the dispatcher runs in a child process (this test binary, re-executed) and is
//! killed with SIGKILL as soon as the sandbox receives its first message of the day, wherever
//! it is then (between sending and marking, or between two sends). After six such deaths the
//! bot comes back: every reminder arrived once, none twice.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use los_e2e::*;

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
        &world().token,
        Some(&url),
        los::config::DEFAULT_DISCORD_TIMEOUT,
    )
    .expect("an HTTP client");
    let _loop = los::jobs::start(data, Arc::new(http), los::shards::keeper::owner_name());
    std::future::pending::<()>().await;
}

/// The child test's name as the test binary knows it (its module path without the crate's
/// name: `reminders::sigkill::sigkill_child`), so it can be run alone.
fn child_test_name() -> String {
    let module = module_path!();
    let path = module.split_once("::").map_or(module, |(_, path)| path);
    format!("{path}::sigkill_child")
}

fn spawn_child(db: &std::path::Path, url: &str, now: DateTime<Utc>) -> Child {
    Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", &child_test_name(), "--nocapture"])
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
    // bucket. Rate limits have their own test (reminders::delivery).
    let mut world = world();
    world.config.buckets.insert(
        "POST /channels/{channel_id}/messages".into(),
        (10_000, std::time::Duration::from_secs(5)),
    );
    let mut kit = Kit::reminders().world(world).start().await;
    let (a, ta) = kit.open("Rådgiver A").await;
    kit.to_start_date(a, date(2027, 3, 1)).await;
    let (b, tb) = kit.open("Rådgiver B").await;
    kit.to_start_date(b, date(2027, 3, 9)).await;
    kit.kick().await;
    kit.down().await;
    let url = kit.discord().http_url();
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
            .chain(kit.discord().dm_channel(LEDER))
            .collect();
        let seen: Vec<String> = places
            .iter()
            .flat_map(|p| kit.messages(*p))
            .map(|m| m["id"].to_string())
            .collect();
        let mut child = spawn_child(kit.db_path(), &url, eight(day));
        let sb = kit.discord();
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
    kit.set_bot_clock(eight(date(2027, 3, 10)));
    kit.restart().await;
    kit.kick().await;
    for (case, title) in [(a, "Rådgiver A"), (b, "Rådgiver B")] {
        for step in ONBOARDING_STEPS {
            let dms = kit.dms(LEDER);
            let hr = kit.messages(HR_CHANNEL);
            assert_eq!(
                count(&dms, &kit.manager_line_of(case, title, step)),
                1,
                "{title} {step}"
            );
            assert_eq!(
                count(&hr, &kit.hr_line_of(case, title, step)),
                1,
                "{title} {step} to HR"
            );
        }
    }
    let mut contents: BTreeMap<String, usize> = BTreeMap::new();
    for m in kit.dms(LEDER).into_iter().chain(kit.messages(HR_CHANNEL)) {
        *contents
            .entry(m["content"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    let doubled: Vec<_> = contents.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "{doubled:#?}");
    kit.stop().await;
}
