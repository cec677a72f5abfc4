//! Serving a file compiled into the binary: its ETag (304 on a match) and the security headers every embedded
//! web page shares (CSP, nosniff, no referrer, no framing, no-cache so a new version is picked up at once); and
//! the scripts both pages share (`assets/common/`), which each page lists among its own assets.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// `http.js` (`assets/common/`): the REST helper (`api`, `ApiError`) of the expert console and the review pages.
pub const COMMON_HTTP_JS: &str = include_str!("../assets/common/http.js");

/// `sign-in.js` (`assets/common/`): the sign-in form of the expert console and the review pages.
pub const COMMON_SIGN_IN_JS: &str = include_str!("../assets/common/sign-in.js");

/// A strong ETag (a quoted content hash) for an embedded file.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// The response for an embedded file with `etag` under the page's `csp`.
pub fn serve(content_type: &'static str, body: &'static [u8], etag: &str, csp: &'static str, request: &HeaderMap) -> Response {
    let fresh = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == etag);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    // Revalidate every time (cheap: 304 by ETag) so a new server version never runs with a stale module.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    response
}
