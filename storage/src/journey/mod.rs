//! The new hire's onboarding journeys (`flow::journey`): a server's versions of the template,
//! each case's journey with its people, thread and ticks, and the journey's reminders, which
//! every change here reconciles in its own transaction (their keys start with `j`, so the case's
//! own planning leaves them alone).
//!
//! Transaction boundaries: each public function is one transaction. A second tick of the same
//! item, a second journey for a case and a second decision are refused (`Ok(false)` or
//! [`StorageError::Stale`]), never applied twice.

use chrono::{DateTime, NaiveDate, Utc};
use flow::journey::{Closing, Decision, Journey, Template, Tick};
use flow::{Case, CaseId, PersonRef, PlannedReminder};
use sqlx::{Acquire, Sqlite, SqliteConnection};

use crate::codec::{
    date, id, id_back, opt_date_back, opt_id, opt_id_back, opt_person, opt_ts_back, parsed, person,
    ts, ts_back, JsonMap, ERASED,
};
use crate::reminders::{put_wanted, RECONCILE_JOURNEY};
use crate::{Db, Result, StorageError};
use rows::{template_back, JourneyRow};

pub(crate) mod rows;

/// The server's latest own version of the template, if it has made one: (version, template).
pub async fn journey_template(db: &Db, guild: u64) -> Result<Option<(i64, Template)>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::journey_template(pg, guild).await;
    }
    let mut conn = db.acquire().await?;
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT version, template FROM journey_templates WHERE guild_id = ?
         ORDER BY version DESC LIMIT 1",
    )
    .bind(id(guild))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(v, t)| Ok((v, template_back(&t)?))).transpose()
}

/// Stores a new version of the server's template after `after` (0: the shipped one) and answers
/// its number. Refused ([`StorageError::Stale`]) when another version was stored since
/// `after` was read: two administrators editing at once do not lose one's edit.
pub async fn save_journey_template(
    db: &Db,
    guild: u64,
    after: i64,
    template: &Template,
    now: DateTime<Utc>,
) -> Result<i64> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::save_journey_template(pg, guild, after, template, now).await;
    }
    let mut tx = db.begin().await?;
    let json = serde_json::to_string(template).map_err(|e| StorageError::Invalid(e.to_string()))?;
    let done = sqlx::query(
        "INSERT INTO journey_templates (guild_id, version, template, created_at)
         SELECT ?1, ?2 + 1, ?3, ?4
          WHERE ?2 = (SELECT COALESCE(MAX(version), 0) FROM journey_templates WHERE guild_id = ?1)",
    )
    .bind(id(guild))
    .bind(after)
    .bind(json)
    .bind(ts(now)?)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::Stale { by: None, at: now });
    }
    tx.commit().await?;
    Ok(after + 1)
}

/// Stores a case's new journey and the reminders it wants. The case's own reminders are
/// planned again in the same transaction, with the journey (`plan_case`:
/// `|case| flow::plan_reminders(process, case, &settings)`): the purge notice of a case that
/// ended waits for the journey's close. `Ok(false)`: the case has one already (nothing
/// changed). [`StorageError::NotFound`]: no such case on the server.
pub async fn create_journey(
    db: &Db,
    guild: u64,
    journey: &Journey,
    wanted: &[PlannedReminder],
    plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::create_journey_on(
            &pg.pool, guild, journey, wanted, plan_case, now,
        )
        .await;
    }
    create_journey_on(db, guild, journey, wanted, plan_case, now).await
}

/// [`create_journey`] on a connection or transaction of the caller's ([`crate::Import`]).
pub(crate) async fn create_journey_on<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    journey: &Journey,
    wanted: &[PlannedReminder],
    plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let json = serde_json::to_string(&journey.template)
        .map_err(|e| StorageError::Invalid(e.to_string()))?;
    // The first statement a write: a transaction that reads first cannot write once another
    // connection has (SQLite answers "database is locked" at once, without waiting).
    let done = sqlx::query(
        "INSERT INTO journeys (case_id, guild_id, version, template, start_date, new_hire_id,
                               new_hire_name, buddy_id, buddy_name, created_at)
         SELECT id, guild_id, ?, ?, ?, ?, ?, ?, ?, ? FROM cases WHERE id = ? AND guild_id = ?
         ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(journey.version)
    .bind(json)
    .bind(date(journey.start)?)
    .bind(id(journey.new_hire.id.0))
    .bind(&journey.new_hire.name)
    .bind(opt_id(journey.buddy.as_ref().map(|b| b.id.0)))
    .bind(journey.buddy.as_ref().map(|b| b.name.as_str()))
    .bind(ts(now)?)
    .bind(journey.case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT case_id FROM journeys WHERE case_id = ? AND guild_id = ?")
                .bind(journey.case.0)
                .bind(id(guild))
                .fetch_optional(&mut *tx)
                .await?;
        return match exists {
            Some(_) => Ok(false),
            None => Err(StorageError::NotFound),
        };
    }
    reconcile(&mut tx, guild, journey.case, wanted).await?;
    replan_case(&mut tx, guild, journey.case, plan_case).await?;
    tx.commit().await?;
    Ok(true)
}

