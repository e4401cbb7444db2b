//! Forms (Discord's modals): opened for what a button cannot say by itself (a reason, a date,
//! the candidates' names), only if the person may take that action now, as the engine says
//! (`flow::engine::permitted`, `may_set_date`, `may_reopen`); and what a sent form does.

use flow::engine::{may_reopen, may_set_date, permitted, Permit};
use flow::{Action, CandidateName, CaseId, CaseText, Dato, NewCase, Reason, StepId};
use serenity::all::{
    ComponentInteraction, Context as Ctx, CreateActionRow, CreateAllowedMentions, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal,
    EditInteractionResponse, InputTextStyle, ModalInteraction,
};

use super::card;
use super::here::{field, text_input, Here};
use super::reopen;
use crate::change;
use crate::custom_id::{ComponentId, Form};
use crate::guild;
use crate::i18n::{clip, Tr, MODAL_TITLE_MAX, PLACEHOLDER_MAX};
use crate::publish::{announce, Pressed};
use crate::types::{BotError, Data, InputError};

/// Opens `form` for `step` of `case`, if the person may take its action now; else says why.
pub async fn open(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    here: &Here<'_>,
    form: Form,
    (case, step): (CaseId, StepId),
) -> Result<(), BotError> {
    let Here { actor, tr, .. } = here;
    let tr = *tr;
    let loaded = change::load(data, here.settings.guild, case).await?;
    let process = &data.process;
    let may = |permit: Permit| -> Result<(), BotError> {
        permitted(process, &loaded, actor, &step, data.clock.now())?.require(&permit)?;
        Ok(())
    };
    match form {
        Form::SkipReason => may(Permit::Skip)?,
        Form::RejectReason => may(Permit::Reject)?,
        Form::Candidates => may(Permit::SetCandidates)?,
        Form::Date(key) => may_set_date(process, &loaded, actor, key)?,
        Form::Reopen(version) => {
            // Only while the case is as the preview showed it.
            if loaded.version != version {
                return Err(BotError::CaseChanged(case.0));
            }
            may_reopen(process, &loaded, actor, &step)?;
        }
    }
    let id = ComponentId::Modal {
        form,
        case,
        step: step.clone(),
    }
    .to_string();
    let step_title = tr.step(&step);
    let (title, input) = match form {
        Form::SkipReason | Form::RejectReason => {
            let title = if form == Form::SkipReason {
                "form-skip-title"
            } else {
                "form-reject-title"
            };
            (tr.t(title), reason_input(tr, &step_title))
        }
        Form::Date(key) => {
            let input =
                CreateInputText::new(InputTextStyle::Short, tr.t(&format!("date-{key}")), "date")
                    .placeholder(clip(&tr.t("form-date-placeholder"), PLACEHOLDER_MAX))
                    .min_length(8)
                    .max_length(10)
                    .required(true);
            (tr.t(&format!("form-date-title-{key}")), input)
        }
        Form::Candidates => {
            let input =
                CreateInputText::new(InputTextStyle::Paragraph, tr.t("field-candidates"), "names")
                    .placeholder(clip(&tr.t("form-candidates-placeholder"), PLACEHOLDER_MAX))
                    .max_length(1000)
                    .required(true);
            (tr.t("form-candidates-title"), input)
        }
        Form::Reopen(_) => {
            let input = reason_input(tr, &step_title);
            (tr.t("form-reopen-title"), input)
        }
    };
    let modal = CreateModal::new(id, clip(&title, MODAL_TITLE_MAX))
        .components(vec![CreateActionRow::InputText(input)]);
    c.create_response(ctx, CreateInteractionResponse::Modal(modal))
        .await?;
    Ok(())
}

/// The field that asks why (skipping, rejecting, going back to a step).
fn reason_input(tr: Tr<'_>, step_title: &str) -> CreateInputText {
    CreateInputText::new(InputTextStyle::Paragraph, tr.t("field-reason"), "reason")
        .max_length(Reason::MAX_CHARS as u16)
        .required(true)
        .placeholder(clip(
            &tr.args("form-reason-placeholder", &[("step", step_title.into())]),
            PLACEHOLDER_MAX,
        ))
}

