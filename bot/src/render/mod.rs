//! Pure rendering: a case, the guild's view and the texts in; Discord message parts out. No
//! I/O, no clock of its own: whatever a renderer shows was read by its caller and passed in.
//!
//! - [`card`]: the case card and its buttons; [`thread`]: the thread's name and first message;
//!   [`lines`]: a change's lines in the thread and the history; [`notify`]: who a line asks
//!   next and whom it pings.
//! - [`reminder`]: a reminder message and its buttons; [`digest`]: HR's daily digest;
//!   [`checklist`]: the onboarding checklist; [`reopen`]: the preview of going back to a step.
//! - [`journey`]: a new hire's journey checklist, their own items, its reminder lines.

pub mod card;
pub mod chart;
pub mod checklist;
pub mod digest;
pub mod export;
pub mod journey;
pub mod lines;
pub mod notify;
pub mod reminder;
pub mod reopen;
pub mod stats;
pub mod thread;

use flow::{Process, Texts};

use crate::guild::GuildView;

/// Everything a renderer reads besides the case.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub process: &'a Process,
    pub texts: &'a Texts,
    pub guild: &'a GuildView,
}

impl<'a> Scope<'a> {
    pub fn new(process: &'a Process, texts: &'a Texts, guild: &'a GuildView) -> Scope<'a> {
        Scope {
            process,
            texts,
            guild,
        }
    }
}
