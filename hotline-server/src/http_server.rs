//! The HTTP accept loop: the application router served over HTTP/1.1 by hyper with a timer, so that a client
//! that does not finish a request head within `limits.header_read_timeout` (a stalled link, a slowloris, a
//! keep-alive connection left idle) is disconnected instead of holding a socket for ever. Each connection gets
//! its peer address as axum's `ConnectInfo` (the login rate limits key on it) and may upgrade to a WebSocket.
//!
//! On shutdown the listener closes, every connection finishes the response it is writing and closes (graceful),
//! and after `limits.shutdown_grace` the ones still busy are left to end with the runtime. The loop is written
//! here rather than taken from `axum::serve` because that one sets no header-read timeout.

use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::metrics::Metrics;

/// How long the loop waits after a failed accept (a connection reset before it was taken, or no file descriptor
/// left), so that it does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until `shutdown` is cancelled, then shuts the connections down gracefully and
/// waits up to `grace` for them. Returns the number of connections still open when it gave up waiting.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
    header_read_timeout: Duration,
    grace: Duration,
) -> usize {
    let connections = TaskTracker::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // A connection that failed between SYN and accept concerns only itself; anything else
                    // (EMFILE) passes when connections close, so wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service =
            TowerToHyperService::new(app.clone().map_request(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                request.map(Body::new)
            }));
        let connection = http.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let shutdown = shutdown.clone();
        let metrics = metrics.clone();
        metrics.http_connections_total.fetch_add(1, Ordering::Relaxed);
        metrics.http_connections.fetch_add(1, Ordering::Relaxed);
        connections.spawn(async move {
            let mut connection = pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = shutdown.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            metrics.http_connections.fetch_sub(1, Ordering::Relaxed);
            if let Err(error) = result {
                if error.is_timeout() {
                    metrics.http_header_timeouts.fetch_add(1, Ordering::Relaxed);
                }
                // Timeouts, resets and malformed requests end one connection; they are the client's business.
                tracing::debug!(%error, %peer, "HTTP connection ended");
            }
        });
    }
    drop(listener);
    connections.close();
    if tokio::time::timeout(grace, connections.wait()).await.is_err() {
        return connections.len();
    }
    0
}
