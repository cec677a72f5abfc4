//! Hostile input: malformed, unknown and ill-typed frames, oversized frames and bodies, floods, image bombs,
//! non-images named `.jpg`, path tricks, connections that never finish a request. Each gets the contract's error
//! (or is closed), nothing is stored, the server serves on.

use futures_util::SinkExt;
use hotline_tests::{TestServer, check, check_error, images, metric, uuid};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_get_error_frames_and_the_connection_stays_usable() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let request = officer.create_request("Hostile frames").await;
    let id = request["id"].as_str().unwrap().to_string();
    let mut ws = officer.ws().await;

    let cases: Vec<(String, &str, serde_json::Value)> = vec![
        ("not json at all".into(), "malformed_json", json!(null)),
        ("{\"type\": \"send\", ".into(), "malformed_json", json!(null)),
        ("[1, 2, 3]".into(), "invalid_frame", json!(null)),
        ("\"ping\"".into(), "invalid_frame", json!(null)),
        (json!({"no_type": true}).to_string(), "invalid_frame", json!(null)),
        (json!({"type": 42}).to_string(), "invalid_frame", json!(null)),
        (json!({"type": "dance", "request_id": id}).to_string(), "unknown_type", json!(id)),
        (json!({"type": "subscribe"}).to_string(), "invalid_frame", json!(null)),
        (json!({"type": "subscribe", "request_id": id, "after_seq": "zero"}).to_string(), "invalid_frame", json!(id)),
        (json!({"type": "send", "request_id": 7, "client_msg_id": "m", "body": "x"}).to_string(), "invalid_frame", json!("m")),
        (json!({"type": "send", "request_id": id, "client_msg_id": "not-a-uuid", "body": "x"}).to_string(), "invalid_field", json!("not-a-uuid")),
        (json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "  "}).to_string(), "missing_field", json!(null)),
        (json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "x", "attachments": ["../../etc/passwd"]}).to_string(), "unknown_attachment", json!(null)),
        (json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "x".repeat(9000)}).to_string(), "too_long", json!(null)),
        (json!({"type": "send", "request_id": "../../etc", "client_msg_id": uuid(), "body": "x"}).to_string(), "not_found", json!(null)),
        (json!({"type": "on_call", "on": "yes"}).to_string(), "invalid_frame", json!(null)),
        (json!({"type": "close", "request_id": id, "outcome": {"verdict": "maybe"}}).to_string(), "invalid_frame", json!(id)),
        (json!({"type": "read", "request_id": id, "seq": -1}).to_string(), "invalid_frame", json!(id)),
    ];
    for (text, code, reference) in cases {
        ws.send_text(&text).await;
        let error = ws.recv_type("error").await;
        assert_eq!(error["code"], code, "for {text:.80}: {error}");
        if !reference.is_null() {
            assert_eq!(error["ref"], reference, "ref for {text:.80}");
        }
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        ws.check_alive().await;
    }
    ws.stream.send(Message::Binary(vec![1u8, 2, 3].into())).await.unwrap();
    assert_eq!(ws.recv_type("error").await["code"], "unsupported_frame");
    ws.check_alive().await;

    // Nothing was stored by any of it.
    let events = officer.all_events(&id).await;
    assert_eq!(events.len(), 1, "only the created event: {events:?}");

    // An oversized frame closes the connection with 1009; the server serves on.
    ws.send_text(&"x".repeat(200 * 1024)).await;
    let close = ws.closed().await.expect("a close frame");
    assert_eq!(close.code, CloseCode::Size);
    officer.ws().await.check_alive().await;

    // A flood (far past 1,000 frames back to back) closes with 1008 (policy); the server serves on.
    let mut flooder = officer.ws().await;
    for _ in 0..1500 {
        if flooder.stream.feed(Message::Text(json!({"type": "ping"}).to_string().into())).await.is_err() {
            break;
        }
    }
    let _ = flooder.stream.flush().await;
    let close = flooder.closed().await.expect("a close frame");
    assert_eq!(close.code, CloseCode::Policy);
    let mut fresh = officer.ws().await;
    fresh.check_alive().await;
    // 200 frames back to back are fine.
    for _ in 0..200 {
        fresh.stream.feed(Message::Text(json!({"type": "ping"}).to_string().into())).await.unwrap();
    }
    fresh.stream.flush().await.unwrap();
    for _ in 0..200 {
        fresh.recv_type("pong").await;
    }
    let (status, _) = officer.get("/healthz").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_and_uploads_are_refused_whole() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;

    // Request bodies.
    let (status, body) = officer.post_raw("/api/v1/requests", "application/json", b"{\"subject\": ".to_vec()).await;
    check_error(status, &body, 400, "malformed_json");
    let (status, body) =
        officer.post("/api/v1/requests", &json!({"subject": "no shipment", "client_request_id": uuid()})).await;
    check_error(status, &body, 400, "invalid_body");
    let (status, body) = officer
        .post(
            "/api/v1/requests",
            &json!({"client_request_id": uuid(), "subject": 5, "shipment": {"declared_description": "x"}}),
        )
        .await;
    check_error(status, &body, 400, "invalid_body");
    let (status, body) = officer
        .post(
            "/api/v1/requests",
            &json!({"client_request_id": "nope", "subject": "s", "shipment": {"declared_description": "x"}}),
        )
        .await;
    check_error(status, &body, 400, "invalid_field");
    let (status, body) = officer
        .post("/api/v1/requests", &json!({"client_request_id": uuid(), "subject": "s", "priority": "now!", "shipment": {"declared_description": "x"}}))
        .await;
    check_error(status, &body, 400, "invalid_body");
    let (status, body) = officer
        .post(
            "/api/v1/requests",
            &json!({"client_request_id": uuid(), "subject": " ", "shipment": {"declared_description": "x"}}),
        )
        .await;
    check_error(status, &body, 400, "missing_field");
    let huge =
        json!({"client_request_id": uuid(), "subject": "s", "shipment": {"declared_description": "x".repeat(200_000)}});
    let (status, body) = officer.post("/api/v1/requests", &huge).await;
    check_error(status, &body, 413, "too_large");
    let (status, body) = officer.post_raw("/api/v1/requests", "text/plain", b"hello".to_vec()).await;
    check_error(status, &body, 415, "unsupported_media_type");
    let (status, body) = officer.get("/api/v1/requests?status=lost").await;
    check_error(status, &body, 400, "invalid_query");
    let (status, body) = officer.get("/api/v1/search?q=cnc&limit=lots").await;
    check_error(status, &body, 400, "invalid_query");
    let (status, body) = officer.get("/api/v1/search?q=cnc&kind=weapon").await;
    check_error(status, &body, 400, "invalid_query");
    let (_, list) = officer.get("/api/v1/requests").await;
    assert!(list["requests"].as_array().unwrap().is_empty(), "no request was created by bad input");

    // Uploads.
    let request = officer.create_request("Hostile uploads").await;
    let id = request["id"].as_str().unwrap().to_string();
    let (status, body) =
        officer.upload(&id, "photo.jpg", b"MZ\x90\x00 this is not a photo at all".to_vec(), "image/jpeg").await;
    check_error(status, &body, 415, "not_an_image");
    let (status, body) = officer.upload(&id, "bomb.png", images::png_bomb(), "image/png").await;
    assert_eq!(status, 422, "{body}");
    let mut big = images::jpeg(32, 32);
    big.resize(11 * 1024 * 1024, 0);
    let (status, body) = officer.upload(&id, "big.jpg", big, "image/jpeg").await;
    check_error(status, &body, 413, "too_large");
    let form = reqwest::multipart::Form::new().text("not_file", "x");
    let response = officer
        .http
        .post(format!("{}/api/v1/requests/{id}/attachments", officer.base))
        .bearer_auth(&officer.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let stored: Vec<_> = std::fs::read_dir(server.data_dir.join("attachments")).unwrap().collect();
    assert!(stored.is_empty(), "refused uploads leave no file");

    // A path trick in the file name changes nothing: the server chooses the name.
    let (status, body) = officer.upload(&id, "../../../etc/passwd.png", images::png(10, 10), "image/png").await;
    check(status, &body, 201);
    let attachment_id = body["attachment"]["id"].as_str().unwrap().to_string();
    for entry in std::fs::read_dir(server.data_dir.join("attachments")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(name.starts_with(&attachment_id), "unexpected stored file {name}");
    }
    assert!(!server.data_dir.join("etc").exists());
    for path in [
        "/api/v1/attachments/..%2F..%2Fhotline.sqlite3",
        "/api/v1/attachments/../hotline.sqlite3",
        "/api/v1/attachments/%2e%2e/thumb",
    ] {
        let (status, _) = officer.get(path).await;
        assert_eq!(status, 404, "{path}");
    }
    // A PNG sent as image/jpeg is recognised from its bytes.
    let (status, body) = officer.upload(&id, "looks.jpg", images::png(12, 12), "image/jpeg").await;
    check(status, &body, 201);
    assert_eq!(body["attachment"]["content_type"], "image/png");

    let (status, _) = officer.get("/healthz").await;
    assert_eq!(status, 200);
}

