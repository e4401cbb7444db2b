//! The binary as an operator runs it: stopped by SIGTERM (what systemd, Docker and Kubernetes
//! send) while something is under way, it finishes what it can within `LOS_SHUTDOWN_SECONDS`
//! and exits 0, and nothing is lost or doubled; started with an empty `DISCORD_TOKEN` (a
//! secret that did not arrive), it refuses with a clear error instead of playing the demo.

#![cfg(unix)]

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use flow::{CaseText, Lang, NewCase, PersonId, PersonRef};
use los::harness::{cast, world};
use sandbox::Sandbox;
use storage::{GuildSettings, ReminderState};
use tokio::process::{Child, Command};

pub(crate) const MESSAGES: &str = "POST /channels/{channel_id}/messages";

/// `los run` against the sandbox, on the database in `dir`, stopping within `grace` seconds.
fn spawn(sb: &Sandbox, dir: &Path, grace: u64, log: &str) -> Child {
    let w = sb.world();
    Command::new(env!("CARGO_BIN_EXE_los"))
        .arg("run")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DISCORD_TOKEN", &w.token)
        .env("DISCORD_API_URL", sb.http_url())
        .env("DATABASE_URL", dir.join("los.db"))
        .env("LOS_DEV_GUILD", w.guild_id.to_string())
        .env("LOS_SHUTDOWN_SECONDS", grace.to_string())
        .env("RUST_LOG", "info")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(log)).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

#[allow(unsafe_code)] // the one unsafe call in the workspace: kill(2), a test sending SIGTERM
fn sigterm(child: &Child) {
    let pid = child.id().expect("the child runs") as libc::pid_t;
    // SAFETY: kill(2) with a pid we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}

/// SIGTERM, then how the process ended and how long that took. Gives up (failing) after a
/// minute, far beyond any bound.
pub(crate) async fn stop(child: &mut Child, dir: &Path, log: &str) -> (ExitStatus, Duration) {
    let sent = Instant::now();
    sigterm(child);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .unwrap_or_else(|_| panic!("no exit a minute after SIGTERM; {}", read(dir, log)))
        .unwrap();
    (status, sent.elapsed())
}

pub(crate) fn read(dir: &Path, log: &str) -> String {
    std::fs::read_to_string(dir.join(log)).unwrap_or_default()
}

#[test]
fn an_empty_token_stops_the_binary_with_a_clear_error_instead_of_playing_the_demo() {
    for args in [&[][..], &["run"][..]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_los"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DISCORD_TOKEN", "")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{args:?}: {said}");
        assert!(
            err.contains("DISCORD_TOKEN is set but empty"),
            "{args:?}: {err}"
        );
        assert!(!said.contains("demo"), "{args:?}: no demo: {said}");
    }
}

