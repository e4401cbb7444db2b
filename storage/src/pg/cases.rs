//! Cases on PostgreSQL (see `crate::cases`): creating one, saving a change over a version,
//! reading it back, its history, its card and its place in Discord.
//!
//! A change is the same transaction as on SQLite: the case row first (`UPDATE … WHERE version =
//! expected`: it takes the row lock, and a change of another process holding it is waited for
//! and then seen, so the loser matches no row and is `Stale`), then its steps, candidates,
//! history, reminder plan and owed announcement. Rows go as typed arrays through `unnest`, one
//! statement per table, and the upserts write only rows that changed. A case is read in one
//! statement, its rows as JSON in the text forms SQLite stores, so both backends share the
//! decoding (`crate::cases::rows::decode_case`).

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use flow::{Applied, Case, CaseId, CaseStatus, CaseText, Event, OutcomeId, PersonRef};
use flow::{PlannedReminder, StepId};
use sqlx::{Acquire, Connection, PgConnection, Postgres};

use super::{micros, ts_text, PgDb};
use crate::announcements::rows::{change_nonce, GRACE};
use crate::cases::rows::{
    check_version_step, decode_case, CaseCard, CasePlace, CaseRow, CaseToSend, DiscordColumn,
    EventRow, HistoryEntry,
};
use crate::cases::steps;
use crate::codec::{id, id_back, opt_date, opt_id, opt_id_back, opt_person, ts_back};
use crate::error::corrupt;
use crate::{Result, StorageError};

/// [`crate::create_case`] on a PostgreSQL connection or transaction (an import's).
pub(crate) async fn create_case_on<'a, S, P>(
    db: impl Acquire<'a, Database = Postgres>,
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
         VALUES ($1, '', '', 0, '', now(), 0) RETURNING id",
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

/// [`crate::save_applied`] on a PostgreSQL connection or transaction.
pub(crate) async fn save_applied_on<'a>(
    db: impl Acquire<'a, Database = Postgres>,
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

/// `Db::save_applied` on PostgreSQL: through this process's group commit.
pub(crate) async fn save_applied_grouped(
    db: &PgDb,
    guild: u64,
    expected_version: i64,
    applied: Applied,
    wanted: Vec<PlannedReminder>,
) -> Result<Applied> {
    check_version_step(&applied, expected_version)?;
    db.writer
        .write(move |conn| {
            Box::pin(async move {
                write_change(conn, guild, expected_version, &applied, &wanted).await?;
                Ok(applied)
            })
        })
        .await
}

