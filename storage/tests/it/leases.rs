//! Gateway shard leases on both backends: one live owner per shard, epochs that fence a stale
//! owner out, release that frees at once. A lease of length zero is expired the moment it is
//! won (live means `expires_at > now`), which is how these tests see expiry without waiting.

use std::time::Duration;

use storage::{
    release_shard_lease, renew_shard_lease, shard_owners, win_shard_lease, Db, StorageError,
};

use crate::common::contract;

const LONG: Duration = Duration::from_secs(600);
const EXPIRED: Duration = Duration::ZERO;

/// Who holds which shard now, as (shard, owner, epoch).
async fn owners(db: &Db) -> Vec<(u32, String, i64)> {
    shard_owners(db)
        .await
        .expect("the leases are listed")
        .into_iter()
        .map(|l| (l.shard, l.owner, l.epoch))
        .collect()
}

contract! {
/// A live lease is its owner's alone: another owner's win is refused, also when many owners
/// race for one free shard at the same moment (exactly one of them wins).
async fn two_owners_never_both_hold_a_shard(db: Db) {
    let a = win_shard_lease(&db, "a", 0, 4, LONG).await.unwrap().expect("a free shard is won");
    assert_eq!((a.shard, a.num_shards, a.owner.as_str(), a.epoch), (0, 4, "a", 1));
    assert_eq!(win_shard_lease(&db, "b", 0, 4, LONG).await.unwrap(), None);
    let b = win_shard_lease(&db, "b", 1, 4, LONG).await.unwrap().expect("another shard");
    assert_eq!(b.epoch, 1);

    let racers = (0..8).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            win_shard_lease(&db, &format!("racer-{i}"), 2, 4, LONG).await
        })
    });
    let mut winners = Vec::new();
    for r in futures::future::join_all(racers).await {
        if let Some(lease) = r.expect("the racer ran").expect("the win is answered") {
            winners.push(lease.owner);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one racer wins shard 2: {winners:?}");
    assert_eq!(
        owners(&db).await,
        vec![
            (0, "a".to_owned(), 1),
            (1, "b".to_owned(), 1),
            (2, winners[0].clone(), 1),
        ]
    );
}
}

contract! {
/// Winning a lease that is still ours extends it and keeps its epoch (nobody else held it in
/// between); winning it back after it expired is a new epoch.
async fn own_live_lease_is_won_again_with_its_epoch(db: Db) {
    let first = win_shard_lease(&db, "a", 3, 4, LONG).await.unwrap().unwrap();
    let again = win_shard_lease(&db, "a", 3, 4, LONG).await.unwrap().unwrap();
    assert_eq!(again.epoch, first.epoch);
    assert!(again.expires_at >= first.expires_at);

    let lapsed = win_shard_lease(&db, "b", 2, 4, EXPIRED).await.unwrap().unwrap();
    let back = win_shard_lease(&db, "b", 2, 4, LONG).await.unwrap().unwrap();
    assert_eq!(back.epoch, lapsed.epoch + 1, "a lapsed lease won back is a new epoch");
}
}

contract! {
/// An expired lease is taken over by another owner with a higher epoch, and the takeover is
/// what everyone sees.
async fn expired_lease_is_taken_over_with_a_higher_epoch(db: Db) {
    let a = win_shard_lease(&db, "a", 0, 2, EXPIRED).await.unwrap().unwrap();
    assert_eq!(owners(&db).await, vec![], "an expired lease is nobody's");
    let b = win_shard_lease(&db, "b", 0, 2, LONG)
        .await
        .unwrap()
        .expect("an expired lease is taken over");
    assert_eq!(b.epoch, a.epoch + 1);
    assert_eq!(owners(&db).await, vec![(0, "b".to_owned(), a.epoch + 1)]);
    assert_eq!(
        win_shard_lease(&db, "a", 0, 2, LONG).await.unwrap(),
        None,
        "the old owner cannot win it back while the new one holds it"
    );
}
}

contract! {
/// A stale owner's renewal fails: after its lease expired (taken over or not), and with an
/// epoch that is not the current one. The current owner's renewal holds.
async fn a_stale_owners_renewal_fails(db: Db) {
    let a = win_shard_lease(&db, "a", 1, 2, EXPIRED).await.unwrap().unwrap();
    assert!(
        !renew_shard_lease(&db, "a", 1, a.epoch, LONG).await.unwrap(),
        "an expired lease is not renewed, even when nobody took it"
    );
    let b = win_shard_lease(&db, "b", 1, 2, LONG).await.unwrap().unwrap();
    assert!(!renew_shard_lease(&db, "a", 1, a.epoch, LONG).await.unwrap());
    assert!(!renew_shard_lease(&db, "a", 1, b.epoch, LONG).await.unwrap(), "not a's epoch");
    assert!(!renew_shard_lease(&db, "b", 1, a.epoch, LONG).await.unwrap(), "an old epoch");
    assert!(renew_shard_lease(&db, "b", 1, b.epoch, LONG).await.unwrap());
    assert!(!release_shard_lease(&db, "a", 1, a.epoch).await.unwrap());
    assert_eq!(owners(&db).await, vec![(1, "b".to_owned(), b.epoch)]);

    // Won back by `a`: its old epoch still renews nothing.
    let b_short = win_shard_lease(&db, "b", 1, 2, EXPIRED).await.unwrap().unwrap();
    assert_eq!(b_short.epoch, b.epoch, "b's own live lease, shortened to nothing");
    let a2 = win_shard_lease(&db, "a", 1, 2, LONG).await.unwrap().unwrap();
    assert_eq!(a2.epoch, b.epoch + 1);
    assert!(!renew_shard_lease(&db, "a", 1, a.epoch, LONG).await.unwrap());
    assert!(renew_shard_lease(&db, "a", 1, a2.epoch, LONG).await.unwrap());
}
}

