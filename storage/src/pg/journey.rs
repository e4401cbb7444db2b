//! Onboarding journeys on PostgreSQL (see `crate::journey`): a server's template versions, each
//! case's journey with its people, thread and ticks, and the journey's reminders reconciled in
//! the same transaction as each change.
//!
//! SQLite serialises every write transaction; here the same guarantees come from row locks
//! (READ COMMITTED): a change that decides by the journey's state first locks the journey row
//! (`FOR NO KEY UPDATE`, or its own `UPDATE`), so a second tick, buddy or decision racing it in
//! another process waits, then sees the row as the first left it and is refused (`Ok(false)`)
//! instead of applied twice. A change that plans the case's own reminders (creating and closing
//! the journey) first locks the case row, so no case change of another process slips between
//! reading the case and planning from it. Locks are always taken case row first, then journey
//! row, so two of these never wait on each other in a circle.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use flow::journey::{Closing, Decision, Journey, Template, Tick};
use flow::{Case, CaseId, PersonRef, PlannedReminder};
use sqlx::{Acquire, Connection, PgConnection, Postgres};

use super::{micros, PgDb};
use crate::codec::{id, id_back, opt_id, opt_id_back, opt_person, parsed, person, ERASED};
use crate::journey::rows::{template_back, JourneyRow};
use crate::{Result, StorageError};

/// [`crate::journey_template`] on PostgreSQL.
pub(crate) async fn journey_template(db: &PgDb, guild: u64) -> Result<Option<(i64, Template)>> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT version, template::text FROM journey_templates WHERE guild_id = $1
         ORDER BY version DESC LIMIT 1",
    )
    .bind(id(guild))
    .fetch_optional(&db.pool)
    .await?;
    row.map(|(v, t)| Ok((v, template_back(&t)?))).transpose()
}

/// [`crate::save_journey_template`] on PostgreSQL. Two processes storing a version after the
/// same one: both find it the latest, the second's insert of the same key waits for the first,
/// then does nothing (`ON CONFLICT DO NOTHING`) and is `Stale`, as on SQLite.
pub(crate) async fn save_journey_template(
    db: &PgDb,
    guild: u64,
    after: i64,
    template: &Template,
    now: DateTime<Utc>,
) -> Result<i64> {
    let json = serde_json::to_string(template).map_err(|e| StorageError::Invalid(e.to_string()))?;
    let mut tx = db.pool.begin().await?;
    let done = sqlx::query(
        "INSERT INTO journey_templates (guild_id, version, template, created_at)
         SELECT $1, $2 + 1, $3::jsonb, $4
          WHERE $2 = (SELECT COALESCE(MAX(version), 0) FROM journey_templates WHERE guild_id = $1)
         ON CONFLICT DO NOTHING",
    )
    .bind(id(guild))
    .bind(after)
    .bind(json)
    .bind(micros(now)?)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::Stale { by: None, at: now });
    }
    tx.commit().await?;
    Ok(after + 1)
}

/// [`crate::create_journey`] on a PostgreSQL connection or transaction (an import's too).
pub(crate) async fn create_journey_on<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    guild: u64,
    journey: &Journey,
    wanted: &[PlannedReminder],
    plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let json = serde_json::to_string(&journey.template)
        .map_err(|e| StorageError::Invalid(e.to_string()))?;
    crate::codec::date(journey.start)?;
    let mut tx = db.begin().await?;
    if !lock_case(&mut tx, guild, journey.case).await? {
        return Err(StorageError::NotFound);
    }
    let done = sqlx::query(
        "INSERT INTO journeys (case_id, guild_id, version, template, start_date, new_hire_id,
                               new_hire_name, buddy_id, buddy_name, created_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(journey.case.0)
    .bind(id(guild))
    .bind(journey.version)
    .bind(json)
    .bind(journey.start)
    .bind(id(journey.new_hire.id.0))
    .bind(&journey.new_hire.name)
    .bind(opt_id(journey.buddy.as_ref().map(|b| b.id.0)))
    .bind(journey.buddy.as_ref().map(|b| b.name.as_str()))
    .bind(micros(now)?)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        // The case is this server's (locked above): it has its journey already.
        return Ok(false);
    }
    super::reminders::reconcile_journey(&mut tx, guild, journey.case, wanted).await?;
    replan_case(&mut tx, guild, journey.case, plan_case).await?;
    tx.commit().await?;
    Ok(true)
}

