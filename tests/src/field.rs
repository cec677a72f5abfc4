//! Helpers for the `field` end-to-end tests: [`Field`] runs the real CLI (`field-under-test`) as a child
//! process with its own `--home`; [`Proxy`] is a TCP proxy between it and the server that counts bytes, can
//! cut connections at seeded random points or corrupt one byte; [`phone_photo`] makes a camera-sized JPEG
//! carrying EXIF GPS.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long one `field` command may run before the test fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

/// The path of the field binary built beside the test executables (`FIELD_BIN` overrides it).
pub fn field_binary() -> PathBuf {
    if let Ok(path) = std::env::var("FIELD_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let path = dir.join(format!("field-under-test{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing: run the tests with `cargo test -p hotline-tests`", path.display());
    path
}

/// What a finished command left.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics unless the exit status is 0.
    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(self.code, 0, "field failed:\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }

    /// Panics unless the command failed with status 1 and ended with a plain `field: ...` line (no panic, no backtrace).
    #[track_caller]
    pub fn plain_failure(self) -> Run {
        assert_eq!(self.code, 1, "expected exit 1:\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        let last = self.stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("field: "), "no plain message: {}", self.stderr);
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("Backtrace"), "{}", self.stderr);
        self
    }

    /// stdout as the single JSON document it must be.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout))
    }
}

/// One officer's `field` installation: a temporary `--home`.
pub struct Field {
    pub home: tempfile::TempDir,
}

impl Default for Field {
    fn default() -> Self {
        Field::new()
    }
}

impl Field {
    /// A fresh, empty home.
    pub fn new() -> Field {
        Field { home: tempfile::tempdir().expect("home dir") }
    }

    /// `field --home HOME` ready for arguments.
    pub fn command(&self) -> Command {
        let mut command = Command::new(field_binary());
        command.arg("--home").arg(self.home.path()).env_remove("FIELD_HOME").env("NO_COLOR", "1");
        command
    }

    /// Runs `field ARGS` with `stdin` as its input and waits (at most [`COMMAND_TIMEOUT`]).
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("field starts");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
        let pid = child.id();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(child.wait_with_output());
        });
        let output = match receiver.recv_timeout(COMMAND_TIMEOUT) {
            Ok(output) => output.expect("field ends"),
            Err(_) => {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                panic!("`field {}` did not finish within {COMMAND_TIMEOUT:?}", args.join(" "));
            }
        };
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into(),
            stderr: String::from_utf8_lossy(&output.stderr).into(),
        }
    }

    /// Runs `field ARGS` with empty input.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    /// `field login --password-stdin`; panics unless it works.
    pub fn login(&self, server: &str, username: &str, password: &str) {
        self.run_with_stdin(
            &["login", "--server", server, "--username", username, "--password-stdin"],
            &format!("{password}\n"),
        )
        .success();
    }
}

/// What the proxy does to the bytes it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyMode {
    /// Carries everything.
    Pass,
    /// Cuts each connection after a random number of bytes (both directions together) in `min..max`.
    Flaky { min: u64, max: u64 },
    /// Flips one byte at this offset of every connection's server-to-client stream.
    CorruptAt(u64),
}

struct ProxyState {
    upstream: AtomicU16,
    mode: Mutex<ProxyMode>,
    rng: Mutex<u64>,
    to_server: AtomicU64,
    to_client: AtomicU64,
    connections: AtomicU64,
    cuts: AtomicU64,
    /// The first bytes of every server-to-client stream (status lines and headers), for asserting on them.
    heads: Mutex<Vec<String>>,
}

