//! When Discord will not take what the bot sends somewhere: the reminders are put back in the
//! queue for a later try ([`requeue_outgoing`]), and the place and its problem are remembered
//! ([`record_problem`]) so HR is told once and an administrator sees it in `/oppsett vis`, until
//! a message gets through there again ([`resolve_problems`]).
//!
//! Transaction boundary: each function is one transaction.

use crate::Db;
use chrono::{DateTime, Utc};
use flow::CaseId;
use sqlx::Acquire;

use super::rows::{count_back, DeliveryProblem, Outgoing};
use crate::codec::{id, id_back, id_list, opt_ts_back, ts, ts_back};
use crate::ids::Destination;
use crate::Result;

/// Records that delivering to `place` failed with `problem`. Returns whether it is news: the
/// first failure of its kind there, or the first since the place last worked (HR is then told
/// again).
#[allow(clippy::too_many_arguments)]
pub async fn record_problem(
    db: &Db,
    guild: u64,
    place: Destination,
    problem: &str,
    case: Option<CaseId>,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::delivery::record_problem(pg, guild, place, problem, case, error, now)
            .await;
    }
    let mut conn = db.begin().await?;
    // Written first (a transaction that reads first could not take the write lock after
    // another writer): a problem that is news starts again at one failure.
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO delivery_problems (guild_id, place, problem, case_id, first_at, last_at,
                                        last_error, notice_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?5)
         ON CONFLICT (guild_id, place, problem) DO UPDATE SET
             last_at = excluded.last_at,
             last_error = excluded.last_error,
             case_id = COALESCE(excluded.case_id, delivery_problems.case_id),
             failures = CASE WHEN delivery_problems.resolved_at IS NULL
                             THEN delivery_problems.failures + 1 ELSE 1 END,
             first_at = CASE WHEN delivery_problems.resolved_at IS NULL
                             THEN delivery_problems.first_at ELSE excluded.first_at END,
             told_at = CASE WHEN delivery_problems.resolved_at IS NULL
                            THEN delivery_problems.told_at ELSE NULL END,
             notice_at = CASE WHEN delivery_problems.resolved_at IS NULL
                              THEN delivery_problems.notice_at ELSE excluded.notice_at END,
             notice_tries = CASE WHEN delivery_problems.resolved_at IS NULL
                                 THEN delivery_problems.notice_tries ELSE 0 END,
             resolved_at = NULL
         RETURNING failures",
    )
    .bind(id(guild))
    .bind(place.encode())
    .bind(problem)
    .bind(case.map(|c| c.0))
    .bind(ts(now)?)
    .bind(error)
    .fetch_one(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(failures == 1)
}

/// Something got through to `place` again: its open problems are resolved. Returns how many.
pub async fn resolve_problems(
    db: &Db,
    guild: u64,
    place: Destination,
    now: DateTime<Utc>,
) -> Result<u64> {
    if let Some(pg) = db.postgres() {
        return crate::pg::delivery::resolve_problems(pg, guild, place, now).await;
    }
    let mut conn = db.begin().await?;
    let done = sqlx::query(
        "UPDATE delivery_problems SET resolved_at = ?
         WHERE guild_id = ? AND place = ? AND resolved_at IS NULL",
    )
    .bind(ts(now)?)
    .bind(id(guild))
    .bind(place.encode())
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(done.rows_affected())
}

#[derive(sqlx::FromRow)]
struct ProblemRow {
    guild_id: i64,
    place: String,
    problem: String,
    case_id: Option<i64>,
    first_at: String,
    last_at: String,
    failures: i64,
    last_error: Option<String>,
    told_at: Option<String>,
    notice_tries: i64,
}

const COLUMNS: &str = "guild_id, place, problem, case_id, first_at, last_at, failures, \
                       last_error, told_at, notice_tries";

fn back(rows: Vec<ProblemRow>) -> Result<Vec<DeliveryProblem>> {
    rows.into_iter()
        .map(|r| {
            Ok(DeliveryProblem {
                guild: id_back(r.guild_id),
                place: Destination::decode(&r.place),
                problem: r.problem,
                case: r.case_id.map(CaseId),
                first_at: ts_back(&r.first_at)?,
                last_at: ts_back(&r.last_at)?,
                failures: count_back(r.failures),
                last_error: r.last_error,
                told_at: opt_ts_back(r.told_at.as_deref())?,
                notice_tries: count_back(r.notice_tries),
            })
        })
        .collect()
}

