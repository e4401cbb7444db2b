//! A process killed (SIGKILL) in the middle of saving changes, over and over: after reopening,
//! every case is exactly as the engine left it after some whole number of changes, its history
//! has no gaps, and every change the child reported as saved is there.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use flow::CaseId;
use storage::{Db, ReminderState};

use crate::common::*;

const CHILD_ENV: &str = "LOS_CRASH_CHILD";
const CHILD_TEST: &str = "crash::crash_child";
const KILLS: usize = 20;

/// The child: walks cases through the script forever, printing `progress CASE VERSION` after
/// each commit, until it is killed.
/// Run alone (no `LOS_CRASH_CHILD`), it returns at once: it is only the other test's child.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = Db::open(&path).await.unwrap();
        let p = process();
        let mut out = std::io::stdout();
        loop {
            let open: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM cases WHERE status = 'open' ORDER BY id LIMIT 1",
            )
            .fetch_optional(db.sqlite_pool())
            .await
            .unwrap();
            let case = match open {
                // Odd cases through the group commit: "progress" is printed only once the
                // answer came, so an answered change must survive the kill either way.
                Some(id) => {
                    let through = if id % 2 == 1 {
                        Through::GroupCommit
                    } else {
                        Through::Transaction
                    };
                    step_case_through(&db, &p, GUILD, CaseId(id), through)
                        .await
                        .unwrap()
                        .case
                }
                None => open_case(&db, &p, GUILD).await,
            };
            writeln!(out, "progress {} {}", case.id.0, case.version).unwrap();
            out.flush().unwrap();
        }
    });
}

#[test]
fn sigkill_mid_change_leaves_every_case_whole() {
    let (_dir, path) = temp_db_path();
    let exe = std::env::current_exe().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The highest version of each case a child reported as committed.
    let mut reported: BTreeMap<i64, i64> = BTreeMap::new();
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Vary the point of the kill: after 1 to 11 commits, then wherever the next change is.
        let wait_for = 1 + (kill * 7) % 11;
        let mut seen = 0;
        while seen < wait_for {
            let Some(line) = lines.next() else {
                let out = child.wait_with_output().unwrap();
                panic!(
                    "the child ended early: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("progress ") {
                let (case, version) = rest.split_once(' ').unwrap();
                let entry = reported.entry(case.parse().unwrap()).or_default();
                *entry = (*entry).max(version.parse().unwrap());
                seen += 1;
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        rt.block_on(check_whole(&path, &reported));
    }
    assert!(
        reported.len() >= 2,
        "the children got through more than one case: {reported:?}"
    );
}

/// Every case is before or after each change, never between.
async fn check_whole(path: &str, reported: &BTreeMap<i64, i64>) {
    let db = Db::open(path).await.unwrap();
    let p = process();
    let ids: Vec<(i64, i64)> = sqlx::query_as("SELECT id, version FROM cases ORDER BY id")
        .fetch_all(db.sqlite_pool())
        .await
        .unwrap();
    assert!(
        ids.iter().all(|(_, v)| *v >= 1),
        "no half-created case: {ids:?}"
    );
    for (case, version) in reported {
        let stored = ids.iter().find(|(id, _)| id == case).map(|(_, v)| *v);
        assert!(
            stored >= Some(*version),
            "case {case} lost a committed change: {stored:?} < {version}"
        );
    }
    for (id, _) in ids {
        let id = CaseId(id);
        let loaded = storage::load_case(&db, GUILD, id).await.unwrap().unwrap();
        let (expected, events) = replay(&p, id, loaded.version);
        assert_eq!(
            loaded, expected,
            "case {id} is exactly the engine's after {} changes",
            loaded.version
        );

        let history = storage::history(&db, GUILD, id, 10_000, 0).await.unwrap();
        assert!(
            history
                .iter()
                .enumerate()
                .all(|(i, h)| h.seq == i as i64 + 1),
            "no gap in case {id}"
        );
        assert_eq!(
            history.iter().map(|h| h.event.clone()).collect::<Vec<_>>(),
            events
        );
        let versions: BTreeSet<i64> = history.iter().map(|h| h.version).collect();
        assert_eq!(
            versions,
            (1..=loaded.version).collect(),
            "one history entry set per change"
        );

        let mut pending: Vec<String> = storage::reminders_for_case(&db, GUILD, id)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.state == ReminderState::Pending)
            .map(|r| r.key)
            .collect();
        let mut want: Vec<String> = wanted(&p, &expected).into_iter().map(|r| r.key).collect();
        pending.sort();
        want.sort();
        assert_eq!(pending, want, "case {id}'s reminders changed with it");
    }
    db.close().await;
}
