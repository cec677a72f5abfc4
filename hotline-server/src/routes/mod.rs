//! The REST routes of `/api/v1` (see docs/protocol.md), one module per area.

pub mod attachments;
pub mod auth;
pub mod body;
pub mod case_export;
pub mod catalogue;
pub mod extract;
pub mod ops;
pub mod requests;
pub mod review;
pub mod review_export;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

/// Every `/api/v1` REST route except the WebSocket.
pub fn api_routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/requests/{id}/attachments", post(attachments::upload))
        .layer(DefaultBodyLimit::max(attachments::MAX_UPLOAD_BODY));
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/search", get(catalogue::search))
        .route("/entries/{id}", get(catalogue::entry))
        .route("/catalogue", get(catalogue::info))
        .route("/catalogue/bundle", get(catalogue::bundle))
        .route("/screen", get(catalogue::screen))
        .route("/requests", post(requests::create).get(requests::list))
        .route("/requests/{id}", get(requests::get))
        .route("/requests/{id}/events", get(requests::events))
        .route("/attachments/{id}", get(attachments::photo))
        .route("/attachments/{id}/thumb", get(attachments::thumbnail))
        .route("/review/requests", get(review::list))
        .route("/review/requests/{id}", get(review::detail))
        .route("/review/requests/{id}/annotations", post(review::annotate))
        .route("/review/requests/{id}/export.html", get(case_export::export_html))
        .route("/review/cases", get(review::cases))
        .route("/review/stats", get(review::stats))
        .route("/review/export.csv", get(review_export::export_csv))
        .route("/review/export.json", get(review_export::export_json))
        .layer(DefaultBodyLimit::max(extract::JSON_BODY_LIMIT))
        .merge(uploads)
}
