//! Delivery problems: recorded once per place and problem, told once, resolved when the place
//! works again and news again if it breaks after that; a refused message's reminders go back
//! to the queue.

use chrono::Duration;
use flow::CaseId;

use crate::common::*;

const PLACE: storage::Destination = storage::Destination::Channel(storage::ChannelId(7));

async fn news(db: &storage::Db, problem: &str) -> storage::Result<bool> {
    let error = "403 Missing Access";
    storage::record_problem(db, GUILD, PLACE, problem, Some(CaseId(3)), error, base()).await
}

contract! {
async fn a_problem_is_news_once_until_the_place_works_again(db: Db) {
    let now = base();
    assert!(news(&db, "missing_access").await.unwrap());
    assert!(
        !news(&db, "missing_access").await.unwrap(),
        "the same problem again"
    );
    assert!(
        news(&db, "unknown_channel").await.unwrap(),
        "another problem there"
    );
    let open = storage::open_problems(&db, GUILD).await.unwrap();
    assert_eq!(open.len(), 2);
    let access = open.iter().find(|p| p.problem == "missing_access").unwrap();
    assert_eq!(access.failures, 2);
    assert_eq!(access.case, Some(CaseId(3)));
    assert_eq!(
        storage::problem_places(&db).await.unwrap(),
        vec![(GUILD, PLACE)]
    );

    // Told once: not due for telling again.
    let due = storage::problems_to_tell(&db, now, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    let keys: Vec<(storage::Destination, String)> =
        due.iter().map(|p| (p.place, p.problem.clone())).collect();
    storage::problems_noticed(&db, GUILD, &keys[..1], now, None)
        .await
        .unwrap();
    // Telling the other failed: not before its retry.
    let later = now + Duration::minutes(5);
    storage::problems_noticed(&db, GUILD, &keys[1..], now, Some(later))
        .await
        .unwrap();
    assert!(storage::problems_to_tell(&db, now, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        storage::problems_to_tell(&db, later, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // The place works again: resolved, gone from the open ones; breaking again is news.
    assert_eq!(
        storage::resolve_problems(&db, GUILD, PLACE, later)
            .await
            .unwrap(),
        2
    );
    assert!(storage::open_problems(&db, GUILD).await.unwrap().is_empty());
    assert!(storage::problem_places(&db).await.unwrap().is_empty());
    assert!(news(&db, "missing_access").await.unwrap());
    let again = storage::problems_to_tell(&db, later, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].failures, 1);
    assert_eq!(again[0].told_at, None);
    // Another server's places are its own.
    assert!(storage::open_problems(&db, OTHER_GUILD)
        .await
        .unwrap()
        .is_empty());
}
}
