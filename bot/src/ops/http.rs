//! `LOS_HTTP_ADDR`: the probes a service manager or Kubernetes asks, and the scrape.
//!
//! - `/healthz`: 200 while the process runs and answers (liveness: restart it if this fails).
//! - `/readyz`: 200 when the database answers, this process runs its share of the shards
//!   (`crate::shards::share`; a standby whose share is none runs none) and every one of them is
//!   connected, and both reminder loops run; else 503. The body says which check failed, as
//!   JSON.
//! - `/metrics`: [`super::metrics`] in the Prometheus text format.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serenity::all::{ConnectionStage, ShardManager};
use tokio::task::JoinHandle;

use crate::jobs::Liveness;
use crate::shards::Quota;
use crate::types::Data;

/// The longest `/readyz` waits for the database before calling it unreachable.
const DB_CHECK: Duration = Duration::from_secs(2);

/// What the probes look at.
#[derive(Clone)]
pub struct Probe {
    pub data: Arc<Data>,
    pub shards: Arc<ShardManager>,
    pub quota: Quota,
    pub loops: Liveness,
    pub metrics: PrometheusHandle,
}

/// The answer of `/readyz`.
#[derive(Debug, serde::Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub database: bool,
    pub shards_owned: usize,
    pub shards_connected: usize,
    /// This process's share of the shards (`None` before the keeper's first look).
    pub shards_share: Option<u32>,
    pub reminder_loops: bool,
}

impl Probe {
    /// Looks at everything `/readyz` reports (and updates the shard gauges on the way).
    pub async fn readiness(&self) -> Readiness {
        let database = matches!(
            tokio::time::timeout(DB_CHECK, self.data.db.ping()).await,
            Ok(Ok(()))
        );
        let (shards_owned, shards_connected) = self.shards().await;
        let reminder_loops = self.loops.all_running();
        let shards_share = self.quota.get();
        let runs_its_share = shards_share
            .is_some_and(|share| usize::try_from(share).is_ok_and(|s| shards_owned >= s));
        Readiness {
            ready: database && runs_its_share && shards_connected == shards_owned && reminder_loops,
            database,
            shards_owned,
            shards_connected,
            shards_share,
            reminder_loops,
        }
    }

    async fn shards(&self) -> (usize, usize) {
        let runners = self.shards.runners.lock().await;
        let owned = runners.len();
        let connected = runners
            .values()
            .filter(|r| r.stage == ConnectionStage::Connected)
            .count();
        super::metrics::shards(owned, connected);
        (owned, connected)
    }
}

/// Binds `addr` and serves the probes until the process ends. Fails at once if the address
/// cannot be bound (a mistyped or taken port is an error at start, not a silent absence).
pub async fn serve(addr: SocketAddr, probe: Probe) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("LOS_HTTP_ADDR {addr}: {e}"))?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(probe);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the health and metrics server stopped");
        }
    });
    Ok((bound, task))
}

async fn readyz(State(probe): State<Probe>) -> impl IntoResponse {
    let r = probe.readiness().await;
    let status = if r.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(r))
}

async fn metrics(State(probe): State<Probe>) -> impl IntoResponse {
    probe.shards().await;
    probe.metrics.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        probe.metrics.render(),
    )
}
