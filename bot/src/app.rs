//! Builds the bot: the poise framework with its commands, the one error handler, the
//! interaction handler; registers the commands; connects.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use serenity::{ClientBuilder, FullEvent, GatewayIntents, GuildId, Http, ShardManager};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::commands;
use crate::errors::explain;
use crate::i18n::Tr;
use crate::interactions;
use crate::pace::Pacer;
use crate::roster::Roster;
use crate::shards::{Gateway, Keeper, LeaseTimes, Quota, Stop};
use crate::shutdown::{self, InFlight, Tracked};
use crate::types::{BotError, Data};

/// Only what the bot needs: guild events (channels, threads). Interactions arrive without any
/// intent; members' roles come with each interaction, so no privileged intent is asked for.
pub const INTENTS: GatewayIntents = GatewayIntents::GUILDS;

/// A running bot.
pub struct Running {
    pub shards: Arc<ShardManager>,
    pub task: JoinHandle<Result<(), serenity::Error>>,
    pub data: Arc<Data>,
    /// The reminder loop, started once here and never again on a reconnect.
    pub reminders: crate::jobs::Handle,
    /// The presses, forms and commands being handled.
    pub in_flight: InFlight,
    /// Ends the shard keeper ([`crate::shards::Keeper`]), whose loop is `task`.
    pub keeper: watch::Sender<Stop>,
    /// Ends the roster's loop ([`crate::roster`], PostgreSQL only), and the loop.
    pub roster: Option<(watch::Sender<Stop>, JoinHandle<()>)>,
    /// This process's share of the shards, as the keeper last worked it out (`/readyz`).
    pub quota: Quota,
}

impl Running {
    /// Stops the reminder loops where they are (as a crash would), disconnects from the
    /// gateway and waits for the client to end. The database stays open (tests restart on it).
    pub async fn stop(self) {
        self.reminders.stop().await;
        let _ = self.keeper.send(Stop::Now);
        if let Some((roster, task)) = self.roster {
            let _ = roster.send(Stop::Now);
            let _ = task.await;
        }
        self.shards.shutdown_all().await;
        let _ = self.task.await;
    }

    /// Stops gracefully within `grace` (see [`crate::shutdown`]): the gateway first, so nothing
    /// new arrives; then what is under way finishes (presses and commands being handled, the
    /// reminder loops' current pass); then the writer stores what is queued and the database
    /// closes. Whatever has not finished in time is left as a crash would leave it.
    pub async fn shutdown(self, grace: std::time::Duration) -> shutdown::Report {
        let started = tokio::time::Instant::now();
        let budget = shutdown::Budget::of(grace);
        let work_left = || budget.work.saturating_sub(started.elapsed());
        // The keeper stops its shards and releases their leases, so that another process can
        // take them over at once; whatever it has not stopped in time stops with the rest.
        let _ = self.keeper.send(Stop::Release);
        let mut task = self.task;
        let _ = tokio::time::timeout(work_left(), &mut task).await;
        let _ = tokio::time::timeout(work_left(), self.shards.shutdown_all()).await;
        let (handlers, reminders) = tokio::join!(
            self.in_flight.idle_within(work_left()),
            self.reminders.shutdown(work_left()),
        );
        if !task.is_finished() && tokio::time::timeout(work_left(), task).await.is_err() {
            tracing::warn!("the gateway client did not end in time");
        }
        // Nothing more is sent (the pacer closes before the database does), and this process
        // deregisters, so the others take over its shards and claims at once.
        self.data.pacer.close();
        if let Some((roster, task)) = self.roster {
            let _ = roster.send(Stop::Release);
            let left = grace.saturating_sub(started.elapsed()).max(budget.close);
            if tokio::time::timeout(left, task).await.is_err() {
                tracing::warn!("the roster did not deregister in time: its registration expires");
            }
        }
        let close_left = grace.saturating_sub(started.elapsed()).max(budget.close);
        let database = tokio::time::timeout(close_left, self.data.db.close())
            .await
            .is_ok();
        shutdown::Report {
            handlers,
            reminders,
            database,
        }
    }
}

