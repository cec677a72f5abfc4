//! Counters, gauges and latency histograms, rendered in the Prometheus text format at `/metrics`.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// A latency histogram with fixed buckets.
#[derive(Debug, Default)]
pub struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
            if seconds <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", count.load(Ordering::Relaxed));
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6);
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// Everything `/metrics` shows besides what it reads live.
#[derive(Debug, Default)]
pub struct Metrics {
    pub http_connections: AtomicI64,
    pub http_connections_total: AtomicU64,
    /// Connections closed because they did not send a whole request head in time (idle keep-alive ones too).
    pub http_header_timeouts: AtomicU64,
    pub http_requests: AtomicU64,
    pub http_latency: Histogram,
    pub ws_connections: AtomicI64,
    pub ws_connections_total: AtomicU64,
    pub ws_frames_in: AtomicU64,
    pub ws_closed_for_abuse: AtomicU64,
    pub messages: AtomicU64,
    pub send_latency: Histogram,
    pub requests_created: AtomicU64,
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub logins_limited: AtomicU64,
}

/// Values read when `/metrics` is asked.
#[derive(Debug, Default)]
pub struct LiveValues {
    pub queue_waiting: u64,
    pub write_transactions: u64,
    pub writes: u64,
    pub commit_seconds_total: f64,
    pub lagged: u64,
    pub dropped_ephemeral: u64,
}

fn counter(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
}

impl Metrics {
    /// The Prometheus text exposition.
    pub fn render(&self, live: &LiveValues) -> String {
        let mut out = String::new();
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        gauge(
            &mut out,
            "hotline_http_connections",
            "Open HTTP connections (WebSockets count once upgraded).",
            self.http_connections.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "hotline_http_connections_total",
            "HTTP connections accepted.",
            load(&self.http_connections_total),
        );
        counter(
            &mut out,
            "hotline_http_header_timeouts_total",
            "Connections closed for not sending a request head in time (idle keep-alive ones too).",
            load(&self.http_header_timeouts),
        );
        counter(&mut out, "hotline_http_requests_total", "HTTP requests answered.", load(&self.http_requests));
        self.http_latency.render(&mut out, "hotline_http_request_duration_seconds", "HTTP request latency.");
        gauge(
            &mut out,
            "hotline_ws_connections",
            "Open WebSocket connections.",
            self.ws_connections.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "hotline_ws_connections_total",
            "WebSocket connections accepted.",
            load(&self.ws_connections_total),
        );
        counter(&mut out, "hotline_ws_frames_received_total", "WebSocket frames received.", load(&self.ws_frames_in));
        counter(
            &mut out,
            "hotline_ws_closed_for_abuse_total",
            "Connections closed for floods or oversized frames.",
            load(&self.ws_closed_for_abuse),
        );
        counter(&mut out, "hotline_ws_lagged_total", "Subscriptions dropped because a client lagged.", live.lagged);
        counter(
            &mut out,
            "hotline_ws_ephemeral_dropped_total",
            "Typing/read/presence frames dropped for full queues.",
            live.dropped_ephemeral,
        );
        counter(&mut out, "hotline_messages_total", "Chat messages durably stored.", load(&self.messages));
        self.send_latency.render(
            &mut out,
            "hotline_send_ack_duration_seconds",
            "From a send frame to its durable ack.",
        );
        counter(&mut out, "hotline_requests_created_total", "Hotline requests created.", load(&self.requests_created));
        gauge(&mut out, "hotline_queue_waiting", "Requests waiting for an expert.", live.queue_waiting);
        counter(&mut out, "hotline_db_transactions_total", "Write transactions committed.", live.write_transactions);
        counter(&mut out, "hotline_db_writes_total", "Writes, many per transaction (group commit).", live.writes);
        counter(
            &mut out,
            "hotline_db_commit_seconds_total",
            "Time spent in write transactions.",
            live.commit_seconds_total,
        );
        counter(&mut out, "hotline_logins_total{result=\"ok\"}", "Logins.", load(&self.logins_ok));
        let _ = writeln!(out, "hotline_logins_total{{result=\"failed\"}} {}", load(&self.logins_failed));
        let _ = writeln!(out, "hotline_logins_total{{result=\"rate_limited\"}} {}", load(&self.logins_limited));
        out
    }
}
