//! The client's typed error: what went wrong talking to the server, the outbox or a photo, in plain words.

use std::path::PathBuf;

/// Errors of the networked commands. Each message is a sentence an officer can act on, never a backtrace.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No usable session in `--home`.
    #[error("not signed in: run `field login --server URL --username NAME` first")]
    NotLoggedIn,
    /// The server could not be reached (no link, DNS, refused, timed out, connection cut).
    #[error("cannot reach the server at {server} ({reason}); you seem to be offline")]
    Offline { server: String, reason: String },
    /// 401: the token is unknown, expired or revoked.
    #[error("the server no longer accepts your sign-in: run `field login` again")]
    Unauthorised,
    /// A 4xx answer with the contract's error body.
    #[error("the server refused: {message} ({code}, HTTP {status})")]
    Rejected { status: u16, code: String, message: String },
    /// A 5xx answer: the server failed, try later.
    #[error("the server failed (HTTP {status}): {message}; try again later")]
    ServerFailed { status: u16, message: String },
    /// An answer that does not follow the contract.
    #[error("the server's answer was not understood: {0}")]
    Protocol(String),
    /// A WebSocket `error` frame.
    #[error("the server refused the message: {message} ({code})")]
    FrameRefused { code: String, message: String },
    /// The local outbox database.
    #[error("the outbox in {path} cannot be used: {source}")]
    Outbox { path: PathBuf, source: rusqlite::Error },
    /// A photo that cannot be read or shrunk.
    #[error("the photo {path} cannot be used: {reason}")]
    Photo { path: PathBuf, reason: String },
    /// A local file.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// The client's result type.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

impl ClientError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ClientError {
        ClientError::Io { path: path.into(), source }
    }

    /// Whether trying again later may succeed (offline, server failure, rate limit): the outbox keeps the entry.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Offline { .. } | ClientError::ServerFailed { .. } => true,
            ClientError::Rejected { status, .. } => *status == 429 || *status == 408,
            ClientError::FrameRefused { code, .. } => code == "rate_limited" || code == "flood" || code == "internal",
            _ => false,
        }
    }
}
