//! Configuration from the environment (and `.env`): checked once at start, with a clear
//! message for what is missing or malformed. The token is never printed, nor the database's
//! password.

use std::fmt;
use std::time::Duration;

/// The bot token. Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// `DATABASE_URL`: a SQLite path or URL, or a PostgreSQL URL that may carry a password. Its
/// `Debug` shows it as the log does (`storage::Db::loggable_url`: no password, no query).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl std::ops::Deref for DatabaseUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", storage::Db::loggable_url(&self.0))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} is malformed: {why}")]
    Malformed { name: &'static str, why: String },
    /// `DISCORD_TOKEN` is there but empty: a deployment whose secret did not arrive. Only an
    /// absent token means the demo.
    #[error(
        "DISCORD_TOKEN is set but empty: the bot's token did not arrive (check the secret or \
         the .env file). Unset DISCORD_TOKEN to run the demo instead."
    )]
    EmptyToken,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `DISCORD_TOKEN`; without it, `los` runs the demo against the local sandbox.
    pub token: Option<Token>,
    /// `DISCORD_TOKEN` is there but empty (or blank): not the demo, an error where the bot
    /// was to run ([`Config::bot_token`]).
    pub token_empty: bool,
    /// `DATABASE_URL`, default `./data/los.db`.
    pub database_url: DatabaseUrl,
    /// `DISCORD_API_URL`: a Discord-compatible server to use instead of Discord.
    pub api_url: Option<String>,
    /// `LOS_DEV_GUILD`: register commands in this guild only.
    pub dev_guild: Option<u64>,
    /// `RUST_LOG`.
    pub log_filter: String,
    /// `LOS_DISCORD_TIMEOUT_SECS`: the longest any one request to Discord's REST API may take
    /// before it is given up as failed (and, for a reminder, sent again later with its nonce).
    pub discord_timeout: Duration,
    /// `LOS_SHUTDOWN_SECONDS`: how long a stop on SIGTERM or Ctrl-C may take to finish what is
    /// under way (default [`crate::shutdown::DEFAULT_GRACE`]).
    pub shutdown_grace: std::time::Duration,
    /// `LOS_SHARD_LEASE_SECONDS`: how long a process's lease on a gateway shard lasts (6 to
    /// 300, default 30): renewed every third of it, the shard stopped a third before it could
    /// end when it cannot be renewed. A process that dies is replaced within about this time
    /// (plus a renewal period and the IDENTIFY spacing); shorter reacts sooner and writes to
    /// the database more often. Every process of one bot should use the same.
    pub shard_lease: crate::shards::LeaseTimes,
    /// `LOS_HTTP_ADDR`: where `/healthz`, `/readyz` and `/metrics` are served; off when unset.
    pub http_addr: Option<std::net::SocketAddr>,
    /// `LOG_FORMAT`: `text` (default) or `json`, one JSON object per line.
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

pub const DEFAULT_DATABASE: &str = "./data/los.db";
/// Discord answers in well under a second; a request still open after this is hung.
pub const DEFAULT_DISCORD_TIMEOUT: Duration = Duration::from_secs(15);

