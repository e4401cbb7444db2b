//! What the schema can hold: nothing of a special category, ever.

use crate::common::*;

/// Words that would name special-category (GDPR art. 9) or otherwise forbidden data about an
/// applicant, in English and Norwegian.
const FORBIDDEN: [&str; 24] = [
    "nationality",
    "nasjonal",
    "citizen",
    "statsborger",
    "gender",
    "kjonn",
    "kjønn",
    "sex",
    "birth",
    "fodsel",
    "fødsel",
    "disab",
    "funksjon",
    "handicap",
    "innvandr",
    "immigr",
    "fortrinn",
    "preferen",
    "ethnic",
    "etnis",
    "religio",
    "health",
    "helse",
    "fagforening",
];

#[tokio::test]
async fn no_table_has_a_column_for_special_category_data() {
    let (_dir, db) = temp_db().await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(db.sqlite_pool())
            .await
            .unwrap();
    for expected in [
        "candidates",
        "case_cards",
        "case_steps",
        "cases",
        "checklist_items",
        "checklists",
        "events",
        "guild_settings",
        "reminders",
        "step_confirmations",
    ] {
        assert!(
            tables.iter().any(|t| t == expected),
            "table {expected} missing from {tables:?}"
        );
    }
    let mut columns = 0;
    for table in &tables {
        let names: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(db.sqlite_pool())
                .await
                .unwrap();
        assert!(!names.is_empty(), "{table} has columns");
        for name in std::iter::once(table).chain(&names) {
            columns += 1;
            let lower = name.to_lowercase();
            for word in FORBIDDEN {
                assert!(
                    !lower.contains(word),
                    "{table}.{name} looks like special-category data ({word})"
                );
            }
        }
    }
    assert!(columns > 60, "checked every column ({columns})");

    // A candidate is a display name, a rank and an answer: nothing else fits in the row.
    let candidate_columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('candidates') ORDER BY cid")
            .fetch_all(db.sqlite_pool())
            .await
            .unwrap();
    assert_eq!(candidate_columns, ["case_id", "rank", "name", "answer"]);
}

#[tokio::test]
async fn connections_use_wal_foreign_keys_and_full_sync() {
    let (_dir, db) = temp_db().await;
    let mut conn = db.sqlite_pool().acquire().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(sync, 2, "FULL");
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(busy >= 1000);
}

#[tokio::test]
async fn the_history_cannot_be_deleted_or_rewritten() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let delete = sqlx::query("DELETE FROM events WHERE case_id = ?")
        .bind(case.id.0)
        .execute(db.sqlite_pool())
        .await;
    assert!(delete.is_err());
    let rewrite = sqlx::query("UPDATE events SET kind = 'case_closed' WHERE case_id = ?")
        .bind(case.id.0)
        .execute(db.sqlite_pool())
        .await;
    assert!(rewrite.is_err());
    let gap = sqlx::query(
        "INSERT INTO events (case_id, seq, version, at, kind) VALUES (?, 99, 1, 'x', 'case_opened')",
    )
    .bind(case.id.0)
    .execute(db.sqlite_pool())
    .await;
    assert!(gap.is_err(), "a gap in the numbering is refused");
}

#[tokio::test]
async fn the_hot_queries_use_their_indexes() {
    let (_dir, db) = temp_db().await;
    for (sql, index) in [
        (
            "SELECT id FROM reminders WHERE state = 'pending' AND next_attempt_at <= 'x'
             ORDER BY next_attempt_at, id LIMIT 5",
            "reminders_ready",
        ),
        (
            "SELECT MIN(next_attempt_at) FROM reminders WHERE state = 'pending'",
            "reminders_ready",
        ),
        (
            "SELECT id FROM reminders WHERE state = 'claimed' AND claimed_at < 'x'",
            "reminders_claimed",
        ),
        (
            "SELECT case_id FROM case_steps WHERE state = 'open' AND step = 'x'",
            "case_steps_open",
        ),
        (
            "SELECT id FROM cases WHERE guild_id = 1 AND status = 'open'",
            "cases_guild_status",
        ),
    ] {
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                .fetch_all(db.sqlite_pool())
                .await
                .unwrap();
        let plan: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
        assert!(plan.iter().any(|d| d.contains(index)), "{sql}: {plan:?}");
    }
}
