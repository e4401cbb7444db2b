//! `/oppsett` (administrators only): who is HR, union rep and approver; where cases, HR's
//! reminders and onboarding checklists go; the documentation links; the reminder offsets; the
//! language of shared messages; how much the bot pings.

use chrono::NaiveTime;
use flow::Lang;
use serenity::all::{
    ChannelId, CreateAllowedMentions, GuildChannel, Permissions, Role as DiscordRole,
};
use storage::{GuildSettings, NotificationLevel};

use crate::guild;
use crate::i18n::{clip, Tr, CONTENT_MAX};

/// Discord's limit on an embed's description.
const EMBED_MAX: usize = 4096;
use crate::types::{BotError, Context, InputError};

#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "ADMINISTRATOR",
    required_permissions = "ADMINISTRATOR",
    subcommands(
        "vis",
        "roller",
        "kanaler",
        "lenke",
        "paminnelser",
        "sprak",
        "varsler",
        "super::journey::lop_legg_til",
        "super::journey::lop_fjern",
        "super::journey::lop_flytt",
        "super::journey::provetid"
    ),
    subcommand_required
)]
pub async fn oppsett(_ctx: Context<'_>) -> Result<(), BotError> {
    Ok(())
}

fn tr<'a>(ctx: &'a Context<'a>) -> Tr<'a> {
    Tr::new(&ctx.data().texts, ctx.locale().unwrap_or("no"))
}

async fn load(ctx: &Context<'_>) -> Result<GuildSettings, BotError> {
    let g = ctx.guild_id().ok_or(BotError::NotInGuild)?.get();
    guild::settings_or_default(ctx.data(), g).await
}

/// Saves and shows the settings as they are now.
async fn save_and_show(ctx: Context<'_>, s: GuildSettings) -> Result<(), BotError> {
    storage::save_settings(&ctx.data().db, &s).await?;
    show(ctx, &s).await
}

async fn show(ctx: Context<'_>, s: &GuildSettings) -> Result<(), BotError> {
    show_with(ctx, s, None).await
}