/// Plans the case's own reminders again as it is now, inside a transaction that began with a
/// write (so nobody changes the case meanwhile).
async fn replan_case(
    conn: &mut SqliteConnection,
    guild: u64,
    case: CaseId,
    plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
) -> Result<()> {
    if let Some(found) = crate::cases::read_case(conn, guild, case).await? {
        let wanted = plan_case(&found);
        crate::reminders::reconcile(conn, guild, case, &wanted).await?;
    }
    Ok(())
}

/// A case's journey.
pub async fn journey(db: &Db, guild: u64, case: CaseId) -> Result<Option<JourneyRow>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::journey(pg, guild, case).await;
    }
    let mut tx = db.begin().await?;
    let found = read(&mut tx, guild, "case_id = ?2", case.0).await?;
    tx.commit().await?;
    Ok(found.into_iter().next())
}

/// The journeys of these cases (those that have one), for sending their reminders.
pub async fn journeys_of(db: &Db, guild: u64, cases: &[CaseId]) -> Result<Vec<JourneyRow>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::journeys_of(pg, guild, cases).await;
    }
    let mut tx = db.begin().await?;
    let list: Vec<String> = cases.iter().map(|c| c.0.to_string()).collect();
    let list = crate::codec::json_list(list.iter().map(String::as_str));
    let found = read_by(
        &mut tx,
        guild,
        "case_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))",
        list,
    )
    .await?;
    tx.commit().await?;
    Ok(found)
}

/// The open journeys a person takes part in as the new hire or the buddy.
pub async fn journeys_of_person(db: &Db, guild: u64, person: u64) -> Result<Vec<JourneyRow>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::journeys_of_person(pg, guild, person).await;
    }
    let mut tx = db.begin().await?;
    let found = read(
        &mut tx,
        guild,
        "closed_at IS NULL AND (new_hire_id = ?2 OR buddy_id = ?2)",
        id(person),
    )
    .await?;
    tx.commit().await?;
    Ok(found)
}

/// Journeys whose thread or checklist is not in Discord yet though they opened before
/// `before`, or whose closed thread is not archived yet though it closed before `before`: the
/// chores loop's work (the command that opened or closed it does it first; `before` leaves it
/// the time to).
pub async fn journeys_owing(db: &Db, before: DateTime<Utc>, limit: u32) -> Result<Vec<JourneyRow>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::journeys_owing(pg, before, limit).await;
    }
    let mut conn = db.acquire().await?;
    let guilds: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT guild_id, case_id FROM journeys
          WHERE ((thread_id IS NULL OR message_id IS NULL) AND created_at <= ?1)
             OR (closed_at IS NOT NULL AND archived_at IS NULL AND closed_at <= ?1)
          ORDER BY case_id LIMIT ?2",
    )
    .bind(ts(before)?)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for (guild, case) in guilds {
        let mut tx = conn.begin().await?;
        out.extend(read(&mut tx, id_back(guild), "case_id = ?2", case).await?);
        tx.commit().await?;
    }
    Ok(out)
}

/// Records the journey's private thread (once: a second one is not recorded, `Ok(false)`).
pub async fn set_journey_thread(db: &Db, guild: u64, case: CaseId, thread: u64) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::set_journey_thread_on(&pg.pool, guild, case, thread).await;
    }
    set_journey_thread_on(db, guild, case, thread).await
}

/// [`set_journey_thread`] on a connection or transaction of the caller's ([`crate::Import`]).
pub(crate) async fn set_journey_thread_on<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    case: CaseId,
    thread: u64,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE journeys SET thread_id = ? WHERE case_id = ? AND guild_id = ? AND thread_id IS NULL",
    )
    .bind(id(thread))
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Records the journey's checklist message.
pub async fn set_journey_message(db: &Db, guild: u64, case: CaseId, message: u64) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::set_journey_message_on(&pg.pool, guild, case, message).await;
    }
    set_journey_message_on(db, guild, case, message).await
}