/// The change, inside the caller's transaction; `Stale` (nothing written) if the case is no
/// longer at `expected_version`.
async fn write_change(
    conn: &mut PgConnection,
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

/// [`crate::replan_reminders`] on PostgreSQL.
pub(crate) async fn replan_reminders(
    db: &PgDb,
    guild: u64,
    case: &Case,
    wanted: &[PlannedReminder],
) -> Result<()> {
    let mut tx = db.pool.begin().await?;
    replan_in(&mut tx, guild, case, wanted).await?;
    tx.commit().await?;
    Ok(())
}

/// `Db::replan_reminders` on PostgreSQL: through the group commit.
pub(crate) async fn replan_grouped(
    db: &PgDb,
    guild: u64,
    case: Case,
    wanted: Vec<PlannedReminder>,
) -> Result<()> {
    db.writer
        .write(move |conn| Box::pin(async move { replan_in(conn, guild, &case, &wanted).await }))
        .await
}

async fn replan_in(
    conn: &mut PgConnection,
    guild: u64,
    case: &Case,
    wanted: &[PlannedReminder],
) -> Result<()> {
    // A write that changes nothing, first: it locks the row and checks the version.
    let current = sqlx::query(
        "UPDATE cases SET version = version WHERE id = $1 AND guild_id = $2 AND version = $3",
    )
    .bind(case.id.0)
    .bind(id(guild))
    .bind(case.version)
    .execute(&mut *conn)
    .await?;
    if current.rows_affected() == 0 {
        return Err(why_not_written(conn, guild, case.id).await?);
    }
    super::reminders::reconcile(conn, guild, case.id, wanted).await
}

/// Writes the case row's changing part over `expected_version`; the rows written (0 or 1).
async fn write_case_row(
    conn: &mut PgConnection,
    guild: u64,
    case: &Case,
    expected_version: i64,
) -> Result<u64> {
    let marks = serde_json::to_string(&case.marks).map_err(|e| corrupt(e.to_string()))?;
    let done = sqlx::query(
        "UPDATE cases SET marks = $1::jsonb, soknadsfrist = $2, original_soknadsfrist = $3,
                startdato = $4, version = $5
         WHERE id = $6 AND guild_id = $7 AND version = $8",
    )
    .bind(marks)
    .bind(checked_date(case.dates.soknadsfrist)?)
    .bind(checked_date(case.dates.original_soknadsfrist)?)
    .bind(checked_date(case.dates.startdato)?)
    .bind(case.version)
    .bind(case.id.0)
    .bind(id(guild))
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A date SQLite would store (years 0000–9999), else `Invalid`, as there.
fn checked_date(d: Option<NaiveDate>) -> Result<Option<NaiveDate>> {
    opt_date(d)?;
    Ok(d)
}

/// Everything of a change besides the case row's changing part.
async fn write_rest(
    conn: &mut PgConnection,
    guild: u64,
    applied: &Applied,
    wanted: &[PlannedReminder],
) -> Result<()> {
    let case = &applied.case;
    write_seldom(conn, case).await?;
    replace_rows(conn, case).await?;
    append_events(conn, case.id, case.version, &applied.events).await?;
    super::reminders::reconcile(conn, guild, case.id, wanted).await?;
    // The change's own time (every event of one change has it), not the wall clock, as on
    // SQLite: the announcement waits `GRACE` on the clock the bot decides by.
    let at = applied.events.first().map_or_else(Utc::now, |e| e.at);
    owe_announcement(conn, guild, case.id, case.version, at).await
}

/// The case row's seldom-changing columns, written only where they differ (an UPDATE naming
/// an indexed column rewrites its index entry even when the value is the same).
async fn write_seldom(conn: &mut PgConnection, case: &Case) -> Result<()> {
    let (status, ended, closed_by, reason) = match &case.status {
        CaseStatus::Open => ("open", None, None, None),
        CaseStatus::Completed { at } => ("completed", Some(*at), None, None),
        CaseStatus::Closed { at, by, reason } => ("closed", Some(*at), Some(by), Some(reason)),
    };
    sqlx::query(
        "UPDATE cases SET (title, unit, note, owner_id, owner_name, status, ended_at,
                           closed_by_id, closed_by_name, close_reason, opened_at, deputy_id,
                           deputy_name) =
                ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
          WHERE id = $1
            AND (title, unit, note, owner_id, owner_name, status, ended_at, closed_by_id,
                 closed_by_name, close_reason, opened_at, deputy_id, deputy_name)
                IS DISTINCT FROM
                ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(case.id.0)
    .bind(case.title.as_str())
    .bind(case.unit.as_str())
    .bind(case.note.as_ref().map(CaseText::as_str))
    .bind(id(case.owner.id.0))
    .bind(&case.owner.name)
    .bind(status)
    .bind(ended.map(micros).transpose()?)
    .bind(closed_by.map(|p| id(p.id.0)))
    .bind(closed_by.map(|p| p.name.as_str()))
    .bind(reason.map(|r| r.as_str()))
    .bind(micros(case.opened_at)?)
    .bind(case.deputy.as_ref().map(|p| id(p.id.0)))
    .bind(case.deputy.as_ref().map(|p| p.name.as_str()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the case's steps (with confirmations) and candidates with those of `case`,
/// writing only what changed.
async fn replace_rows(conn: &mut PgConnection, case: &Case) -> Result<()> {
    let (steps, confirmations, candidates) = steps::rows(case)?;
    let c = case.id.0;
    let conf_steps: Vec<&str> = confirmations.iter().map(|r| r.step.as_str()).collect();
    let conf_roles: Vec<&str> = confirmations.iter().map(|r| r.role.as_str()).collect();
    sqlx::query(
        "DELETE FROM step_confirmations WHERE case_id = $1
            AND (step, role) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))",
    )
    .bind(c)
    .bind(&conf_steps)
    .bind(&conf_roles)
    .execute(&mut *conn)
    .await?;
    let names: Vec<&str> = steps.iter().map(|r| r.step.as_str()).collect();
    sqlx::query("DELETE FROM case_steps WHERE case_id = $1 AND step <> ALL($2::text[])")
        .bind(c)
        .bind(&names)
        .execute(&mut *conn)
        .await?;
    let at: Vec<DateTime<Utc>> = steps
        .iter()
        .map(|r| micros(ts_back(&r.at)?))
        .collect::<Result<_>>()?;
    sqlx::query(
        "INSERT INTO case_steps (case_id, step, state, at, by_id, by_name, outcome, reason)
         SELECT $1, s.* FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::int8[],
                                    $6::text[], $7::text[], $8::text[])
                          AS s(step, state, at, by_id, by_name, outcome, reason)
         ON CONFLICT (case_id, step) DO UPDATE SET
             state = excluded.state, at = excluded.at, by_id = excluded.by_id,
             by_name = excluded.by_name, outcome = excluded.outcome, reason = excluded.reason
         WHERE (case_steps.state, case_steps.at, case_steps.by_id, case_steps.by_name,
                case_steps.outcome, case_steps.reason) IS DISTINCT FROM
               (excluded.state, excluded.at, excluded.by_id, excluded.by_name,
                excluded.outcome, excluded.reason)",
    )
    .bind(c)
    .bind(&names)
    .bind(steps.iter().map(|r| r.state.as_str()).collect::<Vec<_>>())
    .bind(&at)
    .bind(steps.iter().map(|r| r.by_id).collect::<Vec<_>>())
    .bind(
        steps
            .iter()
            .map(|r| r.by_name.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        steps
            .iter()
            .map(|r| r.outcome.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        steps
            .iter()
            .map(|r| r.reason.as_deref())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO step_confirmations (case_id, step, role, by_id, by_name)
         SELECT $1, s.* FROM unnest($2::text[], $3::text[], $4::int8[], $5::text[])
                          AS s(step, role, by_id, by_name)
         ON CONFLICT (case_id, step, role) DO UPDATE SET
             by_id = excluded.by_id, by_name = excluded.by_name
         WHERE (step_confirmations.by_id, step_confirmations.by_name) IS DISTINCT FROM
               (excluded.by_id, excluded.by_name)",
    )
    .bind(c)
    .bind(&conf_steps)
    .bind(&conf_roles)
    .bind(confirmations.iter().map(|r| r.by_id).collect::<Vec<_>>())
    .bind(
        confirmations
            .iter()
            .map(|r| r.by_name.as_str())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    let ranks: Vec<i64> = candidates.iter().map(|r| r.rank).collect();
    sqlx::query("DELETE FROM candidates WHERE case_id = $1 AND rank <> ALL($2::int8[])")
        .bind(c)
        .bind(&ranks)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO candidates (case_id, rank, name, answer)
         SELECT $1, s.* FROM unnest($2::int8[], $3::text[], $4::text[]) AS s(rank, name, answer)
         ON CONFLICT (case_id, rank) DO UPDATE SET name = excluded.name, answer = excluded.answer
         WHERE (candidates.name, candidates.answer) IS DISTINCT FROM
               (excluded.name, excluded.answer)",
    )
    .bind(c)
    .bind(&ranks)
    .bind(
        candidates
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        candidates
            .iter()
            .map(|r| r.answer.as_str())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends the events of one change, numbered on from the case's last line.
async fn append_events(
    conn: &mut PgConnection,
    case: CaseId,
    version: i64,
    events: &[Event],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let at: Vec<DateTime<Utc>> = events.iter().map(|e| micros(e.at)).collect::<Result<_>>()?;
    let ids = |p: fn(&Event) -> Option<&PersonRef>| -> Vec<Option<i64>> {
        events.iter().map(|e| p(e).map(|p| id(p.id.0))).collect()
    };
    let names = |p: fn(&Event) -> Option<&PersonRef>| -> Vec<Option<&str>> {
        events
            .iter()
            .map(|e| p(e).map(|p| p.name.as_str()))
            .collect()
    };
    let actor: fn(&Event) -> Option<&PersonRef> = |e| e.actor.as_ref();
    let on_behalf: fn(&Event) -> Option<&PersonRef> = |e| e.on_behalf.as_ref();
    sqlx::query(
        "INSERT INTO events (case_id, seq, version, at, actor_id, actor_name, kind, step,
                             outcome, detail, for_id, for_name)
         SELECT $1, last.seq + e.n, $2, e.at, e.actor_id, e.actor_name, e.kind, e.step,
                e.outcome, e.detail, e.for_id, e.for_name
           FROM unnest($3::timestamptz[], $4::int8[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::int8[], $11::text[])
                WITH ORDINALITY
                AS e(at, actor_id, actor_name, kind, step, outcome, detail, for_id, for_name, n),
                (SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE case_id = $1) AS last
          ORDER BY e.n",
    )
    .bind(case.0)
    .bind(version)
    .bind(&at)
    .bind(ids(actor))
    .bind(names(actor))
    .bind(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>())
    .bind(
        events
            .iter()
            .map(|e| e.step.as_ref().map(StepId::as_str))
            .collect::<Vec<_>>(),
    )
    .bind(
        events
            .iter()
            .map(|e| e.outcome.as_ref().map(OutcomeId::as_str))
            .collect::<Vec<_>>(),
    )
    .bind(
        events
            .iter()
            .map(|e| e.detail.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(ids(on_behalf))
    .bind(names(on_behalf))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The announcement a stored change owes its thread (see `crate::announcements`), in the
/// change's transaction; a change never announces itself twice.
async fn owe_announcement(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
    version: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO announcements (guild_id, case_id, kind, version, nonce, next_attempt_at,
                                    created_at)
         VALUES ($1, $2, 'change', $3, $4, $5, $6)
         ON CONFLICT DO NOTHING",
    )
    .bind(id(guild))
    .bind(case.0)
    .bind(version)
    .bind(change_nonce(case, version))
    .bind(micros(at + GRACE)?)
    .bind(micros(at)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Why a case row was not written: it is not on this server, or someone changed it first.
async fn why_not_written(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
) -> Result<StorageError> {
    let exists: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM cases WHERE id = $1 AND guild_id = $2")
            .bind(case.0)
            .bind(id(guild))
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_none() {
        return Ok(StorageError::NotFound);
    }
    let row: Option<(Option<i64>, Option<String>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT actor_id, actor_name, at FROM events WHERE case_id = $1
         ORDER BY actor_id IS NULL, seq DESC LIMIT 1",
    )
    .bind(case.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some((actor_id, actor_name, at)) => StorageError::Stale {
            by: opt_person(actor_id, actor_name),
            at,
        },
        None => StorageError::Stale {
            by: None,
            at: DateTime::<Utc>::MIN_UTC,
        },
    })
}

/// A date column as the codec's text (`YYYY-MM-DD`).
fn date_text(col: &str) -> String {
    format!("to_char({col}, 'YYYY-MM-DD')")
}

/// The case's SELECT: every column of [`CaseRow`], in the text forms SQLite stores.
static READ_CASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, title, unit, note, owner_id, owner_name, status,
                {ended} AS ended_at, closed_by_id, closed_by_name, close_reason,
                marks::text AS marks, {sf} AS soknadsfrist, {osf} AS original_soknadsfrist,
                {start} AS startdato, {opened} AS opened_at, version, deputy_id, deputy_name,
                EXISTS (SELECT 1 FROM journeys j WHERE j.case_id = c.id) AS has_journey,
                (SELECT {jclosed} FROM journeys j WHERE j.case_id = c.id) AS journey_closed_at,
                (SELECT COALESCE(jsonb_agg(jsonb_build_object('step', step, 'state', state,
                        'at', {at}, 'by_id', by_id, 'by_name', by_name, 'outcome', outcome,
                        'reason', reason)), '[]'::jsonb)::text
                   FROM case_steps WHERE case_id = c.id) AS steps_json,
                (SELECT COALESCE(jsonb_agg(jsonb_build_object('step', step, 'role', role,
                        'by_id', by_id, 'by_name', by_name)), '[]'::jsonb)::text
                   FROM step_confirmations WHERE case_id = c.id) AS confirmations_json,
                (SELECT COALESCE(jsonb_agg(jsonb_build_object('rank', rank, 'name', name,
                        'answer', answer) ORDER BY rank), '[]'::jsonb)::text
                   FROM candidates WHERE case_id = c.id) AS candidates_json
         FROM cases c WHERE id = $1 AND guild_id = $2 AND version > 0",
        ended = ts_text("ended_at"),
        sf = date_text("soknadsfrist"),
        osf = date_text("original_soknadsfrist"),
        start = date_text("startdato"),
        opened = ts_text("opened_at"),
        jclosed = ts_text("j.closed_at"),
        at = ts_text("at"),
    )
});

/// The case, fully rebuilt, if it exists on this server. One statement: one snapshot.
pub(crate) async fn read_case(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
) -> Result<Option<Case>> {
    let row: Option<CaseRow> = sqlx::query_as(READ_CASE.as_str())
        .bind(case.0)
        .bind(id(guild))
        .fetch_optional(&mut *conn)
        .await?;
    row.map(decode_case).transpose()
}

/// [`crate::load_case`] on PostgreSQL.
pub(crate) async fn load_case(db: &PgDb, guild: u64, case: CaseId) -> Result<Option<Case>> {
    let mut conn = db.pool.acquire().await?;
    read_case(&mut conn, guild, case).await
}

/// [`crate::open_cases`] on PostgreSQL.
pub(crate) async fn open_cases(db: &PgDb, guild: u64) -> Result<Vec<CaseId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE guild_id = $1 AND status = 'open' ORDER BY opened_at, id",
    )
    .bind(id(guild))
    .fetch_all(&db.pool)
    .await?;
    Ok(ids.into_iter().map(CaseId).collect())
}

/// `crate::cases::set_discord_id` on PostgreSQL: `NotFound` if the case is not on this server.
pub(crate) async fn set_discord_id<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    guild: u64,
    case: CaseId,
    column: DiscordColumn,
    value: u64,
) -> Result<()> {
    let sql = match column {
        DiscordColumn::Thread => "UPDATE cases SET thread_id = $1 WHERE id = $2 AND guild_id = $3",
        DiscordColumn::StarterMessage => {
            "UPDATE cases SET starter_message_id = $1 WHERE id = $2 AND guild_id = $3"
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

/// [`crate::case_by_thread`] on PostgreSQL.
pub(crate) async fn case_by_thread(db: &PgDb, guild: u64, thread: u64) -> Result<Option<CaseId>> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE thread_id = $1 AND guild_id = $2")
            .bind(id(thread))
            .bind(id(guild))
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.map(CaseId))
}

/// [`crate::cases_for_sending`] on PostgreSQL: the cards and the cases read in one snapshot
/// (REPEATABLE READ), as SQLite's one read transaction does.
pub(crate) async fn cases_for_sending(
    db: &PgDb,
    guild: u64,
    cases: &[CaseId],
) -> Result<Vec<CaseToSend>> {
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
    let cards: Vec<(i64, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT k.case_id, k.channel_id, k.thread_id, k.message_id
         FROM case_cards k JOIN cases c ON c.id = k.case_id
         WHERE c.guild_id = $1 AND k.case_id = ANY($2::int8[])",
    )
    .bind(id(guild))
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let threads: HashMap<i64, (u64, u64)> = cards
        .into_iter()
        .map(|(case, channel, thread, message)| {
            (case, (id_back(thread.unwrap_or(channel)), id_back(message)))
        })
        .collect();
    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        match read_case(&mut tx, guild, *case).await {
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
    tx.commit().await?;
    Ok(out)
}

static HISTORY_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "e.seq, e.version, {} AS at, e.actor_id, e.actor_name, e.kind, e.step, e.outcome,
         e.detail, e.for_id, e.for_name",
        ts_text("e.at")
    )
});

/// [`crate::history`] on PostgreSQL.
pub(crate) async fn history(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    limit: u32,
    offset: u32,
) -> Result<Vec<HistoryEntry>> {
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT {} FROM events e JOIN cases c ON c.id = e.case_id
         WHERE c.id = $1 AND c.guild_id = $2
         ORDER BY e.seq LIMIT $3 OFFSET $4",
        *HISTORY_COLUMNS
    ))
    .bind(case.0)
    .bind(id(guild))
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(EventRow::into_entry).collect()
}

