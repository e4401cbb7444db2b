//! Gateway shards across processes (issue 14): a shard runs only in the process that holds its
//! lease (`storage::win_shard_lease`). [`policy`] decides when to renew, stop and win;
//! [`share`] how many shards each live process should run.

pub mod keeper;
pub mod policy;
pub mod share;

pub use keeper::{Gateway, Keeper, Outcome, Quota, Stop};
pub use policy::LeaseTimes;
