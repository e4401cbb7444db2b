//! Cases: creating one, saving what the engine did to it, loading it back.
//!
//! Transaction boundary: one engine result = one transaction. The case row, its steps and
//! candidates, its new history lines and its reminders change together or not at all.
//! Every write transaction here starts with a write, so SQLite takes the write lock first
//! and waits for another writer (busy timeout) instead of failing on a stale read snapshot.

use std::collections::HashMap;
use std::sync::LazyLock;

use flow::{Applied, Case, CaseId, CaseStatus, CaseText, PlannedReminder};
use sqlx::{Acquire, Sqlite, SqliteConnection};

use crate::codec::{id, id_back, json_list, opt_date, opt_ts, ts, JsonMap};
use crate::error::corrupt;
use crate::{announcements, reminders, Db, Result, StorageError};
use rows::{check_version_step, decode_case, CaseRow, CaseToSend, DiscordColumn};

pub(crate) mod cards;
pub(crate) mod history;
pub(crate) mod rows;
pub(crate) mod steps;

/// Opens a case. The id is allocated inside the transaction; `start` builds the case for it
/// (`|id| flow::start(process, id, draft, owner, now)`), and `plan` says which reminders it
/// wants (`|case| flow::plan_reminders(process, case, &settings)`).
pub async fn create_case<S, P>(db: &Db, guild: u64, start: S, plan: P) -> Result<Case>
where
    S: FnOnce(CaseId) -> Applied,
    P: FnOnce(&Case) -> Vec<PlannedReminder>,
{
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::create_case_on(&pg.pool, guild, start, plan).await;
    }
    create_case_on(db, guild, start, plan).await
}

/// [`create_case`] on a connection or transaction of the caller's ([`crate::Import`]).
pub(crate) async fn create_case_on<'a, S, P>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    start: S,
    plan: P,
) -> Result<Case>
where
    S: FnOnce(CaseId) -> Applied,
    P: FnOnce(&Case) -> Vec<PlannedReminder>,
{
    let mut tx = db.begin().await?;
    // A placeholder row, only ever seen inside this transaction, to get the id.
    let case_id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (guild_id, title, unit, owner_id, owner_name, opened_at, version)
         VALUES (?, '', '', 0, '', '', 0) RETURNING id",
    )
    .bind(id(guild))
    .fetch_one(&mut *tx)
    .await?;
    let applied = start(CaseId(case_id));
    if applied.case.id.0 != case_id || applied.case.version != 1 {
        return Err(StorageError::Invalid(format!(
            "a new case must be case {case_id} at version 1, not case {} at version {}",
            applied.case.id, applied.case.version
        )));
    }
    let wanted = plan(&applied.case);
    if write_case_row(&mut tx, guild, &applied.case, 0).await? != 1 {
        return Err(corrupt("the placeholder case row vanished"));
    }
    write_rest(&mut tx, guild, &applied, &wanted).await?;
    tx.commit().await?;
    Ok(applied.case)
}

/// Saves what `flow::apply` returned for a case read at `expected_version`, and reconciles the
/// case's reminders with `wanted` (what `flow::plan_reminders` says for the new case).
///
/// If the case changed since it was read, nothing is written and the answer is
/// [`StorageError::Stale`] naming who changed it: of two people pressing the same button at
/// once, exactly one wins.
pub async fn save_applied(
    db: &Db,
    guild: u64,
    expected_version: i64,
    applied: &Applied,
    wanted: &[PlannedReminder],
) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::save_applied_on(
            &pg.pool,
            guild,
            expected_version,
            applied,
            wanted,
        )
        .await;
    }
    save_applied_on(db, guild, expected_version, applied, wanted).await
}

/// [`save_applied`] on a connection or transaction of the caller's ([`crate::Import`]).
pub(crate) async fn save_applied_on<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    expected_version: i64,
    applied: &Applied,
    wanted: &[PlannedReminder],
) -> Result<()> {
    check_version_step(applied, expected_version)?;
    let mut tx = db.begin().await?;
    write_change(&mut tx, guild, expected_version, applied, wanted).await?;
    tx.commit().await?;
    Ok(())
}

impl Db {
    /// [`save_applied`] through the group commit: the change is stored together with the
    /// others waiting at that moment, and the answer (the change, handed back) comes once
    /// that commit is durable.
    pub async fn save_applied(
        &self,
        guild: u64,
        expected_version: i64,
        applied: Applied,
        wanted: Vec<PlannedReminder>,
    ) -> Result<Applied> {
        if let Some(pg) = self.postgres() {
            return crate::pg::cases::save_applied_grouped(
                pg,
                guild,
                expected_version,
                applied,
                wanted,
            )
            .await;
        }
        check_version_step(&applied, expected_version)?;
        self.writer()
            .write(move |conn| {
                Box::pin(async move {
                    write_change(conn, guild, expected_version, &applied, &wanted).await?;
                    Ok(applied)
                })
            })
            .await
    }
}

