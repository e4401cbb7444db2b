//! The buttons of a new hire's journey checklist (in its private thread): a tick on an item, the
//! probation decision, and *Mine punkter* (the presser's own items in their language); and the
//! tick buttons of a journey reminder, also in a DM (the reminder names the guild). Each
//! press reloads the journey and the case and re-checks who pressed (`flow::journey`); a
//! refusal is told only to the presser, in their language, and changes nothing.

use flow::journey::{Closing, Decision, Presser, Tick};
use flow::{CaseId, Role, StepId};
use serenity::all::{
    ComponentInteraction, Context as Ctx, CreateAllowedMentions, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};

use super::here::Here;
use crate::change;
use crate::guild;
use crate::i18n::Tr;
use crate::publish::journey as publish;
use crate::publish::Pressed;
use crate::render::journey as render;
use crate::types::{BotError, Data};

/// The journey and the case a press is about, and who pressed as the journey sees them.
async fn load(
    data: &Data,
    here: &Here<'_>,
    case: CaseId,
) -> Result<Option<(storage::JourneyRow, flow::Case, Presser)>, BotError> {
    let guild = here.settings.guild;
    let Some(row) = storage::journey(&data.db, guild, case).await? else {
        return Ok(None);
    };
    let case = change::load(data, guild, case).await?;
    let person = here.actor.person.id;
    let presser = Presser {
        id: person,
        manager: case.is_manager(person),
        hr: here.actor.roles.contains(&Role::Hr),
    };
    Ok(Some((row, case, presser)))
}

/// Answers the press with the checklist as the journey is now.
async fn show(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    here: &Here<'_>,
    row: &storage::JourneyRow,
    case: &flow::Case,
) -> Result<(), BotError> {
    let tr = Tr::shared(&data.texts, &here.settings);
    let (heading, embed, rows) = render::checklist(tr, &row.journey, case);
    let update = CreateInteractionResponseMessage::new()
        .content(heading)
        .embed(embed)
        .components(rows)
        .allowed_mentions(CreateAllowedMentions::new());
    c.create_response(ctx, CreateInteractionResponse::UpdateMessage(update))
        .await?;
    Ok(())
}

/// A tick on an item of the checklist: by the person it belongs to (or the manager), once.
/// The checklist is shown as it is now.
pub async fn on_tick(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    pressed: &Pressed<'_>,
    here: &Here<'_>,
    case: CaseId,
    item: StepId,
) -> Result<(), BotError> {
    match tick(data, here, case, &item).await? {
        Ok((ticked, loaded)) => show(ctx, data, c, here, &ticked, &loaded).await,
        Err(refusal) => {
            pressed.ephemeral(ctx, &refusal).await?;
            Ok(())
        }
    }
}

/// A tick on an item from its reminder (in a DM, or in the channel it went to): the same
/// checks as on the checklist; the presser is told in their language, and the checklist in
/// the journey's thread is shown as it is now.
pub async fn on_reminder_tick(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    pressed: &Pressed<'_>,
    reminder: i64,
    case: CaseId,
    item: StepId,
) -> Result<(), BotError> {
    let prefix = flow::journey::JOURNEY_KEY_PREFIX;
    let p = super::reminder_buttons::pressed(ctx, data, c, reminder, case, prefix).await?;
    let here = Here {
        settings: p.settings,
        actor: p.actor,
        tr: p.tr,
    };
    let (ticked, loaded) = match tick(data, &here, case, &item).await? {
        Ok(done) => done,
        Err(refusal) => {
            pressed.ephemeral(ctx, &refusal).await?;
            return Ok(());
        }
    };
    let title = ticked
        .journey
        .template
        .item(item.as_str())
        .map(|i| render::title(here.tr.as_shown(), i))
        .unwrap_or_default();
    let thread = ticked.thread.map(|t| format!("<#{t}>")).unwrap_or_default();
    let text = here.tr.args(
        "reply-journey-reminder-ticked",
        &[
            ("item", title.as_str().into()),
            ("thread", thread.as_str().into()),
        ],
    );
    let answered = pressed.ephemeral(ctx, &text).await;
    if let Err(e) = publish::refresh(&ctx.http, data, &here.settings, &ticked, &loaded).await {
        tracing::warn!(case = case.0, error = %e, "journey checklist not shown anew after a tick");
    }
    answered.map_err(BotError::from)
}