/// Locks the case row against changes of other transactions until this one ends; whether the
/// case is on this server.
async fn lock_case(conn: &mut PgConnection, guild: u64, case: CaseId) -> Result<bool> {
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM cases WHERE id = $1 AND guild_id = $2 FOR NO KEY UPDATE")
            .bind(case.0)
            .bind(id(guild))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// Plans the case's own reminders again as it is now; the caller holds the case row's lock.
async fn replan_case(
    conn: &mut PgConnection,
    guild: u64,
    case: CaseId,
    plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
) -> Result<()> {
    if let Some(found) = super::cases::read_case(conn, guild, case).await? {
        let wanted = plan_case(&found);
        super::reminders::reconcile(conn, guild, case, &wanted).await?;
    }
    Ok(())
}

/// [`crate::journey`] on PostgreSQL.
pub(crate) async fn journey(db: &PgDb, guild: u64, case: CaseId) -> Result<Option<JourneyRow>> {
    let found = read_snapshot(db, guild, "case_id = ANY($2)", &[case.0]).await?;
    Ok(found.into_iter().next())
}

/// [`crate::journeys_of`] on PostgreSQL.
pub(crate) async fn journeys_of(
    db: &PgDb,
    guild: u64,
    cases: &[CaseId],
) -> Result<Vec<JourneyRow>> {
    let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
    read_snapshot(db, guild, "case_id = ANY($2)", &ids).await
}

/// [`crate::journeys_of_person`] on PostgreSQL.
pub(crate) async fn journeys_of_person(
    db: &PgDb,
    guild: u64,
    person: u64,
) -> Result<Vec<JourneyRow>> {
    read_snapshot(
        db,
        guild,
        "closed_at IS NULL AND (new_hire_id = ANY($2) OR buddy_id = ANY($2))",
        &[id(person)],
    )
    .await
}

/// [`crate::journeys_owing`] on PostgreSQL.
pub(crate) async fn journeys_owing(
    db: &PgDb,
    before: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<JourneyRow>> {
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let owing: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT guild_id, case_id FROM journeys
          WHERE ((thread_id IS NULL OR message_id IS NULL) AND created_at <= $1)
             OR (closed_at IS NOT NULL AND archived_at IS NULL AND closed_at <= $1)
          ORDER BY case_id LIMIT $2",
    )
    .bind(micros(before)?)
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    let mut out = Vec::with_capacity(owing.len());
    for (guild, case) in owing {
        out.extend(read(&mut tx, id_back(guild), "case_id = ANY($2)", &[case]).await?);
    }
    tx.commit().await?;
    Ok(out)
}

/// [`crate::set_journey_thread`] on a PostgreSQL connection or transaction: recorded once (a
/// second, racing or later, finds the thread set once it has the row and changes nothing).
pub(crate) async fn set_journey_thread_on<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    guild: u64,
    case: CaseId,
    thread: u64,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE journeys SET thread_id = $1
          WHERE case_id = $2 AND guild_id = $3 AND thread_id IS NULL",
    )
    .bind(id(thread))
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// [`crate::set_journey_message`] on a PostgreSQL connection or transaction.
pub(crate) async fn set_journey_message_on<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    guild: u64,
    case: CaseId,
    message: u64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE journeys SET message_id = $1 WHERE case_id = $2 AND guild_id = $3")
        .bind(id(message))
        .bind(case.0)
        .bind(id(guild))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// [`crate::set_journey_archived`] on PostgreSQL.
pub(crate) async fn set_journey_archived(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE journeys SET archived_at = $1
          WHERE case_id = $2 AND guild_id = $3 AND closed_at IS NOT NULL",
    )
    .bind(micros(now)?)
    .bind(case.0)
    .bind(id(guild))
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Locks the open journey's row until the transaction ends; whether there is one (an open
/// journey of the case on this server). A close committed while this waited is seen: `false`.
async fn lock_open_journey(conn: &mut PgConnection, guild: u64, case: CaseId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT case_id FROM journeys
          WHERE case_id = $1 AND guild_id = $2 AND closed_at IS NULL FOR NO KEY UPDATE",
    )
    .bind(case.0)
    .bind(id(guild))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// [`crate::tick_journey_item`] on PostgreSQL.
