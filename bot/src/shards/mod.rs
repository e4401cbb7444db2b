//! Gateway shards across processes (issue 14): a shard runs only in the process that holds its
//! lease (`storage::win_shard_lease`). [`policy`] decides when to renew, stop and win.

pub mod keeper;
pub mod policy;

pub use keeper::{Gateway, Keeper, Outcome, Stop};
pub use policy::LeaseTimes;
