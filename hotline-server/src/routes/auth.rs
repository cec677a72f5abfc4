//! Login, logout and `me`.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hotline_protocol::{LoginRequest, LoginResponse, User};

use crate::access::Caller;
use crate::auth::tokens::{new_token, token_hash};
use crate::auth::{SESSION_COOKIE, password, session_token};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::routes::extract::ApiJson;
use crate::state::AppState;
use crate::store::{sessions, users};

/// POST /api/v1/auth/login: checks the password (argon2id, off the runtime) and opens a session.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    if body.username.is_empty() || body.username.len() > 128 || body.password.len() > 1024 {
        return Err(AppError::InvalidCredentials);
    }
    let address = address.ip().to_string();
    if let Some(retry_after_s) = state.login_limiter.check(&body.username, &address) {
        state.metrics.logins_limited.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(address = %address, "login rate limited");
        return Err(AppError::RateLimited { retry_after_s });
    }
    let username = body.username.clone();
    let found = state.store.readers.read(move |conn| users::find_login(conn, &username)).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matches = password::verify(hash, body.password).await?;
    let Some(user) = user.filter(|_| matches) else {
        state.login_limiter.record_failure(&body.username, &address);
        state.metrics.logins_failed.fetch_add(1, Ordering::Relaxed);
        return Err(AppError::InvalidCredentials);
    };
    let token = new_token();
    let ttl = state.config.limits.session_ttl.as_secs() as i64;
    let at = state.config.clock.now();
    let expires_at = at.unix_timestamp() + ttl;
    let (hash, user_id, now) = (token_hash(&token), user.id.clone(), clock::rfc3339(at));
    state.store.writer.write(move |conn| sessions::insert_session(conn, &hash, &user_id, &now, expires_at)).await?;
    state.metrics.logins_ok.fetch_add(1, Ordering::Relaxed);
    tracing::info!(user_id = %user.id, "login");
    let cookie = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={ttl}");
    let body = LoginResponse { token, expires_at: clock::unix_to_rfc3339(expires_at), user };
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// POST /api/v1/auth/logout: revokes the caller's token and clears the cookie.
pub async fn logout(State(state): State<AppState>, _caller: Caller, headers: HeaderMap) -> AppResult<Response> {
    let token = session_token(&headers).ok_or(AppError::Unauthenticated)?;
    let hash = token_hash(&token);
    let now = state.config.clock.now_unix();
    state.store.writer.write(move |conn| sessions::delete_session(conn, &hash, now)).await?;
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// GET /api/v1/me: the caller.
pub async fn me(caller: Caller) -> Json<User> {
    Json(caller.user)
}
