//! Who a thread line asks to act next, and whom it pings. Pure: the case, the steps that just
//! opened, who pressed and who was pinged today in; the line and its pings out.
//!
//! The rule (the server's notification level, `/oppsett varsler`):
//! - **Only when asked to act** (the default): a person or role is pinged only for a step they
//!   are asked to do, at most once per case and working day; steps that open together for the
//!   same people make one line and one ping; the person who just pressed is not pinged for
//!   what they are asked next (they are looking at the card); the HR role is pinged only for
//!   what only HR can do, and otherwise named without a ping; roles that are only to be kept
//!   informed (`notify` in the process file) are named, never pinged.
//! - **Every step**: everyone a step names (its roles and those kept informed) is pinged on
//!   every line that opens it, each at most once per line.
//! - **Digest only**: nothing in a thread pings; the daily digest and the direct-message
//!   reminders carry it.

use flow::process::Step;
use flow::{Case, Role};
use storage::Pinged;

use super::{card, Scope};
use crate::i18n::Tr;

/// How much a server wants to be pinged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    Every,
    #[default]
    AskedToAct,
    DigestOnly,
}

/// The lines that say who is asked next, and the pings they carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asked {
    pub lines: Vec<String>,
    pub pings: Pinged,
}

/// Lines for the steps that just opened (still open now), grouped by the people they ask,
/// with the pings the level allows. `presser`: who made the change; `today`: who the case's
/// lines pinged earlier today.
pub fn asked_next(
    scope: Scope<'_>,
    case: &Case,
    opened: &[&Step],
    presser: Option<u64>,
    level: Level,
    today: &Pinged,
    tr: Tr<'_>,
) -> Asked {
    // Steps asking the same people, in the order they first appear.
    let mut groups: Vec<(Vec<Role>, Vec<&Step>)> = Vec::new();
    for step in opened {
        let mut who = step.roles.clone();
        who.extend(step.notify.iter().filter(|r| !step.roles.contains(r)));
        match groups.iter_mut().find(|(w, _)| *w == who) {
            Some((_, steps)) => steps.push(step),
            None => groups.push((who, vec![step])),
        }
    }
    let mut out = Asked::default();
    for (who, steps) in &groups {
        let titles: Vec<String> = steps.iter().map(|s| tr.step(&s.id)).collect();
        out.lines.push(tr.args(
            "line-next",
            &[
                ("steps", join_titles(&titles, tr).as_str().into()),
                ("count", titles.len().into()),
                (
                    "who",
                    card::responsible(scope, case, who, tr).as_str().into(),
                ),
            ],
        ));
        for step in steps {
            pings_for(scope, case, step, presser, level, &mut out.pings);
        }
    }
    if level == Level::AskedToAct {
        out.pings.users.retain(|u| !today.users.contains(u));
        out.pings.roles.retain(|r| !today.roles.contains(r));
    }
    out.pings.users.sort_unstable();
    out.pings.users.dedup();
    out.pings.roles.sort_unstable();
    out.pings.roles.dedup();
    out
}

/// Whom one step pings at this level.
fn pings_for(
    scope: Scope<'_>,
    case: &Case,
    step: &Step,
    presser: Option<u64>,
    level: Level,
    pings: &mut Pinged,
) {
    let owner = case.owner.id.0;
    let role_id = |r: &Role| scope.server.roles.get(r).copied();
    match level {
        Level::DigestOnly => {}
        Level::Every => {
            for role in step.roles.iter().chain(&step.notify) {
                match role {
                    Role::Manager => pings.users.push(owner),
                    other => pings.roles.extend(role_id(other)),
                }
            }
        }
        Level::AskedToAct => {
            let only_hr = step.roles == [Role::Hr];
            for role in &step.roles {
                match role {
                    Role::Manager if Some(owner) != presser => pings.users.push(owner),
                    Role::Manager => {}
                    Role::Hr if !only_hr => {}
                    other => pings.roles.extend(role_id(other)),
                }
            }
        }
    }
}

/// `«A»`, `«A» og «B»`, `«A», «B» og «C»` (in the reader's language).
fn join_titles(titles: &[String], tr: Tr<'_>) -> String {
    let quoted: Vec<String> = titles
        .iter()
        .map(|t| tr.args("quoted", &[("text", t.as_str().into())]))
        .collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => tr.args(
            "list-and",
            &[
                ("items", rest.join(", ").as_str().into()),
                ("last", last.as_str().into()),
            ],
        ),
    }
}
