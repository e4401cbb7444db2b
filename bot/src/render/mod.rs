//! Pure rendering: a case and the server's settings in, Discord message parts out.

pub mod card;
pub mod lines;
pub mod notify;

use std::collections::BTreeMap;

use flow::{Process, Role, Texts};

/// What rendering needs to know about the server: who holds which role, and the links to the
/// municipality's own documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerView {
    /// The Discord role id for each process role that has one configured.
    pub roles: BTreeMap<Role, u64>,
    /// Documentation links by key (`webcruiter`, `hr_everyone`, `rutiner`).
    pub links: BTreeMap<String, String>,
}

/// Everything a renderer reads.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub process: &'a Process,
    pub texts: &'a Texts,
    pub server: &'a ServerView,
}
