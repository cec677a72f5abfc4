//! Server configuration: where data lives, which catalogue sources to import, and every limit in one place.

use std::path::PathBuf;
use std::time::Duration;

use hotline_index::ImportSource;

use crate::clock::Clock;

/// Everything `serve` needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database, attachments and the catalogue index live here.
    pub data_dir: PathBuf,
    /// Catalogue sources added to the built-in starter catalogue.
    pub imports: Vec<ImportSource>,
    /// Create the demo users if missing.
    pub demo: bool,
    pub limits: Limits,
    /// Where every recorded time comes from (always the system clock in the real binary).
    pub clock: Clock,
}

impl Config {
    /// A configuration with default limits.
    pub fn new(data_dir: PathBuf) -> Config {
        Config { data_dir, imports: Vec::new(), demo: false, limits: Limits::default(), clock: Clock::System }
    }

    /// Where attachment files are stored.
    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }
}

/// Limits and timings (docs/operations.md lists them).
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a login token lives.
    pub session_ttl: Duration,
    /// Largest WebSocket message; a bigger one closes the connection with 1009.
    pub ws_max_message_bytes: usize,
    /// Largest message the WebSocket layer reads whole at all (so that a message between the two limits is
    /// read to its end and the 1009 close reaches the client); past it the connection is dropped.
    pub ws_hard_message_bytes: usize,
    /// WebSocket read and write buffer sizes (small, so idle connections are cheap).
    pub ws_buffer_bytes: usize,
    /// Frames queued for one connection before its subscriptions count as lagging.
    pub ws_outbound_queue: usize,
    /// Sends of one connection waiting for their commit before it stops reading.
    pub ws_max_pending_sends: usize,
    /// Frames a connection may send back to back (token bucket size).
    pub ws_flood_burst: u32,
    /// Frames a connection may send per minute, sustained.
    pub ws_flood_per_minute: u32,
    /// How often the server pings each connection.
    pub ws_heartbeat: Duration,
    /// A connection silent this long is closed (dead peers are reaped).
    pub ws_idle_timeout: Duration,
    /// Failed logins per username within `login_window` before 429.
    pub login_failures_per_user: u32,
    /// Failed logins per client address within `login_window` before 429.
    pub login_failures_per_address: u32,
    pub login_window: Duration,
    /// Longest message body, in characters.
    pub message_body_chars: usize,
    /// A connection that does not send a whole request head within this time is closed (also an idle
    /// keep-alive connection: the wait for the next request counts).
    pub header_read_timeout: Duration,
    /// After a shutdown signal, how long HTTP responses still in flight may take before their connections are
    /// dropped (a client that stalls mid-request or mid-download cannot hold the server up).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            ws_max_message_bytes: 64 * 1024,
            ws_hard_message_bytes: 1024 * 1024,
            ws_buffer_bytes: 4 * 1024,
            ws_outbound_queue: 256,
            ws_max_pending_sends: 256,
            ws_flood_burst: 1000,
            ws_flood_per_minute: 1000,
            ws_heartbeat: Duration::from_secs(20),
            ws_idle_timeout: Duration::from_secs(60),
            login_failures_per_user: 5,
            login_failures_per_address: 30,
            login_window: Duration::from_secs(300),
            message_body_chars: 8000,
            header_read_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
