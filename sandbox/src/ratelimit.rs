//! Rate limits like Discord's (docs: topics--rate-limits.mdx): per-route buckets kept per
//! top-level resource, and a global limit of requests per second.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
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
    /// Requests that arrived in this window, refused ones included.
    asked: u32,
    started: Instant,
}

/// The limits of one bot token: the sandbox serves one bot, so every connection and every
/// client with its token (several processes of one bot) counts against the one global limit.
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Window>>,
    global: Mutex<Option<Window>>,
    /// The most requests that arrived in one window of the global limit, refused ones included.
    most_global: AtomicU32,
}

fn take(w: &mut Window, limit: u32, window: Duration, now: Instant) -> Result<(u32, f64), f64> {
    if now.duration_since(w.started) >= window {
        w.used = 0;
        w.asked = 0;
        w.started = now;
    }
    w.asked += 1;
    let reset_after = (window.saturating_sub(now.duration_since(w.started))).as_secs_f64();
    if w.used >= limit {
        return Err(reset_after);
    }
    w.used += 1;
    Ok((limit - w.used, reset_after))
}

impl RateLimiter {
    /// The most requests that arrived within one window of the global limit (refused ones
    /// included): over the limit exactly when some were refused for it.
    pub fn most_in_a_global_window(&self) -> u32 {
        self.most_global.load(Ordering::Relaxed)
    }

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
                asked: 0,
                started: now,
            });
            let taken = take(w, config.global_limit, config.global_window, now);
            self.most_global.fetch_max(w.asked, Ordering::Relaxed);
            if let Err(retry_after) = taken {
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
            asked: 0,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_window_counts_every_request_that_arrived_refused_ones_included() {
        // Wide, so that a slow machine does not see the window end between two requests.
        let config = Config {
            global_window: Duration::from_secs(60),
            default_bucket: (1_000, Duration::from_secs(60)),
            ..Config::default()
        };
        let limiter = RateLimiter::default();
        let answers: Vec<bool> = (0..60)
            .map(|i| {
                let major = format!("{}", i % 7);
                limiter
                    .check(&config, "GET /channels/{channel_id}", &major, true)
                    .is_ok()
            })
            .collect();
        assert_eq!(answers.iter().filter(|ok| **ok).count(), 50);
        assert_eq!(limiter.most_in_a_global_window(), 60);
        // Requests outside the global limit (interaction endpoints) are not counted.
        let _ = limiter.check(&config, "POST /webhooks/{id}/{token}", "w", false);
        assert_eq!(limiter.most_in_a_global_window(), 60);
    }
}