/// Connects the bot through `http` (Discord's, or a sandbox's) and registers its commands,
/// in `dev_guild` if given, else globally. Returns once the client is started; the commands
/// are registered when poise's setup runs after READY.
pub async fn start(http: Http, data: Arc<Data>, dev_guild: Option<u64>) -> anyhow::Result<Running> {
    start_with(http, data, dev_guild, LeaseTimes::DEFAULT).await
}

/// [`start`] with the shard leases' times (tests use short ones).
pub async fn start_with(
    http: Http,
    data: Arc<Data>,
    dev_guild: Option<u64>,
    lease: LeaseTimes,
) -> anyhow::Result<Running> {
    start_shared(http, data, dev_guild, lease, crate::roster::Times::DEFAULT).await
}

/// [`start_with`] with the times of the registry of live processes (tests use short ones).
pub async fn start_shared(
    http: Http,
    data: Arc<Data>,
    dev_guild: Option<u64>,
    lease: LeaseTimes,
    registry: crate::roster::Times,
) -> anyhow::Result<Running> {
    let mut cmds = commands::all();
    commands::localize(&mut cmds, &data.texts);
    let for_setup = data.clone();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: cmds,
            on_error: |err| Box::pin(on_error(err)),
            event_handler: |fw, event| {
                Box::pin(async move {
                    if let FullEvent::InteractionCreate { interaction } = event {
                        interactions::on_interaction(
                            fw.serenity_context,
                            fw.user_data,
                            interaction,
                        )
                        .await;
                    }
                    Ok(())
                })
            },
            ..Default::default()
        })
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let cmds = &framework.options().commands;
                match dev_guild {
                    Some(g) => {
                        poise::builtins::register_in_guild(ctx, cmds, GuildId::new(g)).await?;
                    }
                    None => poise::builtins::register_globally(ctx, cmds).await?,
                }
                tracing::info!(commands = cmds.len(), "commands registered");
                Ok(for_setup)
            })
        })
        .build();
    let in_flight = InFlight::default();
    let tracked = Tracked {
        inner: framework,
        in_flight: in_flight.clone(),
    };
    let client = ClientBuilder::new_with_http(http, INTENTS)
        .framework(tracked)
        .await?;
    let shards = client.shard_manager.clone();
    // As many shards as Discord recommends (`GET /gateway/bot`, asked at every start, never
    // kept), each run only by the process that holds its lease (`crate::shards`).
    let bot = client.http.get_bot_gateway().await?;
    let gateway = Gateway {
        shards: bot.shards.max(1),
        max_concurrency: u32::try_from(bot.session_start_limit.max_concurrency)
            .unwrap_or(u32::MAX)
            .max(1),
    };
    let owner = crate::shards::keeper::owner_name();
    // On PostgreSQL this process registers among the live ones (for the shards' shares and
    // the reminders' claims); on SQLite it is the only one.
    let roster = if data.db.is_postgres() {
        let roster = Roster::new(data.clone(), owner.clone(), registry);
        let (stop, stopped) = watch::channel(Stop::No);
        Some((stop, tokio::spawn(roster.run(stopped))))
    } else {
        None
    };
    let quota = Quota::new();
    let owner_of_claims = owner.clone();
    let keeper = Keeper::new(
        data.db.clone(),
        owner,
        shards.clone(),
        gateway,
        lease,
        // SQLite: one process per file (the file lock), so this process is the only one.
        !data.db.is_postgres(),
        quota.clone(),
    )
    .await;
    tracing::info!(
        owner = keeper.owner(),
        shards = gateway.shards,
        "shard keeper started"
    );
    let reminders = crate::jobs::start(data.clone(), client.http.clone(), owner_of_claims);
    let (stop, stopped) = watch::channel(Stop::No);
    let task = tokio::spawn(async move {
        // The client holds what the shards share (the cache, the framework); it lives as long
        // as the keeper that starts and stops them.
        let _client = client;
        keeper.run(stopped).await;
        Ok(())
    });
    Ok(Running {
        shards,
        task,
        data,
        reminders,
        in_flight,
        keeper: stop,
        roster,
        quota,
    })
}

