//! The process: the chart as data, loaded and checked.

mod arrange;
pub mod layout;
mod load;
mod model;
mod path;

pub use layout::Layout;
pub use load::{Fault, LoadError};
pub use model::{
    Anchor, DeadlineKind, DeadlineRule, OfferAnswer, Outcome, PhaseDecl, Process, RoleDecl, Step,
    StepKind, SystemDecl, END,
};
