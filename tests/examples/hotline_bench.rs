//! `hotline_bench`: the measurements of issue 3 in one command, printed as markdown tables.
//!
//! ```text
//! ulimit -n 20000 && cargo run --release -p hotline-tests --example hotline_bench
//! ```
//!
//! 1. Officer→expert relay latency, durable: an officer's connection writes a `send` frame; the clock stops when
//!    the claiming expert's connection has read the `event` frame of that message (the server relays it only after
//!    its transaction committed, WAL + `synchronous=FULL`). With 1, 100 and 1,000 concurrent conversations (one
//!    request, claimed by an expert, an officer connection and an expert connection each; five officer and five
//!    expert accounts), first saturated (every conversation keeps one message in flight, the next sent as soon
//!    as the last arrived), then at a human pace (1,000 conversations each sending once a second). Beside each
//!    row, a bare tokio-tungstenite echo server in this process, default configuration, the same frames, the same
//!    number of connections and the same client loop, measured right after it.
//! 2. Durable messages per second: 1,000 officer connections each pipeline 20 sends; the time until the last
//!    ack (an ack leaves only after the commit). Beside it, rusqlite on a temporary file with the same pragmas,
//!    one transaction per message (and, for reference, 64 per transaction), one ~350-byte row per message.
//! 3. Server memory per idle WebSocket: `VmRSS` of the server process before and after 5,000 authenticated idle
//!    connections (with a 2 s heartbeat, so that every connection has done a ping/pong before it is measured).
//!
//! The server is the real `hotline-server` command line (`hotline_server::cli::main()`, the one line of
//! `hotline-server-under-test`) in a child process with a temporary data dir on 127.0.0.1:0: this example runs
//! itself as the server (when its first argument is `--data-dir`) so that the server under test is always built
//! from the same sources and profile as the benchmark; `HOTLINE_SERVER_BIN=<path>` runs another binary instead.
//! Everything talks to 127.0.0.1 only. The clients disable Nagle on their side; both servers keep the default.
//! The whole run takes about a minute on 2 cores; it needs about 11,000 open files (`ulimit -n`).
//!
//! Client and servers share the machine's cores, so the absolute figures include the client's own work; the
//! ratios against the echo server (same client, same run) are the figures to compare between machines.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hotline_tests::{Api, TestServer, metric};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Concurrent conversations of the latency table.
const LEVELS: [usize; 3] = [1, 100, 1000];
/// Sends per level (spread over its conversations).
const SENDS_PER_LEVEL: usize = 2000;
/// Sends of the single conversation: one connection may send 1,000 frames back to back and then 1,000 a minute
/// (the server's flood gate), and the same officer connection also takes part in the later levels.
const SENDS_ALONE: usize = 500;
/// Sends per conversation at the human pace, one a second.
const PACED_SENDS: usize = 2;
/// A message body: a typical chat line with a nameplate reading.
const BODY_CHARS: usize = 200;
/// Sends pipelined by each officer connection in the throughput run.
const BURST_PER_SENDER: usize = 20;
/// Rows written by the one-transaction-per-message baseline (and how long it may take at most).
const BASELINE_ROWS: usize = 3000;
const BASELINE_MAX: Duration = Duration::from_secs(6);
/// Rows written by the 64-rows-per-transaction reference.
const BATCHED_ROWS: usize = 20_000;
/// Idle connections of the memory run.
const IDLE_CONNECTIONS: usize = 5000;
/// Officer and expert accounts (tokens are reused across connections).
const ACCOUNTS: usize = 5;
/// Open files the benchmark needs in its own process (and so in the server's, which inherits the limit).
const OPEN_FILES_NEEDED: u64 = 11_000;
/// How long any expected frame may take before the run fails.
const FRAME_WAIT: Duration = Duration::from_secs(30);
/// Setups (logins, requests, claims, connects) in flight at once.
const SETUP_PARALLEL: usize = 32;

