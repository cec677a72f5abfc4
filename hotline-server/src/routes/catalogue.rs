//! Catalogue routes: search, one entry, catalogue info and the offline bundle (strong ETag, 304), and the
//! screening placeholder.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hotline_index::{Kind, MAX_LIMIT, SearchRequest};
use hotline_protocol::{CatalogueInfo, ScreeningResult, SearchHit, SearchResult};
use serde::Deserialize;

use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;

/// Query of `GET /api/v1/search`.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
    kind: Option<String>,
    category: Option<String>,
}

/// GET /api/v1/search?q=&limit=&kind=&category=: the catalogue search (blocking work, on the blocking pool).
pub async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> AppResult<Json<SearchResult>> {
    let query = params.q.unwrap_or_default();
    if query.trim().is_empty() {
        return Err(AppError::bad_request("missing_query", "give the words to search for as ?q=..."));
    }
    if query.len() > 500 {
        return Err(AppError::invalid("too_long", "the query may have at most 500 bytes"));
    }
    let kind = match params.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(text) => Some(
            Kind::parse(text)
                .ok_or_else(|| AppError::bad_request("invalid_query", "kind must be control, guide or hs"))?,
        ),
        None => None,
    };
    let request = SearchRequest {
        query,
        limit: params.limit.unwrap_or(10).clamp(1, MAX_LIMIT),
        kind,
        category: params.category.filter(|c| !c.is_empty()),
    };
    let catalogue = state.catalogue.clone();
    let results = tokio::task::spawn_blocking(move || catalogue.index.search(&request))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| match e {
            hotline_index::Error::BadQuery(message) => AppError::bad_request("invalid_query", message),
            other => AppError::internal(other),
        })?;
    Ok(Json(SearchResult {
        query: results.query,
        total: results.total as u64,
        took_us: results.took_us,
        hits: results
            .hits
            .into_iter()
            .map(|hit| SearchHit {
                id: hit.id,
                kind: hit.kind.as_str().to_string(),
                title: hit.title,
                code: hit.code,
                controls: hit.controls,
                hs: hit.hs,
                score: hit.score,
                snippet: hit.snippet,
            })
            .collect(),
    }))
}

/// GET /api/v1/entries/{id}: one catalogue entry, whole.
pub async fn entry(State(state): State<AppState>, _caller: Caller, Path(id): Path<String>) -> AppResult<Response> {
    let catalogue = state.catalogue.clone();
    let lookup = id.clone();
    let found = tokio::task::spawn_blocking(move || catalogue.index.entry(&lookup))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    match found {
        Some(entry) => Ok(Json(entry).into_response()),
        None => Err(AppError::NotFound(format!("no catalogue entry {id:?}; search for it with /api/v1/search"))),
    }
}

/// GET /api/v1/catalogue: version, build time, size and checksum of the bundle.
pub async fn info(State(state): State<AppState>, _caller: Caller) -> Json<CatalogueInfo> {
    Json(state.catalogue.info.clone())
}

/// GET /api/v1/catalogue/bundle: the offline bundle, with a strong ETag; `If-None-Match` answers 304.
pub async fn bundle(State(state): State<AppState>, _caller: Caller, headers: HeaderMap) -> AppResult<Response> {
    let etag = format!("\"{}\"", state.catalogue.info.version);
    let etag_value = HeaderValue::from_str(&etag).map_err(AppError::internal)?;
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*");
    let cache = HeaderValue::from_static("no-cache");
    if matches {
        return Ok(
            (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)]).into_response()
        );
    }
    Ok((
        [
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
            (header::CONTENT_TYPE, HeaderValue::from_static("application/x-tar")),
        ],
        state.catalogue.bundle.clone(),
    )
        .into_response())
}

/// Query of `GET /api/v1/screen`.
#[derive(Debug, Deserialize)]
pub struct ScreenParams {
    name: Option<String>,
    limit: Option<usize>,
}

/// GET /api/v1/screen?name=...&limit=5: a party name against the denied-party lists (any signed-in role).
/// 503 when the server was started without `--import csl-json:PATH`.
pub async fn screen(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<ScreenParams>,
) -> AppResult<Json<ScreeningResult>> {
    let name = params.name.unwrap_or_default();
    if name.trim().is_empty() {
        return Err(AppError::bad_request("missing_query", "give the party name to screen as ?name=..."));
    }
    if name.len() > 300 {
        return Err(AppError::invalid("too_long", "a party name may have at most 300 bytes"));
    }
    let limit = params.limit.unwrap_or(5).clamp(1, 50);
    let catalogue = state.catalogue.clone();
    let result = tokio::task::spawn_blocking(move || catalogue.screening_result(&name, limit))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    result.map(Json).ok_or_else(|| AppError::Unavailable {
        code: "screening_unavailable",
        message: "this server has no denied-party lists: start it with --import csl-json:PATH, or screen offline with `field screen`".into(),
    })
}
