//! A press on a reminder's buttons (what they offer: [`crate::render::reminder`]). Both work in
//! a DM, where Discord sends no guild: the reminder's row says which guild and case, and the
//! person is asked of the guild ([`crate::authz::dm_actor`]).
//!
//! - *Utført* completes the step through the engine ([`crate::change::act`]), as the card's
//!   button does: card, history and reminders follow.
//! - *Minn meg på i morgen* queues a copy of the reminder for the guild's reminder time on the
//!   next working day; only for someone whose step it is (`flow::engine::permitted`).

use chrono::Days;
use flow::engine::permitted;
use flow::{Action, Actor, Case, CaseId, Refusal, Role, StepId};
use serenity::all::{
    ComponentInteraction, Context as Ctx, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};
use storage::GuildSettings;

use crate::change::{self, Changed};
use crate::guild;
use crate::i18n::{clip, Tr, CONTENT_MAX};
use crate::publish;
use crate::types::{BotError, Data};
use crate::wake;

/// The reminder a press is about, in its guild, and who pressed.
pub(crate) struct ReminderPress<'a> {
    pub(crate) guild: u64,
    pub(crate) settings: GuildSettings,
    pub(crate) actor: Actor,
    pub(crate) tr: Tr<'a>,
}

/// Reads the reminder's guild and the person who pressed (a case's reminder buttons, and a
/// journey reminder's ticks); refuses a reminder that is not the case's, whose key does not
/// start with `key_prefix` (`""`: any), or pressed in another guild, and someone who left the
/// guild.
pub(crate) async fn pressed<'a>(
    ctx: &Ctx,
    data: &'a Data,
    c: &ComponentInteraction,
    reminder: i64,
    case: CaseId,
    key_prefix: &str,
) -> Result<ReminderPress<'a>, BotError> {
    let Some((guild, of_case, key)) = storage::reminder_ref(&data.db, reminder).await? else {
        return Err(BotError::UnknownComponent);
    };
    if of_case != case
        || !key.starts_with(key_prefix)
        || c.guild_id.is_some_and(|g| g.get() != guild)
    {
        return Err(BotError::UnknownComponent);
    }
    let settings = guild::settings_or_default(data, guild).await?;
    let actor = match c.member.as_ref() {
        Some(member) => guild::actor_of(&settings, member),
        // In a DM Discord sends no member, also for someone who has left the guild: asked.
        None => crate::authz::dm_actor(&ctx.http, guild, &settings, &c.user).await?,
    };
    let tr = Tr::reader(&data.texts, &c.locale, &settings);
    Ok(ReminderPress {
        guild,
        settings,
        actor,
        tr,
    })
}

/// *Utført* on a reminder: the step is completed.
pub async fn done(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    reminder: i64,
    case: CaseId,
    step: StepId,
) -> Result<(), BotError> {
    let p = pressed(ctx, data, c, reminder, case, "").await?;
    let complete = Action::Complete { step: step.clone() };
    let changed = change::act(data, &p.settings, case, &p.actor, &complete).await?;
    let text = p.tr.args(
        "reply-reminder-done",
        &[("step", p.tr.step(&step).as_str().into())],
    );
    answer(ctx, data, c, &p.settings, &text, Some(changed)).await
}

/// *Minn meg på i morgen*: the reminder comes again on the next working day.
pub async fn snooze(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    reminder: i64,
    case: CaseId,
    step: StepId,
) -> Result<(), BotError> {
    let p = pressed(ctx, data, c, reminder, case, "").await?;
    // Only someone whose step it is may move its reminder, whatever its kind, and also before
    // it opens (a legal deadline is reminded of before its step is reached).
    let loaded = change::load(data, p.guild, case).await?;
    let now = data.clock.now();
    match permitted(&data.process, &loaded, &p.actor, &step, now) {
        Ok(_) => {}
        Err(Refusal::NotCurrentStep { .. }) if holds_a_role(data, &loaded, &p.actor, &step) => {}
        Err(refusal) => return Err(refusal.into()),
    }
    let today = flow::engine::oslo_today(now);
    let next = flow::calendar::working_day_on_or_after(today + Days::new(1));
    let at = guild::reminder_settings(&p.settings).deadlines.remind_at;
    let due = flow::oslo_instant(next, at);
    storage::snooze(&data.db, reminder, due, now).await?;
    wake::now(data);
    let text = p.tr.args(
        "reply-reminder-snoozed",
        &[("when", p.tr.when(due).as_str().into())],
    );
    answer(ctx, data, c, &p.settings, &text, None).await
}

/// Answers the press only to the presser; the thread and the card hear of a change whatever
/// became of the answer.
async fn answer(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    settings: &GuildSettings,
    text: &str,
    changed: Option<Changed>,
) -> Result<(), BotError> {
    let msg = CreateInteractionResponseMessage::new()
        .content(clip(text, CONTENT_MAX))
        .ephemeral(true);
    let answered = c
        .create_response(ctx, CreateInteractionResponse::Message(msg))
        .await;
    if let Some(changed) = changed {
        publish::publish_change(&ctx.http, data, settings, &changed.case).await;
    }
    answered.map_err(BotError::from)
}

/// Whether the person holds one of the step's roles on the case.
fn holds_a_role(data: &Data, case: &Case, actor: &Actor, step: &StepId) -> bool {
    let held = case.roles_of(actor);
    data.process
        .step(step)
        .is_some_and(|s| s.roles.iter().any(|r: &Role| held.contains(r)))
}
