//! What an operator relies on beyond the bot's work: one process per SQLite file (a second
//! `los run` refuses to start), and, with `LOS_HTTP_ADDR`, `/healthz`, `/readyz` and
//! `/metrics` that tell the truth (readiness follows the gateway; the counters are what the
//! sandbox saw), with the log in JSON on request.

#![cfg(unix)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use los::harness::{cast, world};
use sandbox::Sandbox;
use tokio::process::{Child, Command};

use crate::operations::{read, seeded, set_up, stop, MESSAGES};

/// `los run` against the sandbox on the SQLite database in `dir`, with extra variables (which
/// win: `DATABASE_URL` among them names another database).
pub(crate) fn spawn(sb: &Sandbox, dir: &Path, log: &str, extra: &[(&str, String)]) -> Child {
    let w = sb.world();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_los"));
    cmd.arg("run")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DISCORD_TOKEN", &w.token)
        .env("DISCORD_API_URL", sb.http_url())
        .env("DATABASE_URL", dir.join("los.db"))
        .env("LOS_DEV_GUILD", w.guild_id.to_string())
        .env("LOS_SHUTDOWN_SECONDS", "5")
        .env("RUST_LOG", "info")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(log)).unwrap())
        .kill_on_drop(true);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_one_sqlite_file_refuses_to_start_and_the_first_runs_on() {
    let sb = Sandbox::start(world()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut first = spawn(&sb, dir.path(), "first.log", &[]);
    sb.wait_for_commands_registered().await.unwrap();
    set_up(&sb).await;

    let mut second = spawn(&sb, dir.path(), "second.log", &[]);
    let status = tokio::time::timeout(Duration::from_secs(60), second.wait())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "a second process on the file kept running: {}",
                read(dir.path(), "second.log")
            )
        })
        .unwrap();
    let said = read(dir.path(), "second.log");
    assert!(!status.success(), "refused: {status:?}; {said}");
    assert!(said.contains("another los process"), "{said}");
    let pid = first.id().expect("the first runs");
    assert!(
        said.contains(&format!("pid {pid}")),
        "names the first: {said}"
    );
    assert_eq!(
        sb.gateway_ops().iter().filter(|op| **op == 2).count(),
        1,
        "the second never identified"
    );

    // The first goes on undisturbed: it answers, and stops cleanly.
    let answer = sb
        .member(cast::ADMIN)
        .slash("oppsett", &["vis"], &[])
        .await
        .unwrap();
    assert!(answer.text().contains("Oppsett"), "{}", answer.text());
    let (status, _) = stop(&mut first, dir.path(), "first.log").await;
    assert_eq!(status.code(), Some(0), "{}", read(dir.path(), "first.log"));
    sb.assert_no_failures();
}

