//! What each client frame does: parsing (with the contract's error frames for malformed, unknown and
//! ill-typed frames), role and ownership checks, and the answers.

use std::time::Instant;

use axum::extract::ws::Message;
use futures_util::{FutureExt, Sink};
use hotline_protocol::{ClientFrame, Outcome, Role, ServerFrame};
use serde::Deserialize;
use serde_json::Value;

use super::connection::{Gone, Session};
use crate::access::{self, Caller, RequestFacts};
use crate::error::AppError;
use crate::hotline;
use crate::store::events::{self, NewMessage};
use crate::store::{StoreError, requests};

/// The `type`s a client may send.
const CLIENT_TYPES: [&str; 11] = [
    "subscribe",
    "unsubscribe",
    "send",
    "typing",
    "read",
    "watch_queue",
    "on_call",
    "claim",
    "transfer",
    "close",
    "ping",
];

/// Events read per page while replaying.
const REPLAY_PAGE: u32 = 500;

/// An `error` frame's `ref`: the frame's `client_msg_id`, else its `request_id`, else null.
fn reference_of(value: &Value) -> Option<String> {
    ["client_msg_id", "request_id"].iter().find_map(|key| value.get(key).and_then(Value::as_str).map(str::to_string))
}

/// An `error` frame for `error`.
pub fn error_frame(error: &AppError, reference: Option<String>) -> ServerFrame {
    if let AppError::Internal(detail) = error {
        tracing::error!(error = %detail, "internal error in a websocket action");
    }
    ServerFrame::error(error.code(), error.public_message(), reference)
}

