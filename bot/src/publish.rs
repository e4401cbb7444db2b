//! What a change looks like in Discord: the case's thread, its card, and one short line per
//! thing that happened, mentioning only the people who are asked to act next.

use flow::{Case, Event, EventKind, Role};
use serenity::all::{
    AutoArchiveDuration, ChannelId, CreateAllowedMentions, CreateMessage, CreateThread,
    EditMessage, Http, MessageId, RoleId, UserId,
};
use storage::{CaseCard, GuildSettings};

use crate::i18n::{clip, escape, Tr};
use crate::render::{card, lines, Scope, ServerView};
use crate::server;
use crate::types::{BotError, Data};

/// Discord's limit for message content.
const CONTENT_MAX: usize = 2000;

/// Shared messages (thread, card) are in the server's shared language.
fn shared<'a>(data: &'a Data, settings: &GuildSettings) -> Tr<'a> {
    Tr::shared(&data.texts, settings)
}

/// The name of a case's thread. A link to it reads as `#1 Rådgiver – Bydel Frogner`, so the
/// name itself does not start with `#`.
pub fn thread_name(tr: Tr<'_>, case: &Case) -> String {
    let name = tr.args(
        "thread-name",
        &[
            ("case", case.id.0.into()),
            ("title", case.title.as_str().into()),
            ("unit", case.unit.as_str().into()),
        ],
    );
    clip(&name, 100)
}

