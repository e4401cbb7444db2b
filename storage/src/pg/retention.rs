//! The 12-month purge on PostgreSQL (see `crate::retention`): the same erasures, one
//! transaction per case, each case purged once even with several processes purging (the first
//! statement sets `purged_at` only where it is still NULL: a second purger waits for the row,
//! then matches nothing and leaves the case alone).
//!
//! What leaves PostgreSQL's storage, and when. PostgreSQL has no counterpart to SQLite's
//! `secure_delete` and WAL checkpoint. An `UPDATE` writes a new version of the row and leaves
//! the old one, the names in it, as a dead tuple in the table's pages; a `DELETE` leaves the
//! row dead in place. From the purge's COMMIT on, no query sees them any more, except one in a
//! transaction whose snapshot is older than the COMMIT (another process's reader, a
//! `pg_dump`), which still reads the old versions until it ends. Only `VACUUM` removes dead
//! tuples (frees their space for reuse, and their index entries), and it cannot remove a
//! version such an old snapshot may still read. Autovacuum would get to it, but only once a
//! fifth of a table has changed, which on a large `events` table can take months: so the purge
//! asks for it itself, [`vacuum`] of the tables it erases in, after its transactions. That is
//! this backend's guarantee, and what [`PurgeReport::clean`] reports here: no snapshot from
//! before the erasures is left, and the VACUUM that followed has pruned the dead versions from
//! the tables' pages. It is not a promise about the disk: PostgreSQL does not zero the bytes a
//! pruned tuple occupied (they stay in the page's free space until a new row overwrites them),
//! the write-ahead log keeps the old pages until its segments are recycled after a checkpoint
//! (and in any WAL archive or replica), and backups keep what they copied. Against those the
//! operator's measures are an encrypted disk, WAL archives and backups kept no longer than the
//! retention, and a `VACUUM FULL` (which rewrites a table into new files) when a file must be
//! rid of them at once.

use chrono::{DateTime, Utc};
use flow::CaseId;
use sqlx::{Connection, Executor, PgConnection};

use super::{micros, PgDb};
use crate::codec::{id_back, ERASED};
use crate::retention::rows::PurgeReport;
use crate::Result;

/// The tables the purge erases in, which [`vacuum`] cleans after it.
const ERASED_IN: &str =
    "cases, candidates, case_steps, step_confirmations, events, checklist_items,
     reminders, announcements, journeys, journey_ticks";