impl<S> Session<S>
where
    S: Sink<Message> + Unpin + Send,
{
    /// Parses and handles one text frame; every problem is answered with an `error` frame.
    pub(super) async fn handle_text(&mut self, text: &str) -> Result<(), Gone> {
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(_) => {
                return self
                    .send(&ServerFrame::error("malformed_json", "the frame is not valid JSON; nothing was done", None))
                    .await;
            }
        };
        let reference = reference_of(&value);
        let frame = match ClientFrame::deserialize_from(&value) {
            Ok(frame) => frame,
            Err(message) => {
                let code = match value.get("type").and_then(Value::as_str) {
                    Some(kind) if !CLIENT_TYPES.contains(&kind) => "unknown_type",
                    _ => "invalid_frame",
                };
                return self.send(&ServerFrame::error(code, message, reference)).await;
            }
        };
        if let ClientFrame::Send { request_id, client_msg_id, body, attachments, cites } = frame {
            self.queue_send(NewMessage { request_id, client_msg_id, body, attachments, cites });
            return Ok(());
        }
        self.flush_pending().await?;
        match self.dispatch(frame).await {
            Ok(()) => Ok(()),
            Err(Handled::Gone) => Err(Gone),
            Err(Handled::Refused(error)) => self.send(&error_frame(&error, reference)).await,
        }
    }

    /// Queues a `send` to the writer now; its ack (or error) is written once committed, in order.
    fn queue_send(&mut self, message: NewMessage) {
        let started = Instant::now();
        let client_msg_id = message.client_msg_id.clone();
        let metrics = self.state.metrics.clone();
        let write = hotline::send_message(&self.state, self.caller.clone(), message);
        self.pending.push_back(
            async move {
                match write.await {
                    Ok(ack) => {
                        metrics.send_latency.observe(started.elapsed());
                        ServerFrame::Ack {
                            client_msg_id: ack.client_msg_id,
                            request_id: ack.request_id,
                            seq: ack.seq,
                            message_id: ack.message_id,
                        }
                    }
                    Err(error) => error_frame(&error, Some(client_msg_id)),
                }
            }
            .boxed(),
        );
    }

    /// Applies the access `rule` to the caller and the request's facts, read off the runtime; an unknown request
    /// is refused as not found, like one the caller may not see. (`&mut self`: the session is `Send` but not
    /// `Sync`, so the future may not hold a shared borrow of it.)
    async fn require_access(
        &mut self,
        request_id: &str,
        rule: fn(&Caller, &RequestFacts) -> Result<(), StoreError>,
    ) -> Result<(), Handled> {
        let caller = self.caller.clone();
        let id = request_id.to_string();
        self.state
            .store
            .readers
            .read(move |conn| {
                let facts = requests::load_facts(conn, &id)?.ok_or_else(access::not_found)?;
                rule(&caller, &facts)
            })
            .await
            .map_err(AppError::from)?;
        Ok(())
    }

    fn require_role(&self, role: Role, what: &str) -> Result<(), Handled> {
        if self.caller.role() == role {
            Ok(())
        } else {
            Err(Handled::Refused(AppError::Forbidden(format!("only {role}s may {what}"))))
        }
    }

    async fn dispatch(&mut self, frame: ClientFrame) -> Result<(), Handled> {
        match frame {
            ClientFrame::Ping => self.send(&ServerFrame::Pong).await?,
            ClientFrame::Subscribe { request_id, after_seq } => self.subscribe(request_id, after_seq).await?,
            ClientFrame::Unsubscribe { request_id } => {
                self.state.hub.unsubscribe(self.conn_id, &request_id);
                self.subscriptions.remove(&request_id);
            }
            ClientFrame::Typing { request_id } => {
                self.require_access(&request_id, access::require_chat_writer).await?;
                let frame = ServerFrame::Typing { request_id: request_id.clone(), user: self.caller.user.clone() };
                self.state.hub.publish_ephemeral(&request_id, &frame, self.conn_id);
            }
            ClientFrame::Read { request_id, seq } => {
                let caller = self.caller.clone();
                let id = request_id.clone();
                self.state
                    .store
                    .writer
                    .write(move |conn| events::set_read_mark(conn, &caller, &id, seq))
                    .await
                    .map_err(AppError::from)?;
                let frame = ServerFrame::Read { request_id: request_id.clone(), user: self.caller.user.clone(), seq };
                self.state.hub.publish_ephemeral(&request_id, &frame, self.conn_id);
            }
            ClientFrame::WatchQueue => {
                self.require_role(Role::Expert, "watch the queue")?;
                let roster = self.state.hub.watch_queue(self.conn_id);
                let queue = self.state.store.readers.read(requests::queue).await.map_err(AppError::from)?;
                self.send(&ServerFrame::Queue { requests: queue }).await?;
                for user in roster {
                    self.send(&ServerFrame::Presence { user, on_call: true }).await?;
                }
            }
            ClientFrame::OnCall { on } => {
                self.require_role(Role::Expert, "go on call")?;
                self.state.hub.set_on_call(self.conn_id, on);
                self.send(&ServerFrame::Presence { user: self.caller.user.clone(), on_call: on }).await?;
            }
            ClientFrame::Claim { request_id } => {
                let request = hotline::claim(&self.state, self.caller.clone(), Some(self.conn_id), request_id).await?;
                self.send(&ServerFrame::Request { request }).await?;
            }
            ClientFrame::Transfer { request_id, to_user } => {
                let request =
                    hotline::transfer(&self.state, self.caller.clone(), Some(self.conn_id), request_id, to_user)
                        .await?;
                self.send(&ServerFrame::Request { request }).await?;
            }
            ClientFrame::Close { request_id, outcome } => {
                let outcome: Outcome = outcome;
                let request =
                    hotline::close(&self.state, self.caller.clone(), Some(self.conn_id), request_id, outcome).await?;
                self.send(&ServerFrame::Request { request }).await?;
            }
            ClientFrame::Send { .. } => {}
        }
        Ok(())
    }

    /// Registers for live events first, then replays from the store: anything committed after the replay's
    /// read arrives live, anything in both is forwarded once (by seq). Then the other participants' stored read
    /// marks follow as `read` frames, so a client that was away learns how far the others have read.
    async fn subscribe(&mut self, request_id: String, after_seq: u64) -> Result<(), Handled> {
        self.require_access(&request_id, access::require_visible).await?;
        self.state.hub.subscribe(self.conn_id, &request_id);
        self.subscriptions.insert(request_id.clone(), after_seq);
        let mut last = after_seq;
        loop {
            let id = request_id.clone();
            let page = self
                .state
                .store
                .readers
                .read(move |conn| events::load_events(conn, &id, last, REPLAY_PAGE))
                .await
                .map_err(AppError::from)?;
            let full = page.len() as u32 == REPLAY_PAGE;
            for event in page {
                last = event.seq;
                let event = crate::views::event_for(&self.caller, &self.state.pseudonym_key, event);
                self.send(&ServerFrame::Event { event }).await?;
            }
            if !full {
                break;
            }
        }
        if let Some(mark) = self.subscriptions.get_mut(&request_id) {
            *mark = (*mark).max(last);
        }
        let (id, me) = (request_id.clone(), self.caller.id().to_string());
        let marks = self
            .state
            .store
            .readers
            .read(move |conn| events::read_marks(conn, &id, &me))
            .await
            .map_err(AppError::from)?;
        for (user, seq) in marks {
            let user = crate::views::user_for(&self.caller, &self.state.pseudonym_key, user);
            self.send(&ServerFrame::Read { request_id: request_id.clone(), user, seq }).await?;
        }
        Ok(())
    }
}

/// Why an action stopped: refused (answered with an error frame) or the socket is gone.
enum Handled {
    Refused(AppError),
    Gone,
}

impl From<AppError> for Handled {
    fn from(error: AppError) -> Handled {
        Handled::Refused(error)
    }
}

impl From<Gone> for Handled {
    fn from(_: Gone) -> Handled {
        Handled::Gone
    }
}

/// Parsing a client frame from an already-parsed JSON value, with a message a client can act on.
trait DeserializeFrom: Sized {
    fn deserialize_from(value: &Value) -> Result<Self, String>;
}

impl DeserializeFrom for ClientFrame {
    fn deserialize_from(value: &Value) -> Result<ClientFrame, String> {
        if !value.is_object() {
            return Err("a frame is a JSON object with a \"type\"".into());
        }
        match value.get("type") {
            None => return Err("the frame has no \"type\"".into()),
            Some(Value::String(_)) => {}
            Some(_) => return Err("\"type\" must be a string".into()),
        }
        ClientFrame::deserialize(value).map_err(|e| format!("the frame is not understood: {e}"))
    }
}