/// [`crate::events_of_version`] on PostgreSQL.
pub(crate) async fn events_of_version(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    version: i64,
) -> Result<Vec<Event>> {
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT {} FROM events e JOIN cases c ON c.id = e.case_id
         WHERE c.id = $1 AND c.guild_id = $2 AND e.version = $3
         ORDER BY e.seq",
        *HISTORY_COLUMNS
    ))
    .bind(case.0)
    .bind(id(guild))
    .bind(version)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|r| r.into_entry().map(|e| e.event))
        .collect()
}

/// [`crate::set_card`] on PostgreSQL.
pub(crate) async fn set_card_on<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    guild: u64,
    case: CaseId,
    card: CaseCard,
) -> Result<()> {
    let mut conn = db.begin().await?;
    let done = sqlx::query(
        "INSERT INTO case_cards (case_id, channel_id, thread_id, message_id, updated_at)
         SELECT id, $1, $2, $3, $4 FROM cases WHERE id = $5 AND guild_id = $6
         ON CONFLICT (case_id) DO UPDATE SET channel_id = excluded.channel_id,
             thread_id = excluded.thread_id, message_id = excluded.message_id,
             updated_at = excluded.updated_at",
    )
    .bind(id(card.channel))
    .bind(opt_id(card.thread))
    .bind(id(card.message))
    .bind(micros(Utc::now())?)
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

/// [`crate::card`] on PostgreSQL.
pub(crate) async fn card(db: &PgDb, guild: u64, case: CaseId) -> Result<Option<CaseCard>> {
    let row: Option<(i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT k.channel_id, k.thread_id, k.message_id
         FROM case_cards k JOIN cases c ON c.id = k.case_id
         WHERE k.case_id = $1 AND c.guild_id = $2",
    )
    .bind(case.0)
    .bind(id(guild))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(channel, thread, message)| CaseCard {
        channel: id_back(channel),
        thread: opt_id_back(thread),
        message: id_back(message),
    }))
}