/// The change, inside the caller's transaction; `Stale` (nothing written) if the case is no
/// longer at `expected_version`.
async fn write_change(
    conn: &mut SqliteConnection,
    guild: u64,
    expected_version: i64,
    applied: &Applied,
    wanted: &[PlannedReminder],
) -> Result<()> {
    if write_case_row(conn, guild, &applied.case, expected_version).await? == 0 {
        return Err(why_not_written(conn, guild, applied.case.id).await?);
    }
    write_rest(conn, guild, applied, wanted).await
}

/// The case, fully rebuilt, if it exists on this server. Read in one statement.
pub async fn load_case(db: &Db, guild: u64, case: CaseId) -> Result<Option<Case>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::load_case(pg, guild, case).await;
    }
    let mut tx = db.begin().await?;
    let found = read_case(&mut tx, guild, case).await?;
    tx.commit().await?;
    Ok(found)
}

/// Reconciles a case's reminders with `wanted` without changing the case, e.g. after the
/// server changed its reminder settings. `case` is the case as read; if it has changed since,
/// nothing is written and the answer is [`StorageError::Stale`] (plan again from a fresh read).
pub async fn replan_reminders(
    db: &Db,
    guild: u64,
    case: &Case,
    wanted: &[PlannedReminder],
) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::replan_reminders(pg, guild, case, wanted).await;
    }
    let mut tx = db.begin().await?;
    replan_in(&mut tx, guild, case, wanted).await?;
    tx.commit().await?;
    Ok(())
}

async fn replan_in(
    conn: &mut SqliteConnection,
    guild: u64,
    case: &Case,
    wanted: &[PlannedReminder],
) -> Result<()> {
    // A write that changes nothing, first: it takes the write lock and checks the version.
    let current = sqlx::query(
        "UPDATE cases SET version = version WHERE id = ? AND guild_id = ? AND version = ?",
    )
    .bind(case.id.0)
    .bind(id(guild))
    .bind(case.version)
    .execute(&mut *conn)
    .await?;
    if current.rows_affected() == 0 {
        return Err(why_not_written(conn, guild, case.id).await?);
    }
    reminders::reconcile(conn, guild, case.id, wanted).await
}

impl Db {
    /// [`replan_reminders`] through the group commit, so replanning a large server does not
    /// cost one fsync per case.
    pub async fn replan_reminders(
        &self,
        guild: u64,
        case: Case,
        wanted: Vec<PlannedReminder>,
    ) -> Result<()> {
        if let Some(pg) = self.postgres() {
            return crate::pg::cases::replan_grouped(pg, guild, case, wanted).await;
        }
        self.writer()
            .write(move |conn| {
                Box::pin(async move { replan_in(conn, guild, &case, &wanted).await })
            })
            .await
    }
}

/// The ids of the server's open cases, oldest first (e.g. to plan their reminders again).
pub async fn open_cases(db: &Db, guild: u64) -> Result<Vec<CaseId>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::open_cases(pg, guild).await;
    }
    let mut conn = db.begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE guild_id = ? AND status = 'open' ORDER BY opened_at, id",
    )
    .bind(id(guild))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(ids.into_iter().map(CaseId).collect())
}

/// Remembers the case's discussion thread.
pub async fn set_case_thread(db: &Db, guild: u64, case: CaseId, thread: u64) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::set_discord_id(
            &pg.pool,
            guild,
            case,
            DiscordColumn::Thread,
            thread,
        )
        .await;
    }
    set_case_thread_on(db, guild, case, thread).await
}

/// [`set_case_thread`] on a connection or transaction of the caller's ([`crate::Import`]).
pub(crate) async fn set_case_thread_on<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    case: CaseId,
    thread: u64,
) -> Result<()> {
    set_discord_id(db, guild, case, DiscordColumn::Thread, thread).await
}

/// Sets one of a case's Discord ids; `NotFound` if the case is not in this guild.
pub(crate) async fn set_discord_id<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    case: CaseId,
    column: DiscordColumn,
    value: u64,
) -> Result<()> {
    let sql = match column {
        DiscordColumn::Thread => "UPDATE cases SET thread_id = ? WHERE id = ? AND guild_id = ?",
        DiscordColumn::StarterMessage => {
            "UPDATE cases SET starter_message_id = ? WHERE id = ? AND guild_id = ?"
        }
    };
    let mut conn = db.begin().await?;
    let done = sqlx::query(sql)
        .bind(id(value))
        .bind(case.0)
        .bind(id(guild))
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound);
    }
    conn.commit().await?;
    Ok(())
}

