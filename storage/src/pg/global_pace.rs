//! The shared places of Discord's global limit on PostgreSQL (see `crate::global_pace`). The
//! server's `now()` lays the places: a draw answers how far after it its last place ends.

use super::PgDb;
use crate::Result;

/// Moves the first free place `span` microseconds on (from now if it is past); answers how
/// many microseconds after `now()` the drawn places end.
pub(crate) async fn draw(db: &PgDb, span: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO global_pace AS g (id, next_free)
         VALUES (1, now() + $1::float8 * interval '1 microsecond')
         ON CONFLICT (id) DO UPDATE
             SET next_free = greatest(g.next_free, now()) + $1::float8 * interval '1 microsecond'
         RETURNING (extract(epoch FROM g.next_free - now()) * 1000000)::bigint",
    )
    .bind(span)
    .fetch_one(&db.pool)
    .await?)
}
