//! A tick on the onboarding checklist: completes the step through the engine
//! ([`crate::change::act`]), so the card, the history and the reminders follow; the tick (who,
//! when) is also recorded on the checklist, and the checklist is shown anew.

use flow::{Action, CaseId, StepId};
use serenity::all::{
    ComponentInteraction, Context as Ctx, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};

use super::here::Here;
use crate::change;
use crate::publish;
use crate::render::checklist;
use crate::types::{BotError, Data};

/// A tick on the checklist: completes the step, records the tick, shows the checklist anew.
pub async fn on_tick(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    here: &Here<'_>,
    case: CaseId,
    step: StepId,
) -> Result<(), BotError> {
    let (settings, actor) = (&here.settings, &here.actor);
    let guild = settings.guild;
    let changed = change::act(
        data,
        settings,
        case,
        actor,
        &Action::Complete { step: step.clone() },
    )
    .await?;
    let now = data.clock.now();
    match storage::tick_item(
        &data.db,
        guild,
        c.message.id.get(),
        step.as_str(),
        &actor.person,
        now,
    )
    .await
    {
        Ok(_) | Err(storage::StorageError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let thread = storage::card(&data.db, guild, case)
        .await?
        .map(|c| c.thread.unwrap_or(c.channel));
    let (content, rows) =
        checklist::message(&data.process, &data.texts, settings, &changed.case, thread);
    let update = CreateInteractionResponseMessage::new()
        .content(content)
        .components(rows);
    // The thread and the card hear of it whatever became of the answer.
    let answered = c
        .create_response(ctx, CreateInteractionResponse::UpdateMessage(update))
        .await;
    publish::publish_change(&ctx.http, data, settings, &changed.case).await;
    answered.map_err(BotError::from)
}
