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
async fn an_import_stores_all_of_it_or_none() {
    let (_dir, db) = temp_db().await;
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    let card = CaseCard {
        channel: 1,
        thread: Some(2),
        message: 3,
    };

    // Dropped before its commit: nothing of it is stored.
    let mut import = db.import().await.unwrap();
    import.set_card(GUILD, case.id, card).await.unwrap();
    import.set_case_thread(GUILD, case.id, 2).await.unwrap();
    drop(import);
    assert_eq!(storage::card(&db, GUILD, case.id).await.unwrap(), None);
    assert_eq!(storage::case_by_thread(&db, GUILD, 2).await.unwrap(), None);

    let mut import = db.import().await.unwrap();
    import.set_card(GUILD, case.id, card).await.unwrap();
    import.set_case_thread(GUILD, case.id, 2).await.unwrap();
    // A write the import refuses (no such case) does not spoil what came before it.
    assert!(import
        .set_card(GUILD, CaseId(case.id.0 + 1), card)
        .await
        .is_err());
    import.commit().await.unwrap();
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