impl Config {
    /// Reads `.env` (if present) and the environment; the environment wins.
    pub fn from_env() -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let non_empty = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let token_empty = get("DISCORD_TOKEN").is_some() && non_empty("DISCORD_TOKEN").is_none();
        let token = match non_empty("DISCORD_TOKEN") {
            None => None,
            Some(t) if t.contains(char::is_whitespace) || t.len() < 20 => {
                return Err(ConfigError::Malformed {
                    name: "DISCORD_TOKEN",
                    why: "it does not look like a bot token (too short or contains spaces); \
                          copy it again from the developer portal"
                        .into(),
                })
            }
            Some(t) => Some(Token(t)),
        };
        let api_url = match non_empty("DISCORD_API_URL") {
            None => None,
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                Some(u.trim_end_matches('/').to_owned())
            }
            Some(u) => {
                return Err(ConfigError::Malformed {
                    name: "DISCORD_API_URL",
                    why: format!("{u:?} must start with http:// or https://"),
                })
            }
        };
        let dev_guild = match non_empty("LOS_DEV_GUILD") {
            None => None,
            Some(g) => Some(g.parse::<u64>().map_err(|_| ConfigError::Malformed {
                name: "LOS_DEV_GUILD",
                why: format!("{g:?} is not a server id (a number)"),
            })?),
        };
        let discord_timeout = match non_empty("LOS_DISCORD_TIMEOUT_SECS") {
            None => DEFAULT_DISCORD_TIMEOUT,
            Some(t) => match t.parse::<u64>() {
                Ok(secs @ 1..=300) => Duration::from_secs(secs),
                _ => {
                    return Err(ConfigError::Malformed {
                        name: "LOS_DISCORD_TIMEOUT_SECS",
                        why: format!("{t:?} is not a number of seconds from 1 to 300"),
                    })
                }
            },
        };
        let shutdown_grace = match non_empty("LOS_SHUTDOWN_SECONDS") {
            None => crate::shutdown::DEFAULT_GRACE,
            Some(v) => match v.parse::<u64>() {
                Ok(secs @ 1..=600) => std::time::Duration::from_secs(secs),
                _ => {
                    return Err(ConfigError::Malformed {
                        name: "LOS_SHUTDOWN_SECONDS",
                        why: format!("{v:?} is not a number of seconds from 1 to 600"),
                    })
                }
            },
        };
        let shard_lease = match non_empty("LOS_SHARD_LEASE_SECONDS") {
            None => crate::shards::LeaseTimes::DEFAULT,
            Some(v) => match v.parse::<u64>() {
                Ok(secs @ 6..=300) => crate::shards::LeaseTimes::thirds(Duration::from_secs(secs)),
                _ => {
                    return Err(ConfigError::Malformed {
                        name: "LOS_SHARD_LEASE_SECONDS",
                        why: format!("{v:?} is not a number of seconds from 6 to 300"),
                    })
                }
            },
        };
        let http_addr = match non_empty("LOS_HTTP_ADDR") {
            None => None,
            Some(a) => Some(a.parse().map_err(|_| ConfigError::Malformed {
                name: "LOS_HTTP_ADDR",
                why: format!("{a:?} is not an address with a port, such as 127.0.0.1:9100"),
            })?),
        };
        let log_format = match non_empty("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Malformed {
                    name: "LOG_FORMAT",
                    why: format!("{other:?} is neither text nor json"),
                })
            }
        };
        Ok(Config {
            http_addr,
            log_format,
            discord_timeout,
            token,
            token_empty,
            database_url: DatabaseUrl(
                non_empty("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE.into()),
            ),
            api_url,
            dev_guild,
            log_filter: non_empty("RUST_LOG").unwrap_or_else(|| "info,los=debug".into()),
            shutdown_grace,
            shard_lease,
        })
    }
}

