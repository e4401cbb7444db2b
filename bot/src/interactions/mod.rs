//! Every button, select and form comes in here ([`on_interaction`]) and is routed by its
//! `custom_id` ([`crate::custom_id`]) to the one handler for it: stateless, the `custom_id`
//! says what and which case; the case is reloaded and the presser's roles re-checked on every
//! press, so old cards keep working after a restart, and nothing waits in memory for a reply.
//!
//! - [`card`]: the card's buttons (a change through [`crate::change`], help, more steps).
//! - [`forms`]: the forms those buttons open, and what a sent form does.
//! - [`reopen`]: going back to a step, once its form is sent.
//! - [`reminder_buttons`]: *Utført* and *Minn meg på i morgen* on a reminder, also in a DM.
//! - [`checklist`]: a tick on the onboarding checklist.
//! - [`journey`]: a tick, the probation decision and *Mine punkter* on a new hire's journey,
//!   and a tick on a journey reminder (also in a DM).
//! - [`here`]: the guild, the person and their words, which every handler starts from.

pub mod card;
pub mod chart;
pub mod checklist;
pub mod forms;
pub mod here;
pub mod journey;
pub mod reminder_buttons;
pub mod reopen;

use flow::{Action, CaseId, StepId};
use serenity::all::{ComponentInteraction, Context as Ctx, Interaction, ModalInteraction};
use storage::GuildSettings;
use tracing::field::Empty;

use crate::custom_id::{ComponentId, Form, Verb};
use crate::errors::explain;
use crate::guild;
use crate::i18n::Tr;
use crate::publish::Pressed;
use crate::types::{BotError, Data};
use here::Here;

/// Every component and modal interaction comes here. Its span carries the guild, the case,
/// the step and the `custom_id` (ids only, never what anyone typed).
#[tracing::instrument(
    name = "interaction",
    skip_all,
    fields(id = %interaction.id(), guild = Empty, case = Empty, step = Empty, custom_id = Empty)
)]
/// Every component and modal interaction comes here.
pub async fn on_interaction(ctx: &Ctx, data: &Data, interaction: &Interaction) {
    let (pressed, locale, custom_id, guild) = match interaction {
        Interaction::Component(c) => (
            Pressed::component(c),
            c.locale.as_str(),
            c.data.custom_id.as_str(),
            c.guild_id,
        ),
        Interaction::Modal(m) => (
            Pressed::modal(m),
            m.locale.as_str(),
            m.data.custom_id.as_str(),
            m.guild_id,
        ),
        _ => return,
    };
    let span = tracing::Span::current();
    span.record("custom_id", custom_id);
    if let Some(guild) = guild {
        span.record("guild", guild.get());
    }
    if let Some(ComponentId::Press { case, step, .. } | ComponentId::Modal { case, step, .. }) =
        ComponentId::parse(custom_id)
    {
        span.record("case", case.0);
        span.record("step", step.as_str());
    }
    let result = match interaction {
        Interaction::Component(c) => on_component(ctx, data, c, &pressed).await,
        Interaction::Modal(m) => on_modal(ctx, data, m, &pressed).await,
        _ => return,
    };
    if let Err(err) = result {
        if err.is_for_user() {
            tracing::debug!(error = %err, "refused");
        } else {
            tracing::error!(error = %err, "an interaction failed");
        }
        let settings = settings_of_interaction(data, interaction).await;
        let text = explain(&err, Tr::reader(&data.texts, locale, &settings));
        if let Err(e) = pressed.ephemeral(ctx, &text).await {
            tracing::warn!(error = %e, "could not tell the user why");
        }
    }
}

