//! Delivery problems, and a refused message's reminders put back in the queue, on PostgreSQL
//! (see `crate::reminders::delivery`). Each function is one statement or one transaction.

use chrono::{DateTime, Utc};
use flow::CaseId;

use super::outbox::cancel_claimed;
use super::{micros, PgDb};
use crate::codec::{id, id_back};
use crate::ids::Destination;
use crate::reminders::rows::{count_back, DeliveryProblem, Outgoing};
use crate::Result;

/// [`crate::record_problem`] on PostgreSQL.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_problem(
    db: &PgDb,
    guild: u64,
    place: Destination,
    problem: &str,
    case: Option<CaseId>,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO delivery_problems (guild_id, place, problem, case_id, first_at, last_at,
                                        last_error, notice_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $5)
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
    .bind(micros(now)?)
    .bind(error)
    .fetch_one(&db.pool)
    .await?;
    Ok(failures == 1)
}

/// [`crate::resolve_problems`] on PostgreSQL.
pub(crate) async fn resolve_problems(
    db: &PgDb,
    guild: u64,
    place: Destination,
    now: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE delivery_problems SET resolved_at = $1
         WHERE guild_id = $2 AND place = $3 AND resolved_at IS NULL",
    )
    .bind(micros(now)?)
    .bind(id(guild))
    .bind(place.encode())
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected())
}

#[derive(sqlx::FromRow)]
struct ProblemRow {
    guild_id: i64,
    place: String,
    problem: String,
    case_id: Option<i64>,
    first_at: DateTime<Utc>,
    last_at: DateTime<Utc>,
    failures: i64,
    last_error: Option<String>,
    told_at: Option<DateTime<Utc>>,
    notice_tries: i64,
}

const COLUMNS: &str = "guild_id, place, problem, case_id, first_at, last_at, failures, \
                       last_error, told_at, notice_tries";

fn back(rows: Vec<ProblemRow>) -> Vec<DeliveryProblem> {
    rows.into_iter()
        .map(|r| DeliveryProblem {
            guild: id_back(r.guild_id),
            place: Destination::decode(&r.place),
            problem: r.problem,
            case: r.case_id.map(CaseId),
            first_at: r.first_at,
            last_at: r.last_at,
            failures: count_back(r.failures),
            last_error: r.last_error,
            told_at: r.told_at,
            notice_tries: count_back(r.notice_tries),
        })
        .collect()
}

/// [`crate::problems_to_tell`] on PostgreSQL.
pub(crate) async fn problems_to_tell(
    db: &PgDb,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DeliveryProblem>> {
    let rows: Vec<ProblemRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM delivery_problems
         WHERE told_at IS NULL AND resolved_at IS NULL AND notice_at <= $1
         ORDER BY notice_at, guild_id, place COLLATE \"C\", problem COLLATE \"C\" LIMIT $2"
    ))
    .bind(micros(now)?)
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await?;
    Ok(back(rows))
}

/// [`crate::open_problems`] on PostgreSQL.
pub(crate) async fn open_problems(db: &PgDb, guild: u64) -> Result<Vec<DeliveryProblem>> {
    let rows: Vec<ProblemRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM delivery_problems
         WHERE guild_id = $1 AND resolved_at IS NULL ORDER BY last_at DESC, place COLLATE \"C\""
    ))
    .bind(id(guild))
    .fetch_all(&db.pool)
    .await?;
    Ok(back(rows))
}

/// [`crate::problem_places`] on PostgreSQL.
pub(crate) async fn problem_places(db: &PgDb) -> Result<Vec<(u64, Destination)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT guild_id, place FROM delivery_problems WHERE resolved_at IS NULL",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(g, p)| (id_back(g), Destination::decode(&p)))
        .collect())
}

/// [`crate::problems_noticed`] on PostgreSQL.
pub(crate) async fn problems_noticed(
    db: &PgDb,
    guild: u64,
    problems: &[(Destination, String)],
    now: DateTime<Utc>,
    retry_at: Option<DateTime<Utc>>,
) -> Result<()> {
    let now = micros(now)?;
    let retry_at = retry_at.map(micros).transpose()?;
    let mut tx = db.pool.begin().await?;
    for (place, problem) in problems {
        sqlx::query(
            "UPDATE delivery_problems
             SET told_at = CASE WHEN $1::timestamptz IS NULL THEN $2 ELSE told_at END,
                 notice_at = COALESCE($1, notice_at),
                 notice_tries = notice_tries + 1
             WHERE guild_id = $3 AND place = $4 AND problem = $5 AND resolved_at IS NULL",
        )
        .bind(retry_at)
        .bind(now)
        .bind(id(guild))
        .bind(place.encode())
        .bind(problem)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// [`crate::requeue_outgoing`] on PostgreSQL.
pub(crate) async fn requeue_outgoing(
    db: &PgDb,
    row: &Outgoing,
    ids: &[i64],
    cancel: &[i64],
    error: &str,
    next_attempt_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (next_attempt_at, now) = (micros(next_attempt_at)?, micros(now)?);
    let mut tx = db.pool.begin().await?;
    let held = sqlx::query(
        "UPDATE reminder_outbox SET done_at = $1, outcome = 'rerouted', last_error = $2,
                attempts = attempts + 1, lease_until = NULL
         WHERE nonce = $3 AND done_at IS NULL AND claim_epoch = $4",
    )
    .bind(now)
    .bind(error)
    .bind(&row.nonce)
    .bind(row.epoch)
    .execute(&mut *tx)
    .await?;
    if held.rows_affected() == 0 {
        return Ok(false);
    }
    cancel_claimed(&mut tx, cancel, row.epoch).await?;
    sqlx::query(
        "UPDATE reminders SET state = 'pending', claimed_at = NULL, claim_owner = NULL,
                last_error = $1, next_attempt_at = $2
         WHERE id = ANY($3) AND state = 'claimed' AND claim_epoch = $4",
    )
    .bind(error)
    .bind(next_attempt_at)
    .bind(ids)
    .bind(row.epoch)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}
