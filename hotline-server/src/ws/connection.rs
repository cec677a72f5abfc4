//! One WebSocket connection's loop, generic over the socket's `Sink` and `Stream` halves. Frames are handled
//! in the order they arrive; `send`s are queued to the writer at once and their acks written in order as their
//! commits land (so a burst of sends shares transactions), and any other frame first waits for those acks.
//! Live frames come from the hub's bounded queue; a full queue turns into an `error` frame `lagged`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, close_code};
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesOrdered;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use hotline_protocol::ServerFrame;
use tokio::sync::mpsc;

use super::flood::FloodGate;
use crate::access::Caller;
use crate::hub::{ConnId, Lag, Outbound};
use crate::state::AppState;

/// The socket is gone; stop.
#[derive(Debug)]
pub struct Gone;

/// How long a closing connection waits for the client's close reply.
const CLOSE_REPLY_WAIT: Duration = Duration::from_secs(2);

/// How long shutdown waits for the acks of sends already queued.
const SHUTDOWN_ACK_WAIT: Duration = Duration::from_secs(5);

/// The state of one connection.
pub struct Session<S> {
    pub(super) state: AppState,
    pub(super) caller: Caller,
    pub(super) conn_id: ConnId,
    /// Subscribed requests and the last seq forwarded for each.
    pub(super) subscriptions: HashMap<String, u64>,
    /// Frames answering queued sends, in arrival order.
    pub(super) pending: FuturesOrdered<BoxFuture<'static, ServerFrame>>,
    pub(super) sink: S,
}

fn close(code: u16, reason: &'static str) -> CloseFrame {
    CloseFrame { code, reason: Utf8Bytes::from_static(reason) }
}

impl<S> Session<S>
where
    S: Sink<Message> + Unpin + Send,
{
    /// Writes one frame.
    pub(super) async fn send(&mut self, frame: &ServerFrame) -> Result<(), Gone> {
        let text = serde_json::to_string(frame).map_err(|_| Gone)?;
        self.sink.send(Message::Text(Utf8Bytes::from(text))).await.map_err(|_| Gone)
    }

    /// Writes every pending ack, in order, before a frame that is not a `send` is handled.
    pub(super) async fn flush_pending(&mut self) -> Result<(), Gone> {
        while let Some(frame) = self.pending.next().await {
            self.send(&frame).await?;
        }
        Ok(())
    }

    /// Forwards a live frame; events only in seq order, the first one past a gap counting as a lag.
    async fn forward(&mut self, item: Outbound) -> Result<(), Gone> {
        match item {
            Outbound::Frame(text) => self.sink.send(Message::Text(text)).await.map_err(|_| Gone),
            Outbound::Event { request_id, seq, text } => {
                let Some(last) = self.subscriptions.get_mut(&*request_id) else { return Ok(()) };
                if seq <= *last {
                    return Ok(());
                }
                if seq == *last + 1 {
                    *last = seq;
                    return self.sink.send(Message::Text(text)).await.map_err(|_| Gone);
                }
                self.state.hub.unsubscribe(self.conn_id, &request_id);
                self.lagged(Lag::Request(request_id.to_string())).await
            }
        }
    }

    /// Tells the client what it missed, so that it subscribes (or watches) again.
    async fn lagged(&mut self, lag: Lag) -> Result<(), Gone> {
        let frame = match lag {
            Lag::Request(request_id) => {
                let last = self.subscriptions.remove(&request_id).unwrap_or(0);
                ServerFrame::error(
                    "lagged",
                    format!(
                        "you fell behind on request {request_id}; subscribe again with after_seq={last} (the last seq you saw)"
                    ),
                    Some(request_id),
                )
            }
            Lag::Queue => ServerFrame::error("lagged", "you fell behind on the queue; send watch_queue again", None),
        };
        self.send(&frame).await
    }
}

