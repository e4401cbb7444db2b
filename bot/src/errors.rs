//! One place that turns any error into what the person is told, in their language.

use flow::{CaseStatus, Refusal};

use crate::i18n::{escape, Tr};
use crate::types::{BotError, InputError};

/// The polite, specific explanation of an error for the person who caused it.
pub fn explain(err: &BotError, tr: Tr<'_>) -> String {
    match err {
        BotError::Refused(r) => refusal(r, tr),
        BotError::Stale { by, at } => tr.args(
            "refusal-stale",
            &[
                (
                    "by",
                    by.as_ref()
                        .map(|p| escape(&p.name))
                        .unwrap_or_default()
                        .as_str()
                        .into(),
                ),
                ("when", tr.when(*at).as_str().into()),
            ],
        ),
        BotError::Input(input) => input_error(input, tr),
        BotError::CaseNotFound(case) => {
            tr.args("refusal-case-not-found", &[("case", (*case).into())])
        }
        BotError::CaseChanged(case) => tr.args("refusal-case-changed", &[("case", (*case).into())]),
        BotError::NotSetUp(missing) => {
            let names: Vec<String> = missing
                .iter()
                .map(|m| tr.t(&format!("setup-{m}")))
                .collect();
            tr.args(
                "refusal-not-set-up",
                &[("missing", names.join(", ").as_str().into())],
            )
        }
        BotError::NotInGuild => tr.t("refusal-other-server"),
        BotError::LeftGuild => tr.t("refusal-left-server"),
        BotError::UnknownComponent => tr.t("refusal-unknown-component"),
        BotError::Storage(_) | BotError::Discord(_) | BotError::Internal(_) => {
            tr.t("error-internal")
        }
    }
}

fn refusal(r: &Refusal, tr: Tr<'_>) -> String {
    let id = r.message_id();
    match r {
        // Not a step but a command (opening or closing a case, the overview).
        Refusal::NotYourRole { step, allowed } if step.as_str().is_empty() => tr.args(
            "refusal-role-needed",
            &[("roles", tr.roles(allowed).as_str().into())],
        ),
        Refusal::NotYourRole { step, allowed } => tr.args(
            id,
            &[
                ("step", tr.step(step).as_str().into()),
                ("roles", tr.roles(allowed).as_str().into()),
            ],
        ),
        Refusal::NotCurrentStep { step }
        | Refusal::UnknownStep { step }
        | Refusal::WrongKind { step, .. }
        | Refusal::NotSkippable { step }
        | Refusal::NotFinished { step } => tr.args(id, &[("step", tr.step(step).as_str().into())]),
        Refusal::AlreadyDone { step, by, at } => tr.args(
            id,
            &[
                ("step", tr.step(step).as_str().into()),
                ("by", escape(&by.name).as_str().into()),
                ("when", tr.when(*at).as_str().into()),
            ],
        ),
        Refusal::AlreadyConfirmed { step, role, by } => tr.args(
            id,
            &[
                ("step", tr.step(step).as_str().into()),
                ("role", tr.role(*role).as_str().into()),
                ("by", escape(&by.name).as_str().into()),
            ],
        ),
        Refusal::CaseClosed { status } => {
            let s = match status {
                CaseStatus::Completed { .. } => "completed",
                _ => "closed",
            };
            tr.args(id, &[("status", s.into())])
        }
        Refusal::UnknownOutcome { step, outcome } => tr.args(
            id,
            &[
                ("step", tr.step(step).as_str().into()),
                ("outcome", outcome.as_str().into()),
            ],
        ),
        Refusal::DateInPast { date } => tr.args(id, &[("date", tr.date(*date).as_str().into())]),
        Refusal::DateTooFar { key, date, latest } => tr.args(
            id,
            &[
                ("key", key.as_str().into()),
                ("date", tr.date(*date).as_str().into()),
                ("latest", tr.date(*latest).as_str().into()),
            ],
        ),
        Refusal::DateTooEarly { date, not_before } => tr.args(
            id,
            &[
                ("date", tr.date(*date).as_str().into()),
                ("earliest", tr.date(*not_before).as_str().into()),
            ],
        ),
        Refusal::TooEarly { step, not_before } => tr.args(
            id,
            &[
                ("step", tr.step(step).as_str().into()),
                ("date", tr.date(*not_before).as_str().into()),
            ],
        ),
        Refusal::DateMissing { step, key } => tr.args(
            id,
            &[
                ("step", tr.step(step).as_str().into()),
                ("date_name", tr.date_name(*key).as_str().into()),
            ],
        ),
        Refusal::NotCaseManager {
            step,
            manager,
            deputy,
        } => {
            let id = if step.as_str().is_empty() {
                "refusal-not-case-manager-case"
            } else {
                id
            };
            let deputy_name = deputy.as_ref().map(|d| escape(&d.name)).unwrap_or_default();
            tr.args(
                id,
                &[
                    ("step", tr.step(step).as_str().into()),
                    ("manager", escape(&manager.name).as_str().into()),
                    (
                        "has_deputy",
                        if deputy.is_some() { "yes" } else { "no" }.into(),
                    ),
                    ("deputy", deputy_name.as_str().into()),
                ],
            )
        }
        Refusal::DeputyUnchanged { deputy } => {
            let name = deputy.as_ref().map(|d| escape(&d.name)).unwrap_or_default();
            tr.args(
                id,
                &[
                    (
                        "has_deputy",
                        if deputy.is_some() { "yes" } else { "no" }.into(),
                    ),
                    ("deputy", name.as_str().into()),
                ],
            )
        }
        Refusal::DateNotAsked
        | Refusal::NoCandidates
        | Refusal::NoOfferOpen
        | Refusal::DeputyIsManager
        | Refusal::NotOnCase => tr.t(id),
    }
}

