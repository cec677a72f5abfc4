//! The `Caller` extractor: every authenticated route names a `Caller` argument, which reads the Bearer header
//! or the session cookie and looks the token's hash up on a reader connection.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::access::Caller;
use crate::auth::tokens::token_hash;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::sessions;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "hotline_session";

/// The token a request carries: `Authorization: Bearer` first, then the session cookie.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.split_once(' ')?;
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            return Some(token.trim().to_string());
        }
        return None;
    }
    for value in headers.get_all(header::COOKIE) {
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((name, token)) = pair.trim().split_once('=')
                && name == SESSION_COOKIE
                && !token.is_empty()
            {
                return Some(token.to_string());
            }
        }
    }
    None
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, AppError> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        let hash = token_hash(&token);
        let now = state.config.clock.now_unix();
        let user = state.store.readers.read(move |conn| sessions::find_session(conn, &hash, now)).await?;
        user.map(|user| Caller { user }).ok_or(AppError::Unauthenticated)
    }
}