/// Runs a connection until the client leaves, abuses it, goes silent, or the server shuts down.
pub async fn run<S, R>(sink: S, mut stream: R, state: AppState, caller: Caller)
where
    S: Sink<Message> + Unpin + Send,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin + Send,
{
    let limits = state.config.limits.clone();
    let registration = state.hub.register(caller.user.clone(), limits.ws_outbound_queue);
    state.metrics.ws_connections.fetch_add(1, Ordering::Relaxed);
    state.metrics.ws_connections_total.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(user_id = %caller.user.id, conn = registration.id, "websocket connected");
    let mut session = Session {
        state: state.clone(),
        caller,
        conn_id: registration.id,
        subscriptions: HashMap::new(),
        pending: FuturesOrdered::new(),
        sink,
    };
    let closing = serve(&mut session, &mut stream, registration.outbound, registration.lags).await;
    state.hub.unregister(session.conn_id);
    state.metrics.ws_connections.fetch_sub(1, Ordering::Relaxed);
    if let Some(frame) = closing {
        if frame.code != close_code::AWAY || state.shutdown.is_cancelled() {
            tracing::info!(conn = session.conn_id, code = frame.code, reason = %frame.reason, "closing websocket");
        }
        if session.sink.send(Message::Close(Some(frame))).await.is_ok() {
            // Complete the closing handshake: dropping the socket before the client's reply arrives would
            // make the kernel answer it with a reset, and the client could lose our close frame.
            let _ = tokio::time::timeout(CLOSE_REPLY_WAIT, async {
                while let Some(Ok(message)) = stream.next().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            })
            .await;
        }
    }
    let _ = session.sink.close().await;
}

async fn serve<S, R>(
    session: &mut Session<S>,
    stream: &mut R,
    mut outbound: mpsc::Receiver<Outbound>,
    mut lags: mpsc::UnboundedReceiver<Lag>,
) -> Option<CloseFrame>
where
    S: Sink<Message> + Unpin + Send,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin + Send,
{
    let limits = session.state.config.limits.clone();
    let shutdown = session.state.shutdown.clone();
    let mut flood = FloodGate::new(limits.ws_flood_burst, limits.ws_flood_per_minute);
    let mut heartbeat =
        tokio::time::interval_at(tokio::time::Instant::now() + limits.ws_heartbeat, limits.ws_heartbeat);
    let mut last_heard = Instant::now();
    loop {
        let step: Result<(), Gone> = tokio::select! {
            biased;
            _ = shutdown.cancelled() => {
                let _ = tokio::time::timeout(SHUTDOWN_ACK_WAIT, session.flush_pending()).await;
                return Some(close(close_code::AWAY, "server shutting down; reconnect and resubscribe"));
            }
            Some(frame) = session.pending.next(), if !session.pending.is_empty() => session.send(&frame).await,
            Some(lag) = lags.recv() => session.lagged(lag).await,
            Some(item) = outbound.recv() => session.forward(item).await,
            incoming = stream.next(), if session.pending.len() < limits.ws_max_pending_sends => {
                last_heard = Instant::now();
                match incoming {
                    None => return None,
                    Some(Err(error)) => {
                        let text = error.to_string();
                        tracing::info!(conn = session.conn_id, error = %text, "websocket read failed");
                        if text.contains("too long") || text.contains("Space limit") || text.contains("capacity") {
                            session.state.metrics.ws_closed_for_abuse.fetch_add(1, Ordering::Relaxed);
                            return Some(close(close_code::SIZE, "frame too large"));
                        }
                        return Some(close(close_code::PROTOCOL, "protocol error"));
                    }
                    Some(Ok(Message::Close(_))) => return None,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Ok(message)) => {
                        session.state.metrics.ws_frames_in.fetch_add(1, Ordering::Relaxed);
                        let size = match &message {
                            Message::Text(text) => text.len(),
                            Message::Binary(bytes) => bytes.len(),
                            _ => 0,
                        };
                        if size > limits.ws_max_message_bytes {
                            session.state.metrics.ws_closed_for_abuse.fetch_add(1, Ordering::Relaxed);
                            let _ = session.flush_pending().await;
                            return Some(close(close_code::SIZE, "frame too large"));
                        }
                        if !flood.allow() {
                            session.state.metrics.ws_closed_for_abuse.fetch_add(1, Ordering::Relaxed);
                            let _ = session.flush_pending().await;
                            return Some(close(close_code::POLICY, "flood: too many frames; slow down"));
                        }
                        match message {
                            Message::Text(text) => session.handle_text(text.as_str()).await,
                            _ => session.send(&ServerFrame::error(
                                "unsupported_frame",
                                "frames are JSON text; binary frames are not understood",
                                None,
                            )).await,
                        }
                    }
                }
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > limits.ws_idle_timeout {
                    return Some(close(close_code::AWAY, "no heartbeat; connection reaped"));
                }
                session.sink.send(Message::Ping(Default::default())).await.map_err(|_| Gone)
            }
        };
        if step.is_err() {
            return None;
        }
    }
}
