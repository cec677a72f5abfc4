//! Hotline requests, their timeline events, messages, outcomes and attachments.

use serde::{Deserialize, Serialize};

use crate::auth::User;
use crate::screening::ScreeningMatch;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Waiting,
    Claimed,
    Closed,
}

impl RequestStatus {
    /// The lowercase wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Waiting => "waiting",
            RequestStatus::Claimed => "claimed",
            RequestStatus::Closed => "closed",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<RequestStatus> {
        match text {
            "waiting" => Some(RequestStatus::Waiting),
            "claimed" => Some(RequestStatus::Claimed),
            "closed" => Some(RequestStatus::Closed),
            _ => None,
        }
    }
}

/// How urgent a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    Normal,
    Urgent,
}

impl Priority {
    /// The lowercase wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::Urgent => "urgent",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Priority> {
        match text {
            "normal" => Some(Priority::Normal),
            "urgent" => Some(Priority::Urgent),
            _ => None,
        }
    }
}

/// The shipment a request is about. Only `declared_description` is required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Shipment {
    pub declared_description: String,
    #[serde(default)]
    pub hs_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `LV`.
    #[serde(default)]
    pub origin_country: Option<String>,
    #[serde(default)]
    pub destination_country: Option<String>,
    #[serde(default)]
    pub consignee: Option<String>,
    /// The declaration's or the officer's own reference.
    #[serde(default)]
    pub reference: Option<String>,
}

/// `POST /api/v1/requests` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    /// A UUID chosen by the client; the same one again returns the same request.
    pub client_request_id: String,
    pub subject: String,
    pub shipment: Shipment,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Becomes the first message, with `client_msg_id` equal to `client_request_id`.
    #[serde(default)]
    pub body: Option<String>,
}

/// The expert's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Controlled,
    NotControlled,
    LicenceCheck,
    Referred,
}

impl Verdict {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Controlled => "controlled",
            Verdict::NotControlled => "not_controlled",
            Verdict::LicenceCheck => "licence_check",
            Verdict::Referred => "referred",
        }
    }
}

/// How a request was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// Control-list codes the verdict rests on.
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// A hotline request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    pub status: RequestStatus,
    pub subject: String,
    pub shipment: Shipment,
    pub priority: Priority,
    pub officer: User,
    pub assignee: Option<User>,
    pub created_at: String,
    pub claimed_at: Option<String>,
    pub closed_at: Option<String>,
    /// The seq of the newest event of the timeline.
    pub last_seq: u64,
    pub outcome: Option<Outcome>,
    /// Denied-party screening of the consignee at creation; null when not screened.
    pub screening: Option<Vec<ScreeningMatch>>,
}

/// `{"request": Request}`: the answer of create, get, and the WebSocket `request` frame's payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestEnvelope {
    pub request: Request,
}

/// `GET /api/v1/requests` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestList {
    pub requests: Vec<Request>,
}

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Message,
    Claimed,
    Transferred,
    Closed,
}

impl EventKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Message => "message",
            EventKind::Claimed => "claimed",
            EventKind::Transferred => "transferred",
            EventKind::Closed => "closed",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<EventKind> {
        match text {
            "created" => Some(EventKind::Created),
            "message" => Some(EventKind::Message),
            "claimed" => Some(EventKind::Claimed),
            "transferred" => Some(EventKind::Transferred),
            "closed" => Some(EventKind::Closed),
            _ => None,
        }
    }
}

/// One entry of a request's timeline; `seq` starts at 1 and is gapless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub request_id: String,
    pub kind: EventKind,
    pub at: String,
    pub author: Option<User>,
    pub message: Option<Message>,
    /// Kind-specific details (see docs/protocol.md); `{}` when there are none.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// A chat message of a `message` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub client_msg_id: String,
    pub body: String,
    /// Attachment ids.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Control-list codes the author cites.
    #[serde(default)]
    pub cites: Vec<String>,
}

/// `GET /api/v1/requests/{id}/events` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventList {
    pub events: Vec<Event>,
}

/// An uploaded photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub url: String,
    pub thumb_url: String,
}

/// `POST /api/v1/requests/{id}/attachments` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentEnvelope {
    pub attachment: Attachment,
}
