//! `los`: the Discord bot that pilots hiring managers through the recruitment process.
//! `main.rs` only calls [`main_entry`]; the application lives here.

pub mod app;
pub mod attach;
pub mod authz;
pub mod change;
pub mod commands;
pub mod config;
pub mod custom_id;
#[cfg(feature = "demo")]
pub mod demo;
#[cfg(feature = "demo")]
pub mod demo_journey;
#[cfg(feature = "demo")]
pub mod demo_pictures;
pub mod errors;
pub mod guild;
#[cfg(feature = "demo")]
pub mod harness;
pub mod i18n;
pub mod interactions;
pub mod jobs;
pub mod ops;
pub mod pace;
pub mod prompts;
pub mod publish;
pub mod render;
pub mod roster;
pub mod shards;
pub mod shutdown;
pub mod types;
pub mod wake;

use std::process::ExitCode;
use std::sync::Arc;

use config::Config;

const USAGE: &str = "\
los — the recruitment pilot

USAGE:
    los            run the bot (with no DISCORD_TOKEN: the demo against the local sandbox)
    los run        run the bot; needs DISCORD_TOKEN
    los demo       play one whole recruitment case against the local Discord sandbox
    los backup PATH
                   write a consistent copy of the database to PATH while the bot runs
    los help       this text

Configuration: environment variables or .env, see .env.example.";

/// The command line: `los [run|demo|backup PATH|help]`.
pub async fn main_entry() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("los: {e}");
            return ExitCode::from(2);
        }
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Where the token decides (`los`, `los run`), one that is set but empty is an error, never
    // the demo: a deployment whose secret did not arrive must not look like it is running.
    if matches!(args.as_slice(), [] | ["run"]) {
        if let Err(e) = config.bot_token() {
            eprintln!("los: {e}");
            return ExitCode::from(2);
        }
    }
    init_tracing(
        &config,
        args.first() == Some(&"demo") || config.token.is_none(),
    );
    let result = match args.as_slice() {
        [] if config.token.is_none() => {
            println!(
                "Ingen DISCORD_TOKEN er satt: kjører demoen mot den lokale Discord-sandkassen.\n"
            );
            play_demo().await
        }
        [] | ["run"] => run(config).await,
        ["demo"] => play_demo().await,
        ["backup", path] => backup(&config, path).await,
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("los: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The demo against the local Discord sandbox, in a build that has it (the `demo` feature, on
/// by default).
#[cfg(feature = "demo")]
async fn play_demo() -> anyhow::Result<()> {
    demo::run(&mut std::io::stdout()).await
}

/// A deployment build (`--no-default-features`) has no sandbox and so no demo.
#[cfg(not(feature = "demo"))]
async fn play_demo() -> anyhow::Result<()> {
    anyhow::bail!(
        "this build has no demo (built without the `demo` feature): set DISCORD_TOKEN to run the bot"
    )
}

fn init_tracing(config: &Config, quiet: bool) {
    // The demo prints a transcript: only warnings go to the log there.
    let filter = if quiet {
        "warn"
    } else {
        config.log_filter.as_str()
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        config::LogFormat::Text => builder.try_init(),
        // One JSON object per line, for a log collector.
        config::LogFormat::Json => builder.json().try_init(),
    };
}

/// Runs the bot against Discord (or `DISCORD_API_URL`) until SIGTERM or Ctrl-C, then stops
/// gracefully within `LOS_SHUTDOWN_SECONDS` ([`shutdown`]) and returns `Ok`: the process
/// exits 0, as a service manager expects of a requested stop.
async fn run(config: Config) -> anyhow::Result<()> {
    let Some(token) = config.token.clone() else {
        anyhow::bail!("DISCORD_TOKEN is not set (see .env.example); `los demo` runs without it");
    };
    // Listening before anything starts: a SIGTERM from here on is a graceful stop.
    let mut signals = shutdown::Signals::listen()?;
    // Recording from the start, so nothing before the server is up is missed.
    let metrics = match config.http_addr {
        Some(_) => Some(ops::metrics::install()?),
        None => None,
    };
    // One process per SQLite file, held until the process ends: a second one would send
    // every reminder twice. PostgreSQL is shared by several processes (shard leases and fenced
    // claims keep them apart), so it takes no lock.
    let _lock = if storage::Db::is_postgres_url(&config.database_url) {
        None
    } else {
        storage::ProcessLock::acquire(&config.database_url)?
    };
    let db = storage::Db::open_any(&config.database_url).await?;
    tracing::info!(
        database = %storage::Db::loggable_url(&config.database_url),
        "database open, migrations run"
    );
    let data = app::data(db, Arc::new(flow::SystemClock))?;
    let http = app::http_for(
        token.expose(),
        config.api_url.as_deref(),
        config.discord_timeout,
    )?;
    let mut running = app::start_with(http, data, config.dev_guild, config.shard_lease).await?;
    let _probes = match (config.http_addr, metrics) {
        (Some(addr), Some(metrics)) => {
            let probe = ops::http::Probe {
                data: running.data.clone(),
                shards: running.shards.clone(),
                quota: running.quota.clone(),
                loops: running.reminders.liveness(),
                metrics,
            };
            let (bound, task) = ops::http::serve(addr, probe).await?;
            tracing::info!(addr = %bound, "serving /healthz, /readyz and /metrics");
            Some(task)
        }
        _ => None,
    };
    tracing::info!("connecting to Discord");
    let ended = tokio::select! {
        signal = signals.next() => Ok(signal),
        ended = &mut running.task => Err(ended),
    };
    match ended {
        Ok(signal) => {
            let grace = config.shutdown_grace;
            tracing::info!(signal, grace_secs = grace.as_secs(), "stopping");
            let report = running.shutdown(grace).await;
            if report.complete() {
                tracing::info!("stopped: everything under way finished and is stored");
            } else {
                tracing::warn!(
                    ?report,
                    "stopped at the time limit: what was unfinished is sent at the next start"
                );
            }
            Ok(())
        }
        Err(ended) => {
            // The client ended by itself: stop the rest as gracefully, then say why.
            let data = running.data.clone();
            running.reminders.shutdown(config.shutdown_grace).await;
            data.db.close().await;
            match ended {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e.into()),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// Never migrates: the live file stays at its schema version, so an older binary running on
/// it (or started on it after) is not refused.
async fn backup(config: &Config, path: &str) -> anyhow::Result<()> {
    if storage::Db::is_postgres_url(&config.database_url) {
        anyhow::bail!(
            "`los backup` copies a SQLite file; {} is PostgreSQL: back it up with the server's \
             own tools (pg_dump, or the managed service's backups)",
            storage::Db::loggable_url(&config.database_url)
        );
    }
    storage::backup_file(&config.database_url, std::path::Path::new(path)).await?;
    println!("Sikkerhetskopi skrevet til {path}");
    Ok(())
}
