//! A small process, its texts, the people who act in it and a fixed script of changes, so
//! every test can walk real cases through the real engine onto a real SQLite file.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use flow::{
    Action, Actor, Applied, CandidateName, Case, CaseId, CaseText, DateKey, Dato, Event, Lang,
    NewCase, OutcomeId, PersonId, PersonRef, PlannedReminder, Process, Reason, ReminderSettings,
    Role, StepId, Texts,
};
use storage::{Db, StorageError};

pub const GUILD: u64 = 1_180_000_000_000_000_001;
pub const OTHER_GUILD: u64 = 42;

pub const PROCESS: &str = r#"
start = "behov"

[[roles]]
id = "manager"
[[roles]]
id = "hr"
[[roles]]
id = "union_rep"
[[roles]]
id = "approver"

[[phases]]
id = "forberedelse"
[[phases]]
id = "ansettelse"

[[steps]]
id = "behov"
phase = "forberedelse"
kind = "choice"
roles = ["manager"]
[[steps.outcomes]]
id = "ny"
next = ["frist"]
mark = "ny_stilling"
[[steps.outcomes]]
id = "gammel"
next = ["frist"]

[[steps]]
id = "frist"
phase = "forberedelse"
kind = "date"
date = "soknadsfrist"
roles = ["manager"]
next = ["drofting"]

[[steps]]
id = "drofting"
phase = "forberedelse"
kind = "task"
roles = ["manager", "union_rep"]
all_roles = true
next = ["bistand"]

[[steps]]
id = "bistand"
phase = "forberedelse"
kind = "if_needed"
roles = ["hr"]
next = ["innstilling"]

[[steps]]
id = "innstilling"
phase = "ansettelse"
kind = "task"
roles = ["manager"]
names_candidates = true
next = ["godkjenning"]
[steps.deadline]
anchor = "original_soknadsfrist"
days = 14
kind = "legal"

[[steps]]
id = "godkjenning"
phase = "ansettelse"
kind = "approval"
roles = ["approver"]
next = ["tilbud"]
rejected = ["innstilling"]

[[steps]]
id = "tilbud"
phase = "ansettelse"
kind = "task"
roles = ["manager"]
makes_offer = true
next = ["svar"]

[[steps]]
id = "svar"
phase = "ansettelse"
kind = "choice"
roles = ["manager"]
records_answer = true
[[steps.outcomes]]
id = "ja"
answer = "accepted"
next = ["slutt"]
[[steps.outcomes]]
id = "nei"
answer = "declined"
next = ["tilbud"]
when_none_left = ["innstilling"]
"#;

pub fn process() -> Process {
    let steps = [
        "behov",
        "frist",
        "drofting",
        "bistand",
        "innstilling",
        "godkjenning",
        "tilbud",
        "svar",
    ];
    let mut ftl = String::new();
    for s in steps {
        ftl.push_str(&format!(
            "step-{s} = {s}\nstep-{s}-guide = Slik gjør du {s}.\n"
        ));
    }
    for (s, o) in [
        ("behov", "ny"),
        ("behov", "gammel"),
        ("svar", "ja"),
        ("svar", "nei"),
    ] {
        ftl.push_str(&format!("outcome-{s}-{o} = {o}\n"));
    }
    for p in ["forberedelse", "ansettelse"] {
        ftl.push_str(&format!("phase-{p} = {p}\n"));
    }
    for r in ["manager", "hr", "union_rep", "approver"] {
        ftl.push_str(&format!("role-{r} = {r}\n"));
    }
    let texts = Texts::from_sources([
        (Lang::Nb, "t.ftl", ftl.as_str()),
        (Lang::En, "t.ftl", ftl.as_str()),
    ])
    .expect("test texts parse");
    Process::parse("test-process.toml", PROCESS, &texts).expect("test process is valid")
}

pub fn person(id: u64, name: &str) -> PersonRef {
    PersonRef {
        id: PersonId(id),
        name: name.to_owned(),
    }
}

pub fn actor(person: PersonRef, roles: &[Role]) -> Actor {
    Actor {
        person,
        roles: roles.iter().copied().collect::<BTreeSet<_>>(),
    }
}

