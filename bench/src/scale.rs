//! The real process: the release binary `los run` as a child, pointed at the sandbox with
//! `DISCORD_API_URL`, timed from spawn to its commands being registered, and its resident
//! memory read from `/proc/PID/status`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use sandbox::Sandbox;

/// The `los` binary next to this one (`cargo build --release -p los` puts it there).
pub fn los_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let los = me.with_file_name("los");
    if !los.exists() {
        bail!(
            "{} is missing: build it first (cargo build --release -p los)",
            los.display()
        );
    }
    Ok(los)
}

/// A `los run` child process, killed when dropped.
pub struct Bot {
    child: Child,
    /// From spawning the process to the sandbox having its commands.
    pub startup: Duration,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bot {
    pub async fn start(sb: &Sandbox, database: &Path) -> anyhow::Result<Bot> {
        let w = sb.world();
        let started = Instant::now();
        let child = Command::new(los_binary()?)
            .arg("run")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DISCORD_TOKEN", &w.token)
            .env("DISCORD_API_URL", sb.http_url())
            .env("DATABASE_URL", database)
            .env("LOS_DEV_GUILD", w.guild_id.to_string())
            .env("RUST_LOG", "warn")
            .current_dir(database.parent().unwrap_or(Path::new(".")))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting los run")?;
        let mut bot = Bot {
            child,
            startup: Duration::ZERO,
        };
        sb.wait_for_commands_registered().await?;
        bot.startup = started.elapsed();
        Ok(bot)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now and at its peak (VmRSS, VmHWM), in bytes.
    pub fn memory(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| -> anyhow::Result<u64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .with_context(|| format!("no {name} in /proc/PID/status"))?;
            let kb: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .with_context(|| format!("unreadable {line:?}"))?;
            Ok(kb * 1024)
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }
}
