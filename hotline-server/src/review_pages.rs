//! The trainer review pages at `/review`: one HTML page, its stylesheet and ES modules (`review.js` and the two it
//! shares with the expert console, `assets/common/`), embedded in the binary (`include_str!`), served the way the
//! expert console is (see `console.rs`): a strict Content-Security-Policy (no inline script or style, no other
//! origin), `nosniff`, `no-referrer`, no framing, revalidated by ETag.
//!
//! The page signs in with `POST /api/v1/auth/login` (HttpOnly session cookie) and reads only the review REST API
//! (`/api/v1/review/...`); charts are SVG built in the page's own script. See docs/review.md.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::AppError;
use crate::state::AppState;

/// The policy of every review page answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

/// The page itself, served at `/review` and `/review/`.
const INDEX: Asset = Asset { name: "index.html", content_type: "text/html; charset=utf-8", body: include_str!("../assets/review/index.html") };

/// Everything under `/review/assets/`.
const ASSETS: [Asset; 4] = [
    Asset { name: "review.css", content_type: "text/css; charset=utf-8", body: include_str!("../assets/review/review.css") },
    Asset { name: "review.js", content_type: "text/javascript; charset=utf-8", body: include_str!("../assets/review/review.js") },
    // Shared with the expert console (`assets/common/`), imported by review.js.
    Asset { name: "http.js", content_type: "text/javascript; charset=utf-8", body: crate::embedded::COMMON_HTTP_JS },
    Asset { name: "sign-in.js", content_type: "text/javascript; charset=utf-8", body: crate::embedded::COMMON_SIGN_IN_JS },
];

/// Strong ETags (quoted content hashes), computed once.
static ETAGS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    std::iter::once(&INDEX)
        .chain(ASSETS.iter())
        .map(|asset| (asset.name, crate::embedded::etag_of(asset.body.as_bytes())))
        .collect()
});

/// The review pages' routes, to be merged into the application router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/review", get(page))
        .route("/review/", get(page))
        .route("/review/assets/{name}", get(asset))
}

/// GET /review (and /review/): the review page.
async fn page(headers: HeaderMap) -> Response {
    serve(&INDEX, &headers)
}

/// GET /review/assets/{name}: the stylesheet or script.
async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().find(|asset| asset.name == name) {
        Some(asset) => serve(asset, &headers),
        None => AppError::NotFound(format!("the review pages have no asset {name:?}")).into_response(),
    }
}

fn serve(asset: &Asset, request: &HeaderMap) -> Response {
    let etag = ETAGS.iter().find(|(name, _)| *name == asset.name).map(|(_, tag)| tag.as_str()).unwrap_or("\"\"");
    crate::embedded::serve(asset.content_type, asset.body.as_bytes(), etag, CONTENT_SECURITY_POLICY, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_no_inline_script_and_nothing_from_elsewhere() {
        let html = INDEX.body;
        assert!(!html.contains("<script>"), "inline script would be refused by the CSP");
        assert!(!html.contains(" style="), "inline style would be refused by the CSP");
        assert!(!html.contains("http://") && !html.contains("https://"));
        for asset in &ASSETS {
            let imported = ASSETS.iter().any(|other| other.body.contains(&format!("from \"./{}\"", asset.name)));
            assert!(html.contains(asset.name) || imported, "{} is neither linked nor imported", asset.name);
            if asset.name.ends_with(".js") {
                assert!(!asset.body.contains("innerHTML"), "{} never parses data as HTML", asset.name);
            }
        }
        assert_eq!(ETAGS.len(), ASSETS.len() + 1);
    }
}
