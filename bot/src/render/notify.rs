//! Who a thread line asks to act next, and whom it pings. Pure: the case, the steps that just
//! opened, who pressed and who was pinged today in; the line and its pings out.
//!
//! The rule (the guild's notification level, `/oppsett varsler`):
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
use storage::{NotificationLevel as Level, Pinged};

use super::{card, Scope};
use crate::i18n::Tr;

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
    if level == Level::WhenAsked {
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
    // The manager's part pings whoever is expected to do it: the deputy while one is named.
    let owner = case.reminded_manager().id.0;
    let role_id = |r: &Role| scope.guild.roles.get(r).copied();
    match level {
        Level::DigestOnly => {}
        Level::EveryStep => {
            for role in step.roles.iter().chain(&step.notify) {
                match role {
                    Role::Manager => pings.users.push(owner),
                    other => pings.roles.extend(role_id(other)),
                }
            }
        }
        Level::WhenAsked => {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};
    use flow::{CaseId, CaseText, Lang, NewCase, PersonId, PersonRef, Process, StepId, Texts};

    use super::*;
    use crate::guild::GuildView;

    const LISE: u64 = 1002;
    const HR_ROLE: u64 = 502;
    const UNION_ROLE: u64 = 503;

    fn fixture() -> (Process, Texts, GuildView) {
        let (process, texts) = crate::prompts::load().unwrap();
        let view = GuildView {
            roles: BTreeMap::from([(Role::Hr, HR_ROLE), (Role::UnionRep, UNION_ROLE)]),
            links: BTreeMap::new(),
        };
        (process, texts, view)
    }

    fn case(process: &Process) -> Case {
        let draft = NewCase {
            title: CaseText::parse("Rådgiver").unwrap(),
            unit: CaseText::parse("Bydel Frogner").unwrap(),
            note: None,
        };
        let owner = PersonRef {
            id: PersonId(LISE),
            name: "Lise Leder".into(),
        };
        let now = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
        flow::start(process, CaseId(1), draft, owner, now).case
    }

    fn asked(steps: &[&str], presser: Option<u64>, level: Level, today: &Pinged) -> Asked {
        let (process, texts, view) = fixture();
        let case = case(&process);
        let scope = Scope::new(&process, &texts, &view);
        let steps: Vec<&Step> = steps
            .iter()
            .map(|s| process.step(&StepId::new(*s)).unwrap())
            .collect();
        asked_next(
            scope,
            &case,
            &steps,
            presser,
            level,
            today,
            Tr::of(&texts, Lang::Nb),
        )
    }

    #[test]
    fn the_manager_who_just_pressed_is_named_but_not_pinged() {
        let a = asked(
            &["behovsanalyse"],
            Some(LISE),
            Level::WhenAsked,
            &Pinged::default(),
        );
        assert!(a.lines[0].contains(&format!("<@{LISE}>")), "{:?}", a.lines);
        assert!(a.pings.is_empty(), "{:?}", a.pings);
        let b = asked(
            &["behovsanalyse"],
            Some(1003),
            Level::WhenAsked,
            &Pinged::default(),
        );
        assert_eq!(b.pings.users, [LISE], "someone else pressed: she is asked");
    }

    #[test]
    fn hr_is_pinged_only_for_what_only_hr_can_do() {
        let shared = asked(
            &["annonse_arkivert"],
            Some(LISE),
            Level::WhenAsked,
            &Pinged::default(),
        );
        assert!(shared.lines[0].contains(&format!("<@&{HR_ROLE}>")));
        assert!(shared.pings.roles.is_empty(), "manager or HR: named only");
        let only_hr = asked(
            &["overforing_lonn"],
            Some(LISE),
            Level::WhenAsked,
            &Pinged::default(),
        );
        assert_eq!(only_hr.pings.roles, [HR_ROLE]);
    }

    #[test]
    fn steps_that_open_together_for_the_same_people_make_one_line_and_one_ping() {
        let four = [
            "overforing_lonn",
            "overforing_kompetanse",
            "overforing_personalmappe",
            "overforing_tid",
        ];
        let a = asked(&four, Some(LISE), Level::WhenAsked, &Pinged::default());
        assert_eq!(a.lines.len(), 1, "{:?}", a.lines);
        assert_eq!(a.pings.roles, [HR_ROLE]);
        assert!(a.lines[0].contains("«Overføring"), "{}", a.lines[0]);
    }

    #[test]
    fn nobody_is_pinged_twice_for_a_case_on_one_day() {
        let today = Pinged {
            users: vec![],
            roles: vec![HR_ROLE],
        };
        let a = asked(&["overforing_lonn"], Some(LISE), Level::WhenAsked, &today);
        assert!(a.pings.is_empty(), "HR was pinged for this case today");
        let every = asked(&["overforing_lonn"], Some(LISE), Level::EveryStep, &today);
        assert_eq!(every.pings.roles, [HR_ROLE], "every step: each line pings");
    }

    #[test]
    fn those_only_kept_informed_are_named_not_pinged() {
        // Early involvement: the manager's step; the union representative is kept informed.
        let a = asked(
            &["tidlig_involvering"],
            Some(1003),
            Level::WhenAsked,
            &Pinged::default(),
        );
        assert!(
            a.lines[0].contains(&format!("<@&{UNION_ROLE}>")),
            "{:?}",
            a.lines
        );
        assert_eq!(a.pings.users, [LISE]);
        assert!(a.pings.roles.is_empty());
        let every = asked(
            &["tidlig_involvering"],
            Some(1003),
            Level::EveryStep,
            &Pinged::default(),
        );
        assert_eq!(every.pings.roles, [UNION_ROLE]);
    }

    #[test]
    fn digest_only_pings_nobody() {
        let a = asked(
            &["overforing_lonn", "behovsanalyse"],
            Some(1003),
            Level::DigestOnly,
            &Pinged::default(),
        );
        assert!(a.pings.is_empty());
        assert_eq!(a.lines.len(), 2, "the lines still say who is asked");
    }
}
