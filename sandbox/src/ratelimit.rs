//! Rate limits like Discord's (docs: topics--rate-limits.mdx): per-route buckets kept per
//! top-level resource, and a global limit of requests per second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::world::Config;

/// The headers of one reply.
#[derive(Debug, Clone)]
pub struct Headers {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the bucket resets.
    pub reset_after: f64,
    pub bucket: String,
}

impl Headers {
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        // Rounded up to the millisecond, so a client that waits for it never comes early.
        let reset_after = (self.reset_after * 1000.0).ceil() / 1000.0;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let reset = ((now + reset_after) * 1000.0).ceil() / 1000.0;
        vec![
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-reset", format!("{reset:.3}")),
            ("x-ratelimit-reset-after", format!("{reset_after:.3}")),
            ("x-ratelimit-bucket", self.bucket.clone()),
        ]
    }
}

/// Why a request was refused.
#[derive(Debug, Clone)]
pub struct Limited {
    pub retry_after: f64,
    pub global: bool,
    pub headers: Headers,
}

struct Window {
    used: u32,
    started: Instant,
}

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Window>>,
    global: Mutex<Option<Window>>,
}

fn take(w: &mut Window, limit: u32, window: Duration, now: Instant) -> Result<(u32, f64), f64> {
    if now.duration_since(w.started) >= window {
        w.used = 0;
        w.started = now;
    }
    let reset_after = (window.saturating_sub(now.duration_since(w.started))).as_secs_f64();
    if w.used >= limit {
        return Err(reset_after);
    }
    w.used += 1;
    Ok((limit - w.used, reset_after))
}

impl RateLimiter {
    /// Counts one request on `route` (`METHOD /template`) for resource `major`.
    ///
    /// `global`: counts against the global limit (interaction endpoints do not).
    pub fn check(
        &self,
        config: &Config,
        route: &str,
        major: &str,
        global: bool,
    ) -> Result<Headers, Limited> {
        let now = Instant::now();
        let (limit, window) = config
            .buckets
            .get(route)
            .copied()
            .unwrap_or(config.default_bucket);
        let bucket = format!("{:016x}", fnv(route));
        let key = format!("{route}|{major}");
        if global {
            let mut g = self.global.lock().unwrap_or_else(|e| e.into_inner());
            let w = g.get_or_insert(Window {
                used: 0,
                started: now,
            });
            if let Err(retry_after) = take(w, config.global_limit, config.global_window, now) {
                let headers = Headers {
                    limit,
                    remaining: 0,
                    reset_after: retry_after,
                    bucket,
                };
                return Err(Limited {
                    retry_after,
                    global: true,
                    headers,
                });
            }
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let w = buckets.entry(key).or_insert(Window {
            used: 0,
            started: now,
        });
        match take(w, limit, window, now) {
            Ok((remaining, reset_after)) => Ok(Headers {
                limit,
                remaining,
                reset_after,
                bucket,
            }),
            Err(retry_after) => Err(Limited {
                retry_after,
                global: false,
                headers: Headers {
                    limit,
                    remaining: 0,
                    reset_after: retry_after,
                    bucket,
                },
            }),
        }
    }
}

/// A stable bucket hash (FNV-1a), standing in for Discord's opaque bucket id.
fn fnv(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    h.write(s.as_bytes());
    h.finish()
}