/// Open problems HR has not been told of, whose notice is due at `now`, oldest first.
pub async fn problems_to_tell(
    db: &Db,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DeliveryProblem>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::delivery::problems_to_tell(pg, now, limit).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<ProblemRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM delivery_problems
         WHERE told_at IS NULL AND resolved_at IS NULL AND notice_at <= ?
         ORDER BY notice_at, guild_id, place, problem LIMIT ?"
    ))
    .bind(ts(now)?)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    back(rows)
}

/// The open problems of a server, newest first (for `/oppsett vis`).
pub async fn open_problems(db: &Db, guild: u64) -> Result<Vec<DeliveryProblem>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::delivery::open_problems(pg, guild).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<ProblemRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM delivery_problems
         WHERE guild_id = ? AND resolved_at IS NULL ORDER BY last_at DESC, place"
    ))
    .bind(id(guild))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    back(rows)
}

/// Every server and place with an open problem.
pub async fn problem_places(db: &Db) -> Result<Vec<(u64, Destination)>> {
    if let Some(pg) = db.postgres() {
        return crate::pg::delivery::problem_places(pg).await;
    }
    let mut conn = db.begin().await?;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT guild_id, place FROM delivery_problems WHERE resolved_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|(g, p)| (id_back(g), Destination::decode(&p)))
        .collect())
}

/// HR was told of these problems (`(place, problem)` of one server) at `now`; or, with
/// `retry_at`, telling failed and is tried again then.
pub async fn problems_noticed(
    db: &Db,
    guild: u64,
    problems: &[(Destination, String)],
    now: DateTime<Utc>,
    retry_at: Option<DateTime<Utc>>,
) -> Result<()> {
    if let Some(pg) = db.postgres() {
        return crate::pg::delivery::problems_noticed(pg, guild, problems, now, retry_at).await;
    }
    let mut conn = db.begin().await?;
    for (place, problem) in problems {
        sqlx::query(
            "UPDATE delivery_problems
             SET told_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE told_at END,
                 notice_at = COALESCE(?1, notice_at),
                 notice_tries = notice_tries + 1
             WHERE guild_id = ?3 AND place = ?4 AND problem = ?5 AND resolved_at IS NULL",
        )
        .bind(retry_at.map(ts).transpose()?)
        .bind(ts(now)?)
        .bind(id(guild))
        .bind(place.encode())
        .bind(problem)
        .execute(&mut *conn)
        .await?;
    }
    conn.commit().await?;
    Ok(())
}

/// A message Discord refused for its place (the message was not posted, so its nonce need
/// not be kept): the outbox row ends as rerouted, and its claimed reminders `ids` go back to
/// the queue, to be claimed again from `next_attempt_at` into a new message for wherever they
/// belong then (an HR channel set anew is used at once). Their error is recorded. The ids in
/// `cancel` (reminders the case no longer wants) are cancelled. Only while `row` is open and
/// held under its epoch, and only the reminders claimed under it: `false` (nothing changed)
/// when another took it over.
pub async fn requeue_outgoing(
    db: &Db,
    row: &Outgoing,
    ids: &[i64],
    cancel: &[i64],
    error: &str,
    next_attempt_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(pg) = db.postgres() {
        return crate::pg::delivery::requeue_outgoing(
            pg,
            row,
            ids,
            cancel,
            error,
            next_attempt_at,
            now,
        )
        .await;
    }
    let mut conn = db.begin().await?;
    let held = sqlx::query(
        "UPDATE reminder_outbox SET done_at = ?1, outcome = 'rerouted', last_error = ?2,
                attempts = attempts + 1, lease_until = NULL
         WHERE nonce = ?3 AND done_at IS NULL AND claim_epoch = ?4",
    )
    .bind(ts(now)?)
    .bind(error)
    .bind(&row.nonce)
    .bind(row.epoch)
    .execute(&mut *conn)
    .await?;
    if held.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE reminders SET state = 'cancelled', claimed_at = NULL, claim_owner = NULL
         WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) AND state = 'claimed'
           AND claim_epoch = ?2",
    )
    .bind(id_list(cancel))
    .bind(row.epoch)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL,
                last_error = ?1, next_attempt_at = ?2
         WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?3)) AND state = 'claimed'
           AND claim_epoch = ?4",
    )
    .bind(error)
    .bind(ts(next_attempt_at)?)
    .bind(id_list(ids))
    .bind(row.epoch)
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(true)
}
