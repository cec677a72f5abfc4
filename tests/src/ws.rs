//! `Ws`: a real tokio-tungstenite client that speaks JSON frames and waits for the frames a test expects.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for an expected frame before failing.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(15);

/// A connected WebSocket client. Frames skipped while waiting for another kind are kept, in order, and
/// handed out by later calls, so that tests do not depend on the order of frames from different sources
/// (an `ack` and the sender's own `event` may come in either order).
pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    backlog: VecDeque<Value>,
}

impl Ws {
    /// Connects with `Authorization: Bearer <token>`.
    pub async fn connect(url: &str, token: &str) -> Ws {
        let mut request = url.into_client_request().expect("ws request");
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
        let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("ws connects");
        Ws { stream, backlog: VecDeque::new() }
    }

    /// Sends one JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.stream.send(Message::Text(frame.to_string().into())).await.expect("ws send");
    }

    /// Sends a `send` frame and waits for its `ack`; panics with the `error` frame when it is refused.
    pub async fn send_acked(&mut self, frame: Value) -> Value {
        let client_msg_id = frame["client_msg_id"].as_str().expect("a send frame has a client_msg_id").to_string();
        self.send(frame).await;
        let ack = self
            .recv_until(|f| {
                (f["type"] == "ack" && f["client_msg_id"] == client_msg_id.as_str())
                    || (f["type"] == "error" && f["ref"] == client_msg_id.as_str())
            })
            .await;
        assert_eq!(ack["type"], "ack", "message refused: {ack}");
        ack
    }

    /// Waits until the request `id` is reported with `status` (after a claim, transfer or close this connection
    /// sent); panics with the `error` frame when the action was refused.
    pub async fn await_request(&mut self, id: &str, status: &str) -> Value {
        let frame = self
            .recv_until(|f| {
                (f["type"] == "request" && f["request"]["id"] == id && f["request"]["status"] == status)
                    || (f["type"] == "error" && f["ref"] == id)
            })
            .await;
        assert_eq!(frame["type"], "request", "expected the request {status}: {frame}");
        frame["request"].clone()
    }

    /// Sends raw text.
    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(Message::Text(text.to_string().into())).await.expect("ws send");
    }

    /// The next JSON frame (kept ones first; pings and pongs skipped); panics on timeout or close.
    pub async fn recv(&mut self) -> Value {
        if let Some(frame) = self.backlog.pop_front() {
            return frame;
        }
        self.recv_new().await
    }

    async fn recv_new(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(FRAME_TIMEOUT, self.stream.next())
                .await
                .expect("a frame within the timeout")
                .expect("the connection stays open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON frame"),
                Message::Close(frame) => panic!("the server closed the connection: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame of `kind`, keeping others for later; an unexpected `error` frame fails the test.
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        let frame = self.recv_until(|f| f["type"] == kind || f["type"] == "error").await;
        assert!(frame["type"] == kind, "expected a {kind} frame, got {frame}");
        frame
    }

    /// The next frame that satisfies `accept`, keeping others for later.
    pub async fn recv_until(&mut self, accept: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.backlog.iter().position(&accept) {
            return self.backlog.remove(at).expect("position is in range");
        }
        loop {
            let frame = self.recv_new().await;
            if accept(&frame) {
                return frame;
            }
            self.backlog.push_back(frame);
        }
    }

    /// Drops the kept frames.
    pub fn clear_backlog(&mut self) {
        self.backlog.clear();
    }

    /// The next `event` frame of `request_id`, skipping others.
    pub async fn recv_event(&mut self, request_id: &str) -> Value {
        self.recv_until(|f| f["type"] == "event" && f["event"]["request_id"] == request_id).await["event"].clone()
    }

    /// Subscribes and collects the replay up to `last_seq`.
    pub async fn subscribe(&mut self, request_id: &str, after_seq: u64, last_seq: u64) -> Vec<Value> {
        self.send(serde_json::json!({"type": "subscribe", "request_id": request_id, "after_seq": after_seq})).await;
        let mut events = Vec::new();
        let mut seen = after_seq;
        while seen < last_seq {
            let event = self.recv_event(request_id).await;
            seen = event["seq"].as_u64().expect("seq");
            events.push(event);
        }
        events
    }

    /// Sends a message and waits for its ack (or error).
    pub async fn send_message(&mut self, request_id: &str, client_msg_id: &str, body: &str) -> Value {
        self.send(
            serde_json::json!({"type": "send", "request_id": request_id, "client_msg_id": client_msg_id, "body": body}),
        )
        .await;
        self.recv_until(|f| {
            (f["type"] == "ack" || f["type"] == "error")
                && f.get("client_msg_id").or(f.get("ref")) == Some(&Value::String(client_msg_id.into()))
        })
        .await
    }

    /// A ping answered by pong proves the connection still works (and that every earlier frame was handled).
    pub async fn check_alive(&mut self) {
        self.send(serde_json::json!({"type": "ping"})).await;
        self.recv_type("pong").await;
    }

    /// Waits for the server to close the connection; returns its close frame.
    pub async fn closed(&mut self) -> Option<CloseFrame> {
        loop {
            match tokio::time::timeout(FRAME_TIMEOUT, self.stream.next()).await.expect("close within the timeout") {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                Some(Err(error)) => {
                    eprintln!("the connection ended without a close frame: {error}");
                    return None;
                }
                None => return None,
            }
        }
    }
}
