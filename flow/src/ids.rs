//! Identifiers of the domain: steps, outcomes, phases, systems, roles, cases and people.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! name_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an identifier as written in the process file (`snake_case`).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

name_id!(
    /// A step of the chart, e.g. `behandler_soknader`.
    StepId
);
name_id!(
    /// A named outcome of a choice step, e.g. `ja` or `ny_stilling`.
    OutcomeId
);
name_id!(
    /// One of the chart's seven phases, e.g. `utlysning`.
    PhaseId
);
name_id!(
    /// A system a step happens in, e.g. `webcruiter`.
    SystemId
);
name_id!(
    /// A mark an outcome leaves on the case (e.g. `uten_ny_avtale`) that later branches read.
    Mark
);

/// The lanes of the chart. Only the first four act in the chat; the candidate and payroll are
/// represented by whoever records what they did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Manager,
    Hr,
    UnionRep,
    Approver,
    Payroll,
    Candidate,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Manager,
        Role::Hr,
        Role::UnionRep,
        Role::Approver,
        Role::Payroll,
        Role::Candidate,
    ];

    /// The id used in the process file, in settings and in Fluent message ids (`role-union_rep`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Hr => "hr",
            Role::UnionRep => "union_rep",
            Role::Approver => "approver",
            Role::Payroll => "payroll",
            Role::Candidate => "candidate",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A recruitment case, numbered by storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub i64);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A person who acts in the chat. The number is the chat platform's user id; `flow` only
/// compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub u64);

/// A person as the history remembers them: id and the display name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: PersonId,
    pub name: String,
}
