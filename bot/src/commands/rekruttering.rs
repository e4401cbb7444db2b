//! `/rekruttering`: open a case, see where cases stand, what waits for me, HR's overview, a
//! case's history, and closing a case.

use flow::{Action, CaseId, Reason, Role, StepId};
use serenity::all::{
    AutocompleteChoice, CreateActionRow, CreateAllowedMentions, CreateAutocompleteResponse,
    CreateEmbed, CreateInputText, CreateInteractionResponse, CreateModal, InputTextStyle,
};
use storage::GuildSettings;

use super::pictures::{eksport, kart, statistikk};
use crate::change;
use crate::custom_id::ComponentId;
use crate::guild::{self, actor_of};
use crate::i18n::{
    clip, escape, Tr, CONTENT_MAX, FIELD_MAX, MODAL_TITLE_MAX, OPTION_MAX, TITLE_MAX,
};
use crate::publish;
use crate::render::{card, lines, reopen};
use crate::types::{BotError, Context, InputError};

/// Lines per page of lists, well under Discord's 2000 characters.
const PAGE: u32 = 10;

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "ny",
        "status",
        "mine",
        "oversikt",
        "historikk",
        "gjenapne",
        "avslutt",
        "stedfortreder",
        "kart",
        "statistikk",
        "eksport",
        "super::journey::nyansatt",
        "super::journey::fadder"
    ),
    subcommand_required
)]
pub async fn rekruttering(_ctx: Context<'_>) -> Result<(), BotError> {
    Ok(())
}

/// The person's language, naming steps as the server's shared messages do.
fn tr<'a>(ctx: &'a Context<'a>, s: &GuildSettings) -> Tr<'a> {
    Tr::reader(&ctx.data().texts, ctx.locale().unwrap_or("no"), s)
}

fn guild(ctx: &Context<'_>) -> Result<u64, BotError> {
    ctx.guild_id().map(|g| g.get()).ok_or(BotError::NotInGuild)
}

