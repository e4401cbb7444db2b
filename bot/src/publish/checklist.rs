//! The onboarding checklist shown anew after a change made anywhere (the card, a reminder, the
//! checklist itself, the purge). Posting it first is the chores loop's
//! ([`crate::jobs::checklist`]); what it says is [`crate::render::checklist`].

use flow::{Case, StepId};
use serenity::all::{ChannelId, EditMessage, Http, MessageId};
use storage::GuildSettings;

use crate::render::checklist::{self, AFTER};
use crate::types::{BotError, Data};

/// Shows the case's checklist as the case is now, after a change made anywhere (the card, a
/// reminder, the checklist itself). A case without a checklist is left alone.
pub async fn refresh(
    data: &Data,
    http: &Http,
    settings: &GuildSettings,
    case: &Case,
) -> Result<(), BotError> {
    let db = &data.db;
    let Some(list) =
        storage::checklist_for_step(db, settings.guild, case.id, &StepId::new(AFTER)).await?
    else {
        return Ok(());
    };
    let thread = storage::card(db, settings.guild, case.id)
        .await?
        .map(|c| c.thread.unwrap_or(c.channel));
    let (content, rows) = checklist::message(&data.process, &data.texts, settings, case, thread);
    ChannelId::new(list.channel)
        .edit_message(
            http,
            MessageId::new(list.message),
            EditMessage::new().content(content).components(rows),
        )
        .await?;
    Ok(())
}