/// `error` frames seen by any client (each is printed, the first few in full).
static ERROR_FRAMES: AtomicU64 = AtomicU64::new(0);

fn main() -> ExitCode {
    hotline_tests::bench::main(check_open_files, run)
}

/// The soft open-files limit must cover 5,000 client sockets here and 5,000 in the server (which inherits it).
fn check_open_files() -> Result<(), String> {
    let limits =
        std::fs::read_to_string("/proc/self/limits").map_err(|e| format!("cannot read /proc/self/limits: {e}"))?;
    let soft = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    if soft < OPEN_FILES_NEEDED {
        return Err(format!(
            "error: the open-files limit (soft) is {soft}; this benchmark opens 5,000 WebSockets and needs at least \
             {OPEN_FILES_NEEDED}.\nRun it as: ulimit -n 20000 && cargo run --release -p hotline-tests --example hotline_bench"
        ));
    }
    Ok(())
}

async fn run() {
    let started = Instant::now();
    let load_before = load_average();
    eprintln!("hotline_bench: starting the server (load average {load_before})");

    // Rusqlite baselines first, on a quiet disk.
    let baseline = tokio::task::spawn_blocking(|| {
        (sqlite_rows_per_second(BASELINE_ROWS, 1), sqlite_rows_per_second(BATCHED_ROWS, 64))
    })
    .await
    .expect("sqlite baseline");

    let server = TestServer::start();
    eprintln!("hotline_bench: server pid {}", server.pid());
    let officers = accounts(&server, "bench-officer", "officer").await;
    let experts = accounts(&server, "bench-expert", "expert").await;
    let most = *LEVELS.iter().max().expect("levels");
    eprintln!("hotline_bench: opening {most} conversations");
    let url = server.ws_url();
    let mut conversations: Vec<Conversation> = futures_util::stream::iter(0..most)
        .map(|i| open_conversation(&url, &officers[i % ACCOUNTS], &experts[i % ACCOUNTS]))
        .buffered(SETUP_PARALLEL)
        .collect()
        .await;

    let echo_url = start_echo_server().await;
    let mut echoes: Vec<Conversation> =
        futures_util::stream::iter(0..most).map(|_| open_echo(&echo_url)).buffered(SETUP_PARALLEL).collect().await;

    // Warm-up, not counted.
    conversations = run_level(conversations, 1, 50, None).await.conversations;
    echoes = run_level(echoes, 1, 50, None).await.conversations;

    let mut latency_rows = Vec::new();
    for &level in &LEVELS {
        let sends = if level == 1 { SENDS_ALONE } else { SENDS_PER_LEVEL / level };
        eprintln!("hotline_bench: {level} conversations, {sends} sends each");
        let before = writer_counters(&officers[0]).await;
        let relay = run_level(conversations, level, sends, None).await;
        let writer = writer_counters(&officers[0]).await.since(&before, relay.outcome.elapsed);
        conversations = relay.conversations;
        let echo = run_level(echoes, level, sends, None).await;
        echoes = echo.conversations;
        latency_rows.push(LatencyRow { level, pace: "saturated", relay: relay.outcome, writer, echo: echo.outcome });
    }
    eprintln!("hotline_bench: {most} conversations at one message a second each");
    let before = writer_counters(&officers[0]).await;
    let relay = run_level(conversations, most, PACED_SENDS, Some(Duration::from_secs(1))).await;
    let writer = writer_counters(&officers[0]).await.since(&before, relay.outcome.elapsed);
    conversations = relay.conversations;
    let echo = run_level(echoes, most, PACED_SENDS, Some(Duration::from_secs(1))).await;
    drop(echo.conversations);
    latency_rows.push(LatencyRow {
        level: most,
        pace: "1 msg/s each",
        relay: relay.outcome,
        writer,
        echo: echo.outcome,
    });

    eprintln!("hotline_bench: throughput, {most} senders × {BURST_PER_SENDER} pipelined sends");
    let before = writer_counters(&officers[0]).await;
    let mut throughput = durable_throughput(&mut conversations).await;
    throughput.writer = writer_counters(&officers[0]).await.since(&before, throughput.elapsed);
    drop(conversations);
    drop(server);

    eprintln!("hotline_bench: {IDLE_CONNECTIONS} idle connections");
    let memory = idle_memory().await;
    let load_after = load_average();

    print_report(&latency_rows, &throughput, baseline, &memory, (&load_before, &load_after), started.elapsed());
}

