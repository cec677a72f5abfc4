//! `TestServer` (the real binary as a child process) and `Api` (a signed-in REST client).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::ws::Ws;

/// How long a server may take to print its `listening on` line.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The path of the server binary built beside the test executables.
pub fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("HOTLINE_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let path = dir.join(format!("hotline-server-under-test{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing: run the tests with `cargo test -p hotline-tests`", path.display());
    path
}

/// A running `hotline-server serve` on 127.0.0.1 with its own data dir.
pub struct TestServer {
    child: Option<Child>,
    pub base: String,
    pub port: u16,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    /// Extra `serve` arguments, kept for restarts.
    args: Vec<String>,
    /// The file the server's clock reads (see [`TestServer::set_clock`]).
    clock_file: PathBuf,
    /// The server's `RUST_LOG`, kept for restarts.
    log_filter: String,
}

/// The file that steers the test build's clock for the server on `data_dir` (beside the data dir, not in it).
fn clock_file(data_dir: &Path) -> PathBuf {
    data_dir.parent().unwrap_or(data_dir).join("steered-clock")
}

impl TestServer {
    /// Starts a server on a fresh temporary data dir.
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// Starts a server on a fresh temporary data dir with extra `serve` arguments.
    pub fn start_with(args: &[&str]) -> TestServer {
        Self::start_logging("info", args)
    }

    /// Starts a server on a fresh temporary data dir with `RUST_LOG=log_filter` and extra `serve` arguments; its
    /// log is [`TestServer::log`].
    pub fn start_logging(log_filter: &str, args: &[&str]) -> TestServer {
        let temp = tempfile::tempdir().expect("temporary dir");
        let data_dir = temp.path().join("data");
        let mut server = Self::spawn(data_dir, args.iter().map(|a| a.to_string()).collect(), log_filter.to_string());
        server._temp = Some(temp);
        server
    }

    /// Everything the server has written to its log (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("server-test.log")).expect("server log")
    }

    fn spawn(data_dir: PathBuf, args: Vec<String>, log_filter: String) -> TestServer {
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data_dir.join("server-test.log"))
            .expect("log file");
        let mut child = Command::new(server_binary())
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(&args)
            .env("RUST_LOG", &log_filter)
            .env("HOTLINE_TEST_CLOCK_FILE", clock_file(&data_dir))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            while let Some(Ok(line)) = lines.next() {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = sender.send(url.to_string());
                }
            }
        });
        let url = receiver.recv_timeout(START_TIMEOUT).unwrap_or_else(|_| {
            let log = std::fs::read_to_string(data_dir.join("server-test.log")).unwrap_or_default();
            panic!("the server did not print its `listening on` line; its log:\n{log}")
        });
        let port = url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port in the listening line");
        TestServer {
            child: Some(child),
            base: url,
            port,
            clock_file: clock_file(&data_dir),
            data_dir,
            _temp: None,
            args,
            log_filter,
        }
    }

    /// From now on the server's clock reads `at` (RFC 3339), until the next call: every time the server records
    /// (requests, events, attachments, annotations, sessions) is `at`. The file is replaced in one rename, so
    /// the server never reads half a time. Tests that never call this run on the system clock.
    pub fn set_clock(&self, at: &str) {
        let partial = self.clock_file.with_extension("partial");
        std::fs::write(&partial, at).expect("clock file written");
        std::fs::rename(&partial, &self.clock_file).expect("clock file moved into place");
    }

    /// Back to the system clock.
    pub fn clear_clock(&self) {
        let _ = std::fs::remove_file(&self.clock_file);
    }

    /// The server process's id (for reading its memory from /proc).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server running").id()
    }

    /// The WebSocket URL.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/api/v1/ws", self.port)
    }

    /// Runs the binary with `args` against this data dir (e.g. `user add`), with `stdin` as its input.
    pub fn command(&self, args: &[&str], stdin: &str) -> (ExitStatus, String, String) {
        use std::io::Write;
        let mut child = Command::new(server_binary())
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(args)
            .env("HOTLINE_TEST_CLOCK_FILE", &self.clock_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("command starts");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
        let out = child.wait_with_output().expect("command ends");
        (out.status, String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
    }

    /// Creates a user through `hotline-server user add` and returns the password.
    pub fn add_user(&self, username: &str, role: &str) -> String {
        let password = format!("pw-{username}-{}", &crate::uuid()[..8]);
        let (status, _, stderr) = self.command(
            &["user", "add", "--username", username, "--role", role, "--display-name", username, "--password-stdin"],
            &format!("{password}\n"),
        );
        assert!(status.success(), "user add {username} failed: {stderr}");
        password
    }

    /// Creates a user and signs in as it.
    pub async fn user(&self, username: &str, role: &str) -> Api {
        let password = self.add_user(username, role);
        Api::login(&self.base, username, &password).await
    }

    /// kill -9: no chance to finish anything.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("server running");
        let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit within 30 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the server again on the same data dir (after [`TestServer::kill9`] or [`TestServer::terminate`]).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "stop the server first");
        let mut again = Self::spawn(self.data_dir.clone(), self.args.clone(), self.log_filter.clone());
        self.child = again.child.take();
        self.base = std::mem::take(&mut again.base);
        self.port = again.port;
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.data_dir.join("server-test.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            eprintln!("--- server log (last lines) ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// A REST client signed in as one user.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub user: Value,
}

impl Api {
    /// Signs in; panics unless the login succeeds.
    pub async fn login(base: &str, username: &str, password: &str) -> Api {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("login JSON");
        crate::check(status, &body, 200);
        Api {
            http,
            base: base.to_string(),
            token: body["token"].as_str().expect("token").into(),
            user: body["user"].clone(),
        }
    }

    /// The text of `/metrics` (which needs no sign-in).
    pub async fn metrics(&self) -> String {
        let response = self.http.get(format!("{}/metrics", self.base)).send().await.expect("GET /metrics");
        assert_eq!(response.status(), 200, "GET /metrics");
        response.text().await.expect("the /metrics text")
    }

    /// One unlabelled series of `/metrics`; panics when it is missing.
    pub async fn metric(&self, name: &str) -> f64 {
        metric(&self.metrics().await, name)
    }

    /// The user's id.
    pub fn id(&self) -> &str {
        self.user["id"].as_str().expect("user id")
    }

    async fn finish(response: reqwest::Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        (status, body)
    }

    /// GET with the token.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response =
            self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.expect("GET");
        Self::finish(response).await
    }

    /// POST JSON with the token.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("POST");
        Self::finish(response).await
    }

    /// POST raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST");
        Self::finish(response).await
    }

    /// Uploads a file to a request as the multipart part `file`.
    pub async fn upload(&self, request_id: &str, file_name: &str, bytes: Vec<u8>, content_type: &str) -> (u16, Value) {
        Self::finish(self.upload_request(request_id, file_name, bytes, content_type).send().await.expect("upload"))
            .await
    }

    /// Uploads a file with an `Idempotency-Key`.
    pub async fn upload_keyed(
        &self,
        request_id: &str,
        file_name: &str,
        bytes: Vec<u8>,
        content_type: &str,
        key: &str,
    ) -> (u16, Value) {
        let request = self.upload_request(request_id, file_name, bytes, content_type).header("idempotency-key", key);
        Self::finish(request.send().await.expect("upload")).await
    }

    fn upload_request(
        &self,
        request_id: &str,
        file_name: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> reqwest::RequestBuilder {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str(content_type)
            .expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        self.http
            .post(format!("{}/api/v1/requests/{request_id}/attachments", self.base))
            .bearer_auth(&self.token)
            .multipart(form)
    }

    /// Opens a request; panics unless 201.
    pub async fn create_request(&self, subject: &str) -> Value {
        let (status, body) = self.post("/api/v1/requests", &crate::new_request(subject)).await;
        crate::check(status, &body, 201);
        body["request"].clone()
    }

    /// A WebSocket signed in as this user.
    pub async fn ws(&self) -> Ws {
        let url = self.base.replacen("http://", "ws://", 1) + "/api/v1/ws";
        Ws::connect(&url, &self.token).await
    }

    /// Every event of a request, read over REST page by page.
    pub async fn all_events(&self, request_id: &str) -> Vec<Value> {
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let (status, body) =
                self.get(&format!("/api/v1/requests/{request_id}/events?after_seq={after}&limit=1000")).await;
            crate::check(status, &body, 200);
            let page = body["events"].as_array().expect("events").clone();
            if page.is_empty() {
                return events;
            }
            after = page.last().and_then(|e| e["seq"].as_u64()).expect("seq");
            events.extend(page);
        }
    }
}

/// The value of the unlabelled series `name` in a `/metrics` text; panics when it is missing.
pub fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{text}"))
}