/// A client that opens connections and never finishes a request head (a stalled link, or a slowloris holding
/// sockets) is disconnected after `--header-read-timeout-secs`, while a client that keeps talking is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_finish_a_request_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = TestServer::start_with(&["--header-read-timeout-secs", "1"]);
    let officer = server.user("olga", "officer").await;
    let address = server.base.trim_start_matches("http://").to_string();
    let mut half_sent = tokio::net::TcpStream::connect(&address).await.unwrap();
    half_sent.write_all(b"GET /healthz HTTP/1.1\r\nHost: hotline\r\nX-Slow: ").await.unwrap();
    let mut silent = tokio::net::TcpStream::connect(&address).await.unwrap();

    for (name, stream) in [("half a request", &mut half_sent), ("nothing", &mut silent)] {
        let mut answer = Vec::new();
        let read = tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
        assert!(read.is_ok(), "a connection that sent {name} was still open after 20 s");
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "a connection that sent {name} got {answer:?}"
        );
    }

    // Requests that arrive whole are served, on new connections and on one kept alive within the timeout.
    let (status, body) = officer.get("/api/v1/me").await;
    check(status, &body, 200);
    let (status, body) = officer.get("/api/v1/me").await;
    check(status, &body, 200);
    // Operators see the closures (the officer's own idle keep-alive connection may count among them).
    let metrics = officer.metrics().await;
    let timeouts = metric(&metrics, "hotline_http_header_timeouts_total");
    assert!(timeouts >= 2.0, "the stalled connections are counted: {timeouts}");
    assert!(metric(&metrics, "hotline_http_connections") >= 1.0, "open connections are shown");
}