/// [`set_journey_message`] on a connection or transaction of the caller's ([`crate::Import`]).
pub(crate) async fn set_journey_message_on<'a>(
    db: impl Acquire<'a, Database = Sqlite>,
    guild: u64,
    case: CaseId,
    message: u64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE journeys SET message_id = ? WHERE case_id = ? AND guild_id = ?")
        .bind(id(message))
        .bind(case.0)
        .bind(id(guild))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that the closed journey's thread was archived.
pub async fn set_journey_archived(
    db: &Db,
    guild: u64,
    case: CaseId,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::set_journey_archived(pg, guild, case, now).await;
    }
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE journeys SET archived_at = ? WHERE case_id = ? AND guild_id = ?
            AND closed_at IS NOT NULL",
    )
    .bind(ts(now)?)
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ticks an item and reconciles the journey's reminders (`wanted`, planned with the tick).
/// `Ok(false)`: it was ticked already, or the journey is closed (nothing changed).
pub async fn tick_journey_item(
    db: &Db,
    guild: u64,
    case: CaseId,
    item: &str,
    by: &PersonRef,
    now: DateTime<Utc>,
    wanted: &[PlannedReminder],
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::tick_journey_item(pg, guild, case, item, by, now, wanted).await;
    }
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "INSERT INTO journey_ticks (case_id, item, by_id, by_name, at)
         SELECT case_id, ?, ?, ?, ? FROM journeys
          WHERE case_id = ? AND guild_id = ? AND closed_at IS NULL
         ON CONFLICT (case_id, item) DO NOTHING",
    )
    .bind(item)
    .bind(id(by.id.0))
    .bind(&by.name)
    .bind(ts(now)?)
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    reconcile(&mut tx, guild, case, wanted).await?;
    tx.commit().await?;
    Ok(true)
}

/// Names (or replaces) the buddy of an open journey, and reconciles its reminders.
pub async fn set_journey_buddy(
    db: &Db,
    guild: u64,
    case: CaseId,
    buddy: &PersonRef,
    wanted: &[PlannedReminder],
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::set_journey_buddy(pg, guild, case, buddy, wanted).await;
    }
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE journeys SET buddy_id = ?, buddy_name = ?
          WHERE case_id = ? AND guild_id = ? AND closed_at IS NULL",
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
    reconcile(&mut tx, guild, case, wanted).await?;
    tx.commit().await?;
    Ok(true)
}

/// Records the probation decision: the journey closes, its pending reminders are cancelled,
/// and the case's 12-month retention counts from now: the case's own reminders are planned
/// again with the closed journey (`plan_case`, as for [`create_journey`]), so HR's notice
/// before the purge is planned from now too. `Ok(false)`: already closed.
pub async fn close_journey(
    db: &Db,
    guild: u64,
    case: CaseId,
    decision: Decision,
    by: &PersonRef,
    plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::close_journey(pg, guild, case, decision, by, plan_case, now)
            .await;
    }
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE journeys SET decision = ?, decided_by_id = ?, decided_by_name = ?, closed_at = ?
          WHERE case_id = ? AND guild_id = ? AND closed_at IS NULL",
    )
    .bind(decision.as_str())
    .bind(id(by.id.0))
    .bind(&by.name)
    .bind(ts(now)?)
    .bind(case.0)
    .bind(id(guild))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    reconcile(&mut tx, guild, case, &[]).await?;
    replan_case(&mut tx, guild, case, plan_case).await?;
    tx.commit().await?;
    Ok(true)
}

/// Plans the reminders of the server's open journeys again (after its reminder settings
/// changed: `plan`, `|journey| journey.reminders(remind_at)`), up to `limit` of them with a
/// case id above `after`, in one transaction: a pending reminder takes its new time on the
/// same day (its key names the day, not the time), one already sent, claimed or failed stays
/// as it is, so nothing goes out twice and nothing due is dropped. The first statement takes
/// the batch and the write lock, so a tick meanwhile waits and is planned with. Answers the
/// last case done, `None` when there was none (the server's journeys are all planned).
pub async fn replan_journeys(
    db: &Db,
    guild: u64,
    after: Option<CaseId>,
    limit: u32,
    plan: impl Fn(&Journey) -> Vec<PlannedReminder>,
) -> Result<Option<CaseId>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::journey::replan_journeys(pg, guild, after, limit, plan).await;
    }
    let mut tx = db.begin().await?;
    let mut cases: Vec<i64> = sqlx::query_scalar(
        "UPDATE journeys SET guild_id = guild_id
          WHERE case_id IN (SELECT case_id FROM journeys
                             WHERE guild_id = ?1 AND closed_at IS NULL AND case_id > ?2
                             ORDER BY case_id LIMIT ?3)
         RETURNING case_id",
    )
    .bind(id(guild))
    .bind(after.map_or(0, |c| c.0))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    cases.sort_unstable();
    for case in &cases {
        for row in read(&mut tx, guild, "case_id = ?2", *case).await? {
            let wanted = plan(&row.journey);
            reconcile(&mut tx, guild, row.journey.case, &wanted).await?;
        }
    }
    tx.commit().await?;
    Ok(cases.last().copied().map(CaseId))
}

