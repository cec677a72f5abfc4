//! `GET /api/v1/ws`: the upgrade (authenticated, same-origin for browsers, small buffers, bounded frames) and
//! the per-connection loop in [`connection`].

mod actions;
pub mod connection;
pub mod flood;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use futures_util::StreamExt;

use crate::access::Caller;
use crate::error::AppError;
use crate::state::AppState;

/// Whether a browser's `Origin` is this server's own; clients that send no `Origin` are not browsers.
pub fn origin_allowed(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let origin = origin.to_str().unwrap_or_default();
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
}

/// GET /api/v1/ws: authenticates at the upgrade, then runs the connection loop as a tracked task.
pub async fn upgrade(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    if !origin_allowed(&headers) {
        return Err(AppError::Forbidden("WebSocket upgrades from another site's page are refused".into()));
    }
    let limits = &state.config.limits;
    let tasks = state.tasks.clone();
    Ok(upgrade
        .read_buffer_size(limits.ws_buffer_bytes)
        .write_buffer_size(limits.ws_buffer_bytes)
        .max_message_size(limits.ws_hard_message_bytes)
        .max_frame_size(limits.ws_hard_message_bytes)
        .on_upgrade(move |socket| {
            tasks.track_future(async move {
                let (sink, stream) = socket.split();
                connection::run(sink, stream, state, caller).await;
            })
        }))
}
