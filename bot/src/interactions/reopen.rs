//! Going back to a step, once its form is sent: the preview (`/rekruttering gjenapne`,
//! [`crate::render::reopen`]) showed what it undoes, its button opened the form that asks why
//! ([`super::forms::open`]), and here the change is made, if the case is still at the
//! preview's version.

use flow::{Action, CaseId, Reason, StepId};
use serenity::all::{
    Context as Ctx, CreateInteractionResponse, CreateInteractionResponseMessage, ModalInteraction,
};

use super::here::Here;
use crate::change;
use crate::i18n::{clip, CONTENT_MAX};
use crate::publish;
use crate::render::lines::undone_text;
use crate::types::{BotError, Data};

/// The reason was given: goes back to the step if the case is still at the preview's version,
/// turns the preview into what was done (without its button), and tells the thread, naming
/// what was undone.
pub async fn on_submit(
    ctx: &Ctx,
    data: &Data,
    m: &ModalInteraction,
    here: &Here<'_>,
    (case_id, step, version): (CaseId, StepId, i64),
    reason: Reason,
) -> Result<(), BotError> {
    let Here {
        settings,
        actor,
        tr,
    } = here;
    let tr = *tr;
    let before = change::load(data, settings.guild, case_id).await?;
    let undone = data.process.undone_by_reopening(&before, &step);
    let action = Action::Reopen {
        step: step.clone(),
        reason,
    };
    let changed = change::act_on_version(data, settings, case_id, version, actor, &action).await?;
    let text = tr.args(
        "reply-reopened",
        &[
            ("case", case_id.0.into()),
            ("step", tr.step(&step).as_str().into()),
            ("undone", undone_text(tr, &undone).as_str().into()),
        ],
    );
    let done = CreateInteractionResponseMessage::new()
        .content(clip(&text, CONTENT_MAX))
        .components(Vec::new());
    let response = if m.message.is_some() {
        CreateInteractionResponse::UpdateMessage(done)
    } else {
        CreateInteractionResponse::Message(done.ephemeral(true))
    };
    // The thread hears of it (naming what was undone) whatever became of the answer.
    let answered = m.create_response(ctx, response).await;
    publish::publish_change(&ctx.http, data, settings, &changed.case).await;
    answered.map_err(BotError::from)
}