pub fn owner() -> PersonRef {
    person(1_001, "Mari Leder")
}
pub fn hr() -> Actor {
    actor(person(2_002, "Hanne HR"), &[Role::Hr])
}
pub fn union_rep() -> Actor {
    actor(person(3_003, "Tore Tillitsvalgt"), &[Role::UnionRep])
}
pub fn approver() -> Actor {
    actor(person(4_004, "Anne Godkjenner"), &[Role::Approver])
}
pub fn manager() -> Actor {
    actor(owner(), &[])
}

/// A Monday, with microseconds, the finest time both backends keep (PostgreSQL's
/// `timestamptz`), so the round trip of times is exact to the last digit on both. SQLite keeps
/// nanoseconds too: `a_nanosecond_time_round_trips_exactly_on_sqlite`.
pub fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap() + Duration::microseconds(123_456)
}

/// When the change that makes version `v` happens.
pub fn at(v: i64) -> DateTime<Utc> {
    base() + Duration::hours(v) + Duration::seconds(v * 7)
}

fn step(s: &str) -> StepId {
    StepId::new(s)
}

/// The change that takes a case from version `v` to `v + 1`, by whom. Version 13 is the end.
pub fn script(v: i64) -> Option<(Actor, Action)> {
    let name = |s: &str| CandidateName::parse(s).unwrap();
    Some(match v {
        1 => (
            manager(),
            Action::Choose {
                step: step("behov"),
                outcome: OutcomeId::new("ny"),
            },
        ),
        2 => (
            manager(),
            Action::SetDate {
                key: DateKey::Soknadsfrist,
                date: Dato::from_naive(NaiveDate::from_ymd_opt(2026, 2, 2).unwrap()),
            },
        ),
        3 => (
            manager(),
            Action::Complete {
                step: step("drofting"),
            },
        ),
        4 => (
            union_rep(),
            Action::Complete {
                step: step("drofting"),
            },
        ),
        5 => (
            hr(),
            Action::Skip {
                step: step("bistand"),
                reason: Reason::parse("Lederen klarer det selv").unwrap(),
            },
        ),
        6 => (
            manager(),
            Action::SetCandidates {
                step: step("innstilling"),
                names: vec![name("Kari Nordmann"), name("Ola Hansen")],
            },
        ),
        7 => (
            manager(),
            Action::Complete {
                step: step("innstilling"),
            },
        ),
        8 => (
            approver(),
            Action::Approve {
                step: step("godkjenning"),
            },
        ),
        9 => (
            manager(),
            Action::Complete {
                step: step("tilbud"),
            },
        ),
        10 => (manager(), Action::RecordDecline { step: step("svar") }),
        11 => (
            manager(),
            Action::Complete {
                step: step("tilbud"),
            },
        ),
        12 => (manager(), Action::RecordAccept { step: step("svar") }),
        _ => return None,
    })
}

pub const LAST_VERSION: i64 = 13;

pub fn draft() -> NewCase {
    NewCase {
        title: CaseText::parse("Lærer 100 % fast").unwrap(),
        unit: CaseText::parse("Bjerke skole").unwrap(),
        note: Some(CaseText::parse("Erstatter en som går av med pensjon").unwrap()),
    }
}

pub fn wanted(p: &Process, case: &Case) -> Vec<PlannedReminder> {
    flow::plan_reminders(p, case, &ReminderSettings::default())
}

/// Opens a case through storage, the way the bot does.
pub async fn open_case(db: &Db, p: &Process, guild: u64) -> Case {
    storage::create_case(
        db,
        guild,
        |id| flow::start(p, id, draft(), owner(), base()),
        |c| wanted(p, c),
    )
    .await
    .expect("case created")
}

/// Loads, applies the script's next change and saves it; the saved result.
pub async fn step_case(
    db: &Db,
    p: &Process,
    guild: u64,
    id: CaseId,
) -> Result<Applied, StorageError> {
    step_case_through(db, p, guild, id, Through::Transaction).await
}

/// How a change is saved: its own transaction (`storage::save_applied`) or the group commit
/// (`Db::save_applied`, as the bot does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Through {
    Transaction,
    GroupCommit,
}

