//! Opening the database: by path or URL, creating the folder, and inside a caller's transaction.

use flow::CaseId;
use storage::{CaseCard, Db};

use crate::common::*;

#[tokio::test]
async fn opens_by_path_or_url_and_creates_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let by_url = dir.path().join("a").join("b").join("los.db");
    let url = format!("sqlite://{}", by_url.display());
    let db = Db::open(&url).await.unwrap();
    assert!(by_url.exists());
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    db.close().await;
    // The same file by its path, and again through DATABASE_URL.
    let db = Db::open(by_url.to_str().unwrap()).await.unwrap();
    assert_eq!(
        storage::load_case(&db, GUILD, case.id).await.unwrap(),
        Some(case.clone())
    );
    db.close().await;
    // The only test that reads DATABASE_URL, so setting it here races with nothing.
    std::env::set_var("DATABASE_URL", &url);
    let db = Db::open_default().await.unwrap();
    std::env::remove_var("DATABASE_URL");
    assert_eq!(
        storage::load_case(&db, GUILD, case.id).await.unwrap(),
        Some(case)
    );
}

#[tokio::test]
async fn functions_join_a_callers_transaction() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let card = CaseCard {
        channel: 1,
        thread: Some(2),
        message: 3,
    };

    let mut tx = db.pool().begin().await.unwrap();
    storage::set_card(&mut *tx, GUILD, case.id, card)
        .await
        .unwrap();
    storage::set_case_thread(&mut *tx, GUILD, case.id, 2)
        .await
        .unwrap();
    assert_eq!(
        storage::card(&mut *tx, GUILD, case.id).await.unwrap(),
        Some(card)
    );
    tx.rollback().await.unwrap();
    assert_eq!(storage::card(&db, GUILD, case.id).await.unwrap(), None);
    assert_eq!(storage::case_by_thread(&db, GUILD, 2).await.unwrap(), None);

    let mut tx = db.pool().begin().await.unwrap();
    storage::set_card(&mut *tx, GUILD, case.id, card)
        .await
        .unwrap();
    storage::set_case_thread(&mut *tx, GUILD, case.id, 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        storage::card(&db, GUILD, case.id).await.unwrap(),
        Some(card)
    );
    assert_eq!(
        storage::case_by_thread(&db, GUILD, 2).await.unwrap(),
        Some(case.id)
    );
    assert!(storage::load_case(&db, GUILD, CaseId(case.id.0 + 1))
        .await
        .unwrap()
        .is_none());
}