/// [`crate::purge`] on PostgreSQL.
pub(crate) async fn purge(
    db: &PgDb,
    now: DateTime<Utc>,
    retention_months: u32,
) -> Result<PurgeReport> {
    let purged_at = micros(now)?;
    let mut conn = db.pool.acquire().await?;
    // Every snapshot taken before this run is older than this mark (the next transaction id):
    // a run that erases nothing still reports whether the erasures of earlier runs may still
    // be read, as SQLite's run checkpoints again.
    let mut mark: String =
        sqlx::query_scalar("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
            .fetch_one(&mut *conn)
            .await?;
    let ended: Vec<(i64, i64, DateTime<Utc>, Option<i64>)> = sqlx::query_as(
        // A case with an onboarding journey counts from the journey's end (the probation
        // decision), and is kept while the journey runs.
        "SELECT c.id, c.guild_id, GREATEST(c.ended_at, COALESCE(j.closed_at, c.ended_at)),
                g.retention_months
         FROM cases c LEFT JOIN guild_settings g ON g.guild_id = c.guild_id
              LEFT JOIN journeys j ON j.case_id = c.id
         WHERE c.status <> 'open' AND c.purged_at IS NULL
           AND (j.case_id IS NULL OR j.closed_at IS NOT NULL)
         ORDER BY c.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let today = flow::engine::oslo_today(now);
    let mut report = PurgeReport::default();
    for (case_id, guild, ended_at, months) in ended {
        let months = months
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(retention_months);
        if flow::reminders::purge_date(ended_at, months) > today {
            continue;
        }
        let mut tx = Connection::begin(&mut *conn).await?;
        let Some((candidates, events)) = purge_case(&mut tx, guild, case_id, purged_at).await?
        else {
            continue;
        };
        // This transaction's id: a snapshot that can still read what it erased is older.
        mark = sqlx::query_scalar("SELECT pg_current_xact_id()::text")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(
            case = case_id,
            candidates,
            "purged personal data of an ended case"
        );
        report.cases.push(CaseId(case_id));
        report.candidates += candidates;
        report.events += events;
    }
    report.clean = match no_older_snapshot(&mut conn, &mark).await {
        Ok(true) => vacuum(&mut conn).await,
        Ok(false) => {
            tracing::info!("a snapshot from before the purge is still open; no VACUUM yet");
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not look for snapshots older than the purge");
            false
        }
    };
    if !report.clean {
        tracing::warn!("erased data may still be in dead row versions; the purge will run again");
    }
    Ok(report)
}

/// Erases one case in the caller's transaction: `None` if another purger was first.
/// (candidate rows deleted, history lines erased).
async fn purge_case(
    tx: &mut PgConnection,
    guild: i64,
    case_id: i64,
    purged_at: DateTime<Utc>,
) -> Result<Option<(u64, u64)>> {
    // First the case row: it takes the row's lock, and makes the purge happen once.
    let claimed = sqlx::query(
        "UPDATE cases SET purged_at = $1, note = NULL, close_reason = NULL,
                owner_id = 0, owner_name = $2, deputy_id = NULL, deputy_name = NULL,
                closed_by_id = CASE WHEN closed_by_id IS NULL THEN NULL ELSE 0 END,
                closed_by_name = CASE WHEN closed_by_name IS NULL THEN NULL ELSE $2 END
         WHERE id = $3 AND purged_at IS NULL",
    )
    .bind(purged_at)
    .bind(ERASED)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(None);
    }
    let candidates = sqlx::query("DELETE FROM candidates WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "UPDATE case_steps SET reason = NULL,
                by_id = CASE WHEN by_id IS NULL THEN NULL ELSE 0 END,
                by_name = CASE WHEN by_name IS NULL THEN NULL ELSE $1 END
         WHERE case_id = $2",
    )
    .bind(ERASED)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE step_confirmations SET by_id = 0, by_name = $1 WHERE case_id = $2")
        .bind(ERASED)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    let events = sqlx::query(
        "UPDATE events SET detail = NULL,
                actor_id = CASE WHEN actor_id IS NULL THEN NULL ELSE 0 END,
                actor_name = CASE WHEN actor_name IS NULL THEN NULL ELSE $1 END,
                for_id = CASE WHEN for_id IS NULL THEN NULL ELSE 0 END,
                for_name = CASE WHEN for_name IS NULL THEN NULL ELSE $1 END
         WHERE case_id = $2",
    )
    .bind(ERASED)
    .bind(case_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE checklist_items SET
                ticked_by_id = CASE WHEN ticked_by_id IS NULL THEN NULL ELSE 0 END,
                ticked_by_name = CASE WHEN ticked_by_name IS NULL THEN NULL ELSE $1 END
         WHERE checklist_id IN (SELECT id FROM checklists WHERE case_id = $2)",
    )
    .bind(ERASED)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE reminders SET last_error = NULL WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    // Who asked for help, and whom the thread's lines pinged (Discord user ids).
    sqlx::query(
        "UPDATE announcements SET pinged = NULL, last_error = NULL,
                asker_id = CASE WHEN asker_id IS NULL THEN NULL ELSE 0 END,
                asker_name = CASE WHEN asker_name IS NULL THEN NULL ELSE $1 END
         WHERE case_id = $2",
    )
    .bind(ERASED)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    super::journey::purge_in(&mut *tx, case_id).await?;
    super::reminders::cancel_pending(&mut *tx, id_back(guild), CaseId(case_id)).await?;
    Ok(Some((candidates, events)))
}

/// Whether every other session of this database holds no snapshot older than `mark` (a
/// transaction id, as text): its `backend_xmin`, the oldest transaction its snapshot may see
/// as running, is younger. A session with an older one may still read the versions erased up
/// to `mark`, and VACUUM would keep them for it. Conservative: a session that began after the
/// erasures while some older transaction still ran counts too (the purge then runs again), and
/// so, in a run that erased nothing, does any session holding a snapshot at the moment: a busy
/// database may take a few runs to report clean. `pg_stat_activity` shows `backend_xmin` of the
/// sessions of the purge's own role (and of all with `pg_read_all_stats`): the processes of one
/// deployment share a role.
async fn no_older_snapshot(conn: &mut PgConnection, mark: &str) -> Result<bool> {
    // `backend_xmin` is a 32-bit `xid`, the mark a 64-bit `xid8`: compared by age (how many
    // transactions ago), which is how PostgreSQL orders 32-bit ids across wraparound.
    let older: bool = sqlx::query_scalar(
        "SELECT EXISTS (
             SELECT 1 FROM pg_stat_activity
              WHERE pid <> pg_backend_pid() AND datname = current_database()
                AND backend_xmin IS NOT NULL
                AND age(backend_xmin) >= age(($1::numeric % 4294967296)::text::xid))",
    )
    .bind(mark)
    .fetch_one(&mut *conn)
    .await?;
    Ok(!older)
}

/// VACUUMs the tables the purge erases in (outside any transaction, as it must run): their
/// dead row versions, the erased names in them, pruned. Whether it got through.
async fn vacuum(conn: &mut PgConnection) -> bool {
    // A bare string: sent as a simple query, outside any transaction block.
    let sql = format!("VACUUM {ERASED_IN}");
    match conn.execute(sql.as_str()).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, "VACUUM after the purge failed");
            false
        }
    }
}
