//! The WebSocket half of the protocol: one connection to `/api/v1/ws` that sends `ClientFrame`s and yields
//! `ServerFrame`s, with a connect timeout and a heartbeat that notices a dead link.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hotline_protocol::{ClientFrame, ServerFrame};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::api::{CONNECT_TIMEOUT, HotlineApi};
use crate::error::{ClientError, Result};

/// Silence after which the link sends a `ping`.
const PING_AFTER: Duration = Duration::from_secs(15);
/// Silence after that ping after which the link is taken for dead.
const DEAD_AFTER: Duration = Duration::from_secs(10);
/// Longest time to hand one frame to the socket.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// A connected WebSocket.
pub struct Link {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    server: String,
    ping_sent: bool,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").field("server", &self.server).finish_non_exhaustive()
    }
}

impl Link {
    /// Opens the WebSocket with the session's bearer token.
    pub async fn connect(api: &HotlineApi) -> Result<Link> {
        let server = api.server().to_string();
        let offline = |reason: String| ClientError::Offline { server: server.clone(), reason };
        let mut request = api.ws_url().into_client_request().map_err(|e| ClientError::Protocol(e.to_string()))?;
        if let Some(token) = api.token() {
            let value = format!("Bearer {token}").parse().map_err(|_| ClientError::Unauthorised)?;
            request.headers_mut().insert("authorization", value);
        }
        let connecting = tokio_tungstenite::connect_async(request);
        let (stream, _) = match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
            Err(_) => return Err(offline("timed out".into())),
            Ok(Err(WsError::Http(response))) if response.status().as_u16() == 401 => {
                return Err(ClientError::Unauthorised);
            }
            Ok(Err(WsError::Http(response))) if response.status().is_server_error() => {
                return Err(ClientError::ServerFailed {
                    status: response.status().as_u16(),
                    message: "the WebSocket upgrade failed".into(),
                });
            }
            Ok(Err(error)) => return Err(offline(describe(&error))),
            Ok(Ok(connected)) => connected,
        };
        Ok(Link { stream, server, ping_sent: false })
    }

    fn lost(&self, reason: String) -> ClientError {
        ClientError::Offline { server: self.server.clone(), reason }
    }

    /// Sends one frame.
    pub async fn send(&mut self, frame: &ClientFrame) -> Result<()> {
        let text = serde_json::to_string(frame).map_err(|e| ClientError::Protocol(e.to_string()))?;
        match tokio::time::timeout(SEND_TIMEOUT, self.stream.send(Message::Text(text.into()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(self.lost(describe(&error))),
            Err(_) => Err(self.lost("timed out".into())),
        }
    }

    /// The next frame from the server (pongs are swallowed). Cancel-safe, so it can sit in a `select!`.
    /// Pings after [`PING_AFTER`] of silence and gives up [`DEAD_AFTER`] later.
    pub async fn next(&mut self) -> Result<ServerFrame> {
        loop {
            let wait = if self.ping_sent { DEAD_AFTER } else { PING_AFTER };
            let message = match tokio::time::timeout(wait, self.stream.next()).await {
                Err(_) if self.ping_sent => return Err(self.lost("no answer from the server".into())),
                Err(_) => {
                    self.ping_sent = true;
                    self.send(&ClientFrame::Ping).await?;
                    continue;
                }
                Ok(None) => return Err(self.lost("connection closed".into())),
                Ok(Some(Err(error))) => return Err(self.lost(describe(&error))),
                Ok(Some(Ok(message))) => message,
            };
            self.ping_sent = false;
            match message {
                Message::Text(text) => match serde_json::from_str::<ServerFrame>(text.as_str()) {
                    Ok(ServerFrame::Pong) => continue,
                    Ok(frame) => return Ok(frame),
                    // A frame type newer than this client: not ours to act on.
                    Err(_) => continue,
                },
                Message::Close(frame) => {
                    let reason =
                        frame.map_or_else(|| "closed by the server".to_string(), |f| format!("closed: {}", f.reason));
                    return Err(self.lost(reason));
                }
                _ => continue,
            }
        }
    }

    /// Closes politely (best effort, bounded).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.stream.close(None)).await;
    }
}

fn describe(error: &WsError) -> String {
    match error {
        WsError::Io(io) => io.kind().to_string(),
        WsError::ConnectionClosed | WsError::AlreadyClosed => "connection closed".into(),
        other => other.to_string(),
    }
}
