//! Shared helpers for the end-to-end tests: [`TestServer`] runs the real server binary on an ephemeral port with
//! a temporary data dir; [`Api`] is a REST client signed in as one user; [`Ws`] a real tokio-tungstenite client.
//!
//! The server binary is `hotline-server-under-test`, built by `cargo test -p hotline-tests` beside the test
//! executables (its `main` is the real binary's one line); `HOTLINE_SERVER_BIN` overrides the path.

pub mod bench;
pub mod browser;
pub mod field;
pub mod images;
pub mod raw_ws;
pub mod seed;
mod server;
mod ws;

pub use server::{Api, TestServer, metric};
pub use ws::Ws;

use serde_json::Value;

/// Checks a status and shows the body when it differs.
#[track_caller]
pub fn check(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "expected HTTP {expected}, got {status}: {body}");
}

/// Checks that `body` is the contract's error shape with `code`.
#[track_caller]
pub fn check_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    check(status, body, expected_status);
    assert_eq!(body["error"]["code"], code, "wrong error code in {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "error without a message: {body}");
}

/// A fresh UUID string.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new-request body with the required fields.
pub fn new_request(subject: &str) -> Value {
    serde_json::json!({
        "client_request_id": uuid(),
        "subject": subject,
        "shipment": {"declared_description": "machine parts", "hs_code": "8459.61", "origin_country": "LV",
                     "destination_country": "BY", "consignee": "Acme Ltd", "reference": "T1-0001"},
        "priority": "urgent",
    })
}
