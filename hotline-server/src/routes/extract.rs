//! Body and query extractors whose rejections answer with the contract's error shape instead of axum's text.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::AppError;

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

    async fn from_request(request: Request, state: &S) -> Result<ApiJson<T>, AppError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge("the request body is too large".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMediaType("send the body as JSON with `Content-Type: application/json`".into())
        }
        _ => match rejection {
            JsonRejection::JsonSyntaxError(_) => {
                AppError::bad_request("malformed_json", "the body is not valid JSON; check quotes, commas and braces")
            }
            JsonRejection::JsonDataError(error) => {
                AppError::bad_request("invalid_body", format!("the body has the wrong shape: {}", error.body_text()))
            }
            other => AppError::bad_request("invalid_body", other.body_text()),
        },
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
