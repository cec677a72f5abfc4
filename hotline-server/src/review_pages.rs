//! The trainer review pages at `/review`: one HTML page, its stylesheet and `review.js` (an ES module that imports
//! the two scripts it shares with the expert console, `assets/common/`), embedded in the binary and served the
//! way the console is, as an [`embedded::Site`](crate::embedded::Site): a strict Content-Security-Policy (no
//! inline script or style, no other origin), `nosniff`, `no-referrer`, no framing, revalidated by ETag.
//!
//! The page signs in with `POST /api/v1/auth/login` (HttpOnly session cookie) and reads only the review REST API
//! (`/api/v1/review/...`); charts are SVG built in the page's own script. See docs/review.md.

use crate::embedded::{Asset, Site};

/// The policy of every review page answer: no WebSocket either (trainers never join a chat).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The review pages: the page at `/review`, its files under `/review/assets/`.
pub static SITE: Site = Site {
    base: "/review",
    title: "the review pages",
    index: Asset { name: "index.html", body: include_str!("../assets/review/index.html") },
    assets: &[
        Asset { name: "review.css", body: include_str!("../assets/review/review.css") },
        Asset { name: "review.js", body: include_str!("../assets/review/review.js") },
    ],
    csp: CONTENT_SECURITY_POLICY,
};