/// The case whose thread this is, for commands typed in a case thread.
pub async fn case_by_thread(db: &Db, guild: u64, thread: u64) -> Result<Option<CaseId>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::case_by_thread(pg, guild, thread).await;
    }
    let mut conn = db.begin().await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE thread_id = ? AND guild_id = ?")
            .bind(id(thread))
            .bind(id(guild))
            .fetch_optional(&mut *conn)
            .await?;
    conn.commit().await?;
    Ok(found.map(CaseId))
}

/// Everything of a change besides the case row.
async fn write_rest(
    conn: &mut SqliteConnection,
    guild: u64,
    applied: &Applied,
    wanted: &[PlannedReminder],
) -> Result<()> {
    // One statement list, one round trip to the connection: each part reads its rows from
    // the one JSON parameter.
    static WRITE_REST: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{WRITE_SELDOM}\n{}\n{}\n{}\n{}",
            steps::REPLACE,
            history::APPEND,
            reminders::RECONCILE,
            announcements::OWE
        )
    });
    let case = &applied.case;
    let mut change = JsonMap::new();
    put_seldom(&mut change, case)?;
    steps::put_rows(&mut change, case)?;
    history::put_events(&mut change, case.id.0, case.version, &applied.events)?;
    reminders::put_wanted(&mut change, guild, case.id, wanted)?;
    // The change's own time (every event of one change has it), not the wall clock: the
    // announcement waits [`announcements::GRACE`] on the clock the bot decides by.
    let at = applied
        .events
        .first()
        .map_or_else(chrono::Utc::now, |e| e.at);
    announcements::put_owed(&mut change, case.id, case.version, at)?;
    sqlx::query(WRITE_REST.as_str())
        .bind(serde_json::Value::from(change).to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes the case row's changing part over `expected_version`; the number of rows written
/// (0 or 1). The columns that seldom change, some of them indexed, follow in the rest of
/// the change ([`WRITE_SELDOM`]), written only if they did change: an UPDATE that names an
/// indexed column rewrites the index entry even when the value is the same.
async fn write_case_row(
    conn: &mut SqliteConnection,
    guild: u64,
    case: &Case,
    expected_version: i64,
) -> Result<u64> {
    let marks = serde_json::to_string(&case.marks).map_err(|e| corrupt(e.to_string()))?;
    let done = sqlx::query(
        "UPDATE cases SET marks = ?, soknadsfrist = ?, original_soknadsfrist = ?, startdato = ?,
                version = ?
         WHERE id = ? AND guild_id = ? AND version = ?",
    )
    .bind(marks)
    .bind(opt_date(case.dates.soknadsfrist)?)
    .bind(opt_date(case.dates.original_soknadsfrist)?)
    .bind(opt_date(case.dates.startdato)?)
    .bind(case.version)
    .bind(case.id.0)
    .bind(id(guild))
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// The case row's seldom-changing columns, from `?1 ->> 'row'`, where they differ.
const WRITE_SELDOM: &str = "
    UPDATE cases SET (title, unit, note, owner_id, owner_name, status, ended_at, closed_by_id,
                      closed_by_name, close_reason, opened_at, deputy_id, deputy_name) =
        (SELECT value ->> 'title', value ->> 'unit', value ->> 'note', value ->> 'owner_id',
                value ->> 'owner_name', value ->> 'status', value ->> 'ended_at',
                value ->> 'closed_by_id', value ->> 'closed_by_name', value ->> 'close_reason',
                value ->> 'opened_at', value ->> 'deputy_id', value ->> 'deputy_name'
           FROM json_each(?1, '$.row'))
     WHERE id = ?1 ->> 'case'
       AND (title, unit, note, owner_id, owner_name, status, ended_at, closed_by_id,
            closed_by_name, close_reason, opened_at, deputy_id, deputy_name) IS NOT
           (SELECT value ->> 'title', value ->> 'unit', value ->> 'note', value ->> 'owner_id',
                   value ->> 'owner_name', value ->> 'status', value ->> 'ended_at',
                   value ->> 'closed_by_id', value ->> 'closed_by_name',
                   value ->> 'close_reason', value ->> 'opened_at', value ->> 'deputy_id',
                   value ->> 'deputy_name'
              FROM json_each(?1, '$.row'));";

/// Puts what [`WRITE_SELDOM`] reads into a change's JSON parameter.
fn put_seldom(change: &mut JsonMap, case: &Case) -> Result<()> {
    let (status, ended, closed_by, reason) = match &case.status {
        CaseStatus::Open => ("open", None, None, None),
        CaseStatus::Completed { at } => ("completed", Some(*at), None, None),
        CaseStatus::Closed { at, by, reason } => ("closed", Some(*at), Some(by), Some(reason)),
    };
    let row = serde_json::json!({
        "title": case.title.as_str(),
        "unit": case.unit.as_str(),
        "note": case.note.as_ref().map(CaseText::as_str),
        "owner_id": id(case.owner.id.0),
        "owner_name": case.owner.name,
        "status": status,
        "ended_at": opt_ts(ended)?,
        "closed_by_id": closed_by.map(|p| id(p.id.0)),
        "closed_by_name": closed_by.map(|p| p.name.as_str()),
        "close_reason": reason.map(|r| r.as_str()),
        "opened_at": ts(case.opened_at)?,
        "deputy_id": case.deputy.as_ref().map(|p| id(p.id.0)),
        "deputy_name": case.deputy.as_ref().map(|p| p.name.as_str()),
    });
    // json_each over a one-element array yields the object as `value`.
    change.insert("row".into(), serde_json::Value::Array(vec![row]));
    Ok(())
}

/// Why a case row was not written: it is not on this server, or someone changed it first.
async fn why_not_written(
    conn: &mut SqliteConnection,
    guild: u64,
    case: CaseId,
) -> Result<StorageError> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM cases WHERE id = ? AND guild_id = ?")
            .bind(case.0)
            .bind(id(guild))
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_none() {
        return Ok(StorageError::NotFound);
    }
    let (by, at) = history::last_change(conn, case.0).await?;
    Ok(StorageError::Stale { by, at })
}

pub(crate) async fn read_case(
    conn: &mut SqliteConnection,
    guild: u64,
    case: CaseId,
) -> Result<Option<Case>> {
    static QUERY: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT id, title, unit, note, owner_id, owner_name, status, ended_at, closed_by_id,
                    closed_by_name, close_reason, marks, soknadsfrist, original_soknadsfrist,
                    startdato, opened_at, version, deputy_id, deputy_name,
                    EXISTS (SELECT 1 FROM journeys j WHERE j.case_id = c.id) AS has_journey,
                    (SELECT j.closed_at FROM journeys j WHERE j.case_id = c.id)
                        AS journey_closed_at, {}
             FROM cases c WHERE id = ? AND guild_id = ? AND version > 0",
            steps::SELECT_JSON
        )
    });
    let row: Option<CaseRow> = sqlx::query_as(QUERY.as_str())
        .bind(case.0)
        .bind(id(guild))
        .fetch_optional(&mut *conn)
        .await?;
    row.map(decode_case).transpose()
}

