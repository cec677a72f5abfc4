//! `Browser`: a real headless Chromium driven over WebDriver (fantoccini → Debian's `chromedriver`, started on a
//! free port with a fresh profile), with helpers that wait for what a user would see by polling the DOM against a
//! deadline. Missing Chromium is a test failure with the install command, never a skip (CI installs it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a DOM condition may take before the test fails.
pub const UI_TIMEOUT: Duration = Duration::from_secs(15);
/// How often a condition is re-checked while waiting for it.
const POLL_EVERY: Duration = Duration::from_millis(40);

/// WebDriver key codes (W3C WebDriver, "keyboard actions").
pub mod keys {
    pub const ENTER: &str = "\u{e007}";
    pub const SHIFT: &str = "\u{e008}";
    pub const ALT: &str = "\u{e00a}";
    /// Releases every held modifier.
    pub const NULL: &str = "\u{e000}";
}

fn find_program(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// A headless Chromium session; dropping it ends the browser and its driver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium (1440×900, a laptop screen) with a fresh profile.
    pub async fn start() -> Browser {
        let chromium = find_program("CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]).unwrap_or_else(|| {
            panic!(
                "the console tests need a headless Chromium and its WebDriver: `apt-get install -y chromium chromium-driver` \
                 (.ci/run installs them); set CHROMIUM and CHROMEDRIVER to use other paths"
            )
        });
        let chromedriver = find_program("CHROMEDRIVER", &["/usr/bin/chromedriver"]).unwrap_or_else(|| {
            panic!("chromedriver is missing: `apt-get install -y chromium-driver` (.ci/run installs it)")
        });
        let profile = tempfile::tempdir().expect("profile dir");
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", chromedriver.display()));
        let driver_url = format!("http://127.0.0.1:{port}");
        wait_for_driver(&driver_url).await;
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1440,900".into(),
            "--autoplay-policy=no-user-gesture-required".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), json!({"binary": chromium, "args": args}));
        // An alert stays open (instead of being dismissed) so that a test can see that one was raised.
        capabilities.insert("unhandledPromptBehavior".into(), json!("ignore"));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver_url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver does not open a Chromium session: {e}"));
        Browser { client, driver, _profile: profile }
    }

    /// Loads `url` and waits until the document has loaded.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("cannot load {url}: {e}"));
        self.wait_js("the page loads", "return document.readyState === 'complete'").await;
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns something truthy (not false/null/0/""), then returns that; fails after
    /// [`UI_TIMEOUT`] naming `what`.
    pub async fn wait_js(&self, what: &str, script: &str) -> Value {
        self.wait_js_args(what, script, Vec::new(), UI_TIMEOUT).await
    }

    /// [`Browser::wait_js`] with arguments and a deadline of its own.
    pub async fn wait_js_args(&self, what: &str, script: &str, args: Vec<Value>, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.js(script, args.clone()).await;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            if Instant::now() >= deadline {
                let body = self.js("return document.body.innerText", vec![]).await;
                panic!(
                    "waited {timeout:?} for {what}; never happened. The page shows:\n{}",
                    body.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Waits until an element matching `css` contains `text` (its textContent); returns that text.
    pub async fn wait_text(&self, css: &str, text: &str) -> String {
        let script = "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent).find(t => t.includes(arguments[1])) || null";
        let what = format!("{css} to show {text:?}");
        let found = self.wait_js_args(&what, script, vec![json!(css), json!(text)], UI_TIMEOUT).await;
        found.as_str().unwrap_or_default().to_string()
    }

    /// Clicks the first element matching `css` (waiting for it to exist and be visible).
    pub async fn click(&self, css: &str) {
        self.wait_visible(css).await;
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Types `keys` into the element matching `css`, as a user would (focus, key events).
    pub async fn type_into(&self, css: &str, keys: &str) {
        self.wait_visible(css).await;
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        element.send_keys(keys).await.unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
    }

    /// Waits until an element matching `css` is rendered (not hidden, has a box).
    pub async fn wait_visible(&self, css: &str) {
        let script = "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0";
        self.wait_js_args(&format!("{css} to be visible"), script, vec![json!(css)], UI_TIMEOUT).await;
    }

    /// Signs in through the console's login form and waits for the live connection.
    pub async fn sign_in(&self, base: &str, username: &str, password: &str) {
        self.goto(&format!("{base}/console")).await;
        self.watch_csp().await;
        self.type_into("#login-username", username).await;
        self.type_into("#login-password", password).await;
        self.click("#login-submit").await;
        self.wait_visible("#app-view").await;
        self.wait_connected().await;
    }

    /// Opens a request from the queue (waiting for it to be listed) and claims it with the claim button.
    pub async fn open_and_claim(&self, request_id: &str) {
        let item = format!("#queue [data-request-id=\"{request_id}\"] button");
        self.click(&item).await;
        self.click("#claim").await;
        self.wait_text("#request-meta", "held by you").await;
    }

    /// Waits for the connection indicator to say the WebSocket is up.
    pub async fn wait_connected(&self) {
        self.wait_js("the connection indicator to show Connected", "return document.getElementById('conn').dataset.state === 'online' && document.getElementById('conn-text').textContent === 'Connected'").await;
    }

    /// Starts recording Content-Security-Policy violations of the page (read with [`Browser::csp_violations`]).
    pub async fn watch_csp(&self) {
        self.js(
            "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); return true",
            vec![],
        )
        .await;
    }

    /// The CSP violations recorded since [`Browser::watch_csp`].
    pub async fn csp_violations(&self) -> Vec<String> {
        let value = self.js("return window.__csp || []", vec![]).await;
        value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
    }

    /// The text of an open alert/confirm/prompt, if one is open.
    pub async fn open_alert(&self) -> Option<String> {
        self.client.get_alert_text().await.ok()
    }

    /// Saves a PNG screenshot of the window to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// Ends the WebDriver session (closing Chromium) and the driver.
    pub async fn close(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn wait_for_driver(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let http = reqwest::Client::new();
    loop {
        let ready = match http.get(format!("{url}/status")).send().await {
            Ok(response) => response.json::<Value>().await.is_ok_and(|body| body["value"]["ready"] == true),
            Err(_) => false,
        };
        if ready {
            return;
        }
        assert!(Instant::now() < deadline, "chromedriver did not answer on {url}/status within 30 s");
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Where screenshots go: `docs/` when `UPDATE_SCREENSHOTS=1` (to refresh the ones in the repository), else a
/// directory under the target dir, so that a plain test run leaves the work tree alone.
pub fn screenshot_path(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        root.join("docs").join(name)
    } else {
        root.join("target").join("console-screenshots").join(name)
    }
}

/// The passwords `serve --demo` wrote to `DATA_DIR/demo-credentials.txt`, by username.
pub fn demo_password(data_dir: &Path, username: &str) -> String {
    let text = std::fs::read_to_string(data_dir.join("demo-credentials.txt")).expect("demo-credentials.txt");
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| *name == username)
        .map(|(_, password)| password.to_string())
        .unwrap_or_else(|| panic!("no demo password for {username}"))
}

/// A server for console tests: `--demo` users and the real catalogue (the CCL and HS table of `../shared/data`),
/// so HS headings and cited control entries resolve as in production.
pub fn console_server() -> crate::TestServer {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    let ccl = data.join("ccl/ccl.json");
    let hs = data.join("hs/harmonized-system.csv");
    assert!(
        ccl.exists() && hs.exists(),
        "the console tests need ../shared/data (ccl/ccl.json, hs/harmonized-system.csv) beside the repository"
    );
    let ccl = format!("ccl-json:{}", ccl.display());
    let hs = format!("hs-csv:{}", hs.display());
    crate::TestServer::start_with(&["--demo", "--import", &ccl, "--import", &hs])
}

/// Signs the demo user `username` in over REST.
pub async fn demo_api(server: &crate::TestServer, username: &str) -> crate::Api {
    crate::Api::login(&server.base, username, &demo_password(&server.data_dir, username)).await
}
