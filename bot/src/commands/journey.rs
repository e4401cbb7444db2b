//! The commands of a new hire's onboarding journey: `/rekruttering nyansatt` (name the new hire
//! and optionally a buddy: the journey opens, with its private thread and checklist),
//! `/rekruttering fadder` (name or change the buddy), the new hire's and buddy's lines of
//! `/rekruttering mine`, and the server's own journey: `/oppsett lop-legg-til`, `lop-fjern`,
//! `lop-flytt`, `provetid` (each a new version; a case keeps the version it started with) and
//! its part of `/oppsett vis`.

use std::collections::BTreeMap;

use flow::journey::{Item, Journey, JourneyError, Owner, Template};
use flow::{CaseId, PersonId, PersonRef, Role};
use serenity::all::{CreateAllowedMentions, User};
use storage::GuildSettings;

use crate::guild::{self, actor_of};
use crate::i18n::{clip, Tr, CONTENT_MAX};
use crate::publish::journey as publish;
use crate::render::journey as render;
use crate::types::{BotError, Context};

async fn reply(ctx: Context<'_>, text: String) -> Result<(), BotError> {
    ctx.send(
        poise::CreateReply::default()
            .content(clip(&text, CONTENT_MAX))
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

async fn settings(ctx: &Context<'_>) -> Result<GuildSettings, BotError> {
    let g = ctx.guild_id().ok_or(BotError::NotInGuild)?.get();
    guild::settings_or_default(ctx.data(), g).await
}

fn tr<'a>(ctx: &'a Context<'a>, s: &GuildSettings) -> Tr<'a> {
    Tr::reader(&ctx.data().texts, ctx.locale().unwrap_or("no"), s)
}

/// A person named in an option, by their server nickname where they have one.
fn person_of(ctx: &Context<'_>, user: &User) -> PersonRef {
    let nick = match ctx {
        poise::Context::Application(app) => app
            .interaction
            .data
            .resolved
            .members
            .get(&user.id)
            .and_then(|m| m.nick.clone()),
        poise::Context::Prefix(_) => None,
    };
    PersonRef {
        id: PersonId(user.id.get()),
        name: nick.unwrap_or_else(|| user.display_name().to_owned()),
    }
}

/// Whether the person running the command may manage the case's journey: its manager or
/// deputy, or HR.
async fn may_manage(
    ctx: &Context<'_>,
    s: &GuildSettings,
    case: &flow::Case,
) -> Result<bool, BotError> {
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(s, &member);
    Ok(case.is_manager(actor.person.id) || actor.roles.contains(&Role::Hr))
}

// By the case's manager (or deputy) or HR, once the start date is set. The journey opens with
// the server's current version of the template; its thread and checklist follow at once (or,
// if Discord refuses, from the chores loop).
/// Names the new hire (and optionally a buddy) and opens the onboarding journey.
#[poise::command(slash_command, guild_only)]
pub async fn nyansatt(
    ctx: Context<'_>,
    sak: i64,
    person: User,
    fadder: Option<User>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let t = tr(&ctx, &s);
    let data = ctx.data();
    let case = crate::change::load(data, s.guild, CaseId(sak)).await?;
    if !may_manage(&ctx, &s, &case).await? {
        return reply(ctx, t.t("refusal-journey-not-manager")).await;
    }
    if person.bot || fadder.as_ref().is_some_and(|f| f.bot) {
        return reply(ctx, t.t("refusal-journey-bot")).await;
    }
    let Some(start) = case.dates.startdato else {
        return reply(ctx, t.t("refusal-journey-no-start")).await;
    };
    if s.onboarding_channel.is_none() {
        return reply(ctx, t.t("refusal-journey-no-channel")).await;
    }
    let (version, template) = publish::current_template(data, s.guild).await?;
    let journey = Journey {
        case: case.id,
        version,
        template,
        start,
        new_hire: person_of(&ctx, &person),
        buddy: fadder.as_ref().map(|f| person_of(&ctx, f)),
        done: BTreeMap::new(),
        closed: None,
    };
    let rs = guild::reminder_settings(&s);
    let wanted = journey.reminders(rs.deadlines.remind_at);
    let now = data.clock.now();
    let plan_case = |case: &flow::Case| flow::plan_reminders(&data.process, case, &rs);
    if !storage::create_journey(&data.db, s.guild, &journey, &wanted, plan_case, now).await? {
        return reply(ctx, t.t("refusal-journey-exists")).await;
    }
    crate::wake::after_change(data, &wanted, &[]);
    let row = storage::journey(&data.db, s.guild, case.id)
        .await?
        .ok_or(BotError::CaseNotFound(sak))?;
    if let Err(e) = publish::bring_out(ctx.http(), data, &s, &row, &case).await {
        tracing::warn!(case = sak, error = %e, "journey thread not opened yet; will retry");
    }
    let thread = storage::journey(&data.db, s.guild, case.id)
        .await?
        .and_then(|r| r.thread)
        .map(|t| format!("<#{t}>"))
        .unwrap_or_default();
    reply(
        ctx,
        t.args(
            "reply-journey-named",
            &[
                ("case", sak.into()),
                (
                    "new_hire",
                    format!("<@{}>", person.id.get()).as_str().into(),
                ),
                ("thread", thread.as_str().into()),
            ],
        ),
    )
    .await
}

/// Names or changes the buddy of the onboarding journey.
#[poise::command(slash_command, guild_only)]
pub async fn fadder(ctx: Context<'_>, sak: i64, person: User) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let t = tr(&ctx, &s);
    let data = ctx.data();
    let case = crate::change::load(data, s.guild, CaseId(sak)).await?;
    if !may_manage(&ctx, &s, &case).await? {
        return reply(ctx, t.t("refusal-journey-not-manager")).await;
    }
    if person.bot {
        return reply(ctx, t.t("refusal-journey-bot")).await;
    }
    let Some(mut row) = storage::journey(&data.db, s.guild, case.id).await? else {
        return reply(ctx, t.t("refusal-journey-none")).await;
    };
    let buddy = person_of(&ctx, &person);
    row.journey.buddy = Some(buddy.clone());
    let remind_at = guild::reminder_settings(&s).deadlines.remind_at;
    let wanted = row.journey.reminders(remind_at);
    if !storage::set_journey_buddy(&data.db, s.guild, case.id, &buddy, &wanted).await? {
        return reply(ctx, t.t("refusal-journey-closed")).await;
    }
    if let Some(thread) = row.thread {
        let thread = serenity::all::ChannelId::new(thread);
        if let Err(e) = thread.add_thread_member(ctx.http(), person.id).await {
            tracing::warn!(case = sak, error = %e, "the buddy was not added to the thread");
        }
    }
    if let Err(e) = publish::refresh(ctx.http(), data, &s, &row, &case).await {
        tracing::warn!(case = sak, error = %e, "journey checklist not shown anew");
    }
    reply(
        ctx,
        t.args(
            "reply-journey-buddy",
            &[
                ("case", sak.into()),
                ("buddy", format!("<@{}>", person.id.get()).as_str().into()),
            ],
        ),
    )
    .await
}

/// The person's own open journey items (as the new hire or the buddy), for
/// `/rekruttering mine`.
pub async fn mine_lines(
    ctx: &Context<'_>,
    t: Tr<'_>,
    guild: u64,
    person: u64,
) -> Result<Vec<String>, BotError> {
    let rows = storage::journeys_of_person(&ctx.data().db, guild, person).await?;
    let mut out = Vec::new();
    for row in rows {
        let j = &row.journey;
        let thread = row.thread.map(|t| format!("<#{t}>")).unwrap_or_default();
        for item in &j.template.items {
            let own = match item.owner {
                Owner::NewHire => j.new_hire.id.0 == person,
                Owner::Buddy => j.buddy.as_ref().is_some_and(|b| b.id.0 == person),
                _ => false,
            };
            if !own || j.is_done(item) {
                continue;
            }
            out.push(t.args(
                "mine-journey-line",
                &[
                    ("case", j.case.0.into()),
                    ("item", render::title(t, item).as_str().into()),
                    ("due", t.date(j.due(item)).as_str().into()),
                    ("thread", thread.as_str().into()),
                ],
            ));
        }
    }
    if !out.is_empty() {
        out.insert(0, t.t("mine-journey-heading"));
    }
    Ok(out)
}

/// The server's journey for `/oppsett vis`.
pub async fn shown(ctx: &Context<'_>, t: Tr<'_>, guild: u64) -> Result<String, BotError> {
    let (version, template) = publish::current_template(ctx.data(), guild).await?;
    Ok(render::template(t, version, &template))
}

/// Stores `edit` of the server's current journey as a new version, or tells why not.
async fn edit(
    ctx: Context<'_>,
    change: impl FnOnce(&Template) -> Result<Template, JourneyError>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let t = Tr::new(&ctx.data().texts, ctx.locale().unwrap_or("no"));
    let data = ctx.data();
    let (version, current) = publish::current_template(data, s.guild).await?;
    let next = match change(&current) {
        Ok(next) => next,
        Err(e) => {
            let text = render::template_refusal(t, &e);
            return reply(ctx, text).await;
        }
    };
    let now = data.clock.now();
    let saved = storage::save_journey_template(&data.db, s.guild, version, &next, now).await?;
    let text = format!(
        "{}\n{}",
        t.args("reply-journey-template", &[("version", saved.into())]),
        render::template(t, saved, &next)
    );
    reply(ctx, text).await
}

/// Who does an item, as `/oppsett lop-legg-til` offers it (`.hvem-<key>` in the Fluent files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum Who {
    #[name = "new_hire"]
    NewHire,
    #[name = "manager"]
    Manager,
    #[name = "buddy"]
    Buddy,
    #[name = "hr"]
    Hr,
}

impl From<Who> for Owner {
    fn from(w: Who) -> Owner {
        match w {
            Who::NewHire => Owner::NewHire,
            Who::Manager => Owner::Manager,
            Who::Buddy => Owner::Buddy,
            Who::Hr => Owner::Hr,
        }
    }
}

/// Adds an item to the onboarding journey.
#[poise::command(
    slash_command,
    guild_only,
    rename = "lop-legg-til",
    required_permissions = "ADMINISTRATOR"
)]
pub async fn lop_legg_til(
    ctx: Context<'_>,
    tittel: String,
    hvem: Who,
    dag: i32,
) -> Result<(), BotError> {
    let data = ctx.data();
    edit(ctx, |t| {
        let n = (1..)
            .map(|n| format!("egen_{n}"))
            .find(|id| t.item(id).is_none())
            .unwrap_or_default();
        let item = Item {
            id: n,
            owner: hvem.into(),
            from_start: Some(dag),
            before_probation_end: None,
            docs: None,
            system: None,
            decision: false,
            title: Some(tittel.trim().to_owned()),
        };
        t.with_item(item, &data.process, &data.texts)
    })
    .await
}

/// Removes an item from the onboarding journey.
#[poise::command(
    slash_command,
    guild_only,
    rename = "lop-fjern",
    required_permissions = "ADMINISTRATOR"
)]
pub async fn lop_fjern(ctx: Context<'_>, punkt: String) -> Result<(), BotError> {
    let data = ctx.data();
    edit(ctx, |t| {
        t.without_item(punkt.trim(), &data.process, &data.texts)
    })
    .await
}

/// Moves an item of the onboarding journey.
#[poise::command(
    slash_command,
    guild_only,
    rename = "lop-flytt",
    required_permissions = "ADMINISTRATOR"
)]
pub async fn lop_flytt(ctx: Context<'_>, punkt: String, plass: u32) -> Result<(), BotError> {
    let data = ctx.data();
    edit(ctx, |t| {
        t.with_item_at(punkt.trim(), plass as usize, &data.process, &data.texts)
    })
    .await
}

/// Sets the length of probation (months).
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn provetid(ctx: Context<'_>, maneder: u32) -> Result<(), BotError> {
    let data = ctx.data();
    edit(ctx, |t| {
        t.with_probation(maneder, &data.process, &data.texts)
    })
    .await
}
