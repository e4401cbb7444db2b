//! What a change looks like in Discord: the card (rendered in the guild's shared language),
//! the answer to the press that made the change, and what the change owes its thread.
//!
//! - [`announce`]: the thread, its card and a change's line, from the announcements outbox.
//! - [`checklist`]: the onboarding checklist shown anew after a change.
//! - [`journey`]: a new hire's private thread and checklist opened, shown anew, archived.
//! - [`delivery`]: what a refused message means, and telling HR of places the bot cannot
//!   reach.
//! - [`turns`]: whose turn it is on a case's messages in this process.

pub mod announce;
pub mod checklist;
pub mod delivery;
pub mod journey;
pub mod turns;

use std::sync::atomic::{AtomicBool, Ordering};

use flow::Case;
use serenity::all::{
    ComponentInteraction, Context, CreateActionRow, CreateAllowedMentions,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    EditInteractionResponse, Http, Message, ModalInteraction,
};
use storage::GuildSettings;

use crate::guild::{self, GuildView};
use crate::i18n::{clip, Tr, CONTENT_MAX};
use crate::render::{card, Scope};
use crate::types::{BotError, Data};

/// The texts of messages everyone in a guild reads (the card, thread lines): in the guild's
/// shared language.
pub fn shared<'a>(data: &'a Data, settings: &GuildSettings) -> Tr<'a> {
    Tr::shared(&data.texts, settings)
}

/// The card as everyone in the thread sees it, in the guild's language.
pub fn shared_card(data: &Data, settings: &GuildSettings, case: &Case) -> card::Card {
    let view = guild::view(settings);
    card::render(scope(data, &view), case, shared(data, settings))
}

/// What a renderer reads of the bot's state, for this guild.
pub fn scope<'a>(data: &'a Data, view: &'a GuildView) -> Scope<'a> {
    Scope::new(&data.process, &data.texts, view)
}

/// Sends what the case's stored changes owe its thread (the line, the card, the checklist),
/// for a change made outside the card (a command, a reminder's button, the checklist). What
/// cannot be sent now is tried again by the reminder loop: the person who made the change is
/// not told it failed (it did not), so the error only goes to the log.
pub async fn publish_change(http: &Http, data: &Data, settings: &GuildSettings, case: &Case) {
    if let Some(e) = announce::send_owed(http, data, settings, case.id)
        .await
        .error
    {
        tracing::warn!(case = case.id.0, error = %e, "change stored; its announcement is retried");
    }
}

/// How long the answer to a press waits for the card's lock (held by an edit of the card in
/// flight) before it answers without the card; the announcement shows the card then.
const CARD_WAIT: std::time::Duration = std::time::Duration::from_millis(800);

/// Answers a press or form with the new card when it came from the card itself (else
/// acknowledges it, unless it was deferred already); then sends what the change owes the
/// thread, whatever became of the answer. The answer's error, if any, is returned after.
pub async fn answer_and_publish(
    ctx: &Context,
    data: &Data,
    settings: &GuildSettings,
    pressed: &Pressed<'_>,
    case: &Case,
) -> Result<(), BotError> {
    let placed = storage::card(&data.db, settings.guild, case.id).await;
    let on_card = placed
        .as_ref()
        .ok()
        .and_then(|p| p.as_ref())
        .is_some_and(|p| Some(p.message) == pressed.source_message());
    let answered = if pressed.was_answered() {
        Ok(())
    } else if on_card {
        answer_with_card(ctx, data, settings, pressed, case).await
    } else {
        pressed
            .respond(ctx, CreateInteractionResponse::Acknowledge)
            .await
    };
    let published = announce::send_owed(&ctx.http, data, settings, case.id).await;
    if let Some(e) = published.error {
        tracing::warn!(case = case.id.0, error = %e, "change stored; its announcement is retried");
    }
    answered.map_err(BotError::from)
}

