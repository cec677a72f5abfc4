//! Operations: graceful shutdown (SIGTERM → sockets closed with 1001, exit 0, data kept, a stalled client
//! dropped after the grace period), login rate limits,
//! the catalogue bundle's ETag / 304 / gzip, cookies, `/healthz`, `/metrics`, `--demo`, backup and restore,
//! reaping of silent connections, and the embedded pages' security headers and ETags.

use std::time::Duration;

use hotline_tests::raw_ws::SilentPeer;
use hotline_tests::{Api, TestServer, check, check_error, uuid};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_sockets_with_going_away_and_exits_0() {
    let mut server = TestServer::start();
    let password = server.add_user("olga", "officer");
    let officer = Api::login(&server.base, "olga", &password).await;
    let request = officer.create_request("Shutdown").await;
    let id = request["id"].as_str().unwrap().to_string();
    let mut ws = officer.ws().await;
    let ack = ws.send_message(&id, &uuid(), "before the restart").await;
    assert_eq!(ack["type"], "ack");

    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
    let close = ws.closed().await.expect("a close frame");
    assert_eq!(close.code, CloseCode::Away);

    server.restart();
    let officer = Api::login(&server.base, "olga", &password).await;
    let events = officer.all_events(&id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["message"]["body"], "before the restart");
}