/// [`crate::case_place`] on PostgreSQL.
pub(crate) async fn case_place(db: &PgDb, guild: u64, case: CaseId) -> Result<Option<CasePlace>> {
    type PlaceRow = (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let row: Option<PlaceRow> = sqlx::query_as(
        "SELECT c.starter_message_id, c.thread_id, k.channel_id, k.thread_id, k.message_id
         FROM cases c LEFT JOIN case_cards k ON k.case_id = c.id
         WHERE c.id = $1 AND c.guild_id = $2",
    )
    .bind(case.0)
    .bind(id(guild))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(
        |(starter, thread, channel, card_thread, message)| CasePlace {
            starter: opt_id_back(starter),
            thread: opt_id_back(thread),
            card: match (channel, message) {
                (Some(channel), Some(message)) => Some(CaseCard {
                    channel: id_back(channel),
                    thread: opt_id_back(card_thread),
                    message: id_back(message),
                }),
                _ => None,
            },
        },
    ))
}

/// [`crate::cases_to_scrub`] on PostgreSQL.
pub(crate) async fn cases_to_scrub(db: &PgDb, limit: u32) -> Result<Vec<(u64, CaseId)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT guild_id, id FROM cases
         WHERE purged_at IS NOT NULL AND scrubbed_at IS NULL ORDER BY purged_at, id LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(g, c)| (id_back(g), CaseId(c)))
        .collect())
}

/// [`crate::mark_scrubbed`] on PostgreSQL.
pub(crate) async fn mark_scrubbed(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET scrubbed_at = $1
         WHERE id = $2 AND guild_id = $3 AND purged_at IS NOT NULL",
    )
    .bind(micros(at)?)
    .bind(case.0)
    .bind(id(guild))
    .execute(&db.pool)
    .await?;
    Ok(())
}
