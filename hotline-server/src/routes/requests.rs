//! Hotline request routes: create (idempotent), list, get, and the timeline's events page by page.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hotline_protocol::{EventList, NewRequest, RequestEnvelope, RequestList, RequestStatus};
use serde::Deserialize;

use crate::access::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::hotline;
use crate::routes::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{events, requests};
use crate::views;

/// POST /api/v1/requests: 201 with the new request, or 200 with the one this `client_request_id` made before.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewRequest>,
) -> AppResult<Response> {
    let created = hotline::create_request(&state, caller, new).await?;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(RequestEnvelope { request: created.request })).into_response())
}

/// Query of `GET /api/v1/requests`.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    status: Option<String>,
}

/// GET /api/v1/requests?status=: the caller's visible requests, newest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Json<RequestList>> {
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Some(
            RequestStatus::parse(text)
                .ok_or_else(|| AppError::bad_request("invalid_query", "status must be waiting, claimed or closed"))?,
        ),
        None => None,
    };
    let viewer = caller.clone();
    let list = state.store.readers.read(move |conn| requests::list_requests(conn, &caller, status)).await?;
    Ok(Json(RequestList {
        requests: list.into_iter().map(|r| views::request_for(&viewer, &state.pseudonym_key, r)).collect(),
    }))
}

/// GET /api/v1/requests/{id}.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Json<RequestEnvelope>> {
    let viewer = caller.clone();
    let request = state.store.readers.read(move |conn| requests::visible_request(conn, &caller, &id)).await?;
    Ok(Json(RequestEnvelope { request: views::request_for(&viewer, &state.pseudonym_key, request) }))
}

/// Query of the events route.
#[derive(Debug, Deserialize)]
pub struct EventParams {
    after_seq: Option<u64>,
    limit: Option<u32>,
}

/// GET /api/v1/requests/{id}/events?after_seq=&limit=: events in seq order (limit 100 by default, 1,000 at most).
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<EventParams>,
) -> AppResult<Json<EventList>> {
    let after_seq = params.after_seq.unwrap_or(0);
    let limit = params.limit.unwrap_or(100).clamp(1, events::MAX_PAGE);
    let viewer = caller.clone();
    let list = state
        .store
        .readers
        .read(move |conn| {
            let facts = requests::load_facts(conn, &id)?.ok_or_else(access::not_found)?;
            access::require_visible(&caller, &facts)?;
            events::load_events(conn, &id, after_seq, limit)
        })
        .await?;
    Ok(Json(EventList {
        events: list.into_iter().map(|e| views::event_for(&viewer, &state.pseudonym_key, e)).collect(),
    }))
}
