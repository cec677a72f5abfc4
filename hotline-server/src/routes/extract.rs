//! Body and query extractors whose rejections answer with the contract's error shape instead of axum's text.

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::routes::body::read_limited;

/// Largest JSON body any route accepts.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// A JSON body; malformed JSON, wrong field types and missing fields answer 400, a body over the limit 413,
/// a body that is not `application/json` 415.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, _state: &S) -> Result<ApiJson<T>, AppError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        let bytes = read_limited(request.into_body(), JSON_BODY_LIMIT).await?;
        if !is_json {
            return Err(AppError::UnsupportedMediaType(
                "send the body as JSON with `Content-Type: application/json`".into(),
            ));
        }
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => {
                AppError::bad_request("invalid_body", format!("the body has the wrong shape: {error}"))
            }
            _ => AppError::bad_request("malformed_json", "the body is not valid JSON; check quotes, commas and braces"),
        })
    }
}

/// Query parameters; a wrong type answers 400.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ApiQuery<T>, AppError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> AppError {
    AppError::bad_request("invalid_query", format!("the query string is invalid: {}", rejection.body_text()))
}