/// A form about `step` of `case` was sent: the action it asks for, through the engine.
pub async fn submit(
    ctx: &Ctx,
    data: &Data,
    m: &ModalInteraction,
    pressed: &Pressed<'_>,
    here: &Here<'_>,
    form: Form,
    (case, step): (CaseId, StepId),
) -> Result<(), BotError> {
    let shown = step.clone();
    let action = match form {
        Form::SkipReason => Action::Skip {
            step,
            reason: text_input("reason", Reason::parse(field(m, "reason")))?,
        },
        Form::RejectReason => Action::Reject {
            step,
            reason: text_input("reason", Reason::parse(field(m, "reason")))?,
        },
        Form::Date(key) => {
            let typed = field(m, "date");
            let date = Dato::parse(typed)
                .map_err(|e| BotError::Input(InputError::Date { input: e.input }))?;
            Action::SetDate { key, date }
        }
        Form::Candidates => {
            let names = field(m, "names")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(CandidateName::parse)
                .collect::<Result<Vec<_>, _>>();
            let names = text_input("candidates", names)?;
            if names.is_empty() {
                return Err(BotError::Input(InputError::Text {
                    field: "candidates",
                    error: flow::TextError::Empty,
                }));
            }
            Action::SetCandidates { step, names }
        }
        Form::Reopen(version) => {
            let reason = text_input("reason", Reason::parse(field(m, "reason")))?;
            let what = (case, step, version);
            return reopen::on_submit(ctx, data, m, here, what, reason).await;
        }
    };
    card::act(ctx, data, pressed, here, (case, &shown), action).await
}

/// The form of `/rekruttering ny` was sent: open the case, its thread and its card. The case
/// is stored first, with its thread and card owed ([`crate::publish::announce`]): if Discord refuses the
/// thread now, the manager is told the case is registered and the thread follows, and it is
/// opened when Discord lets it, never as a second case.
pub async fn new_case(
    ctx: &Ctx,
    data: &Data,
    m: &ModalInteraction,
    pressed: &Pressed<'_>,
    here: Here<'_>,
) -> Result<(), BotError> {
    let Here {
        settings,
        actor,
        tr,
    } = here;
    let settings = &settings;
    let missing = guild::missing(settings);
    if !missing.is_empty() {
        return Err(BotError::NotSetUp(missing));
    }
    let note = field(m, "note").trim();
    let draft = NewCase {
        title: text_input("title", CaseText::parse(field(m, "title")))?,
        unit: text_input("unit", CaseText::parse(field(m, "unit")))?,
        note: if note.is_empty() {
            None
        } else {
            Some(text_input("note", CaseText::parse(note))?)
        },
    };
    // Opening the thread takes a few calls to Discord: answer "working on it" first.
    pressed
        .respond(
            ctx,
            CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(true),
            ),
        )
        .await?;
    let changed = change::open_case(data, settings, draft, actor.person).await?;
    let published = announce::send_owed(&ctx.http, data, settings, changed.case.id).await;
    let text = match (published.thread, &published.error) {
        (Some(thread), _) => tr.args(
            "reply-case-opened",
            &[
                ("case", changed.case.id.0.into()),
                ("thread", format!("<#{thread}>").as_str().into()),
            ],
        ),
        (None, error) => {
            if let Some(e) = error {
                tracing::warn!(case = changed.case.id.0, error = %e, "case stored; its thread is retried");
            }
            let channel = settings
                .case_channel
                .map(|c| format!("<#{c}>"))
                .unwrap_or_default();
            tr.args(
                "reply-case-opened-no-thread",
                &[
                    ("case", changed.case.id.0.into()),
                    ("channel", channel.as_str().into()),
                ],
            )
        }
    };
    m.edit_response(
        ctx,
        EditInteractionResponse::new()
            .content(text)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}
