//! Denied-party screening results (`GET /api/v1/screen`, `field screen --json`, a request's `screening`).

use serde::{Deserialize, Serialize};

/// A screening answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningResult {
    pub query: String,
    pub took_us: u64,
    pub matches: Vec<ScreeningMatch>,
}

/// One listed party that matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningMatch {
    pub id: String,
    /// The listed name.
    pub name: String,
    /// The listed name or alias that matched.
    pub matched_name: String,
    /// Which list, e.g. `Entity List (EL) - Bureau of Industry and Security`.
    pub list: String,
    pub countries: Vec<String>,
    /// 0.0 to 1.0.
    pub score: f64,
    /// How it matched.
    pub reason: String,
}