/// A free port on loopback, for `LOS_HTTP_ADDR`.
fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// Asks `url` until `ok` holds for its status and body; fails after a minute, naming the last.
async fn until(url: &str, ok: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut last = (0, String::new());
    loop {
        if let Ok(r) = client.get(url).send().await {
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            if ok(status, &body) {
                return (status, body);
            }
            last = (status, body);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{url} never came right; last {last:?}"
        );
        // The probe is asked, not waited on: the next answer comes when asked again.
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The value of the sample `name` with the labels `labels` in a scrape; `None` if absent.
fn sample(scrape: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let lines = scrape.lines().map(|l| Ok(l.to_owned()));
    let parsed = prometheus_parse::Scrape::parse(lines).expect("the Prometheus text format");
    parsed
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_follows_the_gateway_and_metrics_count_what_the_sandbox_saw() {
    let sb = Sandbox::start(world()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("los.db");
    let guild = sb.world().guild_id;
    // One reminder is due for Lise when the bot starts.
    seeded(&db, guild).await;
    let addr = free_addr();
    let mut bot = spawn(
        &sb,
        dir.path(),
        "los.log",
        &[
            ("LOS_HTTP_ADDR", addr.to_string()),
            ("LOG_FORMAT", "json".into()),
        ],
    );
    let base = format!("http://{addr}");
    sb.wait_for_commands_registered().await.unwrap();

    let (_, health) = until(&format!("{base}/healthz"), |s, _| s == 200).await;
    assert_eq!(health.trim(), "ok");
    let (_, ready) = until(&format!("{base}/readyz"), |s, _| s == 200).await;
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(ready["database"], true, "{ready}");
    assert_eq!(ready["reminder_loops"], true, "{ready}");
    assert_eq!(
        (
            ready["shards_owned"].as_u64(),
            ready["shards_connected"].as_u64()
        ),
        (Some(1), Some(1)),
        "{ready}"
    );

    // Discord's gateway goes down: not ready while the shard cannot connect, ready again once
    // it can.
    sb.gateway_outage(true);
    sb.wait_gateway_refused(1).await.unwrap();
    let (status, body) = until(&format!("{base}/readyz"), |s, _| s != 200).await;
    assert_eq!(status, 503, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["shards_connected"], 0, "{body}");
    assert_eq!(body["database"], true, "only the gateway failed: {body}");
    sb.gateway_outage(false);
    until(&format!("{base}/readyz"), |s, _| s == 200).await;

    // What the sandbox saw, counted: the reminder shown, two commands, a 429 on a message.
    sb.wait_for_message(sb.dm_channel(cast::LEDER).expect("her DM"), |_| true)
        .await
        .unwrap();
    set_up(&sb).await;
    sb.member(cast::ADMIN)
        .slash("oppsett", &["vis"], &[])
        .await
        .unwrap();
    sb.rate_limit_next(MESSAGES, 1, 0.5, false);
    let (_, texts) = los::prompts::load().unwrap();
    let t = los::i18n::Tr::of(&texts, flow::Lang::Nb);
    let lise = sb.member(cast::LEDER).in_channel(cast::CASES);
    lise.slash("rekruttering", &["ny"], &[]).await.unwrap();
    lise.submit_modal(&[
        (t.t("field-title").as_str(), "Rådgiver"),
        (t.t("field-unit").as_str(), "Bydel Frogner"),
    ])
    .await
    .unwrap();
    sb.wait_for_request(|r| r.status == 429).await.unwrap();

    // Every interaction the sandbox delivered was answered once, on its callback route.
    let answered = || {
        sb.requests()
            .iter()
            .filter(|r| r.route.starts_with("/interactions/") && r.method == "POST")
            .count() as f64
    };
    let presses = |scrape: &str| -> f64 {
        ["command", "modal", "button", "select"]
            .iter()
            .filter_map(|k| sample(scrape, "los_presses_total", &[("kind", k)]))
            .sum()
    };
    let (_, scrape) = until(&format!("{base}/metrics"), |_, body| {
        sample(body, "los_discord_429_total", &[]) == Some(1.0)
            && sample(body, "los_presses_total", &[("kind", "modal")]) == Some(1.0)
            && presses(body) == answered()
    })
    .await;
    assert_eq!(
        sample(&scrape, "los_reminders_sent_total", &[]),
        Some(sb.dms(cast::LEDER).len() as f64),
        "{scrape}"
    );
    assert_eq!(sb.dms(cast::LEDER).len(), 1);
    assert_eq!(
        sample(&scrape, "los_discord_429_total", &[]),
        Some(sb.too_many_requests() as f64)
    );
    assert!(
        answered() >= 5.0,
        "set-up, vis, ny and the form were pressed"
    );
    assert_eq!(sample(&scrape, "los_shards_owned", &[]), Some(1.0));
    // On SQLite the only process paces itself: it draws no places of the global limit from
    // the database.
    for how in ["drawn", "missed"] {
        assert_eq!(
            sample(&scrape, "los_global_places_total", &[("how", how)]),
            Some(0.0),
            "{scrape}"
        );
    }
    // The one shard's lease was never lost nor given up.
    for how in ["lost", "fenced"] {
        assert_eq!(
            sample(&scrape, "los_shard_lease_losses_total", &[("how", how)]),
            Some(0.0),
            "{scrape}"
        );
    }
    assert!(sample(&scrape, "los_shard_lease_renewals_total", &[]).is_some());
    assert!(
        sample(&scrape, "los_press_seconds_count", &[("kind", "command")]).unwrap_or(0.0) >= 3.0,
        "the latency histogram has every command: {scrape}"
    );
    assert!(
        sample(&scrape, "los_changes_per_commit_count", &[]).unwrap_or(0.0) >= 1.0,
        "commits counted: {scrape}"
    );

    let (status, _) = stop(&mut bot, dir.path(), "los.log").await;
    let log = read(dir.path(), "los.log");
    assert_eq!(status.code(), Some(0), "{log}");
    // The log is JSON, line by line, and never holds the token.
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("/metrics"))),
        "{log}"
    );
    assert!(
        !log.contains(&sb.world().token),
        "the token is never logged"
    );
}