/// A press on a button or a select: one arm per verb, each to its handler.
async fn on_component(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    pressed: &Pressed<'_>,
) -> Result<(), BotError> {
    let Some(ComponentId::Press { verb, case, step }) = ComponentId::parse(&c.data.custom_id)
    else {
        return Err(BotError::UnknownComponent);
    };
    let on = On {
        ctx,
        data,
        c,
        pressed,
        case,
        step: step.clone(),
    };
    match verb {
        Verb::Done => on.change(Action::Complete { step }).await,
        Verb::Choose(outcome) => on.change(Action::Choose { step, outcome }).await,
        Verb::Approve => on.change(Action::Approve { step }).await,
        Verb::Accept => on.change(Action::RecordAccept { step }).await,
        Verb::Decline => on.change(Action::RecordDecline { step }).await,
        Verb::Skip => on.form(Form::SkipReason).await,
        Verb::Reject => on.form(Form::RejectReason).await,
        Verb::Date(key) => on.form(Form::Date(key)).await,
        Verb::Candidates => on.form(Form::Candidates).await,
        Verb::Reopen(version) => on.form(Form::Reopen(version)).await,
        Verb::Help => card::ask_hr(ctx, data, c, &on.here().await?, case).await,
        Verb::MoreSteps => card::show_step(ctx, data, c, &on.here().await?, case).await,
        Verb::Chart => chart::show(ctx, data, c, pressed, &on.here().await?, case).await,
        Verb::Tick => checklist::on_tick(ctx, data, c, &on.here().await?, case, step).await,
        Verb::JourneyTick => {
            journey::on_tick(ctx, data, c, pressed, &on.here().await?, case, step).await
        }
        Verb::JourneyDecide(d) => {
            journey::on_decide(ctx, data, c, pressed, &on.here().await?, case, d).await
        }
        Verb::JourneyMine => journey::on_mine(ctx, data, pressed, &on.here().await?, case).await,
        // Reminder buttons also come from DMs, without a guild: the reminder says which.
        Verb::ReminderDone(reminder) => {
            reminder_buttons::done(ctx, data, c, reminder, case, step).await
        }
        Verb::Snooze(reminder) => {
            reminder_buttons::snooze(ctx, data, c, reminder, case, step).await
        }
        Verb::JourneyReminderTick(reminder) => {
            journey::on_reminder_tick(ctx, data, c, pressed, reminder, case, step).await
        }
    }
}

/// A press on a step of a case, and what the router hands it to.
struct On<'a> {
    ctx: &'a Ctx,
    data: &'a Data,
    c: &'a ComponentInteraction,
    pressed: &'a Pressed<'a>,
    case: CaseId,
    step: StepId,
}

impl On<'_> {
    /// The guild and the member who pressed: every press but a reminder's has them.
    async fn here(&self) -> Result<Here<'_>, BotError> {
        let c = self.c;
        Here::of(self.data, c.guild_id, c.member.as_ref(), &c.locale).await
    }

    /// A change the engine decides at once.
    async fn change(&self, action: Action) -> Result<(), BotError> {
        let here = self.here().await?;
        let what = (self.case, &self.step);
        card::act(self.ctx, self.data, self.pressed, &here, what, action).await
    }

    /// A form for what the button cannot say by itself.
    async fn form(&self, form: Form) -> Result<(), BotError> {
        let here = self.here().await?;
        let what = (self.case, self.step.clone());
        forms::open(self.ctx, self.data, self.c, &here, form, what).await
    }
}

/// A sent form: a new case, or a form about a step of a case.
async fn on_modal(
    ctx: &Ctx,
    data: &Data,
    m: &ModalInteraction,
    pressed: &Pressed<'_>,
) -> Result<(), BotError> {
    let Some(id) = ComponentId::parse(&m.data.custom_id) else {
        return Err(BotError::UnknownComponent);
    };
    let here = Here::of(data, m.guild_id, m.member.as_ref(), &m.locale).await?;
    match id {
        ComponentId::NewCase => {
            // The role may have been taken away while the form was open.
            if let Some(member) = m.member.as_ref() {
                crate::authz::may_open_cases(&here.settings, member)?;
            }
            forms::new_case(ctx, data, m, pressed, here).await
        }
        ComponentId::Modal { form, case, step } => {
            forms::submit(ctx, data, m, pressed, &here, form, (case, step)).await
        }
        ComponentId::Press { .. } => Err(BotError::UnknownComponent),
    }
}

/// The settings of the guild an interaction is about: its own, or for a reminder's button
/// pressed in a DM, the reminder's guild. The defaults when there is none.
async fn settings_of_interaction(data: &Data, interaction: &Interaction) -> GuildSettings {
    let guild = match interaction {
        Interaction::Component(c) => match (c.guild_id, ComponentId::parse(&c.data.custom_id)) {
            (Some(g), _) => Some(g.get()),
            (
                None,
                Some(ComponentId::Press {
                    verb: Verb::ReminderDone(id) | Verb::Snooze(id) | Verb::JourneyReminderTick(id),
                    ..
                }),
            ) => storage::reminder_ref(&data.db, id)
                .await
                .ok()
                .flatten()
                .map(|(guild, _, _)| guild),
            _ => None,
        },
        Interaction::Modal(m) => m.guild_id.map(|g| g.get()),
        _ => None,
    };
    guild::settings_for_reply(data, guild).await
}
