//! What a button, select or modal is about, carried in its `custom_id` so that it still works
//! after a restart: the handler reloads the case and re-checks who pressed.
//!
//! Format: `los:<verb>:<case>:<step>[:<arg>]`, at most 100 characters (Discord's limit).

use std::fmt;

use flow::journey::Decision;
use flow::{CaseId, DateKey, OutcomeId, StepId};

/// What pressing the component asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// *Utført* on a task, if-needed, system or agreement step.
    Done,
    /// *Ikke aktuelt*: opens the reason modal.
    Skip,
    /// One outcome of a choice.
    Choose(OutcomeId),
    /// *Godkjenn*.
    Approve,
    /// *Avvis*: opens the reason modal.
    Reject,
    /// *Kandidaten takket ja*.
    Accept,
    /// *Kandidaten takket nei*.
    Decline,
    /// Date entry: opens the date modal.
    Date(DateKey),
    /// *Legg inn kandidater*: opens the candidates modal.
    Candidates,
    /// *Be HR om hjelp*: pings the HR role in the thread.
    Help,
    /// The select that lists further open steps when the card has no room for their buttons.
    MoreSteps,
    /// *Vis i kartet*: the process chart with the case's place in it, to the presser alone.
    Chart,
    /// *Utført* on a reminder message (also in a DM): the reminder's id.
    ReminderDone(i64),
    /// *Minn meg på i morgen* on a reminder message: the reminder's id.
    Snooze(i64),
    /// An item of the onboarding checklist ticked off.
    Tick,
    /// *Gjenåpne* under `/rekruttering gjenapne`'s preview: asks for the reason, then goes
    /// back to the step. Carries the case version the preview was made from: if the case
    /// changed since, what the preview said is no longer true and the press is refused.
    Reopen(i64),
    /// An item of a new hire's onboarding journey ticked (the step is the item's id).
    JourneyTick,
    /// The probation decision recorded on a journey.
    JourneyDecide(Decision),
    /// The presser's own items of a journey, in their language.
    JourneyMine,
    /// An item of a journey ticked on its reminder (also in a DM): the reminder's id, which
    /// says the guild; the step is the item's id.
    JourneyReminderTick(i64),
}

/// A submitted modal: which form it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    SkipReason,
    RejectReason,
    Date(DateKey),
    Candidates,
    /// The reason for going back to a step, with the case version the preview was made from.
    Reopen(i64),
}

/// A decoded component or modal id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentId {
    Press {
        verb: Verb,
        case: CaseId,
        step: StepId,
    },
    Modal {
        form: Form,
        case: CaseId,
        step: StepId,
    },
    /// The form `/rekruttering ny` opens: a new case.
    NewCase,
}

const PREFIX: &str = "los";

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComponentId::NewCase => write!(f, "{PREFIX}:new"),
            ComponentId::Press { verb, case, step } => {
                let number;
                let (name, arg) = match verb {
                    Verb::Done => ("done", None),
                    Verb::Skip => ("skip", None),
                    Verb::Choose(o) => ("pick", Some(o.as_str())),
                    Verb::Approve => ("approve", None),
                    Verb::Reject => ("reject", None),
                    Verb::Accept => ("accept", None),
                    Verb::Decline => ("decline", None),
                    Verb::Date(k) => ("date", Some(k.as_str())),
                    Verb::Candidates => ("cand", None),
                    Verb::Help => ("help", None),
                    Verb::MoreSteps => ("more", None),
                    Verb::Chart => ("chart", None),
                    Verb::Tick => ("tick", None),
                    Verb::JourneyTick => ("jtick", None),
                    Verb::JourneyMine => ("jmine", None),
                    Verb::JourneyDecide(d) => ("jdecide", Some(d.as_str())),
                    Verb::Reopen(version) => {
                        number = version.to_string();
                        ("reopen", Some(number.as_str()))
                    }
                    Verb::ReminderDone(id) | Verb::Snooze(id) | Verb::JourneyReminderTick(id) => {
                        number = id.to_string();
                        let name = match verb {
                            Verb::Snooze(_) => "snooze",
                            Verb::JourneyReminderTick(_) => "jrtick",
                            _ => "rdone",
                        };
                        (name, Some(number.as_str()))
                    }
                };
                write!(f, "{PREFIX}:{name}:{}:{step}", case.0)?;
                if let Some(arg) = arg {
                    write!(f, ":{arg}")?;
                }
                Ok(())
            }
            ComponentId::Modal { form, case, step } => {
                let number;
                let (name, arg) = match form {
                    Form::SkipReason => ("m-skip", None),
                    Form::RejectReason => ("m-reject", None),
                    Form::Date(k) => ("m-date", Some(k.as_str())),
                    Form::Candidates => ("m-cand", None),
                    Form::Reopen(version) => {
                        number = version.to_string();
                        ("m-reopen", Some(number.as_str()))
                    }
                };
                write!(f, "{PREFIX}:{name}:{}:{step}", case.0)?;
                if let Some(arg) = arg {
                    write!(f, ":{arg}")?;
                }
                Ok(())
            }
        }
    }
}