/// Opens the case's thread in the case channel and posts its card there.
pub async fn open_thread(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    events: &[Event],
) -> Result<CaseCard, BotError> {
    let channel = ChannelId::new(
        settings
            .case_channel
            .ok_or(BotError::NotSetUp(vec!["channel-cases"]))?,
    );
    let tr = shared(data, settings);
    let announce = tr.args(
        "case-announced",
        &[
            ("case", case.id.0.into()),
            ("title", escape(case.title.as_str()).as_str().into()),
            ("unit", escape(case.unit.as_str()).as_str().into()),
            ("owner", format!("<@{}>", case.owner.id.0).as_str().into()),
        ],
    );
    let starter = channel
        .send_message(
            http,
            CreateMessage::new()
                .content(clip(&announce, CONTENT_MAX))
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .await?;
    let name = thread_name(tr, case);
    let thread = channel
        .create_thread_from_message(
            http,
            starter.id,
            CreateThread::new(name).auto_archive_duration(AutoArchiveDuration::OneWeek),
        )
        .await?;
    storage::set_case_thread(data.db.pool(), settings.guild, case.id, thread.id.get()).await?;
    let rendered = shared_card(data, settings, case);
    let message = thread
        .id
        .send_message(
            http,
            CreateMessage::new()
                .embed(rendered.embed)
                .components(rendered.rows)
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .await?;
    let placed = CaseCard {
        channel: channel.get(),
        thread: Some(thread.id.get()),
        message: message.id.get(),
    };
    storage::set_card(data.db.pool(), settings.guild, case.id, placed).await?;
    post_lines(http, data, settings, case, events, thread.id).await?;
    Ok(placed)
}

/// The card as everyone in the thread sees it, in the server's language.
fn shared_card(data: &Data, settings: &GuildSettings, case: &Case) -> card::Card {
    let view = server::view(settings);
    card::render(scope(data, &view), case, shared(data, settings))
}

pub fn scope<'a>(data: &'a Data, view: &'a ServerView) -> Scope<'a> {
    Scope {
        process: &data.process,
        texts: &data.texts,
        server: view,
    }
}

/// The card as a message body, for answering a press on the card with the card itself.
pub fn card_update(
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
) -> serenity::all::CreateInteractionResponseMessage {
    let rendered = shared_card(data, settings, case);
    serenity::all::CreateInteractionResponseMessage::new()
        .embed(rendered.embed)
        .components(rendered.rows)
}

/// Edits the card to show the case as it is now (unless the answer to the press already did),
/// and posts what happened in its thread.
pub async fn publish_change(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    events: &[Event],
    card_updated: bool,
) -> Result<(), BotError> {
    let placed = storage::card(data.db.pool(), settings.guild, case.id).await?;
    publish_on_card(http, data, settings, case, events, placed, card_updated).await
}

/// [`publish_change`] for a caller that has looked the card up already.
async fn publish_on_card(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    events: &[Event],
    placed: Option<CaseCard>,
    card_updated: bool,
) -> Result<(), BotError> {
    let Some(placed) = placed else {
        return Ok(());
    };
    let where_card = ChannelId::new(placed.thread.unwrap_or(placed.channel));
    if !card_updated {
        let rendered = shared_card(data, settings, case);
        where_card
            .edit_message(
                http,
                MessageId::new(placed.message),
                EditMessage::new()
                    .embed(rendered.embed)
                    .components(rendered.rows),
            )
            .await?;
    }
    post_lines(http, data, settings, case, events, where_card).await?;
    crate::reminders::checklist::refresh(data, http, settings, case).await
}

/// Answers a press or form with the new card when it came from the card itself; otherwise
/// acknowledges it and edits the card. Then tells the thread what happened.
pub async fn answer_and_publish(
    ctx: &serenity::all::Context,
    data: &Data,
    settings: &GuildSettings,
    interaction: Pressed<'_>,
    case: &Case,
    events: &[Event],
) -> Result<(), BotError> {
    let placed = storage::card(data.db.pool(), settings.guild, case.id).await?;
    let source = interaction.source_message();
    let on_card = placed.as_ref().is_some_and(|p| Some(p.message) == source);
    let response = if on_card {
        serenity::all::CreateInteractionResponse::UpdateMessage(card_update(data, settings, case))
    } else {
        serenity::all::CreateInteractionResponse::Acknowledge
    };
    interaction.respond(ctx, response).await?;
    publish_on_card(&ctx.http, data, settings, case, events, placed, on_card).await
}

/// A press or a form, whichever it was: both are answered the same ways.
#[derive(Clone, Copy)]
pub enum Pressed<'a> {
    Component(&'a serenity::all::ComponentInteraction),
    Modal(&'a serenity::all::ModalInteraction),
}

impl Pressed<'_> {
    /// The message the button was on (for a form: the message whose button opened it).
    fn source_message(&self) -> Option<u64> {
        match self {
            Pressed::Component(c) => Some(c.message.id.get()),
            Pressed::Modal(m) => m.message.as_ref().map(|msg| msg.id.get()),
        }
    }

    pub async fn respond(
        &self,
        ctx: &serenity::all::Context,
        response: serenity::all::CreateInteractionResponse,
    ) -> serenity::Result<()> {
        match self {
            Pressed::Component(c) => c.create_response(ctx, response).await,
            Pressed::Modal(m) => m.create_response(ctx, response).await,
        }
    }

    /// Tells only the presser: as the answer, or as a follow-up if it was answered already.
    pub async fn ephemeral(
        &self,
        ctx: &serenity::all::Context,
        text: &str,
    ) -> serenity::Result<()> {
        let msg = serenity::all::CreateInteractionResponseMessage::new()
            .content(clip(text, CONTENT_MAX))
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new());
        let response = serenity::all::CreateInteractionResponse::Message(msg);
        if self.respond(ctx, response).await.is_ok() {
            return Ok(());
        }
        let follow = serenity::all::CreateInteractionResponseFollowup::new()
            .content(clip(text, CONTENT_MAX))
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new());
        match self {
            Pressed::Component(c) => c.create_followup(ctx, follow).await.map(|_| ()),
            Pressed::Modal(m) => m.create_followup(ctx, follow).await.map(|_| ()),
        }
    }
}
/// One message with a line per event worth telling, and for each step that opened, who is
/// asked to do it (the only mentions allowed to ping).
async fn post_lines(
    http: &Http,
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    events: &[Event],
    thread: ChannelId,
) -> Result<(), BotError> {
    let tr = shared(data, settings);
    let view = server::view(settings);
    let scope = scope(data, &view);
    let mut text: Vec<String> = events
        .iter()
        .filter(|e| lines::worth_posting(e))
        .map(|e| lines::event_line(e, tr))
        .collect();
    let mut users = Vec::new();
    let mut roles = Vec::new();
    for e in events.iter().filter(|e| e.kind == EventKind::StepOpened) {
        let Some(step) = e.step.as_ref().and_then(|s| data.process.step(s)) else {
            continue;
        };
        if !case.is_step_open(&step.id) {
            continue;
        }
        let mut who: Vec<Role> = step.roles.clone();
        who.extend(step.notify.iter().filter(|r| !step.roles.contains(r)));
        for role in &who {
            match (role, view.roles.get(role)) {
                (Role::Manager, _) => users.push(UserId::new(case.owner.id.0.max(1))),
                (_, Some(id)) => roles.push(RoleId::new(*id)),
                _ => {}
            }
        }
        text.push(tr.args(
            "line-next",
            &[
                ("step", tr.step(&step.id).as_str().into()),
                (
                    "who",
                    card::responsible(scope, case, &who, tr).as_str().into(),
                ),
            ],
        ));
    }
    if text.is_empty() {
        return Ok(());
    }
    users.sort();
    users.dedup();
    roles.sort();
    roles.dedup();
    thread
        .send_message(
            http,
            CreateMessage::new()
                .content(clip(&text.join("\n"), CONTENT_MAX))
                .allowed_mentions(CreateAllowedMentions::new().users(users).roles(roles)),
        )
        .await?;
    Ok(())
}
