//! The card's "Vis i kartet" / "Show in chart": the process chart with the case's place in it,
//! answered privately to the presser (as `/rekruttering kart` does).

use flow::CaseId;
use serenity::all::{
    ComponentInteraction, Context as Ctx, CreateAllowedMentions, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
};

use super::here::Here;
use crate::attach;
use crate::change;
use crate::guild;
use crate::i18n::{clip, CONTENT_MAX};
use crate::publish::Pressed;
use crate::types::{BotError, Data};

/// Loads the case (another server's is not found), answers "thinking" privately, draws the
/// chart and sends it as the private follow-up.
pub async fn show(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    pressed: &Pressed<'_>,
    here: &Here<'_>,
    case: CaseId,
) -> Result<(), BotError> {
    let loaded = change::load(data, here.settings.guild, case).await?;
    let thinking = CreateInteractionResponseMessage::new().ephemeral(true);
    pressed
        .respond(ctx, CreateInteractionResponse::Defer(thinking))
        .await?;
    let view = guild::view(&here.settings);
    let (file, alt) = attach::chart(data, &view, &loaded, here.tr).await?;
    let follow = CreateInteractionResponseFollowup::new()
        .content(clip(&alt, CONTENT_MAX))
        .add_file(file)
        .ephemeral(true)
        .allowed_mentions(CreateAllowedMentions::new());
    c.create_followup(ctx, follow).await?;
    Ok(())
}