/// Answers a press on the card with the card as it is now: the change's version, or a later
/// one if the card was edited meanwhile (read again under the card's lock, so the card never
/// goes back). If the card is being edited just now for longer than [`CARD_WAIT`], it only
/// acknowledges: that edit, or the announcement after it, shows the change.
async fn answer_with_card(
    ctx: &Context,
    data: &Data,
    settings: &GuildSettings,
    pressed: &Pressed<'_>,
    case: &Case,
) -> serenity::Result<()> {
    let state = data.announcing.of(settings.guild, case.id);
    let Ok(mut shown) = tokio::time::timeout(CARD_WAIT, state.card.lock()).await else {
        return pressed
            .respond(ctx, CreateInteractionResponse::Acknowledge)
            .await;
    };
    let reloaded;
    let latest = if shown.is_none_or(|v| v < case.version) {
        case
    } else {
        // The card shows this change already (an announcement edited it first): answer with
        // the case as stored now, which is that version or a later one.
        reloaded = storage::load_case(&data.db, settings.guild, case.id)
            .await
            .ok()
            .flatten()
            .filter(|now| shown.is_none_or(|v| v <= now.version));
        match &reloaded {
            Some(now) => now,
            None => {
                return pressed
                    .respond(ctx, CreateInteractionResponse::Acknowledge)
                    .await
            }
        }
    };
    let rendered = shared_card(data, settings, latest);
    let update = CreateInteractionResponseMessage::new()
        .embed(rendered.embed)
        .components(rendered.rows);
    pressed
        .respond(ctx, CreateInteractionResponse::UpdateMessage(update))
        .await?;
    *shown = (*shown).max(Some(latest.version));
    Ok(())
}

/// A press or a form, and whether it has been answered: an interaction takes one initial
/// response, everything after that is a follow-up.
pub struct Pressed<'a> {
    interaction: Interaction<'a>,
    answered: AtomicBool,
}

#[derive(Clone, Copy)]
enum Interaction<'a> {
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
}

impl<'a> Pressed<'a> {
    pub fn component(c: &'a ComponentInteraction) -> Pressed<'a> {
        Pressed {
            interaction: Interaction::Component(c),
            answered: AtomicBool::new(false),
        }
    }

    pub fn modal(m: &'a ModalInteraction) -> Pressed<'a> {
        Pressed {
            interaction: Interaction::Modal(m),
            answered: AtomicBool::new(false),
        }
    }

    /// The message the button was on (for a form: the message whose button opened it).
    pub fn message(&self) -> Option<&Message> {
        match self.interaction {
            Interaction::Component(c) => Some(&c.message),
            Interaction::Modal(m) => m.message.as_deref(),
        }
    }

    fn source_message(&self) -> Option<u64> {
        self.message().map(|m| m.id.get())
    }

    /// Shows `content` and `rows` in place of the message the press came from: as the answer,
    /// or, once the press was answered "working on it", by editing that message.
    pub async fn show(
        &self,
        ctx: &Context,
        content: String,
        rows: Vec<CreateActionRow>,
    ) -> serenity::Result<()> {
        if !self.was_answered() {
            let update = CreateInteractionResponseMessage::new()
                .content(content)
                .components(rows);
            return self
                .respond(ctx, CreateInteractionResponse::UpdateMessage(update))
                .await;
        }
        let edit = EditInteractionResponse::new()
            .content(content)
            .components(rows);
        match self.interaction {
            Interaction::Component(c) => c.edit_response(ctx, edit).await.map(|_| ()),
            Interaction::Modal(m) => m.edit_response(ctx, edit).await.map(|_| ()),
        }
    }

    /// Whether the initial response was sent (or tried: a second try would be refused).
    pub fn was_answered(&self) -> bool {
        self.answered.load(Ordering::SeqCst)
    }

    /// The initial response. Tried once: after that, only follow-ups.
    pub async fn respond(
        &self,
        ctx: &Context,
        response: CreateInteractionResponse,
    ) -> serenity::Result<()> {
        if self.answered.swap(true, Ordering::SeqCst) {
            return Err(serenity::Error::Other(
                "the interaction was answered already",
            ));
        }
        match self.interaction {
            Interaction::Component(c) => c.create_response(ctx, response).await,
            Interaction::Modal(m) => m.create_response(ctx, response).await,
        }
    }

    /// "Working on it" without a visible message, for a change that takes longer than
    /// Discord waits for the first answer (3 s); the card is then edited when it is done.
    pub async fn defer(&self, ctx: &Context) -> serenity::Result<()> {
        self.respond(ctx, CreateInteractionResponse::Acknowledge)
            .await
    }

    /// Tells only the presser: as the answer, or as a follow-up if it was answered already.
    pub async fn ephemeral(&self, ctx: &Context, text: &str) -> serenity::Result<()> {
        if !self.was_answered() {
            let msg = CreateInteractionResponseMessage::new()
                .content(clip(text, CONTENT_MAX))
                .ephemeral(true)
                .allowed_mentions(CreateAllowedMentions::new());
            return self
                .respond(ctx, CreateInteractionResponse::Message(msg))
                .await;
        }
        let follow = CreateInteractionResponseFollowup::new()
            .content(clip(text, CONTENT_MAX))
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new());
        match self.interaction {
            Interaction::Component(c) => c.create_followup(ctx, follow).await.map(|_| ()),
            Interaction::Modal(m) => m.create_followup(ctx, follow).await.map(|_| ()),
        }
    }
}