pub async fn step_case_through(
    db: &Db,
    p: &Process,
    guild: u64,
    id: CaseId,
    through: Through,
) -> Result<Applied, StorageError> {
    let case = storage::load_case(db, guild, id)
        .await?
        .expect("case exists");
    let (who, action) = script(case.version).expect("the script goes on");
    let applied =
        flow::apply(p, &case, &who, &action, at(case.version)).expect("the engine accepts");
    let wanted = wanted(p, &applied.case);
    match through {
        Through::Transaction => {
            storage::save_applied(db, guild, case.version, &applied, &wanted).await?;
        }
        Through::GroupCommit => {
            let stored = db
                .save_applied(guild, case.version, applied.clone(), wanted)
                .await?;
            assert_eq!(stored, applied, "the change comes back as it went");
        }
    }
    Ok(applied)
}

/// The case and its whole history as the engine makes them, without storage.
pub fn replay(p: &Process, id: CaseId, version: i64) -> (Case, Vec<Event>) {
    let started = flow::start(p, id, draft(), owner(), base());
    let mut case = started.case;
    let mut events = started.events;
    while case.version < version {
        let (who, action) = script(case.version).expect("script long enough");
        let next = flow::apply(p, &case, &who, &action, at(case.version)).expect("engine accepts");
        case = next.case;
        events.extend(next.events);
    }
    (case, events)
}

pub fn temp_db_path() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("data").join("los.db");
    let path = path.to_str().expect("utf-8 temp path").to_owned();
    (dir, path)
}

pub async fn temp_db() -> (tempfile::TempDir, Db) {
    let (dir, path) = temp_db_path();
    let db = Db::open(&path).await.expect("database opens");
    (dir, db)
}

/// The outbox row the bot writes for claimed reminders before it sends their message, held
/// under their claim's epoch; `None` when the claim was taken over (or they are not claimed).
pub async fn try_open_row(
    db: &Db,
    claimed: &[storage::ClaimedReminder],
    at: DateTime<Utc>,
) -> Option<storage::Outgoing> {
    let ids: Vec<i64> = claimed.iter().map(|r| r.id).collect();
    let text: Vec<String> = ids.iter().map(i64::to_string).collect();
    let row = storage::Outgoing {
        nonce: storage::nonce("t", &text.join(",")),
        guild: GUILD,
        destination: storage::Destination::User(storage::UserId(5)),
        reminders: ids,
        attempts: 0,
        last_error: None,
        next_attempt_at: at,
        epoch: claimed.first().map_or(0, |r| r.epoch),
    };
    let lost = storage::open_outgoing_many(db, std::slice::from_ref(&row), at)
        .await
        .expect("the outbox is written");
    lost.is_empty().then_some(row)
}

/// [`try_open_row`] for reminders that are surely still claimed.
pub async fn open_row(
    db: &Db,
    claimed: &[storage::ClaimedReminder],
    at: DateTime<Utc>,
) -> storage::Outgoing {
    try_open_row(db, claimed, at)
        .await
        .expect("the row is opened under the claim")
}

/// Claimed reminders go out as the bot sends them: their message is written to the outbox,
/// posted, then closed as sent (marked late or not) in one transaction. Whether it was (false:
/// the claim was not, or no longer, theirs).
pub async fn send(
    db: &Db,
    claimed: &[storage::ClaimedReminder],
    at: DateTime<Utc>,
    late: bool,
) -> bool {
    let Some(row) = try_open_row(db, claimed, at).await else {
        return false;
    };
    let late: Vec<i64> = if late { row.reminders.clone() } else { vec![] };
    storage::close_outgoing(
        db,
        &row,
        storage::OutboxEnd::Sent,
        &row.reminders,
        &late,
        &[],
        at,
    )
    .await
    .expect("the row is closed")
}

/// Claimed reminders Discord refused for their place: back in the queue from `retry_at`.
pub async fn refused(
    db: &Db,
    claimed: &[storage::ClaimedReminder],
    error: &str,
    retry_at: DateTime<Utc>,
    at: DateTime<Utc>,
) {
    let row = open_row(db, claimed, at).await;
    let requeued = storage::requeue_outgoing(db, &row, &row.reminders, &[], error, retry_at, at)
        .await
        .expect("requeued");
    assert!(requeued, "the row was held under its claim");
}

