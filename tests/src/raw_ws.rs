//! `SilentPeer`: a WebSocket client on a plain TCP socket, upgraded by hand, that never answers a ping. It plays a
//! dead peer while still reading everything the server sends (tungstenite cannot: it queues a pong for every ping
//! it reads), so a test can wait for the server to give up on it instead of sleeping past the deadline.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The frame opcodes of RFC 6455 that a test meets.
const TEXT: u8 = 0x1;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;

/// Any key does for the handshake: the server only echoes a hash of it (this one is RFC 6455's example).
const HANDSHAKE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// The mask of every frame this client sends (clients must mask; the value does not matter here).
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// One frame from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    pub opcode: u8,
    pub payload: Vec<u8>,
}

/// How the server ended a silent connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaped {
    /// Pings the server sent that went unanswered.
    pub pings: usize,
    /// The close frame's code and reason, if the server sent one before closing the socket.
    pub close: Option<(u16, String)>,
}

/// A connected WebSocket that reads but never answers pings.
pub struct SilentPeer {
    stream: TcpStream,
    /// Bytes read from the socket and not yet parsed into a frame.
    buffered: Vec<u8>,
}

impl SilentPeer {
    /// Opens `GET /api/v1/ws` on `base` (`http://host:port`) with `Authorization: Bearer <token>`; panics unless
    /// the server switches protocols.
    pub async fn connect(base: &str, token: &str) -> SilentPeer {
        let host = base.strip_prefix("http://").expect("an http:// base URL");
        let mut stream = TcpStream::connect(host).await.expect("TCP connect to the server");
        let request = format!(
            "GET /api/v1/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("handshake written");
        let mut buffered = Vec::new();
        let end = loop {
            if let Some(at) = buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 1024];
            let n = stream.read(&mut chunk).await.expect("handshake answer read");
            assert!(
                n > 0,
                "the server closed the socket during the handshake: {:?}",
                String::from_utf8_lossy(&buffered)
            );
            buffered.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buffered[..end]).to_string();
        assert!(head.starts_with("HTTP/1.1 101"), "the upgrade was refused:\n{head}");
        buffered.drain(..end);
        SilentPeer { stream, buffered }
    }

    /// Sends one (masked) text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.send_frame(TEXT, text.as_bytes()).await;
    }

    /// The next frame, or `None` when the server closed the socket; pings are returned like any frame and
    /// never answered.
    pub async fn next_frame(&mut self) -> Option<RawFrame> {
        loop {
            if let Some((frame, used)) = parse_frame(&self.buffered) {
                self.buffered.drain(..used);
                return Some(frame);
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buffered.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// The next text frame, skipping pings (unanswered) and anything else; panics on a close or after `within`.
    pub async fn next_text(&mut self, within: Duration) -> String {
        tokio::time::timeout(within, async {
            loop {
                match self.next_frame().await {
                    Some(RawFrame { opcode: TEXT, payload }) => return String::from_utf8(payload).expect("UTF-8 text"),
                    Some(RawFrame { opcode: CLOSE, payload }) => {
                        panic!("the server closed the connection: {:?}", close_of(&payload))
                    }
                    Some(_) => continue,
                    None => panic!("the server dropped the connection"),
                }
            }
        })
        .await
        .expect("a text frame within the timeout")
    }

    /// Reads, answering no ping, until the server closes the connection: its close frame (answered, to complete
    /// the closing handshake) and then the end of the socket. Panics if that takes longer than `within`, which is
    /// a bound for a failing test, not a wait: a passing test returns as soon as the server gives up.
    pub async fn until_reaped(mut self, within: Duration) -> Reaped {
        tokio::time::timeout(within, async {
            let mut pings = 0;
            let mut close = None;
            while let Some(frame) = self.next_frame().await {
                match frame.opcode {
                    PING => pings += 1,
                    CLOSE if close.is_none() => {
                        close = close_of(&frame.payload);
                        let code = close.as_ref().map_or(1000, |(code, _)| *code);
                        self.send_frame(CLOSE, &code.to_be_bytes()).await;
                    }
                    _ => {}
                }
            }
            Reaped { pings, close }
        })
        .await
        .expect("the server closes a silent connection within the timeout")
    }

    async fn send_frame(&mut self, opcode: u8, payload: &[u8]) {
        let mut frame = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= u16::MAX as usize => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&MASK);
        frame.extend(payload.iter().enumerate().map(|(i, byte)| byte ^ MASK[i % 4]));
        // The server may already have closed its side; a failed write shows up as the end of the socket.
        let _ = self.stream.write_all(&frame).await;
    }
}

/// One whole frame at the start of `bytes` and how many bytes it takes, or `None` if more must be read.
fn parse_frame(bytes: &[u8]) -> Option<(RawFrame, usize)> {
    let [first, second, ..] = *bytes else { return None };
    let masked = second & 0x80 != 0;
    let (len, mut at) = match second & 0x7f {
        126 => (u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?) as usize, 4),
        127 => (u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?) as usize, 10),
        n => (n as usize, 2),
    };
    let mask: Option<[u8; 4]> = if masked {
        let mask = bytes.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(mask)
    } else {
        None
    };
    let mut payload = bytes.get(at..at + len)?.to_vec();
    if let Some(mask) = mask {
        payload.iter_mut().enumerate().for_each(|(i, byte)| *byte ^= mask[i % 4]);
    }
    Some((RawFrame { opcode: first & 0x0f, payload }, at + len))
}

/// A close frame's code and reason.
fn close_of(payload: &[u8]) -> Option<(u16, String)> {
    let code = u16::from_be_bytes(payload.get(..2)?.try_into().ok()?);
    Some((code, String::from_utf8_lossy(&payload[2..]).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_parsed_only_when_whole() {
        let close = [0x88, 0x05, 0x03, 0xe9, b'b', b'y', b'e'];
        assert_eq!(parse_frame(&close[..4]), None);
        let (frame, used) = parse_frame(&close).unwrap();
        assert_eq!(used, close.len());
        assert_eq!(frame.opcode, CLOSE);
        assert_eq!(close_of(&frame.payload), Some((1001, "bye".to_string())));
        let mut long = vec![0x81, 126, 0x01, 0x00];
        long.extend(std::iter::repeat_n(b'x', 256));
        assert_eq!(parse_frame(&long).unwrap().0.payload.len(), 256);
    }
}
