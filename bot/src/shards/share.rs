//! How the gateway's shards are shared among the live processes: pure logic, no I/O. The
//! keeper looks at the fleet (the registry of live processes, `storage::live_processes`, and
//! the live leases, `storage::shard_owners`) once per try for free shards and follows the
//! [`Plan`].
//!
//! **Quotas.** The members are the registered live processes, longest registered first
//! (`storage::live_processes`), and this one last if its first heartbeat is not in yet. Member
//! `i` of `m` has `shards / m` shards, plus one if `i < shards % m`: every member knows every
//! member's quota without asking, the quotas add up to the shard count, and a newcomer takes
//! the remainder from nobody (one shard and a standby: the first keeps it).
//!
//! **Moving towards them.** A process below its quota wins shards up to it (every shard it
//! does not hold is tried: a lease that ran out since the look is as free as one seen free). A process
//! above its quota hands one shard over per try (stops it, then releases its lease), but only
//! when no shard is free and some other member is below its own quota: there is someone to
//! take it, at its next try. A shard found free at two tries in a row is an orphan (whose
//! quota it was, did not take it: a process registered but not running its keeper, or gone
//! since) and is won by whoever sees it, quota or not; a process that had to do so hands
//! nothing over for a while (two leases, doubling each time it happens again before the shards
//! are seen balanced: the keeper keeps that clock), so that a member that never takes what it
//! is given does not make the shard go dark again and again, while one that was only cut off
//! for a moment soon gets its share back.

use std::collections::{BTreeMap, BTreeSet};

/// What a process sees of the others.
#[derive(Debug, Clone, Copy)]
pub struct Fleet<'a> {
    /// This process.
    pub me: &'a str,
    /// The gateway's shard count.
    pub shards: u32,
    /// The processes registered as live, longest registered first.
    pub live: &'a [String],
    /// The live leases: shard and owner.
    pub owners: &'a BTreeMap<u32, String>,
}

/// What to do at this try for free shards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// This process's quota.
    pub quota: u32,
    /// The shards nobody held at the look.
    pub free: Vec<u32>,
    /// How many more this process should win.
    pub want: u32,
    /// Free at this try and the one before: to win whatever the quota.
    pub orphans: Vec<u32>,
    /// A shard to hand over: this process is above its quota and another is below.
    pub hand_over: Option<u32>,
}