/// Claimed reminders given up: their message's error recorded, the row closed as failed.
pub async fn give_up(
    db: &Db,
    claimed: &[storage::ClaimedReminder],
    error: &str,
    at: DateTime<Utc>,
) {
    let row = open_row(db, claimed, at).await;
    assert!(storage::retry_outgoing(db, &row, error, at)
        .await
        .expect("the error is recorded"));
    assert!(storage::close_outgoing(
        db,
        &row,
        storage::OutboxEnd::Failed,
        &row.reminders,
        &[],
        &[],
        at,
    )
    .await
    .expect("the row is closed"));
}

/// A fresh, empty PostgreSQL database of its own on the server `LOS_TEST_POSTGRES` names, with
/// the schema applied.
pub async fn pg_db() -> Db {
    Db::open_postgres(&pg_url().await)
        .await
        .expect("the test database opens")
}

/// The URL of a fresh, empty PostgreSQL database of its own (no schema yet), for tests that
/// open it more than once, as several processes would.
pub async fn pg_url() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let admin = std::env::var("LOS_TEST_POSTGRES").expect("LOS_TEST_POSTGRES names a server");
    let name = format!(
        "los_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    storage::create_postgres_database(&admin, &name)
        .await
        .expect("a test database is created");
    match admin.rfind('/') {
        Some(slash) if slash > "postgres://".len() => format!("{}/{name}", &admin[..slash]),
        _ => panic!("LOS_TEST_POSTGRES must end in /<database>: {admin}"),
    }
}

/// A storage test that holds for both backends (the contract suite): `NAME::sqlite` on a real
/// SQLite file, `NAME::postgres` on a database of its own (ignored, with the reason, where no
/// server is named: see `storage/build.rs`). `contract! { multi_thread; … }` runs both on
/// tokio's multi-threaded runtime (two workers), for races.
macro_rules! contract {
    (multi_thread; $($rest:tt)*) => {
        contract!(@test [(flavor = "multi_thread", worker_threads = 2)] $($rest)*);
    };
    (@test [$($flavor:tt)*] $(#[doc = $doc:expr])* async fn $name:ident($db:ident: Db) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[doc = $doc])*
            async fn run($db: storage::Db) $body

            #[tokio::test $($flavor)*]
            async fn sqlite() {
                let (_dir, db) = $crate::common::temp_db().await;
                run(db).await;
            }

            #[tokio::test $($flavor)*]
            #[cfg_attr(
                not(los_postgres),
                ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
            )]
            async fn postgres() {
                run($crate::common::pg_db().await).await;
            }
        }
    };
    ($($rest:tt)*) => {
        contract!(@test [] $($rest)*);
    };
}
pub(crate) use contract;

/// Which of `names` the database still holds, and closes it: on SQLite anywhere in the raw
/// bytes of its file (read once closed, so the log is checkpointed into it); on PostgreSQL in
/// any row of any table (each row as text, every column of it), which is what the purge can
/// answer for there (`storage/src/pg/retention.rs` says what PostgreSQL's pages keep).
pub async fn names_left(db: Db, names: &[&str]) -> Vec<String> {
    let mut left = Vec::new();
    if let Some(pool) = db.postgres_pool() {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
              WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(tables.iter().any(|t| t == "events"), "{tables:?}");
        for name in names {
            for table in &tables {
                let found: bool = sqlx::query_scalar(&format!(
                    "SELECT EXISTS (SELECT 1 FROM \"{table}\" t WHERE strpos(t::text, $1) > 0)"
                ))
                .bind(*name)
                .fetch_one(pool)
                .await
                .unwrap();
                if found {
                    left.push(format!("{name} in {table}"));
                }
            }
        }
        db.close().await;
        return left;
    }
    let file: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(db.sqlite_pool())
            .await
            .unwrap();
    db.close().await;
    let bytes = std::fs::read(&file).unwrap();
    for name in names {
        if bytes.windows(name.len()).any(|w| w == name.as_bytes()) {
            left.push(format!("{name} in {file}"));
        }
    }
    left
}