// ---------------------------------------------------------------------------------------------------------------
// Connections and conversations

/// One client connection pair of the latency runs: a sending half, and what its readers saw.
struct Conversation {
    request_id: String,
    sink: SplitSink<Socket, Message>,
    /// `client_msg_id`s as they reached the receiving side (the expert's `event`, or the echo), with the time.
    receipts: mpsc::UnboundedReceiver<(String, Instant)>,
    /// The sender's acks, with the time each arrived (none for the echo server).
    acks: Option<mpsc::UnboundedReceiver<(String, Instant)>>,
    _readers: Vec<Reader>,
}

/// A reading task, stopped when its conversation is dropped.
struct Reader(JoinHandle<()>);

impl Drop for Reader {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What a reading task picks out of the frames it reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The expert: `event` frames of messages.
    Expert,
    /// The officer: `ack` frames.
    Officer,
    /// The echo client: every echoed `send` frame.
    Echo,
}

async fn connect(url: &str, token: Option<&str>) -> Socket {
    let mut request = url.into_client_request().expect("ws request");
    if let Some(token) = token {
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
    }
    // Small client buffers: 5,000 client connections would otherwise take 128 KiB each here.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(4096);
    let (socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), true).await.expect("ws connects");
    socket
}

async fn send_json(socket: &mut Socket, frame: Value) {
    socket.send(Message::Text(frame.to_string().into())).await.expect("ws send");
}

/// The next JSON frame that satisfies `accept` (others are dropped); fails on `error` frames and timeouts.
async fn recv_until(socket: &mut Socket, accept: impl Fn(&Value) -> bool) -> Value {
    loop {
        let message = tokio::time::timeout(FRAME_WAIT, socket.next())
            .await
            .expect("a frame in time")
            .expect("the connection stays open")
            .expect("a readable frame");
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(text.as_str()).expect("JSON frame");
            assert!(frame["type"] != "error", "error frame during setup: {frame}");
            if accept(&frame) {
                return frame;
            }
        }
    }
}

/// Subscribes from the start and reads the replay up to the claim.
async fn subscribe(socket: &mut Socket, request_id: &str) {
    send_json(socket, json!({"type": "subscribe", "request_id": request_id, "after_seq": 0})).await;
    recv_until(socket, |f| {
        f["type"] == "event" && f["event"]["request_id"] == request_id && f["event"]["kind"] == "claimed"
    })
    .await;
}

/// An officer's request, claimed by an expert; both connections subscribed to it.
async fn open_conversation(url: &str, officer: &Api, expert: &Api) -> Conversation {
    let request = officer.create_request("Five-axis machining centre, two spindles?").await;
    let request_id = request["id"].as_str().expect("request id").to_string();
    let mut expert_socket = connect(url, Some(&expert.token)).await;
    send_json(&mut expert_socket, json!({"type": "claim", "request_id": request_id})).await;
    recv_until(&mut expert_socket, |f| f["type"] == "request" && f["request"]["id"] == request_id.as_str()).await;
    subscribe(&mut expert_socket, &request_id).await;
    let mut officer_socket = connect(url, Some(&officer.token)).await;
    subscribe(&mut officer_socket, &request_id).await;

    let (sink, officer_stream) = officer_socket.split();
    let (_, expert_stream) = expert_socket.split();
    let (receipts_tx, receipts) = mpsc::unbounded_channel();
    let (acks_tx, acks) = mpsc::unbounded_channel();
    let readers = vec![
        spawn_reader(expert_stream, Side::Expert, receipts_tx),
        spawn_reader(officer_stream, Side::Officer, acks_tx),
    ];
    Conversation { request_id, sink, receipts, acks: Some(acks), _readers: readers }
}

