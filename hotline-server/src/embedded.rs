//! Web pages compiled into the binary (the expert console, the review pages): a [`Site`] is one HTML page served
//! at its base path and its files under `{base}/assets/`, the scripts both pages share (`assets/common/`) among
//! them. Every answer carries a strong ETag (304 on a match) and the security headers all embedded pages share
//! (the page's CSP, nosniff, no referrer, no framing, no-cache so a new server version is picked up at once).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::state::AppState;

/// One file compiled into the binary; its content type follows from its name's extension.
pub struct Asset {
    pub name: &'static str,
    pub body: &'static str,
}

impl Asset {
    pub fn content_type(&self) -> &'static str {
        match self.name.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            Some("svg") => "image/svg+xml",
            _ => "application/octet-stream",
        }
    }
}

/// The scripts the expert console and the review pages share (`assets/common/`): the REST helper (`api`,
/// `ApiError`) and the sign-in form. Each site serves them under its own assets so that relative imports resolve.
pub const COMMON: [Asset; 2] = [
    Asset { name: "http.js", body: include_str!("../assets/common/http.js") },
    Asset { name: "sign-in.js", body: include_str!("../assets/common/sign-in.js") },
];

/// One embedded web page and its files.
pub struct Site {
    /// Where the page is served (`/console`); also with a trailing slash.
    pub base: &'static str,
    /// What the page is called in a 404 message ("the console").
    pub title: &'static str,
    /// The page itself.
    pub index: Asset,
    /// Its own files (the [`COMMON`] ones come on top).
    pub assets: &'static [Asset],
    /// The Content-Security-Policy of every answer.
    pub csp: &'static str,
}

impl Site {
    /// Every file under `{base}/assets/`: the site's own, then the shared ones.
    pub fn files(&self) -> impl Iterator<Item = &Asset> {
        self.assets.iter().chain(COMMON.iter())
    }

    /// The site's routes, to be merged into the application router.
    pub fn routes(&'static self) -> Router<AppState> {
        let etags: Arc<HashMap<&'static str, String>> = Arc::new(
            std::iter::once(&self.index).chain(self.files()).map(|asset| (asset.name, etag_of(asset.body))).collect(),
        );
        let page = {
            let etags = etags.clone();
            move |headers: HeaderMap| {
                let etags = etags.clone();
                async move { self.serve(&self.index, &etags, &headers) }
            }
        };
        let asset = move |Path(name): Path<String>, headers: HeaderMap| {
            let etags = etags.clone();
            async move {
                match self.files().find(|asset| asset.name == name) {
                    Some(asset) => self.serve(asset, &etags, &headers),
                    None => AppError::NotFound(format!("{} has no asset {name:?}", self.title)).into_response(),
                }
            }
        };
        Router::new()
            .route(self.base, get(page.clone()))
            .route(&format!("{}/", self.base), get(page))
            .route(&format!("{}/assets/{{name}}", self.base), get(asset))
    }

    fn serve(&self, asset: &Asset, etags: &HashMap<&'static str, String>, request: &HeaderMap) -> Response {
        let etag = etags.get(asset.name).map(String::as_str).unwrap_or("\"\"");
        serve(asset.content_type(), asset.body.as_bytes(), etag, self.csp, request)
    }
}

/// A strong ETag (a quoted content hash) for an embedded file.
fn etag_of(body: &str) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..32])
}

/// The response for an embedded file with `etag` under the page's `csp`.
fn serve(
    content_type: &'static str,
    body: &'static [u8],
    etag: &str,
    csp: &'static str,
    request: &HeaderMap,
) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks what every embedded site must hold to: distinct names, no inline script or style (the CSP refuses
    /// them), nothing loaded from elsewhere, every file linked by the page or imported by a module, and no script
    /// that parses data as HTML.
    fn check_site(site: &Site) {
        let mut names: Vec<_> = site.files().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), site.files().count(), "two files of {} share a name", site.title);
        let html = site.index.body;
        assert!(!html.contains("<script>"), "inline script would be refused by the CSP");
        assert!(!html.contains(" style="), "inline style would be refused by the CSP");
        assert!(!html.contains("http://") && !html.contains("https://"), "{} loads nothing from elsewhere", site.title);
        for asset in site.files() {
            let linked = html.contains(&format!("{}/assets/{}", site.base, asset.name));
            let imported = site.files().any(|other| other.body.contains(&format!("from \"./{}\"", asset.name)));
            assert!(linked || imported, "{} is neither linked nor imported by {}", asset.name, site.title);
            if asset.name.ends_with(".js") {
                for parse in [".innerHTML =", ".outerHTML =", "insertAdjacentHTML("] {
                    assert!(!asset.body.contains(parse), "{} never parses data as HTML ({parse})", asset.name);
                }
            }
        }
    }

    #[test]
    fn the_console_and_the_review_pages_load_only_their_own_files() {
        check_site(&crate::console::SITE);
        check_site(&crate::review_pages::SITE);
    }

    #[test]
    fn content_types_follow_the_extension() {
        let types: Vec<_> = ["a.html", "a.css", "a.js", "a.svg", "a.bin"]
            .into_iter()
            .map(|name| Asset { name, body: "" }.content_type())
            .collect();
        assert_eq!(
            types,
            [
                "text/html; charset=utf-8",
                "text/css; charset=utf-8",
                "text/javascript; charset=utf-8",
                "image/svg+xml",
                "application/octet-stream"
            ]
        );
    }
}
