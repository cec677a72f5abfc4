//! Review wire types for trainers and admins: lists, details, annotations, statistics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::auth::User;
use crate::requests::{Event, Request};

/// `GET /api/v1/review/requests` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewList {
    pub total: u64,
    pub requests: Vec<Request>,
}

/// `GET /api/v1/review/requests/{id}` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewDetail {
    pub request: Request,
    pub events: Vec<Event>,
    pub annotations: Vec<Annotation>,
}

/// `POST /api/v1/review/requests/{id}/annotations` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAnnotation {
    #[serde(default)]
    pub training_case: bool,
    #[serde(default)]
    pub note: String,
}

/// A trainer's note on a closed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub id: String,
    pub request_id: String,
    pub training_case: bool,
    pub note: String,
    pub author: User,
    pub at: String,
}

/// Two percentiles in seconds, null when there is nothing to count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

/// Requests of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub requests: u64,
}

/// `GET /api/v1/review/stats` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewStats {
    pub requests: u64,
    pub first_response_s: Percentiles,
    pub resolution_s: Percentiles,
    pub by_verdict: BTreeMap<String, u64>,
    pub by_control: BTreeMap<String, u64>,
    /// Requests per Commerce Control List category (`"0"`..`"9"`, an ECCN's first digit), each request once
    /// per category among its codes. Beyond the contract's fields; absent from older servers.
    #[serde(default)]
    pub by_category: BTreeMap<String, u64>,
    pub by_day: Vec<DayCount>,
}

/// One row of `GET /api/v1/review/export.json` (and, with `controls` space-separated, of `export.csv`).
/// `officer` is the pseudonym for trainers and the username for admins; `expert` is the closing assignee's username.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub id: String,
    pub created_at: String,
    pub claimed_at: Option<String>,
    pub closed_at: Option<String>,
    pub officer: String,
    pub expert: Option<String>,
    pub verdict: Option<String>,
    pub controls: Vec<String>,
    pub subject: String,
    pub hs_code: Option<String>,
    pub origin_country: Option<String>,
    pub destination_country: Option<String>,
    pub first_response_s: Option<f64>,
    pub resolution_s: Option<f64>,
}

/// The CSV export's header, in column order.
pub const REVIEW_CSV_COLUMNS: [&str; 14] = [
    "id",
    "created_at",
    "claimed_at",
    "closed_at",
    "officer",
    "expert",
    "verdict",
    "controls",
    "subject",
    "hs_code",
    "origin_country",
    "destination_country",
    "first_response_s",
    "resolution_s",
];

/// `POST /api/v1/review/requests/{id}/annotations` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnotationEnvelope {
    pub annotation: Annotation,
}