/// The cases of a server that the sender has reminders for, with their cards, read in one
/// snapshot (one transaction for the lot instead of two per reminder). Cases that are gone
/// are left out, and so is a case whose row does not parse (logged with its id and why): one
/// bad row must not stop the reminders of every other case in the batch, on every pass. The
/// sender treats its reminders as it treats those of a case that is gone.
pub async fn cases_for_sending(db: &Db, guild: u64, cases: &[CaseId]) -> Result<Vec<CaseToSend>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::cases::cases_for_sending(pg, guild, cases).await;
    }
    let mut conn = db.begin().await?;
    let list: Vec<String> = cases.iter().map(|c| c.0.to_string()).collect();
    let cards: Vec<(i64, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT k.case_id, k.channel_id, k.thread_id, k.message_id
         FROM case_cards k JOIN cases c ON c.id = k.case_id
         WHERE c.guild_id = ? AND k.case_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
    )
    .bind(id(guild))
    .bind(json_list(list.iter().map(String::as_str)))
    .fetch_all(&mut *conn)
    .await?;
    let threads: HashMap<i64, (u64, u64)> = cards
        .into_iter()
        .map(|(case, channel, thread, message)| {
            (case, (id_back(thread.unwrap_or(channel)), id_back(message)))
        })
        .collect();
    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        match read_case(&mut conn, guild, *case).await {
            Ok(Some(found)) => out.push(CaseToSend {
                thread: threads.get(&case.0).map(|(thread, _)| *thread),
                card: threads.get(&case.0).map(|(_, message)| *message),
                case: found,
            }),
            Ok(None) => {}
            Err(StorageError::Corrupt(why)) => {
                tracing::error!(case = case.0, error = %why, "a case does not parse; its reminders cannot be sent");
            }
            Err(e) => return Err(e),
        }
    }
    conn.commit().await?;
    Ok(out)
}
