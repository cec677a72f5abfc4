//! The expert console at `/console`: one HTML page, its stylesheet and ES modules (its own and the two it shares
//! with the review pages, `assets/common/`), embedded in the binary (`include_bytes!`), so it works on an office
//! network with no internet. Every answer carries a strict Content-Security-Policy (no inline script or style, no
//! other origin), `nosniff` and `no-referrer`; assets are revalidated by a strong ETag (their content hash), so a
//! new server version is picked up at once.
//!
//! The page talks only to the public REST and WebSocket API (`/api/v1`), authenticated by the HttpOnly session
//! cookie that `POST /api/v1/auth/login` sets; see docs/console.md.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::AppError;
use crate::state::AppState;

/// The policy of every console answer: only this origin, no inline script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob: data:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// The page itself, served at `/console` and `/console/`.
const INDEX: Asset = Asset {
    name: "index.html",
    content_type: "text/html; charset=utf-8",
    body: include_bytes!("../assets/console/index.html"),
};

/// Everything under `/console/assets/`.
const ASSETS: [Asset; 8] = [
    Asset { name: "console.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../assets/console/console.css") },
    Asset { name: "console.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../assets/console/console.js") },
    Asset { name: "connection.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../assets/console/connection.js") },
    Asset { name: "dom.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../assets/console/dom.js") },
    Asset { name: "catalogue.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../assets/console/catalogue.js") },
    Asset { name: "icon.svg", content_type: "image/svg+xml", body: include_bytes!("../assets/console/icon.svg") },
    // Shared with the review pages (`assets/common/`), served here too so that relative imports resolve.
    Asset { name: "http.js", content_type: "text/javascript; charset=utf-8", body: crate::embedded::COMMON_HTTP_JS.as_bytes() },
    Asset { name: "sign-in.js", content_type: "text/javascript; charset=utf-8", body: crate::embedded::COMMON_SIGN_IN_JS.as_bytes() },
];

/// Strong ETags (quoted content hashes), computed once.
static ETAGS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    std::iter::once(&INDEX)
        .chain(ASSETS.iter())
        .map(|asset| (asset.name, crate::embedded::etag_of(asset.body)))
        .collect()
});

/// The console's routes, to be merged into the application router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(page))
        .route("/console/", get(page))
        .route("/console/assets/{name}", get(asset))
}

/// GET /console (and /console/): the console page.
async fn page(headers: HeaderMap) -> Response {
    serve(&INDEX, &headers)
}

/// GET /console/assets/{name}: a stylesheet, module or icon of the console.
async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().find(|asset| asset.name == name) {
        Some(asset) => serve(asset, &headers),
        None => AppError::NotFound(format!("the console has no asset {name:?}")).into_response(),
    }
}

fn serve(asset: &Asset, request: &HeaderMap) -> Response {
    let etag = ETAGS.iter().find(|(name, _)| *name == asset.name).map(|(_, tag)| tag.as_str()).unwrap_or("\"\"");
    crate::embedded::serve(asset.content_type, asset.body, etag, CONTENT_SECURITY_POLICY, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_distinct_name_and_an_etag() {
        let mut names: Vec<_> = ASSETS.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ASSETS.len());
        assert_eq!(ETAGS.len(), ASSETS.len() + 1);
    }

    #[test]
    fn the_page_loads_no_inline_script_and_nothing_from_elsewhere() {
        let html = std::str::from_utf8(INDEX.body).unwrap();
        assert!(!html.contains("<script>"), "inline script would be refused by the CSP");
        assert!(!html.contains(" style="), "inline style would be refused by the CSP");
        assert!(!html.contains("http://") && !html.contains("https://"), "the console loads nothing from elsewhere");
        for asset in &ASSETS {
            assert!(html.contains(asset.name) || asset.name.ends_with(".js"), "{} is not linked", asset.name);
        }
    }
}