/// Ticks the item for the presser, in one transaction, with the journey's reminders planned
/// anew: the journey as it is now and its case, or why it was refused (in the presser's
/// language), nothing changed then.
async fn tick(
    data: &Data,
    here: &Here<'_>,
    case: CaseId,
    item: &StepId,
) -> Result<Result<(storage::JourneyRow, flow::Case), String>, BotError> {
    let Some((row, loaded, presser)) = load(data, here, case).await? else {
        return Ok(Err(here.tr.t("refusal-journey-none")));
    };
    if let Err(refusal) = row.journey.may_tick(item.as_str(), &presser) {
        return Ok(Err(render::refusal(here.tr, &refusal)));
    }
    let now = data.clock.now();
    let mut ticked = row.clone();
    ticked.journey.done.insert(
        item.as_str().to_owned(),
        Tick {
            by: here.actor.person.clone(),
            at: now,
        },
    );
    let remind_at = guild::reminder_settings(&here.settings).deadlines.remind_at;
    let wanted = ticked.journey.reminders(remind_at);
    let stored = storage::tick_journey_item(
        &data.db,
        here.settings.guild,
        case,
        item.as_str(),
        &here.actor.person,
        now,
        &wanted,
    )
    .await?;
    if !stored {
        // Someone ticked it (or closed the journey) in between.
        return Ok(Err(here.tr.t("refusal-journey-done")));
    }
    Ok(Ok((ticked, loaded)))
}

/// The probation decision: by the case's manager (or HR), once. The journey closes, its
/// reminders stop, the thread is archived, and the case's retention counts from now.
pub async fn on_decide(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    pressed: &Pressed<'_>,
    here: &Here<'_>,
    case: CaseId,
    decision: Decision,
) -> Result<(), BotError> {
    let Some((row, loaded, presser)) = load(data, here, case).await? else {
        pressed
            .ephemeral(ctx, &here.tr.t("refusal-journey-none"))
            .await?;
        return Ok(());
    };
    if let Err(refusal) = row.journey.may_decide(&presser) {
        pressed
            .ephemeral(ctx, &render::refusal(here.tr, &refusal))
            .await?;
        return Ok(());
    }
    let now = data.clock.now();
    let guild = here.settings.guild;
    let by = &here.actor.person;
    let rs = crate::guild::reminder_settings(&here.settings);
    let plan_case = |case: &flow::Case| flow::plan_reminders(&data.process, case, &rs);
    if !storage::close_journey(&data.db, guild, case, decision, by, plan_case, now).await? {
        pressed
            .ephemeral(ctx, &here.tr.t("refusal-journey-closed"))
            .await?;
        return Ok(());
    }
    let mut closed = row.clone();
    closed.journey.closed = Some(Closing {
        decision,
        by: by.clone(),
        at: now,
    });
    show(ctx, data, c, here, &closed, &loaded).await?;
    // The thread is archived now; if Discord refuses, the chores loop tries again.
    if let Err(e) = publish::bring_out(&ctx.http, data, &here.settings, &closed, &loaded).await {
        tracing::warn!(case = case.0, error = %e, "journey thread not archived yet; will retry");
    }
    Ok(())
}

/// The presser's own items, in their own language, only to them.
pub async fn on_mine(
    ctx: &Ctx,
    data: &Data,
    pressed: &Pressed<'_>,
    here: &Here<'_>,
    case: CaseId,
) -> Result<(), BotError> {
    let Some((row, loaded, presser)) = load(data, here, case).await? else {
        pressed
            .ephemeral(ctx, &here.tr.t("refusal-journey-none"))
            .await?;
        return Ok(());
    };
    let text = render::own_items(here.tr.own(), &row.journey, &loaded, presser.id.0);
    pressed.ephemeral(ctx, &text).await?;
    Ok(())
}
