//! What an operator watches: the process's metrics ([`metrics`]) and, when `LOS_HTTP_ADDR` is
//! set, `/healthz`, `/readyz` and `/metrics` over HTTP ([`http`]). Off by default: the bot
//! needs no open port to work.
//!
//! The metrics are recorded through the `metrics` facade wherever the thing happens (a press
//! handled, a commit made, a reminder sent) and exported by `metrics-exporter-prometheus` in
//! the Prometheus text format. Without a recorder installed (the tests' bots, the demo) the
//! recording calls do nothing.

pub mod http;
pub mod metrics;