/// The settings, and under them an embed (`/oppsett vis`: the onboarding journey).
async fn show_with(
    ctx: Context<'_>,
    s: &GuildSettings,
    embed: Option<serenity::all::CreateEmbed>,
) -> Result<(), BotError> {
    let t = tr(&ctx);
    let role = |id: Option<u64>| {
        id.map(|i| format!("<@&{i}>"))
            .unwrap_or_else(|| t.t("setup-unset"))
    };
    let channel = |id: Option<u64>| {
        id.map(|i| format!("<#{i}>"))
            .unwrap_or_else(|| t.t("setup-unset"))
    };
    let mut lines = vec![
        format!("**{}**", t.t("setup-title")),
        format!(
            "{}: {}",
            t.t("setup-role-manager"),
            s.roles
                .manager
                .map(|i| format!("<@&{i}>"))
                .unwrap_or_else(|| t.t("setup-manager-anyone"))
        ),
        format!("{}: {}", t.t("setup-role-hr"), role(s.roles.hr)),
        format!(
            "{}: {}",
            t.t("setup-role-union_rep"),
            role(s.roles.union_rep)
        ),
        format!("{}: {}", t.t("setup-role-approver"), role(s.roles.approver)),
        format!("{}: {}", t.t("setup-role-payroll"), role(s.roles.payroll)),
        format!(
            "{}: {}",
            t.t("setup-channel-cases"),
            channel(s.case_channel)
        ),
        format!("{}: {}", t.t("setup-channel-hr"), channel(s.hr_channel)),
        format!(
            "{}: {}",
            t.t("setup-channel-onboarding"),
            channel(s.onboarding_channel)
        ),
    ];
    for key in &ctx.data().process.docs {
        let link = s
            .docs
            .get(key)
            .cloned()
            .unwrap_or_else(|| t.t("setup-unset"));
        lines.push(format!("{} `{key}`: {link}", t.t("setup-link")));
    }
    let r = guild::reminder_settings(s);
    lines.push(
        t.args(
            "setup-reminders",
            &[
                (
                    "time",
                    r.deadlines
                        .remind_at
                        .format("%H:%M")
                        .to_string()
                        .as_str()
                        .into(),
                ),
                ("stall", i64::from(r.stall_days).into()),
                ("escalate", i64::from(r.escalate_days).into()),
                (
                    "digest",
                    s.reminders
                        .digest_cron
                        .clone()
                        .unwrap_or_else(|| guild::DEFAULT_DIGEST_CRON.into())
                        .as_str()
                        .into(),
                ),
            ],
        ),
    );
    for (name, days) in &s.reminders.days {
        lines.push(format!("· `{name}`: {days}"));
    }
    lines.push(
        t.args(
            "setup-language",
            &[(
                "language",
                t.t(&format!("language-{}", s.language.dir()))
                    .as_str()
                    .into(),
            )],
        ),
    );
    lines.push(
        t.args(
            "setup-notifications",
            &[(
                "level",
                t.t(&format!("notifications-{}", s.notifications.as_str()))
                    .as_str()
                    .into(),
            )],
        ),
    );
    for (id, needs) in [
        (s.case_channel, CASE_CHANNEL_NEEDS),
        (s.hr_channel, POST_NEEDS),
        (s.onboarding_channel, ONBOARDING_NEEDS),
    ] {
        let Some(id) = id else { continue };
        let missing = bot_lacks(&ctx, ChannelId::new(id), needs);
        if !missing.is_empty() {
            lines.push(t.args(
                "setup-bot-lacks",
                &[
                    ("channel", format!("<#{id}>").as_str().into()),
                    (
                        "missing",
                        crate::errors::permissions(&missing, t).as_str().into(),
                    ),
                ],
            ));
        }
    }
    // Places the bot cannot deliver to, with what to fix (see `crate::publish::delivery`).
    if let Ok(problems) = storage::open_problems(&ctx.data().db, s.guild).await {
        use crate::publish::delivery::{current, line};
        let shown: Vec<String> = problems
            .iter()
            .filter(|p| current(Some(s), p))
            .take(10)
            .map(|p| line(t, p))
            .collect();
        if !shown.is_empty() {
            lines.push(t.t("setup-problems"));
            lines.extend(shown);
        }
    }
    let missing = guild::missing(s);
    if missing.is_empty() {
        lines.push(t.t("setup-complete"));
    } else {
        let names: Vec<String> = missing.iter().map(|m| t.t(&format!("setup-{m}"))).collect();
        lines.push(t.args(
            "setup-missing",
            &[("missing", names.join(", ").as_str().into())],
        ));
    }
    let mut reply = poise::CreateReply::default()
        .content(clip(&lines.join("\n"), CONTENT_MAX))
        .ephemeral(true)
        .allowed_mentions(CreateAllowedMentions::new());
    if let Some(embed) = embed {
        reply = reply.embed(embed);
    }
    ctx.send(reply).await?;
    Ok(())
}

/// Shows the current settings and what is missing.
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn vis(ctx: Context<'_>) -> Result<(), BotError> {
    let s = load(&ctx).await?;
    // The onboarding journey in an embed (it has room for a long one).
    let journey = super::journey::shown(&ctx, tr(&ctx), s.guild).await?;
    let embed = serenity::all::CreateEmbed::new().description(clip(&journey, EMBED_MAX));
    show_with(ctx, &s, Some(embed)).await
}

/// Which Discord roles are HR, union reps, approvers (and, if set, managers and payroll).
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn roller(
    ctx: Context<'_>,
    hr: Option<DiscordRole>,
    tillitsvalgt: Option<DiscordRole>,
    godkjenner: Option<DiscordRole>,
    leder: Option<DiscordRole>,
    lonn: Option<DiscordRole>,
) -> Result<(), BotError> {
    let mut s = load(&ctx).await?;
    let id = |r: &Option<DiscordRole>| r.as_ref().map(|r| r.id.get());
    s.roles.hr = id(&hr).or(s.roles.hr);
    s.roles.union_rep = id(&tillitsvalgt).or(s.roles.union_rep);
    s.roles.approver = id(&godkjenner).or(s.roles.approver);
    s.roles.manager = id(&leder).or(s.roles.manager);
    s.roles.payroll = id(&lonn).or(s.roles.payroll);
    save_and_show(ctx, s).await
}

