//! The expert console at `/console`: one HTML page, its stylesheet and ES modules (its own and the two it shares
//! with the review pages, `assets/common/`), embedded in the binary, so it works on an office network with no
//! internet. Served as an [`embedded::Site`](crate::embedded::Site): every answer carries a strict
//! Content-Security-Policy (no inline script or style, no other origin), `nosniff` and `no-referrer`; files are
//! revalidated by a strong ETag (their content hash), so a new server version is picked up at once.
//!
//! The page talks only to the public REST and WebSocket API (`/api/v1`), authenticated by the HttpOnly session
//! cookie that `POST /api/v1/auth/login` sets; see docs/console.md.

use crate::embedded::{Asset, Site};

/// The policy of every console answer: only this origin, no inline script or style, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob: data:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The console: the page at `/console`, its files under `/console/assets/`.
pub static SITE: Site = Site {
    base: "/console",
    title: "the console",
    index: Asset { name: "index.html", body: include_str!("../assets/console/index.html") },
    assets: &[
        Asset { name: "console.css", body: include_str!("../assets/console/console.css") },
        Asset { name: "console.js", body: include_str!("../assets/console/console.js") },
        Asset { name: "connection.js", body: include_str!("../assets/console/connection.js") },
        Asset { name: "dom.js", body: include_str!("../assets/console/dom.js") },
        Asset { name: "catalogue.js", body: include_str!("../assets/console/catalogue.js") },
        Asset { name: "icon.svg", body: include_str!("../assets/console/icon.svg") },
    ],
    csp: CONTENT_SECURITY_POLICY,
};
