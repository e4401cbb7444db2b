//! The buttons on a reminder: *Utført* completes the step through the engine, as the card's
//! button does (card, history and reminders follow); *Minn meg på i morgen* queues a copy of
//! the reminder for the next working day. Both work in a DM, where Discord sends no server:
//! the reminder's row says which server and case.

use chrono::Days;
use flow::{Action, CaseId, ReminderKind, StepId};
use serenity::all::{
    ButtonStyle, ComponentInteraction, Context as Ctx, CreateActionRow, CreateButton,
    CreateInteractionResponse, CreateInteractionResponseMessage,
};
use storage::GuildSettings;

use crate::custom_id::{ComponentId, Verb};
use crate::handlers::actor_of;
use crate::i18n::{clip, Tr};
use crate::publish;
use crate::server;
use crate::service;
use crate::types::{BotError, Data};

/// The buttons for the reminders of one message that someone can act on: a row per step
/// (at most five, Discord's limit), titled with the step when there are several. Of several
/// reminders about one step, the buttons act on the one about its deadline, not the nudge.
pub fn rows(tr: Tr<'_>, reminders: &[(i64, CaseId, StepId, ReminderKind)]) -> Vec<CreateActionRow> {
    let mut reminders: Vec<(i64, CaseId, StepId)> = {
        let mut sorted = reminders.to_vec();
        sorted.sort_by_key(|(id, _, _, kind)| {
            (
                matches!(
                    kind,
                    ReminderKind::Stalled | ReminderKind::StalledEscalation
                ),
                *id,
            )
        });
        sorted
            .into_iter()
            .map(|(id, case, step, _)| (id, case, step))
            .collect()
    };
    let mut seen = std::collections::BTreeSet::new();
    reminders.retain(|(_, case, step)| seen.insert((*case, step.clone())));
    let titled = reminders.len() > 1;
    reminders
        .iter()
        .take(5)
        .map(|(id, case, step)| {
            let label = |text_id: &str| {
                let plain = tr.t(text_id);
                if titled {
                    clip(&format!("{plain}: {}", tr.step(step)), 80)
                } else {
                    plain
                }
            };
            let custom = |verb| {
                ComponentId::Press {
                    verb,
                    case: *case,
                    step: step.clone(),
                }
                .to_string()
            };
            CreateActionRow::Buttons(vec![
                CreateButton::new(custom(Verb::ReminderDone(*id)))
                    .label(label("btn-reminder-done"))
                    .style(ButtonStyle::Success),
                CreateButton::new(custom(Verb::Snooze(*id)))
                    .label(label("btn-reminder-snooze"))
                    .style(ButtonStyle::Secondary),
            ])
        })
        .collect()
}

/// A press on a reminder's button.
pub async fn on_press(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    verb: Verb,
    reminder: i64,
    case: CaseId,
    step: StepId,
) -> Result<(), BotError> {
    let Some((guild, of_case, _key)) = storage::reminder_ref(data.db.pool(), reminder).await?
    else {
        return Err(BotError::UnknownComponent);
    };
    if of_case != case || c.guild_id.is_some_and(|g| g.get() != guild) {
        return Err(BotError::UnknownComponent);
    }
    let settings = storage::load_settings(data.db.pool(), guild)
        .await?
        .unwrap_or_else(|| GuildSettings::new(guild));
    let actor = match c.member.as_ref() {
        Some(member) => actor_of(&settings, member),
        // In a DM Discord sends no member, also for someone who has left the server: asked.
        None => crate::authz::dm_actor(&ctx.http, guild, &settings, &c.user).await?,
    };
    let tr = Tr::reader(&data.texts, &c.locale, &settings);
    let complete = Action::Complete { step: step.clone() };
    let (text, changed) = match verb {
        Verb::Snooze(_) => {
            // Only someone who may do the step may move its reminder.
            service::check(data, guild, case, &actor, &complete).await?;
            let now = data.clock.now();
            let today = flow::engine::oslo_today(now);
            let next = flow::calendar::working_day_on_or_after(today + Days::new(1));
            let at = server::reminder_settings(&settings).deadlines.remind_at;
            let due = flow::oslo_instant(next, at);
            storage::snooze(data.db.pool(), reminder, due, now).await?;
            data.reminders_changed.notify_one();
            let text = tr.args(
                "reply-reminder-snoozed",
                &[("when", tr.when(due).as_str().into())],
            );
            (text, None)
        }
        _ => {
            let changed = service::act(data, &settings, case, &actor, &complete).await?;
            let text = tr.args(
                "reply-reminder-done",
                &[("step", tr.step(&step).as_str().into())],
            );
            (text, Some(changed))
        }
    };
    let msg = CreateInteractionResponseMessage::new()
        .content(clip(&text, 2000))
        .ephemeral(true);
    c.create_response(ctx, CreateInteractionResponse::Message(msg))
        .await?;
    if let Some(changed) = changed {
        publish::publish_change(
            &ctx.http,
            data,
            &settings,
            &changed.case,
            &changed.events,
            false,
        )
        .await?;
    }
    Ok(())
}