pub(crate) async fn tick_journey_item(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    item: &str,
    by: &PersonRef,
    now: DateTime<Utc>,
    wanted: &[PlannedReminder],
) -> Result<bool> {
    let at = micros(now)?;
    let mut tx = db.pool.begin().await?;
    // The journey row first: a close racing this tick waits for it or is seen by it, so no
    // tick (and no reminder it plans) lands on a closed journey.
    if !lock_open_journey(&mut tx, guild, case).await? {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO journey_ticks (case_id, item, by_id, by_name, at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (case_id, item) DO NOTHING",
    )
    .bind(case.0)
    .bind(item)
    .bind(id(by.id.0))
    .bind(&by.name)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::reminders::reconcile_journey(&mut tx, guild, case, wanted).await?;
    tx.commit().await?;
    Ok(true)
}

/// [`crate::set_journey_buddy`] on PostgreSQL.
pub(crate) async fn set_journey_buddy(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    buddy: &PersonRef,
    wanted: &[PlannedReminder],
) -> Result<bool> {
    let mut tx = db.pool.begin().await?;
    let done = sqlx::query(
        "UPDATE journeys SET buddy_id = $1, buddy_name = $2
          WHERE case_id = $3 AND guild_id = $4 AND closed_at IS NULL",
    )
    .bind(id(buddy.id.0))
    .bind(&buddy.name)
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::reminders::reconcile_journey(&mut tx, guild, case, wanted).await?;
    tx.commit().await?;
    Ok(true)
}

/// [`crate::close_journey`] on PostgreSQL: decided once (a second decision, racing or later,
/// waits for the row and finds it closed).
pub(crate) async fn close_journey(
    db: &PgDb,
    guild: u64,
    case: CaseId,
    decision: Decision,
    by: &PersonRef,
    plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let at = micros(now)?;
    let mut tx = db.pool.begin().await?;
    if !lock_case(&mut tx, guild, case).await? {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE journeys SET decision = $1, decided_by_id = $2, decided_by_name = $3,
                closed_at = $4
          WHERE case_id = $5 AND guild_id = $6 AND closed_at IS NULL",
    )
    .bind(decision.as_str())
    .bind(id(by.id.0))
    .bind(&by.name)
    .bind(at)
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::reminders::reconcile_journey(&mut tx, guild, case, &[]).await?;
    replan_case(&mut tx, guild, case, plan_case).await?;
    tx.commit().await?;
    Ok(true)
}

/// [`crate::replan_journeys`] on PostgreSQL: the batch's journey rows are locked by the first
/// statement (a tick meanwhile waits and is planned with, as on SQLite), then each is read as
/// it is now and its reminders reconciled, all in one transaction.
pub(crate) async fn replan_journeys(
    db: &PgDb,
    guild: u64,
    after: Option<CaseId>,
    limit: u32,
    plan: impl Fn(&Journey) -> Vec<PlannedReminder>,
) -> Result<Option<CaseId>> {
    let mut tx = db.pool.begin().await?;
    let cases: Vec<i64> = sqlx::query_scalar(
        "SELECT case_id FROM journeys
          WHERE guild_id = $1 AND closed_at IS NULL AND case_id > $2
          ORDER BY case_id LIMIT $3 FOR NO KEY UPDATE",
    )
    .bind(id(guild))
    .bind(after.map_or(0, |c| c.0))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    for row in read(&mut tx, guild, "case_id = ANY($2)", &cases).await? {
        let wanted = plan(&row.journey);
        super::reminders::reconcile_journey(&mut tx, guild, row.journey.case, &wanted).await?;
    }
    tx.commit().await?;
    Ok(cases.iter().max().copied().map(CaseId))
}

/// Erases the people of a case's journey (the new hire, the buddy, who ticked and who
/// decided), in the purge's transaction (see `crate::journey::purge_in`).
pub(crate) async fn purge_in(conn: &mut PgConnection, case: i64) -> Result<()> {
    sqlx::query(
        "UPDATE journeys SET new_hire_id = 0, new_hire_name = $1,
                buddy_id = CASE WHEN buddy_id IS NULL THEN NULL ELSE 0 END,
                buddy_name = CASE WHEN buddy_name IS NULL THEN NULL ELSE $1 END,
                decided_by_id = CASE WHEN decided_by_id IS NULL THEN NULL ELSE 0 END,
                decided_by_name = CASE WHEN decided_by_name IS NULL THEN NULL ELSE $1 END
          WHERE case_id = $2",
    )
    .bind(ERASED)
    .bind(case)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE journey_ticks SET by_id = 0, by_name = $1 WHERE case_id = $2")
        .bind(ERASED)
        .bind(case)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    case_id: i64,
    guild_id: i64,
    version: i64,
    template: String,
    start_date: NaiveDate,
    new_hire_id: i64,
    new_hire_name: String,
    buddy_id: Option<i64>,
    buddy_name: Option<String>,
    thread_id: Option<i64>,
    message_id: Option<i64>,
    decision: Option<String>,
    decided_by_id: Option<i64>,
    decided_by_name: Option<String>,
    closed_at: Option<DateTime<Utc>>,
    archived_at: Option<DateTime<Utc>>,
}

/// The journeys `filter` picks (`$2`: the `int8[]` `keys`) in one REPEATABLE READ snapshot: a
/// journey and its ticks as of one moment, as SQLite's read transaction gives.
async fn read_snapshot(
    db: &PgDb,
    guild: u64,
    filter: &str,
    keys: &[i64],
) -> Result<Vec<JourneyRow>> {
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let found = read(&mut tx, guild, filter, keys).await?;
    tx.commit().await?;
    Ok(found)
}

/// The server's journeys `filter` picks (`$2`: `keys`, an `int8[]`), by case, with their ticks.
async fn read(
    conn: &mut PgConnection,
    guild: u64,
    filter: &str,
    keys: &[i64],
) -> Result<Vec<JourneyRow>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT case_id, guild_id, version, template::text AS template, start_date,
                new_hire_id, new_hire_name, buddy_id, buddy_name, thread_id, message_id,
                decision, decided_by_id, decided_by_name, closed_at, archived_at
           FROM journeys WHERE guild_id = $1 AND {filter} ORDER BY case_id"
    ))
    .bind(id(guild))
    .bind(keys)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let cases: Vec<i64> = rows.iter().map(|r| r.case_id).collect();
    let ticks: Vec<(i64, String, i64, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT case_id, item, by_id, by_name, at FROM journey_ticks
          WHERE case_id = ANY($1) ORDER BY case_id, at",
    )
    .bind(&cases)
    .fetch_all(&mut *conn)
    .await?;
    let mut done: HashMap<i64, BTreeMap<String, Tick>> = HashMap::new();
    for (case, item, by_id, by_name, at) in ticks {
        done.entry(case).or_default().insert(
            item,
            Tick {
                by: person(by_id, by_name),
                at,
            },
        );
    }
    rows.into_iter()
        .map(|r| {
            let closed = match (r.decision, r.closed_at) {
                (Some(d), Some(at)) => Some(Closing {
                    decision: parsed("journey decision", &d, Decision::parse)?,
                    by: opt_person(r.decided_by_id, r.decided_by_name)
                        .unwrap_or_else(|| person(0, ERASED.into())),
                    at,
                }),
                _ => None,
            };
            Ok(JourneyRow {
                guild: id_back(r.guild_id),
                journey: Journey {
                    case: CaseId(r.case_id),
                    version: r.version,
                    template: template_back(&r.template)?,
                    start: r.start_date,
                    new_hire: person(r.new_hire_id, r.new_hire_name),
                    buddy: opt_person(r.buddy_id, r.buddy_name),
                    done: done.remove(&r.case_id).unwrap_or_default(),
                    closed,
                },
                thread: opt_id_back(r.thread_id),
                message: opt_id_back(r.message_id),
                archived_at: r.archived_at,
            })
        })
        .collect()
}
