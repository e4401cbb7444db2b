//! The new hire's own onboarding journey, from the signed contract to the end of probation:
//! the template as data (`prompts/onboarding.toml`, checked like the process file, adjusted per
//! server), a case's journey (who, when, what is ticked), the dates its items fall due on
//! (working days, the end of probation) and the reminders it wants. Pure: the clock and the
//! people are passed in.
//!
//! No evaluation, health or absence data has a place here: a journey records *that* an item was
//! done (by whom, when) and *that* the probation decision was recorded (which of the two
//! outcomes, when), never what was said.

mod plan;
mod template;

pub use plan::{
    group_of, probation_end, Closing, Decision, Group, Journey, JourneyRefusal, Presser, Tick,
    JOURNEY_KEY_PREFIX,
};
pub use template::{Item, JourneyError, JourneyFault, Owner, Template, When};
