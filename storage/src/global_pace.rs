//! Discord's global limit shared by every process of one bot (issue 14), as one sequence of
//! **places**: instants a `period` apart, each good for one request. A process draws a few
//! places at a time ([`draw_places`]) and sends one request at each; no two processes ever
//! hold the same place, so however many processes send, and whichever of them dies, the bot
//! as a whole never sends faster than one request a `period` (the bot's `pace` module chooses
//! the period so that no window of the limit counts more than 50).
//!
//! **One clock**: on PostgreSQL the places are laid by the server's `now()`, and a draw answers
//! only how long after that `now()` its first place is, so a process keeps the places on its
//! own monotonic clock, measured from the draw (the bot allows for the draw's round trip).
//! On SQLite one process owns the file, so its own clock is the one clock.

use std::time::Duration;

use chrono::Utc;

use crate::leases::ttl_micros;
use sqlx::Acquire;

use crate::{Db, Result, StorageError};

/// Places drawn: `count` of them, the first `first_in` after the database's clock read
/// during the draw, each `period` after the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Places {
    pub first_in: Duration,
    pub count: u32,
    pub period: Duration,
}

impl Places {
    /// How long after the database's clock read during the draw the `i`-th place is.
    pub fn at(&self, i: u32) -> Duration {
        self.first_in + self.period * i
    }
}

/// Draws the next `count` places of the one sequence, a `period` apart: from the first place
/// not drawn yet, or from now if that is past (places not drawn in time are gone, never
/// drawn later). One statement; draws of several processes queue on the one row.
pub async fn draw_places(db: &Db, count: u32, period: Duration) -> Result<Places> {
    if count == 0 || period.is_zero() {
        return Err(StorageError::Invalid(format!(
            "{count} places {period:?} apart"
        )));
    }
    let span = ttl_micros(period * count)?;
    let end_in = match db.postgres() {
        Some(pg) => crate::pg::global_pace::draw(pg, span).await?,
        None => {
            let now = Utc::now().timestamp_micros();
            let mut conn = db.acquire().await?;
            let end: i64 = sqlx::query_scalar(
                "INSERT INTO global_pace (id, next_free) VALUES (1, ?1 + ?2)
                 ON CONFLICT (id) DO UPDATE SET next_free = max(next_free, ?1) + ?2
                 RETURNING next_free",
            )
            .bind(now)
            .bind(span)
            .fetch_one(&mut *conn)
            .await?;
            end.saturating_sub(now)
        }
    };
    let first_in = end_in.saturating_sub(span).max(0);
    Ok(Places {
        first_in: Duration::from_micros(u64::try_from(first_in).unwrap_or(0)),
        count,
        period,
    })
}