// Only text channels (a forum or a category takes no messages), and only where the bot may do
// what it must there: a channel where it may not is refused, naming what it lacks, and nothing
// is saved.
/// Where case threads, HR's reminders and onboarding checklists go.
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn kanaler(
    ctx: Context<'_>,
    #[channel_types("Text")] saker: Option<GuildChannel>,
    #[channel_types("Text")] hr: Option<GuildChannel>,
    #[channel_types("Text")] onboarding: Option<GuildChannel>,
) -> Result<(), BotError> {
    let mut s = load(&ctx).await?;
    for (channel, needs) in [
        (&saker, CASE_CHANNEL_NEEDS),
        (&hr, POST_NEEDS),
        (&onboarding, ONBOARDING_NEEDS),
    ] {
        if let Some(channel) = channel {
            let missing = bot_lacks(&ctx, channel.id, needs);
            if !missing.is_empty() {
                return Err(BotError::Input(InputError::ChannelPermissions {
                    channel: channel.id.get(),
                    missing,
                }));
            }
        }
    }
    let id = |c: &Option<GuildChannel>| c.as_ref().map(|c| c.id.get());
    s.case_channel = id(&saker).or(s.case_channel);
    s.hr_channel = id(&hr).or(s.hr_channel);
    s.onboarding_channel = id(&onboarding).or(s.onboarding_channel);
    save_and_show(ctx, s).await
}

/// What the bot must be allowed in the case channel: post the case's first message, open its
/// thread from it, and write in the thread. By the text id suffix that names each.
const CASE_CHANNEL_NEEDS: &[(Permissions, &str)] = &[
    (Permissions::VIEW_CHANNEL, "view_channel"),
    (Permissions::SEND_MESSAGES, "send_messages"),
    (Permissions::CREATE_PUBLIC_THREADS, "create_public_threads"),
    (
        Permissions::SEND_MESSAGES_IN_THREADS,
        "send_messages_in_threads",
    ),
];

/// What the bot must be allowed in the HR channel: post there.
const POST_NEEDS: &[(Permissions, &str)] = &[
    (Permissions::VIEW_CHANNEL, "view_channel"),
    (Permissions::SEND_MESSAGES, "send_messages"),
];

/// What the bot must be allowed in the onboarding channel: post the checklists there, open a
/// new hire's private thread (`crate::publish::journey`), add its people and write in it, and
/// archive it when the journey closes (Discord's Modify Channel: archiving a thread needs
/// MANAGE_THREADS; taking it out of the archive again, SEND_MESSAGES).
const ONBOARDING_NEEDS: &[(Permissions, &str)] = &[
    (Permissions::VIEW_CHANNEL, "view_channel"),
    (Permissions::SEND_MESSAGES, "send_messages"),
    (
        Permissions::CREATE_PRIVATE_THREADS,
        "create_private_threads",
    ),
    (
        Permissions::SEND_MESSAGES_IN_THREADS,
        "send_messages_in_threads",
    ),
    (Permissions::MANAGE_THREADS, "manage_threads"),
];

