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

contract! {
/// An import stores everything written in it at its commit and nothing if dropped before;
/// a write it refuses does not spoil the rest.
async fn an_import_stores_all_of_it_or_none(db: Db) {
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

    // Cases created and changed in an import: none if dropped, all at its commit.
    let mut import = db.import().await.unwrap();
    let dropped = import_a_case(&mut import, &p).await;
    drop(import);
    assert_eq!(storage::load_case(&db, GUILD, dropped.id).await.unwrap(), None);
    let mut import = db.import().await.unwrap();
    let kept = import_a_case(&mut import, &p).await;
    import.commit().await.unwrap();
    assert_eq!(
        storage::load_case(&db, GUILD, kept.id).await.unwrap(),
        Some(kept.clone())
    );
    assert_eq!(
        storage::history(&db, GUILD, kept.id, 100, 0).await.unwrap().len(),
        replay(&p, kept.id, 2).1.len()
    );
}
}

/// Creates a case and saves its first change inside `import`; a stale second save of the
/// same change is refused there alone. The case as changed.
async fn import_a_case(import: &mut storage::Import<'_>, p: &flow::Process) -> flow::Case {
    let made = import
        .create_case(
            GUILD,
            |id| flow::start(p, id, draft(), owner(), base()),
            |c| wanted(p, c),
        )
        .await
        .unwrap();
    let (who, action) = script(1).unwrap();
    let applied = flow::apply(p, &made, &who, &action, at(1)).unwrap();
    import
        .save_applied(GUILD, 1, &applied, &wanted(p, &applied.case))
        .await
        .unwrap();
    assert!(matches!(
        import.save_applied(GUILD, 1, &applied, &[]).await,
        Err(storage::StorageError::Stale { .. })
    ));
    applied.case
}