impl Fleet<'_> {
    /// The members in quota order (longest registered first, this one last if it is not yet),
    /// each once.
    pub fn members(&self) -> Vec<&str> {
        let mut members: Vec<&str> = Vec::with_capacity(self.live.len() + 1);
        for m in self.live.iter().map(String::as_str).chain([self.me]) {
            if !members.contains(&m) {
                members.push(m);
            }
        }
        members
    }

    /// `who`'s quota among the members.
    pub fn quota_of(&self, who: &str) -> u32 {
        let members = self.members();
        let Some(rank) = members.iter().position(|m| *m == who) else {
            return 0;
        };
        let m = u32::try_from(members.len()).unwrap_or(u32::MAX);
        let rank = u32::try_from(rank).unwrap_or(u32::MAX);
        self.shards / m + u32::from(rank < self.shards % m)
    }

    fn held_by(&self, who: &str) -> u32 {
        let n = self.owners.values().filter(|o| o.as_str() == who).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The plan for a process that holds `held` (as it believes) and found `free_before` free
    /// at its previous try; `may_hand_over`: it has not had to win an orphan lately.
    pub fn plan(
        &self,
        held: &BTreeSet<u32>,
        free_before: &BTreeSet<u32>,
        may_hand_over: bool,
    ) -> Plan {
        let quota = self.quota_of(self.me);
        let free: Vec<u32> = (0..self.shards)
            .filter(|s| !self.owners.contains_key(s) && !held.contains(s))
            .collect();
        let orphans = free
            .iter()
            .copied()
            .filter(|s| free_before.contains(s))
            .collect();
        let mine = u32::try_from(held.len()).unwrap_or(u32::MAX);
        let someone_below = self
            .members()
            .into_iter()
            .any(|m| m != self.me && self.held_by(m) < self.quota_of(m));
        let hand_over = (mine > quota && may_hand_over && free.is_empty() && someone_below)
            .then(|| held.last().copied())
            .flatten();
        Plan {
            quota,
            want: quota.saturating_sub(mine),
            free,
            orphans,
            hand_over,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(pairs: &[(u32, &str)]) -> BTreeMap<u32, String> {
        pairs.iter().map(|(s, o)| (*s, (*o).to_owned())).collect()
    }

    fn live(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn set(shards: &[u32]) -> BTreeSet<u32> {
        shards.iter().copied().collect()
    }

    #[test]
    fn quotas_add_up_to_the_shards_and_differ_by_at_most_one() {
        for shards in 1..=9 {
            for m in 1..=5 {
                let names: Vec<String> = (0..m).map(|i| format!("p{i}")).collect();
                let none = BTreeMap::new();
                let fleet = Fleet {
                    me: "p0",
                    shards,
                    live: &names,
                    owners: &none,
                };
                let quotas: Vec<u32> = names.iter().map(|n| fleet.quota_of(n)).collect();
                assert_eq!(quotas.iter().sum::<u32>(), shards, "{shards} over {m}");
                let (lo, hi) = (quotas.iter().min().unwrap(), quotas.iter().max().unwrap());
                assert!(hi - lo <= 1, "{shards} over {m}: {quotas:?}");
            }
        }
    }

    #[test]
    fn alone_a_process_wants_every_shard() {
        let none = BTreeMap::new();
        let fleet = Fleet {
            me: "a",
            shards: 4,
            live: &[],
            owners: &none,
        };
        let plan = fleet.plan(&set(&[]), &set(&[]), true);
        assert_eq!(plan.quota, 4);
        assert_eq!(plan.want, 4);
        assert_eq!(plan.free, vec![0, 1, 2, 3]);
        assert_eq!(plan.hand_over, None);
    }

    #[test]
    fn a_process_above_its_quota_hands_one_over_to_a_newcomer() {
        let held = owners(&[(0, "a"), (1, "a"), (2, "a"), (3, "a")]);
        let names = live(&["a", "b"]);
        let a = Fleet {
            me: "a",
            shards: 4,
            live: &names,
            owners: &held,
        };
        let plan = a.plan(&set(&[0, 1, 2, 3]), &set(&[]), true);
        assert_eq!((plan.quota, plan.want), (2, 0));
        assert_eq!(plan.hand_over, Some(3), "the highest, one per try");
        // The newcomer wins nothing yet (nothing is free) and hands nothing over.
        let b = Fleet { me: "b", ..a };
        let plan = b.plan(&set(&[]), &set(&[]), true);
        assert_eq!((plan.quota, plan.want, plan.hand_over), (2, 2, None));
        assert!(plan.free.is_empty());
        // Once 3 is free, b wins it; a does not hand 2 over while a shard is free.
        let after = owners(&[(0, "a"), (1, "a"), (2, "a")]);
        let a = Fleet {
            owners: &after,
            ..a
        };
        assert_eq!(a.plan(&set(&[0, 1, 2]), &set(&[]), true).hand_over, None);
        let b = Fleet {
            owners: &after,
            ..b
        };
        assert_eq!(b.plan(&set(&[]), &set(&[]), true).free, vec![3]);
    }

    #[test]
    fn nothing_is_handed_over_when_nobody_is_below_its_quota() {
        // 4 shards, 3 processes: quotas 2, 1, 1 by name; a holds 2, b 1, c 1.
        let held = owners(&[(0, "a"), (1, "a"), (2, "b"), (3, "c")]);
        let names = live(&["a", "b", "c"]);
        let a = Fleet {
            me: "a",
            shards: 4,
            live: &names,
            owners: &held,
        };
        assert_eq!(a.plan(&set(&[0, 1]), &set(&[]), true).hand_over, None);
        // b holding 2 (and c none) hands one over to c.
        let held = owners(&[(0, "a"), (1, "b"), (2, "b"), (3, "a")]);
        let b = Fleet {
            me: "b",
            owners: &held,
            ..a
        };
        let plan = b.plan(&set(&[1, 2]), &set(&[]), true);
        assert_eq!((plan.quota, plan.hand_over), (1, Some(2)));
        // ... but not while it may not (it had to win an orphan lately).
        assert_eq!(b.plan(&set(&[1, 2]), &set(&[]), false).hand_over, None);
    }

    #[test]
    fn the_longest_registered_keeps_the_remainder() {
        let held = owners(&[(0, "z")]);
        let names = live(&["z"]);
        let newcomer = Fleet {
            me: "a",
            shards: 1,
            live: &names,
            owners: &held,
        };
        assert_eq!(
            newcomer.members(),
            vec!["z", "a"],
            "not yet registered: last"
        );
        assert_eq!(newcomer.quota_of("a"), 0);
        let names = live(&["z", "a"]);
        let first = Fleet {
            me: "z",
            live: &names,
            ..newcomer
        };
        let plan = first.plan(&set(&[0]), &set(&[]), true);
        assert_eq!(
            (plan.quota, plan.hand_over),
            (1, None),
            "a standby takes nothing"
        );
    }

    #[test]
    fn a_process_not_registered_counts_only_itself() {
        // Leases of a process that is not registered (it died; its leases run out) do not
        // make it a member: when they run out, the shards are this one's to take.
        let held = owners(&[(0, "old")]);
        let a = Fleet {
            me: "a",
            shards: 2,
            live: &[],
            owners: &held,
        };
        assert_eq!(a.members(), vec!["a"]);
        let plan = a.plan(&set(&[]), &set(&[]), true);
        assert_eq!((plan.quota, plan.want, plan.free.clone()), (2, 2, vec![1]));
    }

    #[test]
    fn a_shard_free_twice_in_a_row_is_won_whatever_the_quota() {
        let held = owners(&[(0, "a"), (1, "a")]);
        let names = live(&["a", "b"]);
        let a = Fleet {
            me: "a",
            shards: 3,
            live: &names,
            owners: &held,
        };
        // a's quota is 2 (a sorts first), it holds 2: 2 is b's to take.
        let first = a.plan(&set(&[0, 1]), &set(&[]), true);
        assert_eq!((first.quota, first.want), (2, 0));
        assert_eq!(first.free, vec![2]);
        assert!(first.orphans.is_empty());
        // Still free at the next try: b did not take it, a does.
        let next = a.plan(&set(&[0, 1]), &first.free.iter().copied().collect(), true);
        assert_eq!(next.orphans, vec![2]);
    }
}