async fn settings(ctx: &Context<'_>) -> Result<GuildSettings, BotError> {
    guild::settings_or_default(ctx.data(), guild(ctx)?).await
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

/// Open cases on this server whose title starts with what was typed.
async fn open_cases(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let Ok(g) = guild(&ctx) else {
        return CreateAutocompleteResponse::new();
    };
    let found = storage::open_case_titles(&ctx.data().db, g, partial, 25)
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

/// Which case: the one asked for, or the one whose thread this is.
async fn which_case(ctx: &Context<'_>, sak: Option<i64>) -> Result<CaseId, BotError> {
    if let Some(id) = sak {
        return Ok(CaseId(id));
    }
    let g = guild(ctx)?;
    storage::case_by_thread(&ctx.data().db, g, ctx.channel_id().get())
        .await?
        .ok_or(BotError::CaseNotFound(0))
}

/// Opens a new recruitment case (a form asks for the position).
#[poise::command(slash_command, guild_only)]
pub async fn ny(ctx: Context<'_>) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let missing = guild::missing(&s);
    if !missing.is_empty() {
        return Err(BotError::NotSetUp(missing));
    }
    if s.roles.manager.is_some() {
        let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
        crate::authz::may_open_cases(&s, &member)?;
    }
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    let t = tr(&ctx, &s);
    let input = |id: &str, label: &str, style, required| {
        CreateActionRow::InputText(
            CreateInputText::new(style, t.t(label), id)
                .max_length(flow::CaseText::MAX_CHARS as u16)
                .required(required),
        )
    };
    let modal = CreateModal::new(
        ComponentId::NewCase.to_string(),
        clip(&t.t("form-new-title"), MODAL_TITLE_MAX),
    )
    .components(vec![
        input("title", "field-title", InputTextStyle::Short, true),
        input("unit", "field-unit", InputTextStyle::Short, true),
        input("note", "field-note", InputTextStyle::Paragraph, false),
    ]);
    app.interaction
        .create_response(
            ctx.serenity_context(),
            CreateInteractionResponse::Modal(modal),
        )
        .await?;
    app.has_sent_initial_response
        .store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

/// Shows a case's card, in your language.
#[poise::command(slash_command, guild_only)]
pub async fn status(
    ctx: Context<'_>,
    #[autocomplete = "open_cases"] sak: Option<i64>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let case = change::load(ctx.data(), s.guild, which_case(&ctx, sak).await?).await?;
    let view = guild::view(&s);
    let rendered = card::render(publish::scope(ctx.data(), &view), &case, tr(&ctx, &s));
    let placed = storage::card(&ctx.data().db, s.guild, case.id).await?;
    let link = placed
        .map(|p| format!("<#{}>", p.thread.unwrap_or(p.channel)))
        .unwrap_or_default();
    ctx.send(
        poise::CreateReply::default()
            .content(link)
            .embed(rendered.embed)
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

/// What waits for you, across cases.
#[poise::command(slash_command, guild_only)]
pub async fn mine(ctx: Context<'_>) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(&s, &member);
    let process = &ctx.data().process;
    let can = |roles: &dyn Fn(Role) -> bool| -> Vec<StepId> {
        process
            .steps()
            .iter()
            .filter(|st| st.roles.iter().any(|r| roles(*r)))
            .map(|st| st.id.clone())
            .collect()
    };
    let by_roles = can(&|r| actor.roles.contains(&r));
    let as_owner = can(&|r| r == Role::Manager);
    let pending = storage::pending_for(
        &ctx.data().db,
        s.guild,
        actor.person.id,
        &by_roles,
        &as_owner,
    )
    .await?;
    let t = tr(&ctx, &s);
    // The new hire's and the buddy's own journey items.
    let journey = super::journey::mine_lines(&ctx, t, s.guild, actor.person.id.0).await?;
    if pending.is_empty() && journey.is_empty() {
        return reply(ctx, t.t("mine-nothing")).await;
    }
    let mut text = Vec::new();
    if !pending.is_empty() {
        text.push(t.args("mine-header", &[("count", pending.len().into())]));
    }
    for p in pending.iter().take(20) {
        text.push(t.args(
            "mine-line",
            &[
                ("case", p.case.0.into()),
                ("title", escape(&p.title).as_str().into()),
                ("step", t.step(&p.step).as_str().into()),
                ("since", t.when(p.since).as_str().into()),
            ],
        ));
    }
    text.extend(journey);
    reply(ctx, text.join("\n")).await
}

/// Where page `page` (from 1) of `per_page` lines begins. A page number so large that it
/// points past anything that can be stored is refused politely, never an overflow.
fn page_offset(page: u32, per_page: u32) -> Result<u32, BotError> {
    page.saturating_sub(1).checked_mul(per_page).ok_or_else(|| {
        BotError::Input(InputError::Number {
            field: "page",
            input: page.to_string(),
        })
    })
}

/// HR: open cases by phase, overdue first.
#[poise::command(slash_command, guild_only)]
pub async fn oversikt(ctx: Context<'_>, side: Option<u32>) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(&s, &member);
    if !actor.roles.contains(&Role::Hr) {
        return Err(flow::Refusal::NotYourRole {
            step: StepId::new(""),
            allowed: vec![Role::Hr],
        }
        .into());
    }
    let page = side.unwrap_or(1).max(1);
    let data = ctx.data();
    let overview = storage::hr_overview(
        &data.db,
        s.guild,
        data.clock.now(),
        PAGE,
        page_offset(page, PAGE)?,
    )
    .await?;
    let t = tr(&ctx, &s);
    let pages = overview.total.div_ceil(u64::from(PAGE)).max(1);
    let mut embed = CreateEmbed::new().title(t.args(
        "overview-title",
        &[
            ("count", (overview.total as i64).into()),
            ("page", (page as i64).into()),
            ("pages", (pages as i64).into()),
        ],
    ));
    if overview.cases.is_empty() {
        embed = embed.description(t.t("overview-empty"));
    }
    for c in &overview.cases {
        let mut steps: Vec<_> = c.steps.iter().collect();
        steps.sort_by_key(|st| data.process.order(&st.step));
        let phase = steps
            .first()
            .and_then(|st| data.process.phase_of(&st.step))
            .map(|p| t.t(&flow::texts::ids::phase(p)))
            .unwrap_or_default();
        let lines: Vec<String> = steps
            .iter()
            .map(|st| {
                let mark = if st.overdue { "⚠️" } else { "▶" };
                format!("{mark} {} · {}", t.step(&st.step), t.when(st.since))
            })
            .collect();
        let name = format!(
            "{}#{} {} – {} · {phase}",
            if c.overdue { "⚠️ " } else { "" },
            c.id.0,
            c.title,
            c.unit
        );
        embed = embed.field(
            clip(&name, TITLE_MAX),
            clip(&lines.join("\n"), FIELD_MAX),
            false,
        );
    }
    ctx.send(poise::CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    Ok(())
}

/// A case's history, page by page.
#[poise::command(slash_command, guild_only)]
pub async fn historikk(
    ctx: Context<'_>,
    #[autocomplete = "open_cases"] sak: Option<i64>,
    side: Option<u32>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let case = change::load(ctx.data(), s.guild, which_case(&ctx, sak).await?).await?;
    let page = side.unwrap_or(1).max(1);
    let entries = storage::history(
        &ctx.data().db,
        s.guild,
        case.id,
        PAGE * 2,
        page_offset(page, PAGE * 2)?,
    )
    .await?;
    let t = tr(&ctx, &s);
    let mut text = vec![t.args(
        "history-header",
        &[("case", case.id.0.into()), ("page", (page as i64).into())],
    )];
    if entries.is_empty() {
        text.push(t.t("history-empty"));
    }
    for e in &entries {
        text.push(format!(
            "`{}` {}",
            t.when(e.event.at),
            lines::event_line(&e.event, t)
        ));
    }
    reply(ctx, text.join("\n")).await
}

/// Closes a case before its end, with a reason.
#[poise::command(slash_command, guild_only)]
pub async fn avslutt(
    ctx: Context<'_>,
    #[autocomplete = "open_cases"] sak: i64,
    grunn: String,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(&s, &member);
    let reason = Reason::parse(&grunn).map_err(|error| {
        BotError::Input(InputError::Text {
            field: "reason",
            error,
        })
    })?;
    let changed = change::act(
        ctx.data(),
        &s,
        CaseId(sak),
        &actor,
        &Action::Close { reason },
    )
    .await?;
    // The thread hears of it whatever became of the answer.
    let replied = reply(
        ctx,
        tr(&ctx, &s).args("reply-case-closed", &[("case", sak.into())]),
    )
    .await;
    publish::publish_change(ctx.http(), ctx.data(), &s, &changed.case).await;
    replied
}

// By the case's manager or HR; the deputy then holds the manager's part of the case, for the
// manager. Without `person`, the deputy named is removed.
/// Names a deputy for the case's manager, or removes the one named.
#[poise::command(slash_command, guild_only)]
pub async fn stedfortreder(
    ctx: Context<'_>,
    #[autocomplete = "open_cases"] sak: i64,
    person: Option<serenity::all::User>,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(&s, &member);
    let deputy = person.as_ref().map(|user| {
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
        flow::PersonRef {
            id: flow::PersonId(user.id.get()),
            name: nick.unwrap_or_else(|| user.display_name().to_owned()),
        }
    });
    let action = Action::SetDeputy {
        deputy: deputy.clone(),
    };
    let changed = change::act(ctx.data(), &s, CaseId(sak), &actor, &action).await?;
    let t = tr(&ctx, &s);
    let text = match &deputy {
        Some(d) => t.args(
            "reply-deputy-named",
            &[
                ("case", sak.into()),
                ("deputy", format!("<@{}>", d.id.0).as_str().into()),
            ],
        ),
        None => t.args("reply-deputy-removed", &[("case", sak.into())]),
    };
    // The thread hears of it whatever became of the answer.
    let replied = reply(ctx, text).await;
    publish::publish_change(ctx.http(), ctx.data(), &s, &changed.case).await;
    replied
}

/// The chart's steps whose title (as the card shows it, or in the typer's language) contains
/// what was typed.
async fn steps(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let Ok(s) = settings(&ctx).await else {
        return CreateAutocompleteResponse::new();
    };
    let t = tr(&ctx, &s);
    let typed = partial.to_lowercase();
    let choices = ctx
        .data()
        .process
        .steps()
        .iter()
        .map(|st| (t.step(&st.id), st.id.as_str()))
        .filter(|(title, _)| title.to_lowercase().contains(&typed))
        .take(25)
        .map(|(title, id)| AutocompleteChoice::new(clip(&title, OPTION_MAX), id))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

// Shows first what going back undoes (every step after it, with their count) with a button to
// go on; the button asks for the reason, and only then is anything changed.
/// Goes back to a finished step to do it again.
#[poise::command(slash_command, guild_only)]
pub async fn gjenapne(
    ctx: Context<'_>,
    #[autocomplete = "open_cases"] sak: i64,
    #[autocomplete = "steps"] steg: String,
) -> Result<(), BotError> {
    let s = settings(&ctx).await?;
    let member = ctx.author_member().await.ok_or(BotError::NotInGuild)?;
    let actor = actor_of(&s, &member);
    let step = StepId::new(steg.trim());
    let case = change::load(ctx.data(), s.guild, CaseId(sak)).await?;
    let t = tr(&ctx, &s);
    flow::engine::may_reopen(&ctx.data().process, &case, &actor, &step)?;
    let preview = reopen::preview(&ctx.data().process, &case, &step, t);
    ctx.send(
        poise::CreateReply::default()
            .content(clip(&preview.text, CONTENT_MAX))
            .components(vec![CreateActionRow::Buttons(vec![preview.button])])
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}