/// A connection to the echo server, driven exactly like an officer's.
async fn open_echo(url: &str) -> Conversation {
    let socket = connect(url, None).await;
    let (sink, stream) = socket.split();
    let (receipts_tx, receipts) = mpsc::unbounded_channel();
    let readers = vec![spawn_reader(stream, Side::Echo, receipts_tx)];
    Conversation { request_id: hotline_tests::uuid(), sink, receipts, acks: None, _readers: readers }
}

/// Reads frames until the connection ends, handing out the `client_msg_id`s its side looks for.
fn spawn_reader(
    mut stream: SplitStream<Socket>,
    side: Side,
    found: mpsc::UnboundedSender<(String, Instant)>,
) -> Reader {
    Reader(tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            let Message::Text(text) = message else { continue };
            let at = Instant::now();
            let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
            let id = match side {
                Side::Echo => frame["client_msg_id"].as_str(),
                Side::Expert if frame["type"] == "event" && frame["event"]["kind"] == "message" => {
                    frame["event"]["message"]["client_msg_id"].as_str()
                }
                Side::Officer if frame["type"] == "ack" => frame["client_msg_id"].as_str(),
                _ if frame["type"] == "error" => {
                    if ERROR_FRAMES.fetch_add(1, Ordering::Relaxed) < 5 {
                        eprintln!("hotline_bench: error frame: {frame}");
                    }
                    None
                }
                _ => None,
            };
            if let Some(id) = id
                && found.send((id.to_string(), at)).is_err()
            {
                return;
            }
        }
    }))
}

/// A `send` frame with a fresh `client_msg_id`.
fn send_frame(request_id: &str, client_msg_id: &str) -> String {
    let body: String = "Nameplate reads DMU 65 monoBLOCK, 5 axes, 2 spindles, serial 1187; "
        .chars()
        .cycle()
        .take(BODY_CHARS)
        .collect();
    json!({"type": "send", "request_id": request_id, "client_msg_id": client_msg_id, "body": body}).to_string()
}