/// The administrator's `/oppsett`, as in the harness.
pub(crate) async fn set_up(sb: &Sandbox) {
    use cast::*;
    let admin = sb.member(ADMIN);
    let (hr, tv, god) = (
        HR_ROLE.to_string(),
        UNION_ROLE.to_string(),
        APPROVER_ROLE.to_string(),
    );
    admin
        .slash(
            "oppsett",
            &["roller"],
            &[("hr", &hr), ("tillitsvalgt", &tv), ("godkjenner", &god)],
        )
        .await
        .unwrap();
    let (c, h, o) = (
        CASES.to_string(),
        HR_CHANNEL.to_string(),
        ONBOARDING.to_string(),
    );
    admin
        .slash(
            "oppsett",
            &["kanaler"],
            &[("saker", &c), ("hr", &h), ("onboarding", &o)],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_press_being_handled_finish_then_exits_0() {
    let sb = Sandbox::start(world()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let grace = 6;
    let mut bot = spawn(&sb, dir.path(), grace, "los.log");
    sb.wait_for_commands_registered().await.unwrap();
    set_up(&sb).await;
    let (_, texts) = los::prompts::load().unwrap();
    let t = los::i18n::Tr::of(&texts, Lang::Nb);
    let lise = sb.member(cast::LEDER).in_channel(cast::CASES);
    lise.slash("rekruttering", &["ny"], &[]).await.unwrap();
    lise.submit_modal(&[
        (t.t("field-title").as_str(), "Rådgiver"),
        (t.t("field-unit").as_str(), "Bydel Frogner"),
    ])
    .await
    .unwrap();
    let thread = sb.threads(cast::CASES).last().expect("a thread").id;
    let card = sb
        .messages(thread)
        .into_iter()
        .find(|m| m["embeds"].as_array().is_some_and(|e| !e.is_empty()))
        .expect("a card");

    // Lise presses Utført; the change is stored and the card answered, and the line that
    // tells the thread takes two seconds to reach Discord. SIGTERM comes in between.
    sb.delay_next(MESSAGES, 1, Duration::from_secs(2));
    let lise = sb.member(cast::LEDER).in_channel(thread);
    let pressed = lise
        .start_press_on(&t.t("btn-done"), &card)
        .expect("the card's button");
    let answered = format!("/interactions/{}/", pressed.id);
    sb.wait_for_request(|r| r.path.contains(&answered))
        .await
        .unwrap();
    let (status, took) = stop(&mut bot, dir.path(), "los.log").await;
    let log = read(dir.path(), "los.log");
    assert_eq!(
        status.code(),
        Some(0),
        "exit 0 on SIGTERM: {status:?}; {log}"
    );
    assert!(
        took < Duration::from_secs(grace + 3),
        "within the bound: {took:?}"
    );
    let line = t.args(
        "event-step_completed",
        &[
            ("who", "Lise Leder".into()),
            (
                "step",
                t.step(&flow::StepId::new("stilling_vakant"))
                    .as_str()
                    .into(),
            ),
        ],
    );
    let posted = sb
        .messages(thread)
        .iter()
        .filter(|m| m["content"].as_str().is_some_and(|c| c.contains(&line)))
        .count();
    assert_eq!(posted, 1, "the line being sent was sent, once: {log}");

    let db = storage::Db::open(dir.path().join("los.db").to_str().unwrap())
        .await
        .unwrap();
    let guild = sb.world().guild_id;
    let case = storage::case_by_thread(&db, guild, thread)
        .await
        .unwrap()
        .expect("the case");
    let case = storage::load_case(&db, guild, case).await.unwrap().unwrap();
    assert!(case.steps[&flow::StepId::new("stilling_vakant")].is_finished());
    db.close().await;
}

/// The server's settings, as `/oppsett` would have saved them.
pub(crate) fn settings(guild: u64) -> GuildSettings {
    let mut s = GuildSettings::new(guild);
    s.roles.hr = Some(cast::HR_ROLE);
    s.roles.union_rep = Some(cast::UNION_ROLE);
    s.roles.approver = Some(cast::APPROVER_ROLE);
    s.case_channel = Some(cast::CASES);
    s.hr_channel = Some(cast::HR_CHANNEL);
    s.onboarding_channel = Some(cast::ONBOARDING);
    s
}

/// A server set up as `/oppsett` would, and Lise's case opened two weeks ago, whose stall
/// reminder (five working days) is long due: the bot sends it on start, as a DM to her.
pub(crate) async fn seeded(path: &Path, guild: u64) -> flow::CaseId {
    let db = storage::Db::open(path.to_str().unwrap()).await.unwrap();
    let mut s = settings(guild);
    // Only the manager's reminder is due: HR's escalation is far off.
    s.reminders.escalate_days = Some(60);
    storage::save_settings(&db, &s).await.unwrap();
    let now = Utc::now();
    let today = flow::engine::oslo_today(now);
    for day in [today, today.succ_opt().unwrap()] {
        storage::record_digest(&db, guild, day, 0, now)
            .await
            .unwrap();
    }
    let (process, _) = los::prompts::load().unwrap();
    let settings = los::guild::reminder_settings(&s);
    let opened = now - chrono::Duration::days(14);
    let draft = NewCase {
        title: CaseText::parse("Rådgiver").unwrap(),
        unit: CaseText::parse("Bydel Frogner").unwrap(),
        note: None,
    };
    let owner = PersonRef {
        id: PersonId(cast::LEDER),
        name: "Lise Leder".into(),
    };
    let case = storage::create_case(
        &db,
        guild,
        |id| flow::start(&process, id, draft, owner, opened),
        |case| flow::plan_reminders(&process, case, &settings),
    )
    .await
    .unwrap();
    let due: Vec<_> = storage::reminders_for_case(&db, guild, case.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.due <= now)
        .collect();
    assert_eq!(due.len(), 1, "one reminder is due: {due:#?}");
    db.close().await;
    case.id
}

/// The case's reminders that are due, and the outbox rows not yet closed.
async fn state(path: &Path, guild: u64, case: flow::CaseId) -> (Vec<ReminderState>, i64) {
    let db = storage::Db::open(path.to_str().unwrap()).await.unwrap();
    let now = Utc::now();
    let due = storage::reminders_for_case(&db, guild, case)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.due <= now)
        .map(|r| r.state)
        .collect();
    let open: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reminder_outbox WHERE done_at IS NULL")
            .fetch_one(db.sqlite_pool())
            .await
            .unwrap();
    db.close().await;
    (due, open)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_reminder_being_sent_finish_and_marks_it_then_exits_0() {
    let sb = Sandbox::start(world()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("los.db");
    let guild = sb.world().guild_id;
    let case = seeded(&db, guild).await;
    // The reminder takes three seconds to reach Discord; SIGTERM comes while it does.
    sb.delay_next(MESSAGES, 1, Duration::from_secs(3));
    let grace = 8;
    let mut bot = spawn(&sb, dir.path(), grace, "los.log");
    sb.wait_for_request(|r| r.method == "POST" && r.route == "/users/@me/channels")
        .await
        .unwrap();
    let (status, took) = stop(&mut bot, dir.path(), "los.log").await;
    let log = read(dir.path(), "los.log");
    assert_eq!(
        status.code(),
        Some(0),
        "exit 0 on SIGTERM: {status:?}; {log}"
    );
    assert!(
        took < Duration::from_secs(grace + 3),
        "within the bound: {took:?}"
    );
    assert_eq!(sb.dms(cast::LEDER).len(), 1, "sent once: {log}");
    assert_eq!(
        state(&db, guild, case).await,
        (vec![ReminderState::Sent], 0),
        "marked sent, its outbox row closed: {log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_send_that_never_returns_exits_at_the_bound_and_the_next_start_sends_it_once(
) {
    let sb = Sandbox::start(world()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("los.db");
    let guild = sb.world().guild_id;
    let case = seeded(&db, guild).await;
    // Discord posts the reminder, and the answer never comes back.
    sb.lose_reply_next(MESSAGES, 1);
    let grace = 3;
    let mut bot = spawn(&sb, dir.path(), grace, "first.log");
    sb.wait_for_request(|r| r.method == "POST" && r.route == "/users/@me/channels")
        .await
        .unwrap();
    let dm = sb.dm_channel(cast::LEDER).expect("her DM channel");
    sb.wait_for_message(dm, |_| true).await.unwrap();
    let (status, took) = stop(&mut bot, dir.path(), "first.log").await;
    let log = read(dir.path(), "first.log");
    assert_eq!(
        status.code(),
        Some(0),
        "exit 0 on SIGTERM: {status:?}; {log}"
    );
    assert!(
        took < Duration::from_secs(grace + 3),
        "at the bound, not after: {took:?}; {log}"
    );
    assert_eq!(
        state(&db, guild, case).await,
        (vec![ReminderState::Claimed], 1),
        "left for the next start: claimed, in an open outbox row"
    );

    // The next start sends the same message with the same nonce: Discord answers with the one
    // already posted, and it is marked sent.
    let mut again = spawn(&sb, dir.path(), grace, "second.log");
    let to_dm = format!("/channels/{dm}/messages");
    sb.wait_for_request(|r| r.method == "POST" && r.path.ends_with(&to_dm))
        .await
        .unwrap();
    let (status, _) = stop(&mut again, dir.path(), "second.log").await;
    let log = read(dir.path(), "second.log");
    assert_eq!(status.code(), Some(0), "{status:?}; {log}");
    assert_eq!(sb.dms(cast::LEDER).len(), 1, "never doubled: {log}");
    assert_eq!(
        state(&db, guild, case).await,
        (vec![ReminderState::Sent], 0),
        "{log}"
    );
}