/// Erases the people of a case's journey (the new hire, the buddy, who ticked and who
/// decided), in the purge's transaction.
pub(crate) async fn purge_in(conn: &mut SqliteConnection, case: i64) -> Result<()> {
    sqlx::query(
        "UPDATE journeys SET new_hire_id = 0, new_hire_name = ?1,
                buddy_id = CASE WHEN buddy_id IS NULL THEN NULL ELSE 0 END,
                buddy_name = CASE WHEN buddy_name IS NULL THEN NULL ELSE ?1 END,
                decided_by_id = CASE WHEN decided_by_id IS NULL THEN NULL ELSE 0 END,
                decided_by_name = CASE WHEN decided_by_name IS NULL THEN NULL ELSE ?1 END
          WHERE case_id = ?2",
    )
    .bind(ERASED)
    .bind(case)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE journey_ticks SET by_id = 0, by_name = ? WHERE case_id = ?")
        .bind(ERASED)
        .bind(case)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn reconcile(
    conn: &mut SqliteConnection,
    guild: u64,
    case: CaseId,
    wanted: &[PlannedReminder],
) -> Result<()> {
    let mut change = JsonMap::new();
    put_wanted(&mut change, guild, case, wanted)?;
    sqlx::query(RECONCILE_JOURNEY)
        .bind(serde_json::Value::from(change).to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

type Row = (
    i64,
    i64,
    i64,
    String,
    String,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const COLUMNS: &str = "case_id, guild_id, version, template, start_date, new_hire_id,
    new_hire_name, buddy_id, buddy_name, thread_id, message_id, decision, decided_by_id,
    decided_by_name, closed_at, archived_at";

async fn read(
    conn: &mut SqliteConnection,
    guild: u64,
    filter: &str,
    arg: i64,
) -> Result<Vec<JourneyRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM journeys WHERE guild_id = ?1 AND {filter} ORDER BY case_id");
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(id(guild))
        .bind(arg)
        .fetch_all(&mut *conn)
        .await?;
    finish(conn, rows).await
}

async fn read_by(
    conn: &mut SqliteConnection,
    guild: u64,
    filter: &str,
    arg: String,
) -> Result<Vec<JourneyRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM journeys WHERE guild_id = ?1 AND {filter} ORDER BY case_id");
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(id(guild))
        .bind(arg)
        .fetch_all(&mut *conn)
        .await?;
    finish(conn, rows).await
}

async fn finish(conn: &mut SqliteConnection, rows: Vec<Row>) -> Result<Vec<JourneyRow>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (case, guild, version, template, start, nh_id, nh_name, b_id, b_name) =
            (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8);
        let (thread, message, decision, d_id, d_name, closed_at, archived_at) =
            (r.9, r.10, r.11, r.12, r.13, r.14, r.15);
        let ticks: Vec<(String, i64, String, String)> = sqlx::query_as(
            "SELECT item, by_id, by_name, at FROM journey_ticks WHERE case_id = ? ORDER BY at",
        )
        .bind(case)
        .fetch_all(&mut *conn)
        .await?;
        let mut done = std::collections::BTreeMap::new();
        for (item, by_id, by_name, at) in ticks {
            done.insert(
                item,
                Tick {
                    by: person(by_id, by_name),
                    at: ts_back(&at)?,
                },
            );
        }
        let closed = match (decision, opt_ts_back(closed_at.as_deref())?) {
            (Some(d), Some(at)) => Some(Closing {
                decision: parsed("journey decision", &d, Decision::parse)?,
                by: opt_person(d_id, d_name).unwrap_or_else(|| person(0, ERASED.into())),
                at,
            }),
            _ => None,
        };
        let start: NaiveDate = opt_date_back(Some(&start))?
            .ok_or_else(|| crate::error::corrupt("journey start date"))?;
        out.push(JourneyRow {
            guild: id_back(guild),
            journey: Journey {
                case: CaseId(case),
                version,
                template: template_back(&template)?,
                start,
                new_hire: person(nh_id, nh_name),
                buddy: opt_person(b_id, b_name),
                done,
                closed,
            },
            thread: opt_id_back(thread),
            message: opt_id_back(message),
            archived_at: opt_ts_back(archived_at.as_deref())?,
        });
    }
    Ok(out)
}
