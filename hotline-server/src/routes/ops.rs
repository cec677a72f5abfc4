//! Operations routes: `/healthz` and `/metrics`, and the JSON 404 for unknown paths.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::json;
use std::sync::atomic::Ordering;

use crate::error::{AppError, AppResult};
use crate::metrics::LiveValues;
use crate::state::AppState;
use crate::store::requests;

/// GET /healthz: 200 when the database answers.
pub async fn healthz(State(state): State<AppState>) -> AppResult<Json<serde_json::Value>> {
    state.store.readers.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?)).await?;
    Ok(Json(json!({"status": "ok", "catalogue": state.catalogue.info.version})))
}

/// GET /metrics: Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> AppResult<impl IntoResponse> {
    let queue_waiting = state.store.readers.read(requests::waiting_count).await?;
    let writes = &state.store.writer.stats;
    let live = LiveValues {
        queue_waiting,
        write_transactions: writes.transactions.load(Ordering::Relaxed),
        writes: writes.writes.load(Ordering::Relaxed),
        commit_seconds_total: writes.commit_micros_total.load(Ordering::Relaxed) as f64 / 1e6,
        lagged: state.hub.stats.lagged.load(Ordering::Relaxed),
        dropped_ephemeral: state.hub.stats.dropped_ephemeral.load(Ordering::Relaxed),
    };
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(&live)))
}

/// Any unknown path.
pub async fn not_found() -> AppError {
    AppError::NotFound("no such route; see docs/protocol.md".into())
}