contract! {
/// A release frees the shard at once for anyone; it is the owner's only, with its epoch, and
/// a second release answers that nothing was held.
async fn a_release_frees_the_shard_at_once(db: Db) {
    let a = win_shard_lease(&db, "a", 0, 1, LONG).await.unwrap().unwrap();
    assert!(!release_shard_lease(&db, "b", 0, a.epoch).await.unwrap(), "not b's");
    assert!(!release_shard_lease(&db, "a", 0, a.epoch + 1).await.unwrap(), "not that epoch");
    assert_eq!(owners(&db).await, vec![(0, "a".to_owned(), a.epoch)]);
    assert!(release_shard_lease(&db, "a", 0, a.epoch).await.unwrap());
    assert_eq!(owners(&db).await, vec![]);
    assert!(!release_shard_lease(&db, "a", 0, a.epoch).await.unwrap(), "released already");
    assert!(!renew_shard_lease(&db, "a", 0, a.epoch, LONG).await.unwrap());
    let b = win_shard_lease(&db, "b", 0, 1, LONG).await.unwrap().expect("free at once");
    assert_eq!(b.epoch, a.epoch + 1);
}
}

contract! {
/// A lease for a shard outside the count, without an owner, or of absurd length is refused as
/// the caller's bug, and nothing is stored.
async fn a_lease_the_caller_got_wrong_is_refused(db: Db) {
    for (owner, shard, num_shards, ttl) in [
        ("a", 4, 4, LONG),
        ("a", 0, 0, LONG),
        (" ", 0, 4, LONG),
        ("a", 0, 4, Duration::from_secs(u64::MAX)),
    ] {
        let refused = win_shard_lease(&db, owner, shard, num_shards, ttl).await;
        assert!(
            matches!(refused, Err(StorageError::Invalid(_))),
            "{owner:?} {shard}/{num_shards} {ttl:?}: {refused:?}"
        );
    }
    assert_eq!(owners(&db).await, vec![]);
}
}

contract! {
/// An IDENTIFY slot is one process's at a time, per bucket: taken while free, held until its
/// shard connected and a spacing after, or until its hold runs out.
async fn an_identify_slot_is_one_processs_per_bucket_until_it_frees(db: Db) {
    use storage::{claim_identify, identified};
    assert!(claim_identify(&db, "a", 0, LONG).await.unwrap());
    assert!(!claim_identify(&db, "b", 0, LONG).await.unwrap(), "held by a");
    assert!(!claim_identify(&db, "a", 0, LONG).await.unwrap(), "also for a: one at a time");
    assert!(claim_identify(&db, "b", 1, LONG).await.unwrap(), "another bucket");
    assert!(!identified(&db, "b", 0, EXPIRED).await.unwrap(), "not b's slot");
    assert!(!claim_identify(&db, "b", 0, LONG).await.unwrap());
    // a's shard connected: with no spacing the slot is free at once, with one it is not.
    assert!(identified(&db, "a", 0, EXPIRED).await.unwrap());
    assert!(claim_identify(&db, "b", 0, EXPIRED).await.unwrap());
    assert!(identified(&db, "b", 0, LONG).await.unwrap());
    assert!(!claim_identify(&db, "a", 0, LONG).await.unwrap(), "a spacing after b's");
    // A hold that ran out (the shard never connected) frees the slot.
    assert!(claim_identify(&db, "c", 2, EXPIRED).await.unwrap());
    assert!(claim_identify(&db, "d", 2, LONG).await.unwrap());
    assert!(!identified(&db, "c", 2, EXPIRED).await.unwrap(), "d's now");
}
}

contract! {
/// A process that knows it is the only one (SQLite's file lock) ends the leases and IDENTIFY
/// slots a dead predecessor left, keeping the epochs, so it need not wait them out.
async fn the_only_process_ends_the_leases_a_dead_one_left(db: Db) {
    use storage::{claim_identify, end_shard_leases_of_others};
    let old = win_shard_lease(&db, "old", 0, 2, LONG).await.unwrap().unwrap();
    win_shard_lease(&db, "old", 1, 2, LONG).await.unwrap().unwrap();
    assert!(claim_identify(&db, "old", 0, LONG).await.unwrap());
    assert_eq!(end_shard_leases_of_others(&db, "new").await.unwrap(), 2);
    assert_eq!(owners(&db).await, vec![]);
    let won = win_shard_lease(&db, "new", 0, 2, LONG).await.unwrap().expect("free now");
    assert_eq!(won.epoch, old.epoch + 1);
    assert!(claim_identify(&db, "new", 0, LONG).await.unwrap());
    // Its own are kept.
    assert_eq!(end_shard_leases_of_others(&db, "new").await.unwrap(), 0);
    assert_eq!(owners(&db).await, vec![(0, "new".to_owned(), won.epoch)]);
}
}
