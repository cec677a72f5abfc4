//! WebSocket frames of `GET /api/v1/ws`: JSON text frames tagged by `type`.

use serde::{Deserialize, Serialize};

use crate::auth::User;
use crate::requests::{Event, Outcome, Request};

/// A frame the client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Replay every event with seq > `after_seq`, then stream new ones.
    Subscribe {
        request_id: String,
        #[serde(default)]
        after_seq: u64,
    },
    /// Stop streaming a request.
    Unsubscribe { request_id: String },
    /// Append a message; answered by `ack` once durably stored.
    Send {
        request_id: String,
        /// A UUID chosen by the client: a repeat gets the first ack and creates nothing.
        client_msg_id: String,
        body: String,
        #[serde(default)]
        attachments: Vec<String>,
        #[serde(default)]
        cites: Vec<String>,
    },
    /// Ephemeral: tell the others the caller is typing.
    Typing { request_id: String },
    /// The caller has read up to `seq`.
    Read { request_id: String, seq: u64 },
    /// Experts: a `queue` snapshot now and `request` frames on every change.
    WatchQueue,
    /// Experts: presence on the on-call roster.
    OnCall { on: bool },
    /// Experts: waiting → claimed by the caller.
    Claim { request_id: String },
    /// The assignee hands the request to another expert (by username).
    Transfer { request_id: String, to_user: String },
    /// The assignee closes the request with an outcome.
    Close { request_id: String, outcome: Outcome },
    /// Answered by `pong`.
    Ping,
}

/// A frame the server sends. Frames live only between being built and being encoded (or, in a client, decoded
/// and handled), so the size of the largest variant (a whole `Request`) costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The message is durably stored.
    Ack { client_msg_id: String, request_id: String, seq: u64, message_id: String },
    /// A timeline event of a subscribed request.
    Event { event: Event },
    /// A request after a change of status or assignee.
    Request { request: Request },
    /// Waiting and claimed requests, oldest first.
    Queue { requests: Vec<Request> },
    /// Someone is typing.
    Typing { request_id: String, user: User },
    /// Someone read up to `seq`.
    Read { request_id: String, user: User, seq: u64 },
    /// An expert went on or off call.
    Presence { user: User, on_call: bool },
    /// Answer to `ping`.
    Pong,
    /// Something went wrong with a frame; the connection stays usable.
    Error {
        code: String,
        message: String,
        /// The `client_msg_id` of the frame answered, else its `request_id`, else null.
        #[serde(rename = "ref")]
        reference: Option<String>,
    },
}

impl ServerFrame {
    /// An `error` frame.
    pub fn error(code: impl Into<String>, message: impl Into<String>, reference: Option<String>) -> ServerFrame {
        ServerFrame::Error { code: code.into(), message: message.into(), reference }
    }
}