/// Which of `needs` the bot lacks in `channel`, from what Discord told it of the server (its
/// roles and the channel's overwrites). Nothing when the server is not known yet.
fn bot_lacks(
    ctx: &Context<'_>,
    channel: ChannelId,
    needs: &[(Permissions, &'static str)],
) -> Vec<&'static str> {
    let Some(guild_id) = ctx.guild_id() else {
        return Vec::new();
    };
    let bot = ctx.cache().current_user().id;
    let Some(guild) = ctx.cache().guild(guild_id) else {
        return Vec::new();
    };
    let (Some(channel), Some(member)) = (guild.channels.get(&channel), guild.members.get(&bot))
    else {
        return Vec::new();
    };
    let has = guild.user_permissions_in(channel, member);
    needs
        .iter()
        .filter(|(p, _)| !has.contains(*p))
        .map(|(_, name)| *name)
        .collect()
}

async fn docs_keys(ctx: Context<'_>, partial: &str) -> serenity::all::CreateAutocompleteResponse {
    let choices = ctx
        .data()
        .process
        .docs
        .iter()
        .filter(|k| k.starts_with(partial))
        .map(|k| serenity::all::AutocompleteChoice::new(k.as_str(), k.as_str()))
        .collect();
    serenity::all::CreateAutocompleteResponse::new().set_choices(choices)
}

/// A documentation link (the municipality's own pages for Webcruiter, HR EveryOne, ...).
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn lenke(
    ctx: Context<'_>,
    #[autocomplete = "docs_keys"] nokkel: String,
    url: String,
) -> Result<(), BotError> {
    let mut s = load(&ctx).await?;
    if !ctx.data().process.docs.contains(&nokkel) {
        return Err(BotError::Input(InputError::DocsKey {
            input: nokkel,
            known: ctx.data().process.docs.clone(),
        }));
    }
    let url = url.trim();
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 500
        && !url.contains(char::is_whitespace);
    if !ok {
        return Err(BotError::Input(InputError::Url {
            input: url.to_owned(),
        }));
    }
    s.docs.insert(nokkel, url.to_owned());
    save_and_show(ctx, s).await
}

/// Reminder offsets, the time of day and HR's digest schedule.
#[allow(clippy::too_many_arguments)]
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn paminnelser(
    ctx: Context<'_>,
    utstyr: Option<u32>,
    velkomstpakke: Option<u32>,
    kontrakt: Option<u32>,
    stopp: Option<u32>,
    eskaler: Option<u32>,
    klokkeslett: Option<String>,
    sammendrag: Option<String>,
) -> Result<(), BotError> {
    let mut s = load(&ctx).await?;
    let days = &mut s.reminders.days;
    for (name, value, sign) in [
        ("utstyr", utstyr, -1),
        ("velkomstpakke", velkomstpakke, -1),
        ("kontrakt", kontrakt, 1),
    ] {
        if let Some(v) = value {
            if v > 365 {
                return Err(BotError::Input(InputError::Number {
                    field: "days",
                    input: v.to_string(),
                }));
            }
            days.insert(name.to_owned(), sign * i64::from(v));
        }
    }
    if let Some(v) = stopp {
        s.reminders.stall_days = Some(v.clamp(1, 60));
    }
    if let Some(v) = eskaler {
        s.reminders.escalate_days = Some(v.clamp(1, 60));
    }
    if let Some(t) = klokkeslett {
        let time = NaiveTime::parse_from_str(t.trim(), "%H:%M")
            .map_err(|_| BotError::Input(InputError::Time { input: t.clone() }))?;
        s.reminders.remind_at = Some(time);
    }
    if let Some(c) = sammendrag {
        guild::digest_schedule(&c)
            .map_err(|_| BotError::Input(InputError::Cron { input: c.clone() }))?;
        s.reminders.digest_cron = Some(c.trim().to_owned());
    }
    save_and_show(ctx, s).await
}

/// The languages shared messages can be in. The choice's name is its key in the Fluent files
/// (`.sprak-nb`), which give its label in each language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum SharedLanguage {
    #[name = "nb"]
    Nb,
    #[name = "en"]
    En,
}

impl From<SharedLanguage> for Lang {
    fn from(l: SharedLanguage) -> Lang {
        match l {
            SharedLanguage::Nb => Lang::Nb,
            SharedLanguage::En => Lang::En,
        }
    }
}

// What everyone on the server reads: the case cards, their buttons, the thread lines,
// reminders in channels, the digest and checklists. What the bot says to one person stays in
// that person's own language.
/// The language of shared messages.
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn sprak(ctx: Context<'_>, sprak: SharedLanguage) -> Result<(), BotError> {
    let mut s = load(&ctx).await?;
    s.language = sprak.into();
    save_and_show(ctx, s).await
}

/// The notification levels, keyed in the Fluent files as `.niva-<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum Level {
    #[name = "every_step"]
    EveryStep,
    #[name = "when_asked"]
    WhenAsked,
    #[name = "digest_only"]
    DigestOnly,
}

impl From<Level> for NotificationLevel {
    fn from(l: Level) -> NotificationLevel {
        match l {
            Level::EveryStep => NotificationLevel::EveryStep,
            Level::WhenAsked => NotificationLevel::WhenAsked,
            Level::DigestOnly => NotificationLevel::DigestOnly,
        }
    }
}

// Every step, only when someone is asked to act (the default), or only the daily digest and
// direct messages. What each level does is decided where the thread lines are posted.
/// How much the bot pings in case threads.
#[poise::command(slash_command, guild_only, required_permissions = "ADMINISTRATOR")]
pub async fn varsler(ctx: Context<'_>, niva: Level) -> Result<(), BotError> {
    let mut s = load(&ctx).await?;
    s.notifications = niva.into();
    save_and_show(ctx, s).await
}
