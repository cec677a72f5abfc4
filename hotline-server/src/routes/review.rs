//! Review routes for trainers and admins (`/api/v1/review/...`): the filtered list of closed requests, one
//! request's transcript with annotations, adding an annotation, statistics (the CSV and JSON exports of the list
//! stream from `review_export.rs`, the HTML export of a training case comes from `case_export.rs`).
//! Every route refuses other roles with 403; an id that is not a closed request answers 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hotline_protocol::{
    Annotation, AnnotationEnvelope, NewAnnotation, Request, ReviewDetail, ReviewList, ReviewStats, Role, Verdict,
};
use serde::{Deserialize, Serialize};

use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::routes::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::review::{self, ReviewFilter};

/// Default and largest page of the list.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;
/// Longest annotation note, in characters.
const MAX_NOTE_CHARS: usize = 10_000;

/// The list's, the exports' and the statistics' query string; empty values count as absent (HTML forms).
#[derive(Debug, Default, Deserialize)]
pub struct ReviewParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub verdict: Option<String>,
    pub control: Option<String>,
    pub q: Option<String>,
    pub officer: Option<String>,
    pub expert: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

/// 403 unless the caller is a trainer or an admin.
pub fn require_reviewer(caller: &Caller) -> AppResult<()> {
    match caller.role() {
        Role::Trainer | Role::Admin => Ok(()),
        _ => Err(AppError::Forbidden("review is for trainers and admins".into())),
    }
}

fn present(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

fn date(value: &Option<String>, name: &str) -> AppResult<Option<String>> {
    let Some(text) = present(value) else { return Ok(None) };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(&text, format).map_err(|_| {
        AppError::bad_request("invalid_query", format!("{name} must be a date as YYYY-MM-DD, e.g. 2025-03-01"))
    })?;
    Ok(Some(text))
}

impl ReviewParams {
    /// The validated filter.
    pub fn filter(&self) -> AppResult<ReviewFilter> {
        let verdict = present(&self.verdict);
        if let Some(text) = &verdict {
            serde_json::from_value::<Verdict>(serde_json::Value::String(text.clone())).map_err(|_| {
                AppError::bad_request(
                    "invalid_query",
                    "verdict must be controlled, not_controlled, licence_check or referred",
                )
            })?;
        }
        Ok(ReviewFilter {
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
            verdict,
            control: present(&self.control),
            q: present(&self.q),
            officer: present(&self.officer),
            expert: present(&self.expert),
        })
    }
}

/// GET /api/v1/review/requests?from=&to=&verdict=&control=&q=&officer=&expert=&limit=&offset=: closed requests,
/// newest first, with the number matching.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ReviewParams>,
) -> AppResult<Json<ReviewList>> {
    require_reviewer(&caller)?;
    let filter = params.filter()?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let offset = params.offset.unwrap_or(0);
    let (total, requests) =
        state.store.readers.read(move |conn| review::list(conn, &caller, &filter, limit, offset)).await?;
    Ok(Json(ReviewList { total, requests }))
}

/// GET /api/v1/review/requests/{id}: the request, every event and the annotations.
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Json<ReviewDetail>> {
    require_reviewer(&caller)?;
    Ok(Json(state.store.readers.read(move |conn| review::detail(conn, &caller, &id)).await?))
}

/// POST /api/v1/review/requests/{id}/annotations `{"training_case", "note"}`: 201 with the annotation.
pub async fn annotate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewAnnotation>,
) -> AppResult<Response> {
    require_reviewer(&caller)?;
    if new.note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::invalid("note_too_long", format!("a note may have at most {MAX_NOTE_CHARS} characters")));
    }
    if !new.training_case && new.note.trim().is_empty() {
        return Err(AppError::invalid("empty_annotation", "write a note or mark the request as a training case"));
    }
    let now = state.config.clock.now_rfc3339();
    let annotation =
        state.store.writer.write(move |conn| review::add_annotation(conn, &caller, &id, &new, &now)).await?;
    Ok((StatusCode::CREATED, Json(AnnotationEnvelope { annotation })).into_response())
}

/// One training case of `GET /api/v1/review/cases`.
#[derive(Debug, Serialize)]
pub struct TrainingCase {
    pub request: Request,
    pub annotations: Vec<Annotation>,
}

/// `GET /api/v1/review/cases` answer.
#[derive(Debug, Serialize)]
pub struct TrainingCases {
    pub cases: Vec<TrainingCase>,
}

/// GET /api/v1/review/cases: the requests marked as training cases, newest first, with their annotations.
pub async fn cases(State(state): State<AppState>, caller: Caller) -> AppResult<Json<TrainingCases>> {
    require_reviewer(&caller)?;
    let cases = state.store.readers.read(move |conn| review::training_cases(conn, &caller)).await?;
    Ok(Json(TrainingCases {
        cases: cases.into_iter().map(|(request, annotations)| TrainingCase { request, annotations }).collect(),
    }))
}

/// GET /api/v1/review/stats?from=&to= (and the list's other filters): counts, percentiles, per verdict, control, day.
pub async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ReviewParams>,
) -> AppResult<Json<ReviewStats>> {
    require_reviewer(&caller)?;
    let filter = params.filter()?;
    Ok(Json(state.store.readers.read(move |conn| review::stats(conn, &caller, &filter)).await?))
}
