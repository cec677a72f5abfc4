//! `hotline-protocol`: the wire types of `spec/protocol-v1.md` (REST bodies and WebSocket frames), nothing else.
//! Only these types cross the wire; the server and the clients convert to and from their own.

pub mod auth;
pub mod catalogue;
pub mod error;
pub mod requests;
pub mod review;
pub mod screening;
pub mod ws;

pub use auth::{LoginRequest, LoginResponse, Role, User};
pub use catalogue::{CatalogueInfo, SearchHit, SearchResult};
pub use error::{ErrorBody, ErrorDetail};
pub use requests::{
    Attachment, AttachmentEnvelope, Event, EventKind, EventList, Message, NewRequest, Outcome, Priority, Request,
    RequestEnvelope, RequestList, RequestStatus, Shipment, Verdict,
};
pub use review::{
    Annotation, AnnotationEnvelope, DayCount, NewAnnotation, Percentiles, REVIEW_CSV_COLUMNS, ReviewDetail, ReviewList,
    ReviewRow, ReviewStats,
};
pub use screening::{ScreeningMatch, ScreeningResult};
pub use ws::{ClientFrame, ServerFrame};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_by_type() {
        let ping: ClientFrame = serde_json::from_str(r#"{"type":"ping"}"#).unwrap();
        assert_eq!(ping, ClientFrame::Ping);
        let sub: ClientFrame = serde_json::from_str(r#"{"type":"subscribe","request_id":"r1","after_seq":3}"#).unwrap();
        assert_eq!(sub, ClientFrame::Subscribe { request_id: "r1".into(), after_seq: 3 });
        let err = serde_json::to_value(ServerFrame::error("not_found", "No such request.", None)).unwrap();
        assert_eq!(err, serde_json::json!({"type":"error","code":"not_found","message":"No such request.","ref":null}));
        assert_eq!(serde_json::to_value(ServerFrame::Pong).unwrap(), serde_json::json!({"type":"pong"}));
    }

    #[test]
    fn new_request_needs_only_the_required_fields() {
        let new: NewRequest =
            serde_json::from_str(r#"{"client_request_id":"u","subject":"s","shipment":{"declared_description":"d"}}"#)
                .unwrap();
        assert_eq!(new.priority, None);
        assert_eq!(new.shipment.hs_code, None);
    }
}