impl ProxyState {
    /// splitmix64: a seeded, reproducible sequence of cut points.
    fn random(&self) -> u64 {
        let mut state = self.rng.lock().expect("rng");
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A TCP proxy on 127.0.0.1 in front of a server port, running on its own thread and runtime.
pub struct Proxy {
    pub port: u16,
    state: Arc<ProxyState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy to `upstream_port` with a seed for its random cut points.
    pub fn start(upstream_port: u16, mode: ProxyMode, seed: u64) -> Proxy {
        let state = Arc::new(ProxyState {
            upstream: AtomicU16::new(upstream_port),
            mode: Mutex::new(mode),
            rng: Mutex::new(seed),
            to_server: AtomicU64::new(0),
            to_client: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            cuts: AtomicU64::new(0),
            heads: Mutex::new(Vec::new()),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (ready, port) = std::sync::mpsc::channel();
        let shared = state.clone();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
                ready.send(listener.local_addr().expect("address").port()).expect("port sent");
                let mut connections = tokio::task::JoinSet::new();
                tokio::pin!(stopped);
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            let Ok((client, _)) = accepted else { continue };
                            connections.spawn(carry(client, shared.clone()));
                        }
                        Some(_) = connections.join_next(), if !connections.is_empty() => {}
                    }
                }
                connections.shutdown().await;
            });
        });
        let port = port.recv_timeout(Duration::from_secs(10)).expect("proxy listening");
        Proxy { port, state, stop: Some(stop), thread: Some(thread) }
    }

    /// The proxy's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Points the proxy at a (restarted) server.
    pub fn set_upstream(&self, port: u16) {
        self.state.upstream.store(port, Ordering::SeqCst);
    }

    /// Changes what the proxy does to new connections.
    pub fn set_mode(&self, mode: ProxyMode) {
        *self.state.mode.lock().expect("mode") = mode;
    }

    /// Bytes carried client → server and server → client so far.
    pub fn bytes(&self) -> (u64, u64) {
        (self.state.to_server.load(Ordering::SeqCst), self.state.to_client.load(Ordering::SeqCst))
    }

    /// Resets the byte counters.
    pub fn reset_bytes(&self) {
        self.state.to_server.store(0, Ordering::SeqCst);
        self.state.to_client.store(0, Ordering::SeqCst);
    }

    /// How many connections were accepted and how many of them the proxy cut.
    pub fn connections_and_cuts(&self) -> (u64, u64) {
        (self.state.connections.load(Ordering::SeqCst), self.state.cuts.load(Ordering::SeqCst))
    }

    /// The HTTP status lines the server sent through the proxy, oldest first.
    pub fn status_lines(&self) -> Vec<String> {
        self.state.heads.lock().expect("heads").clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One proxied connection: both directions until either side ends or the proxy cuts it.
async fn carry(client: TcpStream, state: Arc<ProxyState>) {
    state.connections.fetch_add(1, Ordering::SeqCst);
    let Ok(server) = TcpStream::connect(("127.0.0.1", state.upstream.load(Ordering::SeqCst))).await else {
        return; // the server is down: the client sees its connection closed
    };
    let mode = *state.mode.lock().expect("mode");
    let budget = match mode {
        ProxyMode::Flaky { min, max } => Some(Arc::new(AtomicU64::new(min + state.random() % (max - min)))),
        _ => None,
    };
    let corrupt_at = match mode {
        ProxyMode::CorruptAt(offset) => Some(offset),
        _ => None,
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pump(client_read, server_write, state.clone(), budget.clone(), None, false);
    let down = pump(server_read, client_write, state.clone(), budget, corrupt_at, true);
    let cut = tokio::select! { cut = up => cut, cut = down => cut };
    if cut {
        state.cuts.fetch_add(1, Ordering::SeqCst);
    }
}

/// Copies one direction; returns true when the proxy cut the connection (budget spent).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    state: Arc<ProxyState>,
    budget: Option<Arc<AtomicU64>>,
    corrupt_at: Option<u64>,
    to_client: bool,
) -> bool {
    let mut buffer = vec![0u8; 16 * 1024];
    let mut position = 0u64;
    loop {
        let Ok(read) = from.read(&mut buffer).await else { return false };
        if read == 0 {
            return false;
        }
        let mut take = read;
        let mut cut = false;
        if let Some(budget) = &budget {
            let left = budget.fetch_sub((read as u64).min(budget.load(Ordering::SeqCst)), Ordering::SeqCst);
            if left <= read as u64 {
                take = left as usize;
                cut = true;
            }
        }
        let chunk = &mut buffer[..take];
        if let Some(offset) = corrupt_at
            && (position..position + take as u64).contains(&offset)
        {
            chunk[(offset - position) as usize] ^= 0xFF;
        }
        if to_client {
            record_status_lines(&state, chunk);
        }
        position += take as u64;
        let counter = if to_client { &state.to_client } else { &state.to_server };
        counter.fetch_add(take as u64, Ordering::SeqCst);
        if to.write_all(chunk).await.is_err() {
            return false;
        }
        if cut {
            return true;
        }
    }
}

fn record_status_lines(state: &ProxyState, chunk: &[u8]) {
    let text = String::from_utf8_lossy(chunk);
    let mut heads = state.heads.lock().expect("heads");
    for line in text.split("\r\n").filter(|line| line.starts_with("HTTP/1.1 ")) {
        heads.push(line.to_string());
    }
}

/// A 4000 × 3000 JPEG like a phone camera's (texture and noise, quality 92, several MB) with an EXIF block
/// that holds GPS coordinates.
pub fn phone_photo(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut noise = seed.wrapping_mul(2_654_435_761).max(1);
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        noise ^= noise << 13;
        noise ^= noise >> 17;
        noise ^= noise << 5;
        let grain = (noise % 48) as i32 - 24;
        let base = [((x / 7 + y / 13) % 200) as i32, ((x * y / 4096) % 180) as i32, ((y / 5) % 160) as i32 + 40];
        image::Rgb(base.map(|c| (c + grain).clamp(0, 255) as u8))
    });
    let mut plain = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 92).encode_image(&picture).expect("JPEG encodes");
    with_exif_gps(&plain.into_inner())
}

/// Inserts an APP1 EXIF segment (big-endian TIFF: IFD0 → GPS IFD with latitude 56°57' N, longitude 24°6' E).
pub fn with_exif_gps(jpeg: &[u8]) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut bytes = tag.to_be_bytes().to_vec();
        bytes.extend(kind.to_be_bytes());
        bytes.extend(count.to_be_bytes());
        bytes.extend(value.to_be_bytes());
        bytes
    };
    // IFD0 at 8: one entry, GPSInfo → the GPS IFD at 26.
    tiff.extend(1u16.to_be_bytes());
    tiff.extend(entry(0x8825, 4, 1, 26));
    tiff.extend(0u32.to_be_bytes());
    // GPS IFD at 26: four entries (54 bytes), rationals at 80 and 104.
    tiff.extend(4u16.to_be_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_be_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, 80));
    tiff.extend(entry(0x0003, 2, 2, u32::from_be_bytes(*b"E\0\0\0")));
    tiff.extend(entry(0x0004, 5, 3, 104));
    tiff.extend(0u32.to_be_bytes());
    for (numerator, denominator) in [(56u32, 1u32), (57, 1), (0, 1), (24, 1), (6, 1), (0, 1)] {
        tiff.extend(numerator.to_be_bytes());
        tiff.extend(denominator.to_be_bytes());
    }
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((segment.len() + 2) as u16).to_be_bytes());
    out.extend(segment);
    out.extend(&jpeg[2..]);
    out
}

/// Whether a JPEG carries an EXIF block, as the `image` crate's decoder reads it.
pub fn has_exif(jpeg: &[u8]) -> bool {
    use image::ImageDecoder;
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(jpeg)).expect("a JPEG");
    decoder.exif_metadata().expect("metadata readable").is_some()
}
