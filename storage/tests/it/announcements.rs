//! What a stored change owes its thread, and the requests for HR's help: owed in the change's
//! transaction, taken up once due, settled once, and a second press for help inside the gap
//! refused, also when two arrive at once.

use chrono::Duration;
use flow::CaseId;
use storage::{AnnouncementKind, Pinged, Settled, ANNOUNCEMENT_GRACE};

use crate::common::*;

contract! {
multi_thread;
/// Each stored change owes one announcement, due `GRACE` after it; a line is recorded once
/// and a row closed once (a second settling changes nothing); who the lines pinged is read
/// back merged; a request for help is refused while the same person's last is younger than
/// the gap (two at once: one stored), and other people and later requests are not.
async fn announcements_are_owed_settled_once_and_help_is_asked_once_per_gap(db: Db) {
    let p = process();
    let case = open_case(&db, &p, GUILD).await;
    step_case(&db, &p, GUILD, case.id).await.unwrap();

    let owed = storage::owed_for_case(&db, GUILD, case.id).await.unwrap();
    let summary: Vec<_> = owed
        .iter()
        .map(|a| (a.version, a.kind.clone(), a.nonce.clone(), a.created_at, a.line))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, AnnouncementKind::Change, storage::change_nonce(case.id, 1), base(), None),
            (2, AnnouncementKind::Change, storage::change_nonce(case.id, 2), at(1), None),
        ]
    );
    assert!(storage::owed_for_case(&db, OTHER_GUILD, case.id)
        .await
        .unwrap()
        .is_empty());
    // Left to the handler for GRACE, then the sender's.
    let first_due = base() + ANNOUNCEMENT_GRACE;
    assert_eq!(
        storage::next_announcement_at(&db).await.unwrap(),
        Some(first_due)
    );
    let due = |at| {
        let db = db.clone();
        async move {
            storage::announcements_due(&db, at, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.version)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(due(first_due - Duration::microseconds(1)).await, Vec::<i64>::new());
    assert_eq!(due(first_due).await, vec![1]);
    assert_eq!(due(at(1) + ANNOUNCEMENT_GRACE).await, vec![1, 2]);

    // The first: its line posted, not done yet (to be retried); the line is kept once.
    let (first, second) = (owed[0].id, owed[1].id);
    let posted_at = at(2);
    let pinged = Pinged {
        users: vec![5, 3],
        roles: vec![9],
    };
    let retry_at = at(3);
    storage::settle_announcement(
        &db,
        first,
        &Settled {
            line: Some((7, 8, pinged)),
            done: false,
            retry: Some(("Discord svarte 500".into(), retry_at)),
        },
        posted_at,
    )
    .await
    .unwrap();
    let owed = storage::owed_for_case(&db, GUILD, case.id).await.unwrap();
    assert_eq!((owed[0].line, owed[0].attempts), (Some((7, 8)), 1));
    assert_eq!(due(at(1) + ANNOUNCEMENT_GRACE).await, vec![2], "the first waits for its retry");
    assert_eq!(due(retry_at).await, vec![1, 2]);
    // Settled again with another line, and done: the first line stays, the row closes.
    db.settle_announcement(
        first,
        Settled {
            line: Some((7, 99, Pinged { users: vec![4], roles: vec![] })),
            done: true,
            retry: None,
        },
        at(3),
    )
    .await
    .unwrap();
    let lines = storage::posted_lines(&db, GUILD, case.id).await.unwrap();
    assert_eq!(
        lines
            .iter()
            .map(|l| (l.announcement, l.version, l.channel, l.message))
            .collect::<Vec<_>>(),
        vec![(first, 1, 7, 8)]
    );
    assert!(storage::posted_lines(&db, OTHER_GUILD, case.id).await.unwrap().is_empty());
    assert_eq!(
        storage::pinged_since(&db, case.id, posted_at).await.unwrap(),
        Pinged {
            users: vec![3, 5],
            roles: vec![9]
        }
    );
    assert!(storage::pinged_since(&db, case.id, posted_at + Duration::microseconds(1))
        .await
        .unwrap()
        .is_empty());
    // A retry of a row already done changes nothing.
    storage::settle_announcement(
        &db,
        first,
        &Settled {
            line: None,
            done: false,
            retry: Some(("late".into(), at(9))),
        },
        at(4),
    )
    .await
    .unwrap();
    let owed = storage::owed_for_case(&db, GUILD, case.id).await.unwrap();
    assert_eq!(owed.iter().map(|a| a.id).collect::<Vec<_>>(), vec![second]);
    db.settle_announcement(
        second,
        Settled {
            line: None,
            done: true,
            retry: None,
        },
        at(4),
    )
    .await
    .unwrap();
    assert!(storage::owed_for_case(&db, GUILD, case.id).await.unwrap().is_empty());
    assert_eq!(storage::next_announcement_at(&db).await.unwrap(), None);

    // Help: two presses at once by one person, one stored; the other answered with its time.
    let gap = Duration::hours(1);
    let asked_at = at(5);
    let asker = hr().person;
    let (a, b) = tokio::join!(
        storage::ask_for_help(&db, GUILD, case.id, 2, &asker, asked_at, gap),
        storage::ask_for_help(&db, GUILD, case.id, 2, &asker, asked_at, gap),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let stored = match (&a, &b) {
        (Ok(stored), Err(last)) | (Err(last), Ok(stored)) => {
            assert_eq!(*last, stored.created_at);
            stored.clone()
        }
        _ => panic!("one stored, one refused: {a:?} {b:?}"),
    };
    assert_eq!(
        (stored.kind.clone(), stored.version, stored.created_at),
        (AnnouncementKind::Help { asker: asker.clone() }, 2, asked_at)
    );
    // Within the gap, refused; someone else, or after the gap, stored.
    assert_eq!(
        storage::ask_for_help(&db, GUILD, case.id, 2, &asker, asked_at + gap - Duration::seconds(1), gap)
            .await
            .unwrap(),
        Err(asked_at)
    );
    assert!(storage::ask_for_help(&db, GUILD, case.id, 2, &owner(), asked_at, gap)
        .await
        .unwrap()
        .is_ok());
    assert!(storage::ask_for_help(&db, GUILD, case.id, 2, &asker, asked_at + gap, gap)
        .await
        .unwrap()
        .is_ok());
    let owed = storage::owed_for_case(&db, GUILD, case.id).await.unwrap();
    assert_eq!(owed.len(), 3, "{owed:#?}");
    assert!(owed.iter().all(|a| matches!(a.kind, AnnouncementKind::Help { .. })));
    assert!(storage::owed_for_case(&db, GUILD, CaseId(case.id.0 + 1))
        .await
        .unwrap()
        .is_empty());
}
}
