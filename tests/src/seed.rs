//! Seeding closed requests through the real API, the way officers and experts make them: the officer opens
//! the request over REST with a first message, the expert claims it and answers with citations over the
//! WebSocket, the officer may answer back (with a photo uploaded over REST), and the expert closes it with an
//! outcome. With a [`Timeline`] every step happens at a chosen time of the server's clock
//! ([`TestServer::set_clock`]), so that weeks of history can be laid out in seconds.

use serde_json::{Value, json};

use crate::{Api, TestServer, Ws, check, images, new_request, uuid};

/// When each step happens on the server's clock (RFC 3339 times, in order).
#[derive(Debug, Clone)]
pub struct Timeline {
    pub created: String,
    pub claimed: String,
    pub answered: String,
    /// When the officer answers back (used only when the request has a reply).
    pub replied: String,
    pub closed: String,
}

/// One closed request to make.
#[derive(Debug, Clone)]
pub struct ClosedRequest {
    pub subject: String,
    /// Replaces fields of [`new_request`]'s shipment.
    pub shipment: Value,
    pub question: String,
    pub answer: String,
    pub cites: Vec<String>,
    /// The officer's answer back, if any.
    pub reply: Option<String>,
    /// Attach a photo to the reply (needs a reply).
    pub photo: bool,
    pub verdict: String,
    pub controls: Vec<String>,
    pub note: String,
    /// `None`: every step on the system clock.
    pub timeline: Option<Timeline>,
}

impl ClosedRequest {
    /// A request about `subject`, answered citing `code` and closed with `verdict` and `code`.
    pub fn new(subject: &str, verdict: &str, code: &str) -> ClosedRequest {
        ClosedRequest {
            subject: subject.to_string(),
            shipment: json!({}),
            question: format!("Question about {subject}"),
            answer: format!("See {code}."),
            cites: vec![code.to_string()],
            reply: None,
            photo: false,
            verdict: verdict.to_string(),
            controls: vec![code.to_string()],
            note: "Done.".to_string(),
            timeline: None,
        }
    }
}

/// The people who make the requests, each with an open WebSocket.
pub struct Desk<'a> {
    pub server: &'a TestServer,
    pub officer: &'a Api,
    pub officer_ws: &'a mut Ws,
    pub expert_ws: &'a mut Ws,
}

impl Desk<'_> {
    /// Makes `plan` and returns the request's id; panics with the server's answer when a step is refused.
    pub async fn close(&mut self, plan: &ClosedRequest) -> String {
        let at = |step: fn(&Timeline) -> &String| {
            if let Some(timeline) = &plan.timeline {
                self.server.set_clock(step(timeline));
            }
        };
        at(|t| &t.created);
        let mut body = new_request(&plan.subject);
        body["body"] = json!(plan.question);
        if let Some(fields) = plan.shipment.as_object() {
            for (field, value) in fields {
                body["shipment"][field] = value.clone();
            }
        }
        let (status, created) = self.officer.post("/api/v1/requests", &body).await;
        check(status, &created, 201);
        let id = created["request"]["id"].as_str().expect("request id").to_string();

        at(|t| &t.claimed);
        self.expert_ws.send(json!({"type": "claim", "request_id": id})).await;
        self.expert_ws.await_request(&id, "claimed").await;

        at(|t| &t.answered);
        self.expert_ws
            .send_acked(json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": plan.answer, "cites": plan.cites}))
            .await;

        if let Some(reply) = &plan.reply {
            at(|t| &t.replied);
            let mut frame = json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": reply});
            if plan.photo {
                let (status, uploaded) = self.officer.upload(&id, "plate.png", images::png(48, 32), "image/png").await;
                check(status, &uploaded, 201);
                frame["attachments"] = json!([uploaded["attachment"]["id"]]);
            }
            self.officer_ws.send_acked(frame).await;
        }

        at(|t| &t.closed);
        let outcome = json!({"verdict": plan.verdict, "controls": plan.controls, "note": plan.note});
        self.expert_ws.send(json!({"type": "close", "request_id": id, "outcome": outcome})).await;
        self.expert_ws.await_request(&id, "closed").await;
        id
    }
}