impl Config {
    /// The token to run the bot with: `None` when none is set (the demo runs instead), an
    /// error when it is set but empty, so a deployment whose secret did not arrive stops with
    /// a clear message instead of playing the demo.
    pub fn bot_token(&self) -> Result<Option<&Token>, ConfigError> {
        if self.token_empty {
            return Err(ConfigError::EmptyToken);
        }
        Ok(self.token.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_without_anything() {
        let c = config(&[]).unwrap();
        assert!(c.token.is_none());
        assert_eq!(&*c.database_url, DEFAULT_DATABASE);
        assert_eq!(c.api_url, None);
    }

    #[test]
    fn an_empty_token_is_refused_not_taken_for_the_demo() {
        for empty in ["", "   "] {
            let c = config(&[("DISCORD_TOKEN", empty)]).unwrap();
            assert_eq!(c.bot_token().unwrap_err(), ConfigError::EmptyToken);
        }
        let absent = config(&[]).unwrap();
        assert!(absent.bot_token().unwrap().is_none(), "absent: the demo");
    }

    #[test]
    fn the_shutdown_bound_is_read_and_checked() {
        assert_eq!(
            config(&[]).unwrap().shutdown_grace,
            crate::shutdown::DEFAULT_GRACE
        );
        let c = config(&[("LOS_SHUTDOWN_SECONDS", "20")]).unwrap();
        assert_eq!(c.shutdown_grace, std::time::Duration::from_secs(20));
        for bad in ["0", "abc", "601"] {
            let err = config(&[("LOS_SHUTDOWN_SECONDS", bad)]).unwrap_err();
            assert!(err.to_string().starts_with("LOS_SHUTDOWN_SECONDS"), "{err}");
        }
    }

    #[test]
    fn the_shard_lease_is_read_and_checked() {
        use crate::shards::LeaseTimes;
        assert_eq!(config(&[]).unwrap().shard_lease, LeaseTimes::DEFAULT);
        let c = config(&[("LOS_SHARD_LEASE_SECONDS", "6")]).unwrap();
        assert_eq!(c.shard_lease.ttl, Duration::from_secs(6));
        assert_eq!(c.shard_lease.renew_every(), Duration::from_secs(2));
        assert_eq!(c.shard_lease.fence_after(), Duration::from_secs(4));
        for secs in 6..=300 {
            let ttl = Duration::from_secs(secs);
            let taken = config(&[("LOS_SHARD_LEASE_SECONDS", &secs.to_string())])
                .unwrap()
                .shard_lease;
            assert_eq!(Some(taken), LeaseTimes::new(ttl, ttl / 3), "{secs} s works");
        }
        for bad in ["0", "5", "301", "30s"] {
            let err = config(&[("LOS_SHARD_LEASE_SECONDS", bad)]).unwrap_err();
            assert!(
                err.to_string().starts_with("LOS_SHARD_LEASE_SECONDS"),
                "{err}"
            );
        }
    }

    #[test]
    fn the_token_is_never_shown() {
        let c = config(&[("DISCORD_TOKEN", "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret.part")]).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn the_databases_password_is_never_shown() {
        let url = "postgres://los:s3cret@db.example:5432/los?password=hidden";
        let c = config(&[("DATABASE_URL", url)]).unwrap();
        assert_eq!(&*c.database_url, url, "the URL itself is kept whole");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("hidden"),
            "{shown}"
        );
        assert!(shown.contains("db.example:5432/los"), "{shown}");
    }

    #[test]
    fn malformed_values_are_named_without_the_token() {
        let err = config(&[("DISCORD_TOKEN", "short secret")]).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(err.to_string().starts_with("DISCORD_TOKEN"));
        let err = config(&[("DISCORD_API_URL", "127.0.0.1:9")]).unwrap_err();
        assert!(err.to_string().starts_with("DISCORD_API_URL"));
        let err = config(&[("LOS_DEV_GUILD", "abc")]).unwrap_err();
        assert!(err.to_string().starts_with("LOS_DEV_GUILD"));
        for bad in ["0", "abc", "301", "-5"] {
            let err = config(&[("LOS_DISCORD_TIMEOUT_SECS", bad)]).unwrap_err();
            assert!(
                err.to_string().starts_with("LOS_DISCORD_TIMEOUT_SECS"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_probe_address_and_log_format_are_read_and_checked() {
        let c = config(&[]).unwrap();
        assert_eq!((c.http_addr, c.log_format), (None, LogFormat::Text));
        let c = config(&[("LOS_HTTP_ADDR", "127.0.0.1:9100"), ("LOG_FORMAT", "json")]).unwrap();
        assert_eq!(c.http_addr, Some("127.0.0.1:9100".parse().unwrap()));
        assert_eq!(c.log_format, LogFormat::Json);
        let err = config(&[("LOS_HTTP_ADDR", "9100")]).unwrap_err();
        assert!(err.to_string().starts_with("LOS_HTTP_ADDR"), "{err}");
        let err = config(&[("LOG_FORMAT", "yaml")]).unwrap_err();
        assert!(err.to_string().starts_with("LOG_FORMAT"), "{err}");
    }

    #[test]
    fn every_request_to_discord_has_a_timeout() {
        assert_eq!(
            config(&[]).unwrap().discord_timeout,
            DEFAULT_DISCORD_TIMEOUT
        );
        let c = config(&[("LOS_DISCORD_TIMEOUT_SECS", "40")]).unwrap();
        assert_eq!(c.discord_timeout, Duration::from_secs(40));
    }
}