impl ComponentId {
    /// Reads an id this bot wrote; anything else (another bot's, a tampered one) is `None`.
    pub fn parse(s: &str) -> Option<ComponentId> {
        let mut parts = s.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let name = parts.next()?;
        if name == "new" {
            return parts.next().is_none().then_some(ComponentId::NewCase);
        }
        let case = CaseId(parts.next()?.parse().ok()?);
        let step = parts.next()?;
        if step.is_empty()
            || !step
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return None;
        }
        let step = StepId::new(step);
        let arg = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let date = |a: Option<&str>| a.and_then(DateKey::parse);
        let press = |verb| {
            Some(ComponentId::Press {
                verb,
                case,
                step: step.clone(),
            })
        };
        let modal = |form| {
            Some(ComponentId::Modal {
                form,
                case,
                step: step.clone(),
            })
        };
        match (name, arg) {
            ("done", None) => press(Verb::Done),
            ("skip", None) => press(Verb::Skip),
            ("pick", Some(o)) if !o.is_empty() => press(Verb::Choose(OutcomeId::new(o))),
            ("approve", None) => press(Verb::Approve),
            ("reject", None) => press(Verb::Reject),
            ("accept", None) => press(Verb::Accept),
            ("decline", None) => press(Verb::Decline),
            ("date", a) => press(Verb::Date(date(a)?)),
            ("cand", None) => press(Verb::Candidates),
            ("help", None) => press(Verb::Help),
            ("more", None) => press(Verb::MoreSteps),
            ("chart", None) => press(Verb::Chart),
            ("tick", None) => press(Verb::Tick),
            ("jtick", None) => press(Verb::JourneyTick),
            ("jmine", None) => press(Verb::JourneyMine),
            ("jdecide", Some(d)) => press(Verb::JourneyDecide(Decision::parse(d)?)),
            ("rdone", Some(id)) => press(Verb::ReminderDone(id.parse().ok()?)),
            ("snooze", Some(id)) => press(Verb::Snooze(id.parse().ok()?)),
            ("jrtick", Some(id)) => press(Verb::JourneyReminderTick(id.parse().ok()?)),
            ("reopen", Some(v)) => press(Verb::Reopen(v.parse().ok()?)),
            ("m-skip", None) => modal(Form::SkipReason),
            ("m-reject", None) => modal(Form::RejectReason),
            ("m-date", a) => modal(Form::Date(date(a)?)),
            ("m-cand", None) => modal(Form::Candidates),
            ("m-reopen", Some(v)) => modal(Form::Reopen(v.parse().ok()?)),
            _ => None,
        }
    }

    pub fn case(&self) -> Option<CaseId> {
        match self {
            ComponentId::Press { case, .. } | ComponentId::Modal { case, .. } => Some(*case),
            ComponentId::NewCase => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(verb: Verb) -> ComponentId {
        ComponentId::Press {
            verb,
            case: CaseId(123456),
            step: StepId::new("forberedelse_arbeidsavtale"),
        }
    }

    #[test]
    fn every_id_round_trips_and_fits_discord() {
        let ids = [
            press(Verb::Done),
            press(Verb::Skip),
            press(Verb::Choose(OutcomeId::new("uten_ny_avtale"))),
            press(Verb::Approve),
            press(Verb::Reject),
            press(Verb::Accept),
            press(Verb::Decline),
            press(Verb::Date(DateKey::Startdato)),
            press(Verb::Candidates),
            press(Verb::Help),
            press(Verb::MoreSteps),
            press(Verb::Chart),
            press(Verb::ReminderDone(i64::MAX)),
            press(Verb::Snooze(42)),
            press(Verb::Tick),
            press(Verb::Reopen(i64::MAX)),
            press(Verb::JourneyTick),
            press(Verb::JourneyMine),
            press(Verb::JourneyDecide(Decision::Continues)),
            press(Verb::JourneyDecide(Decision::DismissedInTime)),
            ComponentId::Press {
                verb: Verb::JourneyReminderTick(i64::MAX),
                case: CaseId(i64::MAX),
                // The longest item id a template takes (flow::journey::Template::check).
                step: StepId::new("x".repeat(40)),
            },
            ComponentId::Modal {
                form: Form::Reopen(i64::MAX),
                case: CaseId(i64::MAX),
                step: StepId::new("forberedelse_arbeidsavtale"),
            },
            ComponentId::Modal {
                form: Form::Date(DateKey::Soknadsfrist),
                case: CaseId(i64::MAX),
                step: StepId::new("utlyser_stilling"),
            },
            ComponentId::Modal {
                form: Form::Candidates,
                case: CaseId(1),
                step: StepId::new("skriver_innstilling"),
            },
            ComponentId::NewCase,
        ];
        for id in ids {
            let text = id.to_string();
            assert!(text.len() <= 100, "{text}");
            assert_eq!(ComponentId::parse(&text), Some(id), "{text}");
        }
    }

    #[test]
    fn foreign_or_tampered_ids_are_not_ours() {
        for bad in [
            "",
            "los",
            "other:done:1:x",
            "los:done:x:stilling_vakant",
            "los:done:1:",
            "los:done:1:Stilling",
            "los:date:1:utlyser_stilling:tomorrow",
            "los:pick:1:vurderer_behov",
            "los:done:1:stilling_vakant:extra",
            "los:explode:1:stilling_vakant",
            "los:reopen:1:skriver_innstilling",
            "los:reopen:1:skriver_innstilling:seven",
            "los:m-reopen:1:skriver_innstilling",
            "los:jdecide:1:provetid_avgjort",
            "los:jdecide:1:provetid_avgjort:fired",
            "los:jtick:1:adgangskort:extra",
            "los:jrtick:1:adgangskort",
            "los:jrtick:1:adgangskort:seven",
        ] {
            assert_eq!(ComponentId::parse(bad), None, "{bad:?}");
        }
    }
}