/// The one place errors of commands become replies: the person's error in their language and
/// only to them; ours logged, with a polite apology.
async fn on_error(err: poise::FrameworkError<'_, Arc<Data>, BotError>) {
    match err {
        poise::FrameworkError::Command { error, ctx, .. } => {
            if !error.is_for_user() {
                tracing::error!(error = %error, command = %ctx.command().qualified_name, "command failed");
            }
            let guild = ctx.guild_id().map(|g| g.get());
            let settings = crate::guild::settings_for_reply(ctx.data(), guild).await;
            let tr = Tr::reader(&ctx.data().texts, ctx.locale().unwrap_or("no"), &settings);
            let reply = poise::CreateReply::default()
                .content(explain(&error, tr))
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            if let Err(e) = ctx.send(reply).await {
                tracing::warn!(error = %e, "could not tell the user why");
            }
        }
        poise::FrameworkError::MissingUserPermissions { ctx, .. } => {
            let tr = Tr::new(&ctx.data().texts, ctx.locale().unwrap_or("no"));
            let reply = poise::CreateReply::default()
                .content(tr.t("refusal-admin-only"))
                .ephemeral(true);
            let _ = ctx.send(reply).await;
        }
        poise::FrameworkError::ArgumentParse { ctx, input, .. } => {
            // A value Discord let through that the command cannot take (a page number past
            // any that can exist): said politely, only to the person.
            let tr = Tr::new(&ctx.data().texts, ctx.locale().unwrap_or("no"));
            let input = input.unwrap_or_default();
            let text = tr.args(
                "input-argument-invalid",
                &[("input", crate::i18n::escape(&input).as_str().into())],
            );
            let reply = poise::CreateReply::default()
                .content(crate::i18n::clip(&text, crate::i18n::CONTENT_MAX))
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            if let Err(e) = ctx.send(reply).await {
                tracing::warn!(error = %e, "could not tell the user why");
            }
        }
        poise::FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => {
            // Also what poise reports for a number outside the parameter's type (a page
            // number over 4294967295): the person hears it, politely and only them.
            tracing::warn!(description, command = %ctx.command().qualified_name, "a command's input did not fit");
            let tr = Tr::new(&ctx.data().texts, &ctx.interaction.locale);
            let reply = poise::CreateReply::default()
                .content(tr.t("input-value-invalid"))
                .ephemeral(true);
            if let Err(e) = poise::Context::Application(ctx).send(reply).await {
                tracing::warn!(error = %e, "could not tell the user why");
            }
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
        }
    }
}

/// The `Http` for a token, against Discord or any Discord-compatible server, every request
/// bounded by `timeout` (`LOS_DISCORD_TIMEOUT_SECS`): serenity's own client waits for ever, so
/// one hung request would hold up everything behind it. serenity's rate limiter does not
/// follow a proxy, so with a custom API URL the limiter is off (the server must then answer
/// 429s itself, which serenity retries).
pub fn http_for(
    token: &str,
    api_url: Option<&str>,
    timeout: std::time::Duration,
) -> anyhow::Result<Http> {
    let client = client_builder(timeout).build()?;
    let builder = serenity::HttpBuilder::new(token).client(client);
    Ok(match api_url {
        Some(url) => builder.proxy(url).ratelimiter_disabled(true).build(),
        None => builder.build(),
    })
}

/// The HTTP client the bot talks to Discord's REST API with: rustls, and no request (connect,
/// send, answer) longer than `timeout`. A request that times out is an error like a network
/// failure: a reminder is then sent again later with its nonce.
pub fn client_builder(timeout: std::time::Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(timeout)
        .connect_timeout(timeout.min(std::time::Duration::from_secs(10)))
}

/// Data for a bot with a real database.
pub fn data(db: storage::Db, clock: Arc<dyn flow::Clock>) -> anyhow::Result<Arc<Data>> {
    let (process, texts) = crate::prompts::load()?;
    // On PostgreSQL shared with the bot's other processes through the database; on SQLite
    // (one process per file) the whole limit.
    let pacer = if db.is_postgres() {
        Pacer::shared(db.clone())
    } else {
        Pacer::discord()
    };
    Ok(Arc::new(Data {
        db,
        process,
        texts,
        clock,
        reminders_changed: Arc::new(tokio::sync::Notify::new()),
        reminders_asleep_until: std::sync::atomic::AtomicI64::new(i64::MIN),
        pacer,
        announcing: Default::default(),
        troubled: Default::default(),
    }))
}
