//! Retention: the chart's "alt slettes etter 12 mnd." A case that ended (completed or closed)
//! N calendar months ago, counted in Oslo days, loses its personal data: candidate rows are
//! deleted; free text (skip, rejection and close reasons, event details, the note) is erased;
//! every person (owner, actors and for whom they acted, who did or confirmed a step, who
//! ticked a checklist item) becomes id 0 "slettet"; the deputy is removed. The anonymous
//! timeline stays for statistics: event kinds, steps, outcomes, times, the title and unit. Each case is purged once, in its own transaction.
//!
//! Erased rows are not gone until they have left the write-ahead log too: every purge ends
//! with a checkpoint that copies the log into the file (where `secure_delete` has zeroed the
//! old content) and empties it. A reader still on a snapshot from before the purge holds the
//! checkpoint up; then the report says the database is not clean yet, and the caller runs
//! the purge again soon (it checkpoints again even when no case is due).

use std::time::Duration;

use chrono::{DateTime, Utc};
use flow::CaseId;
use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;

use crate::codec::{id_back, ts, ts_back};
use crate::reminders::cancel_pending;
use crate::{Db, Result};
use rows::PurgeReport;

pub(crate) mod rows;

/// The name left where a person was, and the text left where a reason was.
pub const ERASED: &str = "slettet";

/// How long the purge's checkpoint waits for the writer and for readers. While it waits, new
/// writes wait behind it, so it is short: a reader that takes longer is waited out by the next
/// purge, not by every change behind this one.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(1);

/// Purges every ended case whose retention has run out at `now`: the server's
/// `retention_months` setting if it has one, else `retention_months`.
/// On PostgreSQL (`crate::pg::retention`) the same erasures, and [`PurgeReport::clean`] says
/// whether the erased row versions are gone from the tables' pages (no older snapshot left, and
/// a VACUUM run after the purge); that module says what PostgreSQL's storage keeps beyond that.
pub async fn purge(db: &Db, now: DateTime<Utc>, retention_months: u32) -> Result<PurgeReport> {
    if let Some(pg) = db.postgres() {
        return crate::pg::retention::purge(pg, now, retention_months).await;
    }
    let mut conn = db.pool().acquire().await?;
    let ended: Vec<(i64, i64, String, Option<i64>)> = sqlx::query_as(
        // A case with an onboarding journey counts from the journey's end (the probation
        // decision), and is kept while the journey runs.
        "SELECT c.id, c.guild_id, MAX(c.ended_at, COALESCE(j.closed_at, c.ended_at)),
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
        if flow::reminders::purge_date(ts_back(&ended_at)?, months) > today {
            continue;
        }
        let mut tx = Connection::begin(&mut *conn).await?;
        // First statement a write (see cases.rs); it also makes the purge happen once.
        let claimed = sqlx::query(
            "UPDATE cases SET purged_at = ?1, note = NULL, close_reason = NULL,
                    owner_id = 0, owner_name = ?2, deputy_id = NULL, deputy_name = NULL,
                    closed_by_id = CASE WHEN closed_by_id IS NULL THEN NULL ELSE 0 END,
                    closed_by_name = CASE WHEN closed_by_name IS NULL THEN NULL ELSE ?2 END
             WHERE id = ?3 AND purged_at IS NULL",
        )
        .bind(ts(now)?)
        .bind(ERASED)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        let candidates = sqlx::query("DELETE FROM candidates WHERE case_id = ?")
            .bind(case_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query(
            "UPDATE case_steps SET reason = NULL,
                    by_id = CASE WHEN by_id IS NULL THEN NULL ELSE 0 END,
                    by_name = CASE WHEN by_name IS NULL THEN NULL ELSE ?1 END
             WHERE case_id = ?2",
        )
        .bind(ERASED)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE step_confirmations SET by_id = 0, by_name = ? WHERE case_id = ?")
            .bind(ERASED)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        let events = sqlx::query(
            "UPDATE events SET detail = NULL,
                    actor_id = CASE WHEN actor_id IS NULL THEN NULL ELSE 0 END,
                    actor_name = CASE WHEN actor_name IS NULL THEN NULL ELSE ?1 END,
                    for_id = CASE WHEN for_id IS NULL THEN NULL ELSE 0 END,
                    for_name = CASE WHEN for_name IS NULL THEN NULL ELSE ?1 END
             WHERE case_id = ?2",
        )
        .bind(ERASED)
        .bind(case_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE checklist_items SET
                    ticked_by_id = CASE WHEN ticked_by_id IS NULL THEN NULL ELSE 0 END,
                    ticked_by_name = CASE WHEN ticked_by_name IS NULL THEN NULL ELSE ?1 END
             WHERE checklist_id IN (SELECT id FROM checklists WHERE case_id = ?2)",
        )
        .bind(ERASED)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE reminders SET last_error = NULL WHERE case_id = ?")
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        // Who asked for help, and whom the thread's lines pinged (Discord user ids).
        sqlx::query(
            "UPDATE announcements SET pinged = NULL, last_error = NULL,
                    asker_id = CASE WHEN asker_id IS NULL THEN NULL ELSE 0 END,
                    asker_name = CASE WHEN asker_name IS NULL THEN NULL ELSE ?1 END
             WHERE case_id = ?2",
        )
        .bind(ERASED)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
        crate::journey::purge_in(&mut tx, case_id).await?;
        cancel_pending(&mut tx, id_back(guild), CaseId(case_id)).await?;
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
    drop(conn);
    report.clean = empty_the_log(db).await;
    if !report.clean {
        tracing::warn!("erased data may still be in the write-ahead log; the purge will run again");
    }
    Ok(report)
}

/// Copies the write-ahead log into the database file and truncates it (`TRUNCATE`), on a
/// connection of its own that waits at most [`CHECKPOINT_WAIT`]. Whether it got through:
/// the first column of the checkpoint's answer is 1 ("busy", not an error) when a reader or
/// the writer held it up, and then the old pages, names included, are still in the log.
async fn empty_the_log(db: &Db) -> bool {
    let options = db.connect_options().clone().busy_timeout(CHECKPOINT_WAIT);
    let checkpoint = async {
        let mut conn = SqliteConnection::connect_with(&options).await?;
        let (busy, log, copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&mut conn)
                .await?;
        conn.close().await?;
        Ok::<_, sqlx::Error>((busy, log, copied))
    };
    match checkpoint.await {
        Ok((0, _, _)) => true,
        Ok((_, log, copied)) => {
            tracing::info!(
                log,
                copied,
                "checkpoint after the purge held up by a reader"
            );
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "checkpoint after the purge failed");
            false
        }
    }
}