/// Waits for `id` on `channel`, skipping others (older ones of a pipelined burst).
async fn wait_for(channel: &mut mpsc::UnboundedReceiver<(String, Instant)>, id: &str) -> Instant {
    loop {
        let (got, at) = tokio::time::timeout(FRAME_WAIT, channel.recv())
            .await
            .unwrap_or_else(|_| panic!("message {id} did not arrive within {FRAME_WAIT:?}"))
            .expect("the reader is alive");
        if got == id {
            return at;
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Latency

/// Latencies and wall time of one run.
struct Outcome {
    latencies: Vec<Duration>,
    elapsed: Duration,
}

struct LevelRun {
    conversations: Vec<Conversation>,
    outcome: Outcome,
}

struct LatencyRow {
    level: usize,
    pace: &'static str,
    relay: Outcome,
    writer: WriterDelta,
    echo: Outcome,
}

/// The first `level` conversations each send `sends` messages, one in flight at a time (the next once the last
/// has arrived and, on the hotline, been acked); with `period`, at most one a period, from a random phase.
async fn run_level(mut all: Vec<Conversation>, level: usize, sends: usize, period: Option<Duration>) -> LevelRun {
    let rest = all.split_off(level);
    let start = tokio::time::Instant::now();
    let tasks: Vec<JoinHandle<(Conversation, Vec<Duration>)>> = all
        .into_iter()
        .enumerate()
        .map(|(index, mut conversation)| {
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(sends);
                let phase = period.map(|p| p.mul_f64(unit_random(index as u64)));
                for turn in 0..sends {
                    if let (Some(period), Some(phase)) = (period, phase) {
                        tokio::time::sleep_until(start + phase + period * turn as u32).await;
                    }
                    let id = hotline_tests::uuid();
                    let text = send_frame(&conversation.request_id, &id);
                    let sent = Instant::now();
                    conversation.sink.send(Message::Text(text.into())).await.expect("ws send");
                    let arrived = wait_for(&mut conversation.receipts, &id).await;
                    latencies.push(arrived - sent);
                    if let Some(acks) = conversation.acks.as_mut() {
                        wait_for(acks, &id).await;
                    }
                }
                (conversation, latencies)
            })
        })
        .collect();
    let mut conversations = Vec::with_capacity(level + rest.len());
    let mut latencies = Vec::with_capacity(level * sends);
    for task in tasks {
        let (conversation, mine) = task.await.expect("a conversation task");
        conversations.push(conversation);
        latencies.extend(mine);
    }
    let elapsed = start.elapsed();
    conversations.extend(rest);
    latencies.sort();
    LevelRun { conversations, outcome: Outcome { latencies, elapsed } }
}

/// A number in [0, 1) from `seed` (splitmix64), for reproducible phases.
fn unit_random(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A bare tokio-tungstenite echo server (default configuration) on 127.0.0.1:0, in this process.
async fn start_echo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("echo server binds");
    let address = listener.local_addr().expect("echo address");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut socket) = tokio_tungstenite::accept_async(tcp).await else { return };
                while let Some(Ok(message)) = socket.next().await {
                    if message.is_text() && socket.send(message).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("ws://{address}/")
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput

struct Throughput {
    messages: usize,
    elapsed: Duration,
    writer: WriterDelta,
}

/// Every conversation's officer pipelines `BURST_PER_SENDER` sends; the time until the last durable ack.
async fn durable_throughput(conversations: &mut Vec<Conversation>) -> Throughput {
    let start = Instant::now();
    let tasks: Vec<JoinHandle<(Conversation, Instant)>> = std::mem::take(conversations)
        .into_iter()
        .map(|mut conversation| {
            tokio::spawn(async move {
                let ids: Vec<String> = (0..BURST_PER_SENDER).map(|_| hotline_tests::uuid()).collect();
                for id in &ids {
                    let text = send_frame(&conversation.request_id, id);
                    conversation.sink.feed(Message::Text(text.into())).await.expect("ws send");
                }
                conversation.sink.flush().await.expect("ws flush");
                let acks = conversation.acks.as_mut().expect("hotline conversation");
                let mut last_ack = start;
                for id in &ids {
                    last_ack = wait_for(acks, id).await;
                }
                for id in &ids {
                    wait_for(&mut conversation.receipts, id).await;
                }
                (conversation, last_ack)
            })
        })
        .collect();
    let mut last = start;
    for task in tasks {
        let (conversation, last_ack) = task.await.expect("a sender task");
        last = last.max(last_ack);
        conversations.push(conversation);
    }
    Throughput {
        messages: conversations.len() * BURST_PER_SENDER,
        elapsed: last - start,
        writer: WriterDelta::default(),
    }
}

/// The writer's counters from the server's `/metrics`.
#[derive(Debug, Default, Clone, Copy)]
struct WriterCounters {
    transactions: f64,
    writes: f64,
    busy_seconds: f64,
}

/// What the writer did during a run: writes per transaction, and the share of the run it spent in transactions.
#[derive(Debug, Default, Clone, Copy)]
struct WriterDelta {
    writes_per_transaction: f64,
    busy: f64,
    micros_per_write: f64,
}

impl WriterCounters {
    fn since(&self, before: &WriterCounters, elapsed: Duration) -> WriterDelta {
        let transactions = (self.transactions - before.transactions).max(1.0);
        let writes = (self.writes - before.writes).max(1.0);
        let busy_seconds = self.busy_seconds - before.busy_seconds;
        WriterDelta {
            writes_per_transaction: writes / transactions,
            busy: busy_seconds / elapsed.as_secs_f64().max(1e-9),
            micros_per_write: busy_seconds * 1e6 / writes,
        }
    }
}

async fn writer_counters(api: &Api) -> WriterCounters {
    let text = api.metrics().await;
    WriterCounters {
        transactions: metric(&text, "hotline_db_transactions_total"),
        writes: metric(&text, "hotline_db_writes_total"),
        busy_seconds: metric(&text, "hotline_db_commit_seconds_total"),
    }
}

/// Rows per second into a fresh WAL database with `synchronous=FULL`, `per_transaction` rows per commit.
fn sqlite_rows_per_second(rows: usize, per_transaction: usize) -> (usize, f64) {
    let dir = tempfile::tempdir().expect("temporary dir");
    let conn = rusqlite::Connection::open(dir.path().join("baseline.sqlite3")).expect("sqlite opens");
    conn.pragma_update(None, "journal_mode", "WAL").expect("WAL");
    conn.pragma_update(None, "synchronous", "FULL").expect("synchronous=FULL");
    conn.execute_batch(
        "CREATE TABLE messages (id TEXT PRIMARY KEY, request_id TEXT NOT NULL, seq INTEGER NOT NULL,
             author_id TEXT NOT NULL, client_msg_id TEXT NOT NULL, body TEXT NOT NULL)",
    )
    .expect("table");
    let request_id = hotline_tests::uuid();
    let author_id = hotline_tests::uuid();
    let body: String = "Nameplate reads DMU 65 monoBLOCK, 5 axes, 2 spindles, serial 1187; "
        .chars()
        .cycle()
        .take(BODY_CHARS)
        .collect();
    let start = Instant::now();
    let mut written = 0;
    while written < rows && start.elapsed() < BASELINE_MAX {
        if per_transaction > 1 {
            conn.execute_batch("BEGIN").expect("begin");
        }
        for _ in 0..per_transaction {
            written += 1;
            conn.prepare_cached("INSERT INTO messages VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .expect("insert")
                .execute(rusqlite::params![
                    hotline_tests::uuid(),
                    request_id,
                    written as i64,
                    author_id,
                    hotline_tests::uuid(),
                    body
                ])
                .expect("row written");
        }
        if per_transaction > 1 {
            conn.execute_batch("COMMIT").expect("commit");
        }
    }
    (written, written as f64 / start.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------------------------------------------
// Memory

struct Memory {
    connections: usize,
    before_kib: u64,
    after_kib: u64,
}

/// The server's `VmRSS` before and after `IDLE_CONNECTIONS` authenticated idle WebSockets (a fresh server).
async fn idle_memory() -> Memory {
    let server = TestServer::start_with(&["--heartbeat-secs", "2"]);
    let users = accounts(&server, "idle-officer", "officer").await;
    let url = server.ws_url();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_kib = vm_rss_kib(server.pid());
    let readers: Vec<Reader> = futures_util::stream::iter(0..IDLE_CONNECTIONS)
        .map(|i| {
            let (url, token) = (url.clone(), users[i % ACCOUNTS].token.clone());
            async move {
                let mut socket = connect(&url, Some(&token)).await;
                // Reading answers the server's pings.
                Reader(tokio::spawn(async move { while let Some(Ok(_)) = socket.next().await {} }))
            }
        })
        .buffer_unordered(SETUP_PARALLEL)
        .collect()
        .await;
    let deadline = Instant::now() + FRAME_WAIT;
    loop {
        let text = users[0].metrics().await;
        let open = metric(&text, "hotline_ws_connections") as usize;
        if open >= IDLE_CONNECTIONS {
            break;
        }
        assert!(Instant::now() < deadline, "only {open} of {IDLE_CONNECTIONS} connections registered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Two heartbeats: every connection has been pinged and has answered.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after_kib = vm_rss_kib(server.pid());
    drop(readers);
    Memory { connections: IDLE_CONNECTIONS, before_kib, after_kib }
}

fn vm_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts, machine, report

async fn accounts(server: &TestServer, prefix: &str, role: &str) -> Vec<Api> {
    let mut apis = Vec::with_capacity(ACCOUNTS);
    for i in 0..ACCOUNTS {
        apis.push(server.user(&format!("{prefix}-{i}"), role).await);
    }
    apis
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() { "–".into() } else { format!("{:.1}", a.as_secs_f64() / b.as_secs_f64()) }
}

fn print_report(
    latency: &[LatencyRow],
    throughput: &Throughput,
    baseline: ((usize, f64), (usize, f64)),
    memory: &Memory,
    load: (&str, &str),
    elapsed: Duration,
) {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!("## Hotline server (issue 3)\n");
    println!(
        "`hotline_bench`: {cores} cores, load average {} at the start, {} at the end; whole run {:.0} s.\n",
        load.0,
        load.1,
        elapsed.as_secs_f64()
    );

    println!("### Officer→expert relay latency, durable (send frame → the expert's `event`)\n");
    println!(
        "| conversations | pace | sends | hotline p50 ms | hotline p99 ms | echo p50 ms | echo p99 ms | ratio p50 | ratio p99 | hotline msg/s | writes/txn | writer busy |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in latency {
        let (r, e) = (&row.relay.latencies, &row.echo.latencies);
        let (r50, r99, e50, e99) = (percentile(r, 50.0), percentile(r, 99.0), percentile(e, 50.0), percentile(e, 99.0));
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.0} | {:.1} | {:.0} % |",
            row.level,
            row.pace,
            r.len(),
            ms(r50),
            ms(r99),
            ms(e50),
            ms(e99),
            ratio(r50, e50),
            ratio(r99, e99),
            r.len() as f64 / row.relay.elapsed.as_secs_f64(),
            row.writer.writes_per_transaction,
            row.writer.busy * 100.0
        );
    }
    let errors = ERROR_FRAMES.load(Ordering::Relaxed);
    println!("\nerror frames received during the run: {errors}\n");

    println!("### Durable messages per second\n");
    println!("| path | messages | messages/s | × one transaction each |");
    println!("|---|---:|---:|---:|");
    let ((one_rows, one_rate), (batch_rows, batch_rate)) = baseline;
    let rate = throughput.messages as f64 / throughput.elapsed.as_secs_f64();
    let writer = &throughput.writer;
    println!(
        "| hotline server: {} officer connections × {BURST_PER_SENDER} pipelined sends, until the last ack ({:.0} writes per transaction; writer busy {:.0} %, {:.0} µs per write) | {} | {rate:.0} | {:.1} |",
        throughput.messages / BURST_PER_SENDER,
        writer.writes_per_transaction,
        writer.busy * 100.0,
        writer.micros_per_write,
        throughput.messages,
        rate / one_rate
    );
    println!(
        "| rusqlite, one transaction per message (WAL, synchronous=FULL, ~350-byte row; {:.2} ms per commit) | {one_rows} | {one_rate:.0} | 1.0 |",
        1000.0 / one_rate
    );
    println!(
        "| rusqlite, 64 messages per transaction (same) | {batch_rows} | {batch_rate:.0} | {:.1} |\n",
        batch_rate / one_rate
    );

    println!("### Server memory per idle WebSocket\n");
    println!("| idle connections | server VmRSS before | after | KiB per connection |");
    println!("|---:|---:|---:|---:|");
    let per = (memory.after_kib as f64 - memory.before_kib as f64) / memory.connections as f64;
    println!(
        "| {} | {:.1} MiB | {:.1} MiB | {per:.1} |",
        memory.connections,
        memory.before_kib as f64 / 1024.0,
        memory.after_kib as f64 / 1024.0
    );
}
