//! The server's one error type, `AppError`, and how each variant answers: a status and the contract's error shape.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hotline_protocol::ErrorBody;

use crate::store::StoreError;

/// Everything a handler or a WebSocket action can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the input is malformed or misses a required field.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: no valid token or session cookie.
    #[error("sign in first: send `Authorization: Bearer <token>` or the session cookie")]
    Unauthenticated,
    /// 401: wrong username or password (the same for both).
    #[error("wrong username or password")]
    InvalidCredentials,
    /// 403: authenticated, but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: unknown id, or an id the caller may not see.
    #[error("{0}")]
    NotFound(String),
    /// 409: conflicts with the current state (already claimed, closed).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 413.
    #[error("{0}")]
    TooLarge(String),
    /// 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed but invalid.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// 429 with `Retry-After` seconds.
    #[error("too many attempts; retry in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    /// 503: a part of the service is not available.
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// Any other refusal with its own status and code (uploads: 413, 415, 422).
    #[error("{message}")]
    Rejected { status: StatusCode, code: &'static str, message: String },
    /// 500: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result with [`AppError`].
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadRequest { code, message: message.into() }
    }

    /// A 422 with `code`.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid { code, message: message.into() }
    }

    /// A 500 from any error; the detail goes to the log only.
    pub fn internal(error: impl std::fmt::Display) -> AppError {
        AppError::Internal(error.to_string())
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Rejected { status, .. } => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::TooLarge(_) => "too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Invalid { code, .. } => code,
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable { code, .. } => code,
            AppError::Rejected { code, .. } => code,
            AppError::Internal(_) => "internal",
        }
    }

    /// The human sentence shown to the caller (never internals).
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "Something went wrong on the server; it has been logged. Try again.".into(),
            other => {
                let mut text = other.to_string();
                if let Some(first) = text.get(0..1) {
                    let upper = first.to_uppercase();
                    text.replace_range(0..1, &upper);
                }
                if !text.ends_with('.') {
                    text.push('.');
                }
                text
            }
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Forbidden(why) => AppError::Forbidden(why),
            StoreError::Conflict { code, message } => AppError::Conflict { code, message },
            StoreError::Invalid { code, message } => AppError::Invalid { code, message },
            StoreError::Sqlite(e) => AppError::Internal(format!("database: {e}")),
            StoreError::Closed => AppError::Unavailable {
                code: "shutting_down",
                message: "the server is shutting down; retry in a moment".into(),
            },
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let body = ErrorBody::new(self.code(), self.public_message());
        let mut response = (status, Json(body)).into_response();
        if let AppError::RateLimited { retry_after_s } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_s.max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
