//! `/rekruttering kart`, `statistikk` and `eksport`: the chart with the case's place in it,
//! HR's statistics, and the case for the archive. Every answer is private (ephemeral); the
//! drawing is done after the answer is deferred, so Discord's three seconds never run out.

use flow::{Case, CaseId, Role, StepId};
use serenity::all::{AutocompleteChoice, CreateAllowedMentions, CreateAutocompleteResponse};
use storage::GuildSettings;

use crate::attach;
use crate::change;
use crate::guild::{self, actor_of};
use crate::i18n::{clip, Tr, CONTENT_MAX, OPTION_MAX};
use crate::types::{BotError, Context, InputError};

fn tr<'a>(ctx: &'a Context<'a>, s: &GuildSettings) -> Tr<'a> {
    Tr::reader(&ctx.data().texts, ctx.locale().unwrap_or("no"), s)
}

async fn settings(ctx: &Context<'_>) -> Result<GuildSettings, BotError> {
    let g = ctx
        .guild_id()
        .map(|g| g.get())
        .ok_or(BotError::NotInGuild)?;
    guild::settings_or_default(ctx.data(), g).await
}

/// The case asked for, or the one whose thread this is; a case of another server is not found.
async fn case(ctx: &Context<'_>, s: &GuildSettings, sak: Option<i64>) -> Result<Case, BotError> {
    let id = match sak {
        Some(id) => CaseId(id),
        None => storage::case_by_thread(&ctx.data().db, s.guild, ctx.channel_id().get())
            .await?
            .ok_or(BotError::CaseNotFound(0))?,
    };
    change::load(ctx.data(), s.guild, id).await
}

/// This server's open cases whose title starts with what was typed (a closed case is named
/// by its number).
async fn open_cases(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let Some(g) = ctx.guild_id() else {
        return CreateAutocompleteResponse::new();
    };
    let found = storage::open_case_titles(&ctx.data().db, g.get(), partial, 25)
        .await
        .unwrap_or_default();
    let choices = found
        .into_iter()
        .map(|(id, title)| {
            AutocompleteChoice::new(clip(&format!("#{} {title}", id.0), OPTION_MAX), id.0)
        })
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

fn refused(allowed: Vec<Role>) -> BotError {
    flow::Refusal::NotYourRole {
        step: StepId::new(""),
        allowed,
    }
    .into()
}

/// Shows the process chart with where the case stands.
#[poise::command(slash_command, guild_only)]
pub async fn kart(
    ctx: Context<'_>,
    #[autocomplete = "open_cases"] sak: Option<i64>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let case = case(&ctx, &s, sak).await?;
    ctx.defer_ephemeral().await?;
    let view = guild::view(&s);
    let (file, alt) = attach::chart(ctx.data(), &view, &case, tr(&ctx, &s)).await?;
    ctx.send(
        poise::CreateReply::default()
            .content(clip(&alt, CONTENT_MAX))
            .attachment(file)
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

/// HR: how long recruitments take and where they get stuck.
#[poise::command(slash_command, guild_only)]
pub async fn statistikk(
    ctx: Context<'_>,
    fra: Option<String>,
    til: Option<String>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(&s, &member);
    let admin = member.permissions.is_some_and(|p| p.administrator());
    if !actor.roles.contains(&Role::Hr) && !admin {
        return Err(refused(vec![Role::Hr]));
    }
    let date = |input: &Option<String>| -> Result<Option<chrono::NaiveDate>, BotError> {
        input
            .as_deref()
            .map(|i| {
                flow::Dato::parse(i)
                    .map(flow::Dato::naive)
                    .map_err(|e| BotError::Input(InputError::Date { input: e.input }))
            })
            .transpose()
    };
    let today = ctx
        .data()
        .clock
        .now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    let to = date(&til)?.unwrap_or(today);
    let from = date(&fra)?.unwrap_or_else(|| flow::deadlines::add_days(to, -365));
    let t = tr(&ctx, &s).own();
    let dates = |id: &str| {
        t.args(
            id,
            &[
                ("from", t.date(from).as_str().into()),
                ("to", t.date(to).as_str().into()),
            ],
        )
    };
    if from > to {
        return reply(ctx, dates("stats-bad-period")).await;
    }
    ctx.defer_ephemeral().await?;
    match attach::statistics(ctx.data(), s.guild, from, to, tr(&ctx, &s)).await? {
        None => reply(ctx, dates("stats-none")).await,
        Some((text, files)) => {
            let mut r = poise::CreateReply::default()
                .content(clip(&text, CONTENT_MAX))
                .ephemeral(true)
                .allowed_mentions(CreateAllowedMentions::new());
            for f in files {
                r = r.attachment(f);
            }
            ctx.send(r).await?;
            Ok(())
        }
    }
}

/// The case as a PDF for the archive (the case's manager and HR).
#[poise::command(slash_command, guild_only)]
pub async fn eksport(
    ctx: Context<'_>,
    #[autocomplete = "open_cases"] sak: Option<i64>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(&s, &member);
    let case = case(&ctx, &s, sak).await?;
    if !case.is_manager(actor.person.id) && !actor.roles.contains(&Role::Hr) {
        return Err(refused(vec![Role::Manager, Role::Hr]));
    }
    ctx.defer_ephemeral().await?;
    let now = ctx.data().clock.now();
    let file = attach::export(ctx.data(), s.guild, &case, now, tr(&ctx, &s)).await?;
    let t = tr(&ctx, &s).own();
    ctx.send(
        poise::CreateReply::default()
            .content(t.args("export-reply", &[("case", case.id.0.into())]))
            .attachment(file)
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

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