fn input_error(input: &InputError, tr: Tr<'_>) -> String {
    match input {
        InputError::Date { input } => tr.args(
            "input-date-invalid",
            &[("input", escape(input).as_str().into())],
        ),
        InputError::Text { field, error } => {
            let field = tr.t(&format!("field-{field}"));
            match error {
                flow::TextError::Empty => {
                    tr.args("input-text-empty", &[("field", field.as_str().into())])
                }
                flow::TextError::TooLong { len, max } => tr.args(
                    "input-text-too-long",
                    &[
                        ("field", field.as_str().into()),
                        ("len", (*len).into()),
                        ("max", (*max).into()),
                    ],
                ),
                flow::TextError::MultiLine => {
                    tr.args("input-text-multiline", &[("field", field.as_str().into())])
                }
            }
        }
        InputError::DocsKey { input, known } => tr.args(
            "input-docs-key-invalid",
            &[
                ("input", escape(input).as_str().into()),
                ("known", known.join(", ").as_str().into()),
            ],
        ),
        InputError::Url { input } => tr.args(
            "input-url-invalid",
            &[("input", escape(input).as_str().into())],
        ),
        InputError::Number { field, input } => tr.args(
            "input-number-invalid",
            &[
                ("field", tr.t(&format!("field-{field}")).as_str().into()),
                ("input", escape(input).as_str().into()),
            ],
        ),
        InputError::Cron { input } => tr.args(
            "input-cron-invalid",
            &[("input", escape(input).as_str().into())],
        ),
        InputError::Time { input } => tr.args(
            "input-time-invalid",
            &[("input", escape(input).as_str().into())],
        ),
        InputError::ChannelPermissions { channel, missing } => tr.args(
            "input-channel-permissions",
            &[
                ("channel", format!("<#{channel}>").as_str().into()),
                ("missing", permissions(missing, tr).as_str().into()),
            ],
        ),
    }
}

/// Discord permissions the bot lacks, named in the reader's words.
pub fn permissions(missing: &[&str], tr: Tr<'_>) -> String {
    missing
        .iter()
        .map(|m| tr.t(&format!("permission-{m}")))
        .collect::<Vec<_>>()
        .join(", ")
}