/// A client that sends half a request and then nothing (a stalled link, or a slowloris) must not hold the server
/// up on SIGTERM: after the grace period its connection is dropped and the server exits 0, with what it had
/// acknowledged kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_client_does_not_hold_up_shutdown() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut server = TestServer::start_with(&["--shutdown-grace-secs", "1"]);
    let password = server.add_user("olga", "officer");
    let officer = Api::login(&server.base, "olga", &password).await;
    let request = officer.create_request("Stalled shutdown").await;
    let id = request["id"].as_str().unwrap().to_string();
    let mut ws = officer.ws().await;
    assert_eq!(ws.send_message(&id, &uuid(), "kept across the shutdown").await["type"], "ack");

    let address = server.base.trim_start_matches("http://").to_string();
    let mut stalled = tokio::net::TcpStream::connect(&address).await.unwrap();
    stalled.write_all(b"GET /healthz HTTP/1.1\r\nHost: hotline\r\n").await.unwrap();
    // Another request answered first gives the server the moment it needs to accept the stalled connection.
    let (status, _) = officer.get("/api/v1/me").await;
    assert_eq!(status, 200);

    let started = std::time::Instant::now();
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?} to exit with a stalled client", started.elapsed());
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stalled.read_to_end(&mut rest)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the stalled connection is closed, not answered: {read:?} {rest:?}"
    );
    assert_eq!(ws.closed().await.expect("a close frame").code, CloseCode::Away);

    server.restart();
    let officer = Api::login(&server.base, "olga", &password).await;
    let events = officer.all_events(&id).await;
    assert_eq!(events.last().unwrap()["message"]["body"], "kept across the shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_rate_limited_and_successful_ones_are_not() {
    let server = TestServer::start();
    let password = server.add_user("olga", "officer");
    let http = reqwest::Client::new();
    let login = |username: &str, password: &str| {
        let request = http
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": username, "password": password}));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
            let cookie = response.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_string());
            let body: Value = response.json().await.unwrap();
            (status, body, retry, cookie)
        }
    };
    // 60 successful logins in a row from one address: never refused.
    for _ in 0..60 {
        let (status, body, _, cookie) = login("olga", &password).await;
        check(status, &body, 200);
        let cookie = cookie.expect("a session cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    }
    // Unknown user and wrong password answer the same.
    let (status, unknown, _, _) = login("nobody", "whatever1").await;
    check_error(status, &unknown, 401, "invalid_credentials");
    let (status, wrong, _, _) = login("olga", "wrong-password").await;
    check_error(status, &wrong, 401, "invalid_credentials");
    assert_eq!(unknown, wrong);
    for _ in 0..4 {
        let (status, body, _, _) = login("olga", "wrong-password").await;
        check_error(status, &body, 401, "invalid_credentials");
    }
    // Five failures for olga: the next attempt is refused, even with the right password.
    let (status, body, retry, _) = login("olga", &password).await;
    check_error(status, &body, 429, "rate_limited");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=300).contains(&retry), "Retry-After {retry}");
    // The cookie alone authenticates a browser.
    let other = server.add_user("otto", "officer");
    let (_, _, _, cookie) = login("otto", &other).await;
    let pair = cookie.unwrap().split(';').next().unwrap().to_string();
    let me: Value = http
        .get(format!("{}/api/v1/me", server.base))
        .header("cookie", pair)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "otto");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_bundle_health_metrics_demo_and_backup() {
    let server = TestServer::start_with(&["--demo"]);
    let credentials = std::fs::read_to_string(server.data_dir.join("demo-credentials.txt")).unwrap();
    let lines: Vec<&str> = credentials.lines().collect();
    assert_eq!(lines.len(), 5);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(server.data_dir.join("demo-credentials.txt")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (user, password) = lines[0].split_once(':').unwrap();
    assert_eq!(user, "officer");
    let officer = Api::login(&server.base, user, password).await;

    let (status, info) = officer.get("/api/v1/catalogue").await;
    check(status, &info, 200);
    let version = info["version"].as_str().unwrap().to_string();
    assert!(info["entries"].as_u64().unwrap() > 100);
    let bundle_url = format!("{}/api/v1/catalogue/bundle", server.base);
    let response = officer.http.get(&bundle_url).bearer_auth(&officer.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], format!("\"{version}\"").as_str());
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, info["bytes"].as_u64().unwrap());
    let response = officer
        .http
        .get(&bundle_url)
        .bearer_auth(&officer.token)
        .header("if-none-match", format!("\"{version}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 304);
    let response = officer
        .http
        .get(&bundle_url)
        .bearer_auth(&officer.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");

    let (status, search) = officer.get("/api/v1/search?q=5%20axis%20cnc&limit=3").await;
    check(status, &search, 200);
    assert!(!search["hits"].as_array().unwrap().is_empty());
    let first = search["hits"][0]["id"].as_str().unwrap();
    let (status, entry) = officer.get(&format!("/api/v1/entries/{first}")).await;
    check(status, &entry, 200);
    let (status, body) = officer.get("/api/v1/entries/NO-SUCH-ENTRY").await;
    check_error(status, &body, 404, "not_found");
    let (status, body) = officer.get("/api/v1/screen?name=acme").await;
    check_error(status, &body, 503, "screening_unavailable");

    let (status, health) = officer.get("/healthz").await;
    check(status, &health, 200);
    let _ws = officer.ws().await;
    let request = officer.create_request("Metrics").await;
    let metrics = officer.metrics().await;
    for name in [
        "hotline_ws_connections 1",
        "hotline_queue_waiting 1",
        "hotline_http_request_duration_seconds_bucket",
        "hotline_messages_total",
        "hotline_db_transactions_total",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics:\n{metrics}");
    }

    // A backup while serving, restored into a new data dir, has the request.
    let backup = server.data_dir.join("backup.sqlite3");
    let (status, _, stderr) = server.command(&["backup", "--out", backup.to_str().unwrap()], "");
    assert!(status.success(), "{stderr}");
    let (status, _, _) = server.command(&["backup", "--out", backup.to_str().unwrap()], "");
    assert_eq!(status.code(), Some(1), "an existing backup file is not overwritten");
    let mut restored = TestServer::start();
    restored.kill9();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(restored.data_dir.join(format!("hotline.sqlite3{suffix}")));
    }
    std::fs::copy(&backup, restored.data_dir.join("hotline.sqlite3")).unwrap();
    restored.restart();
    let again = Api::login(&restored.base, user, password).await;
    let (status, body) = again.get(&format!("/api/v1/requests/{}", request["id"].as_str().unwrap())).await;
    check(status, &body, 200);

    // Usage errors exit 2.
    let (status, _, _) = server.command(&["serve", "--no-such-flag"], "");
    assert_eq!(status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_reaped() {
    let server = TestServer::start_with(&["--heartbeat-secs", "1"]);
    let officer = server.user("olga", "officer").await;
    // A dead peer answers no ping; this one reads (to see the pings and the close) but never answers.
    let mut peer = SilentPeer::connect(&officer.base, &officer.token).await;
    peer.send_text(r#"{"type":"ping"}"#).await;
    let pong: Value = serde_json::from_str(&peer.next_text(Duration::from_secs(15)).await).unwrap();
    assert_eq!(pong["type"], "pong");
    assert_eq!(open_connections(&officer).await, 1);

    // The server pings every second and gives up after three silent seconds: wait for that to happen (the
    // timeout only bounds a failing test).
    let reaped = peer.until_reaped(Duration::from_secs(20)).await;
    assert!(reaped.pings >= 1, "the server sent no ping before reaping: {reaped:?}");
    let (code, reason) = reaped.close.expect("a close frame");
    assert_eq!(code, u16::from(CloseCode::Away));
    assert!(reason.contains("heartbeat"), "{reason}");
    // The server forgets the connection before it sends the close frame.
    assert_eq!(open_connections(&officer).await, 0);
    officer.ws().await.check_alive().await;
}

/// `hotline_ws_connections` of `/metrics`.
async fn open_connections(api: &Api) -> i64 {
    api.metric("hotline_ws_connections").await as i64
}

/// The console and the review pages as a browser fetches them: the page at its path with and without a trailing
/// slash, its files with their content types, the security headers on every answer, 304 when the browser's ETag
/// is still the file's, and an unknown file answered 404 in the API's error shape. No sign-in is needed to load a
/// page: it signs in by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_pages_carry_their_security_headers_and_revalidate_by_etag() {
    let server = TestServer::start();
    let http = reqwest::Client::new();
    let pages = [
        ("/console", "/console/assets/console.js", "connect-src 'self' ws: wss:"),
        ("/review", "/review/assets/review.js", "connect-src 'self';"),
    ];
    for (page, script, connect) in pages {
        let mut tags = Vec::new();
        for (path, content_type) in [
            (page.to_string(), "text/html; charset=utf-8"),
            (format!("{page}/"), "text/html; charset=utf-8"),
            (script.to_string(), "text/javascript; charset=utf-8"),
            (format!("{page}/assets/http.js"), "text/javascript; charset=utf-8"),
        ] {
            let response = http.get(format!("{}{path}", server.base)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let headers = response.headers().clone();
            assert_eq!(headers["content-type"], content_type, "{path}");
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && csp.contains(connect),
                "{path}: {csp}"
            );
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["cache-control"], "no-cache", "{path}");
            let etag = headers["etag"].to_str().unwrap().to_string();
            assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34, "{path}: {etag}");
            assert!(!response.bytes().await.unwrap().is_empty(), "{path}");

            let again = http.get(format!("{}{path}", server.base)).header("if-none-match", &etag).send().await.unwrap();
            assert_eq!(again.status(), 304, "{path} with its own ETag");
            assert_eq!(again.headers()["etag"], etag.as_str());
            assert!(again.headers().contains_key("content-security-policy"));
            let stale =
                http.get(format!("{}{path}", server.base)).header("if-none-match", "\"0123\"").send().await.unwrap();
            assert_eq!(stale.status(), 200, "{path} with a stale ETag");
            tags.push(etag);
        }
        assert_eq!(tags[0], tags[1], "{page} and {page}/ are the same page");
        assert_ne!(tags[0], tags[2], "a page and its script have different ETags");

        let response = http.get(format!("{}{page}/assets/secrets.txt", server.base)).send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        check_error(status, &body, 404, "not_found");
        assert!(body["error"]["message"].as_str().unwrap().contains("secrets.txt"), "{body}");
    }
}
