//! `hotline-server`: the Border Hotline server as a library. `main.rs` only parses the command line
//! ([`cli`]) and calls [`run`]; tests drive [`app`] or [`run`] directly.
//!
//! Code map: [`routes`] (REST), [`ws`] (WebSocket loop), [`hub`] (realtime fan-out), [`hotline`] (operations
//! shared by both), [`store`] (SQLite: one writer thread, reader pool), [`access`] (who may do what),
//! [`auth`] (passwords, tokens, rate limits), [`catalogue`] (index and bundle), [`metrics`], [`config`].

pub mod access;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod demo;
pub mod embedded;
pub mod error;
pub mod hotline;
pub mod http_server;
pub mod hub;
pub mod media;
pub mod metrics;
pub mod review_pages;
pub mod routes;
pub mod state;
pub mod store;
pub mod views;
pub mod ws;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use config::{Config, Limits};
pub use error::{AppError, AppResult};
pub use state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP application: `/api/v1` REST and WebSocket, `/healthz`, `/metrics`.
pub fn app(state: AppState) -> Router {
    let compressed = Router::new()
        .nest("/api/v1", routes::api_routes())
        .route("/healthz", get(routes::ops::healthz))
        .route("/metrics", get(routes::ops::metrics))
        .merge(console::SITE.routes())
        .merge(review_pages::SITE.routes())
        .fallback(routes::ops::not_found)
        .layer(CompressionLayer::new());
    Router::new()
        .route("/api/v1/ws", get(ws::upgrade))
        .merge(compressed)
        .layer(middleware::from_fn_with_state(state.clone(), track_latency))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("http", method = %request.method(), path = %request.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
        .with_state(state)
}

async fn track_latency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.http_requests.fetch_add(1, Ordering::Relaxed);
    state.metrics.http_latency.observe(started.elapsed());
    response
}

/// Opens the store, builds (or reuses) the catalogue, creates demo users: everything before serving.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)?;
    std::fs::create_dir_all(config.attachments_dir())?;
    let db_path = store::database_path(&config.data_dir);
    let store = tokio::task::spawn_blocking(move || store::Store::open(&db_path)).await??;
    let (data_dir, imports) = (config.data_dir.clone(), config.imports.clone());
    let catalogue = tokio::task::spawn_blocking(move || catalogue::prepare_blocking(&data_dir, &imports)).await??;
    if config.demo {
        demo::ensure_demo_users(&store, &config.data_dir, &config.clock).await?;
    }
    let pseudonym_key = Arc::new(store.readers.read(store::review::pseudonym_key).await?);
    let limits = &config.limits;
    let login_limiter =
        auth::LoginLimiter::new(limits.login_failures_per_user, limits.login_failures_per_address, limits.login_window);
    Ok(AppState {
        config: Arc::new(config),
        store,
        hub: Arc::new(hub::Hub::default()),
        catalogue: Arc::new(catalogue),
        login_limiter: Arc::new(login_limiter),
        metrics: Arc::new(metrics::Metrics::default()),
        shutdown: CancellationToken::new(),
        tasks: TaskTracker::new(),
        media_permits: Arc::new(tokio::sync::Semaphore::new(2)),
        pseudonym_key,
    })
}

/// Serves `state` on `listener` until `shutdown` resolves; then stops accepting, closes WebSockets with
/// 1001 (going away), waits up to `limits.shutdown_grace` for HTTP responses in flight, lets queued writes
/// commit, and returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let token = state.shutdown.clone();
    {
        let token = token.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = shutdown => {}
                _ = token.cancelled() => {}
            }
            tracing::info!("shutting down");
            token.cancel();
        });
    }
    let limits = &state.config.limits;
    let (header_read_timeout, grace) = (limits.header_read_timeout, limits.shutdown_grace);
    let busy = http_server::serve(
        listener,
        app(state.clone()),
        state.metrics.clone(),
        token.clone(),
        header_read_timeout,
        grace,
    )
    .await;
    if busy > 0 {
        // Their tasks end with the runtime; what they had committed stays committed.
        tracing::warn!(
            connections = busy,
            grace_s = grace.as_secs(),
            "HTTP connections still busy after the shutdown grace period; dropping them"
        );
    }
    token.cancel();
    state.tasks.close();
    state.tasks.wait().await;
    let writer = state.store.writer.clone();
    tokio::task::spawn_blocking(move || writer.stop_blocking()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// [`prepare`] then [`serve`].
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = prepare(config).await?;
    serve(listener, state, shutdown).await
}
