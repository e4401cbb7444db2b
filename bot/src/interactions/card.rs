//! The card's buttons: a press that changes the case (through [`crate::change`]), *Be HR om
//! hjelp*, and the select of further open steps with the private view of one step.

use flow::{Action, Case, CaseId, StepId, StepState};
use serenity::all::{
    ComponentInteraction, ComponentInteractionDataKind, Context as Ctx, CreateActionRow,
    CreateInteractionResponse, CreateInteractionResponseMessage, Message, MessageFlags,
};
use storage::GuildSettings;

use super::here::{within_window, Here};
use crate::change::{self, Changed};
use crate::i18n::{clip, escape, Tr, CONTENT_MAX};
use crate::publish::{self, announce, Pressed};
use crate::render::card;
use crate::types::{BotError, Data};

/// A press or form that changes the case: the engine decides, the change is stored, and the
/// press is answered with the card (or the private view of `shown` it came from) as the
/// change left it.
pub async fn act(
    ctx: &Ctx,
    data: &Data,
    pressed: &Pressed<'_>,
    here: &Here<'_>,
    (case, shown): (CaseId, &StepId),
    action: Action,
) -> Result<(), BotError> {
    let work = change::act(data, &here.settings, case, &here.actor, &action);
    let changed = within_window(ctx, pressed, work).await?;
    answer_with_view(ctx, data, &here.settings, pressed, &changed, shown, here.tr).await
}

/// Whether a press came from the private view of one step (an ephemeral message of ours),
/// rather than from the card.
fn from_private_view(message: Option<&Message>) -> bool {
    message
        .and_then(|m| m.flags)
        .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL))
}

/// Answers a press or form: from the private view of a step, by showing that view as the step
/// is now (done, without its buttons), then sending what the change owes the thread; otherwise
/// as the card does.
pub async fn answer_with_view(
    ctx: &Ctx,
    data: &Data,
    settings: &GuildSettings,
    pressed: &Pressed<'_>,
    changed: &Changed,
    step: &flow::StepId,
    tr: Tr<'_>,
) -> Result<(), BotError> {
    if !from_private_view(pressed.message()) {
        return publish::answer_and_publish(ctx, data, settings, pressed, &changed.case).await;
    }
    let (content, rows) = step_view(data, settings, &changed.case, step, tr);
    let answered = pressed.show(ctx, clip(&content, CONTENT_MAX), rows).await;
    publish::publish_change(&ctx.http, data, settings, &changed.case).await;
    answered.map_err(BotError::from)
}

/// How often one person may ask HR for help on one case.
pub const HELP_GAP: chrono::Duration = chrono::Duration::hours(1);

/// *Be HR om hjelp*: the chart's "Bistand ved behov", a ping to HR in the case's thread, at
/// most once an hour per person and case. Recorded in the outbox like a change's line, so it
/// is sent even if Discord or the bot fails just then, and emptied of the name by the purge.
pub async fn ask_hr(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    here: &Here<'_>,
    case: CaseId,
) -> Result<(), BotError> {
    let Here {
        settings,
        actor,
        tr,
    } = here;
    let loaded = change::load(data, settings.guild, case).await?;
    flow::engine::may_ask_for_help(&data.process, &loaded, actor)?;
    if settings.roles.hr.is_none() {
        return Err(BotError::NotSetUp(vec!["role-hr"]));
    }
    let now = data.clock.now();
    let asked = storage::ask_for_help(
        &data.db,
        settings.guild,
        case,
        loaded.version,
        &actor.person,
        now,
        HELP_GAP,
    )
    .await?;
    let text = match asked {
        Ok(_) => tr.t("reply-help-sent"),
        Err(last) => tr.args(
            "reply-help-already",
            &[("when", tr.when(last).as_str().into())],
        ),
    };
    let msg = CreateInteractionResponseMessage::new()
        .content(text)
        .ephemeral(true);
    let answered = c
        .create_response(ctx, CreateInteractionResponse::Message(msg))
        .await;
    announce::send_owed(&ctx.http, data, settings, case).await;
    answered?;
    Ok(())
}

/// The select of further open steps: shows the chosen step's buttons, only to the chooser.
pub async fn show_step(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    here: &Here<'_>,
    case: CaseId,
) -> Result<(), BotError> {
    let (settings, tr) = (&here.settings, here.tr);
    let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
        return Err(BotError::UnknownComponent);
    };
    let chosen = values.first().map(|v| flow::StepId::new(v.as_str()));
    let loaded = change::load(data, settings.guild, case).await?;
    let Some(step) = chosen.as_ref().and_then(|s| data.process.step(s)) else {
        return Err(BotError::UnknownComponent);
    };
    if !loaded.is_step_open(&step.id) {
        return Err(flow::Refusal::NotCurrentStep {
            step: step.id.clone(),
        }
        .into());
    }
    let (content, rows) = step_view(data, settings, &loaded, &step.id, tr);
    let msg = CreateInteractionResponseMessage::new()
        .content(clip(&content, CONTENT_MAX))
        .components(rows)
        .ephemeral(true);
    c.create_response(ctx, CreateInteractionResponse::Message(msg))
        .await?;
    Ok(())
}

/// The private view of one step: its title and guide in the reader's words, with the step's
/// buttons as the card shows them while it is open; once finished, who finished it and when,
/// and no buttons.
fn step_view(
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    step: &flow::StepId,
    tr: Tr<'_>,
) -> (String, Vec<CreateActionRow>) {
    let title = format!("**{}**", tr.step(step));
    let Some(def) = data.process.step(step) else {
        return (title, Vec::new());
    };
    match case.steps.get(step) {
        Some(StepState::Open { .. }) if case.status.is_open() => {
            let guide = tr.t(&flow::texts::ids::step_guide(step));
            let buttons = card::step_buttons(case, def, publish::shared(data, settings), false);
            (
                format!("{title}\n{guide}"),
                vec![CreateActionRow::Buttons(buttons)],
            )
        }
        Some(StepState::Done { by, at, .. } | StepState::Skipped { by, at, .. }) => {
            let id = if matches!(case.steps.get(step), Some(StepState::Skipped { .. })) {
                "view-step-skipped"
            } else {
                "view-step-done"
            };
            let line = tr.args(
                id,
                &[
                    ("by", escape(&by.name).as_str().into()),
                    ("when", tr.when(*at).as_str().into()),
                ],
            );
            (format!("{title}\n{line}"), Vec::new())
        }
        _ => (
            format!("{title}\n{}", tr.t("view-step-not-open")),
            Vec::new(),
        ),
    }
}
