//! The authorization matrix: every REST route and every WebSocket action for every role, and officer A
//! against officer B's request and attachment (404, like an unknown id: existence never leaks).

use hotline_tests::{Api, TestServer, check, check_error, images, new_request, uuid};
use serde_json::{Value, json};

struct Cast {
    officer: Api,
    other_officer: Api,
    expert: Api,
    expert2: Api,
    trainer: Api,
    admin: Api,
}

async fn cast(server: &TestServer) -> Cast {
    Cast {
        officer: server.user("olga", "officer").await,
        other_officer: server.user("otto", "officer").await,
        expert: server.user("erik", "expert").await,
        expert2: server.user("ella", "expert").await,
        trainer: server.user("tom", "trainer").await,
        admin: server.user("ada", "admin").await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_routes_by_role_and_owner() {
    let server = TestServer::start();
    let c = cast(&server).await;
    let everyone = [&c.officer, &c.other_officer, &c.expert, &c.trainer, &c.admin];

    // Without a token: 401 everywhere under /api/v1 except login.
    let http = reqwest::Client::new();
    for path in [
        "/api/v1/me",
        "/api/v1/search?q=cnc",
        "/api/v1/catalogue",
        "/api/v1/catalogue/bundle",
        "/api/v1/requests",
        "/api/v1/entries/2B001",
        "/api/v1/ws",
        "/api/v1/screen?name=x",
    ] {
        let response = http.get(format!("{}{path}", server.base)).send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        check_error(status, &body, 401, "unauthenticated");
    }
    let response = http.get(format!("{}/api/v1/me", server.base)).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!(response.status(), 401);

    // Catalogue and me: every role.
    for api in everyone {
        for path in ["/api/v1/me", "/api/v1/search?q=cnc", "/api/v1/catalogue", "/api/v1/catalogue/bundle"] {
            let (status, body) = api.get(path).await;
            assert_eq!(status, 200, "{path} as {}: {body}", api.user["username"]);
        }
    }

    // Only officers open requests.
    for api in [&c.expert, &c.trainer, &c.admin] {
        let (status, body) = api.post("/api/v1/requests", &new_request("not mine to ask")).await;
        check_error(status, &body, 403, "forbidden");
    }
    let request = c.officer.create_request("Olga's shipment").await;
    let id = request["id"].as_str().unwrap().to_string();
    let (status, body) = c.officer.upload(&id, "plate.png", images::png(16, 16), "image/png").await;
    check(status, &body, 201);
    let attachment = body["attachment"]["id"].as_str().unwrap().to_string();
    let unknown = uuid();

    // Who sees the request, its events and its attachment. 404 for the other officer, like an unknown id.
    let open_visibility =
        [(&c.officer, 200), (&c.other_officer, 404), (&c.expert, 200), (&c.trainer, 404), (&c.admin, 200)];
    for (api, expected) in open_visibility {
        for path in [
            format!("/api/v1/requests/{id}"),
            format!("/api/v1/requests/{id}/events"),
            format!("/api/v1/attachments/{attachment}"),
            format!("/api/v1/attachments/{attachment}/thumb"),
        ] {
            let (status, body) = api.get(&path).await;
            assert_eq!(status, expected, "{path} as {}: {body}", api.user["username"]);
            if expected == 404 {
                assert_eq!(body["error"]["code"], "not_found");
            }
        }
        for path in [
            format!("/api/v1/requests/{unknown}"),
            format!("/api/v1/requests/{unknown}/events"),
            format!("/api/v1/attachments/{unknown}"),
        ] {
            let (status, body) = api.get(&path).await;
            check_error(status, &body, 404, "not_found");
        }
    }
    let (other_status, other_body) = c.other_officer.get(&format!("/api/v1/requests/{id}")).await;
    let (unknown_status, unknown_body) = c.other_officer.get(&format!("/api/v1/requests/{unknown}")).await;
    assert_eq!((other_status, &other_body), (unknown_status, &unknown_body), "forbidden and unknown look the same");

    // Lists: officers their own, experts and admins all, trainers closed only.
    for (api, expected) in [(&c.officer, 1), (&c.other_officer, 0), (&c.expert, 1), (&c.trainer, 0), (&c.admin, 1)] {
        let (status, body) = api.get("/api/v1/requests").await;
        check(status, &body, 200);
        assert_eq!(body["requests"].as_array().unwrap().len(), expected, "list as {}", api.user["username"]);
    }

    // Uploads: the owning officer (or the assignee) only.
    for (api, expected) in [(&c.other_officer, 404), (&c.expert, 403), (&c.trainer, 404), (&c.admin, 403)] {
        let (status, body) = api.upload(&id, "x.png", images::png(8, 8), "image/png").await;
        assert_eq!(status, expected, "upload as {}: {body}", api.user["username"]);
    }

    // Logout revokes the token.
    let (status, _) = c.expert2.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(status, 204);
    let (status, body) = c.expert2.get("/api/v1/me").await;
    check_error(status, &body, 401, "unauthenticated");
}

/// The error code a WebSocket frame gets, or "ok".
async fn outcome(api: &Api, frame: Value, success: &str) -> String {
    let mut ws = api.ws().await;
    ws.send(frame).await;
    let answer = ws.recv_until(|f| f["type"] == success || f["type"] == "error").await;
    ws.check_alive().await;
    if answer["type"] == "error" { answer["code"].as_str().unwrap().to_string() } else { "ok".into() }
}

/// Like [`outcome`] for frames that answer nothing on success (typing, read): a ping after them tells.
async fn quiet_outcome(api: &Api, frame: Value) -> String {
    let mut ws = api.ws().await;
    ws.send(frame).await;
    ws.send(json!({"type": "ping"})).await;
    let answer = ws.recv_until(|f| f["type"] == "pong" || f["type"] == "error").await;
    if answer["type"] == "error" { answer["code"].as_str().unwrap().to_string() } else { "ok".into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_actions_by_role_and_owner() {
    let server = TestServer::start();
    let c = cast(&server).await;
    let request = c.officer.create_request("Olga's shipment").await;
    let id = request["id"].as_str().unwrap().to_string();
    let roles = [
        ("officer", &c.officer),
        ("other_officer", &c.other_officer),
        ("expert", &c.expert),
        ("trainer", &c.trainer),
        ("admin", &c.admin),
    ];

    // Anyone may connect and ping.
    for (_, api) in roles {
        api.ws().await.check_alive().await;
    }

    let subscribe = json!({"type": "subscribe", "request_id": id, "after_seq": 0});
    for ((name, api), (_, want)) in roles.iter().zip(expect_table([
        ("officer", "ok"),
        ("other_officer", "not_found"),
        ("expert", "ok"),
        ("trainer", "not_found"),
        ("admin", "ok"),
    ])) {
        assert_eq!(outcome(api, subscribe.clone(), "event").await, want, "subscribe as {name}");
    }
    for ((name, api), (_, want)) in roles.iter().zip(expect_table([
        ("officer", "ok"),
        ("other_officer", "not_found"),
        ("expert", "forbidden"),
        ("trainer", "not_found"),
        ("admin", "forbidden"),
    ])) {
        let send = json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "hi"});
        assert_eq!(outcome(api, send, "ack").await, want, "send as {name}");
        assert_eq!(quiet_outcome(api, json!({"type": "typing", "request_id": id})).await, want, "typing as {name}");
    }
    for ((name, api), (_, want)) in roles.iter().zip(expect_table([
        ("officer", "ok"),
        ("other_officer", "not_found"),
        ("expert", "forbidden"),
        ("trainer", "not_found"),
        ("admin", "forbidden"),
    ])) {
        assert_eq!(
            quiet_outcome(api, json!({"type": "read", "request_id": id, "seq": 1})).await,
            want,
            "read as {name}"
        );
    }
    for ((name, api), (_, want)) in roles.iter().zip(expect_table([
        ("officer", "forbidden"),
        ("other_officer", "forbidden"),
        ("expert", "ok"),
        ("trainer", "forbidden"),
        ("admin", "forbidden"),
    ])) {
        assert_eq!(outcome(api, json!({"type": "watch_queue"}), "queue").await, want, "watch_queue as {name}");
        assert_eq!(outcome(api, json!({"type": "on_call", "on": true}), "presence").await, want, "on_call as {name}");
    }
    // Claim: experts only (the other officer does not even see it).
    for ((name, api), (_, want)) in roles.iter().zip(expect_table([
        ("officer", "forbidden"),
        ("other_officer", "not_found"),
        ("expert", "ok"),
        ("trainer", "not_found"),
        ("admin", "forbidden"),
    ])) {
        assert_eq!(outcome(api, json!({"type": "claim", "request_id": id}), "request").await, want, "claim as {name}");
    }
    // Now erik holds it: transfer and close are his alone; ella may not answer it.
    let transfer = json!({"type": "transfer", "request_id": id, "to_user": "ella"});
    let close = json!({"type": "close", "request_id": id, "outcome": {"verdict": "not_controlled", "controls": [], "note": ""}});
    for (name, api, want) in [
        ("officer", &c.officer, "forbidden"),
        ("expert2", &c.expert2, "forbidden"),
        ("admin", &c.admin, "forbidden"),
        ("trainer", &c.trainer, "not_found"),
    ] {
        assert_eq!(outcome(api, transfer.clone(), "request").await, want, "transfer as {name}");
        assert_eq!(outcome(api, close.clone(), "request").await, want, "close as {name}");
        let send = json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "hi"});
        if name == "expert2" {
            assert_eq!(outcome(api, send, "ack").await, "forbidden", "send as a non-assignee expert");
        }
    }
    assert_eq!(outcome(&c.expert, transfer.clone(), "request").await, "ok");
    assert_eq!(outcome(&c.expert, close.clone(), "request").await, "forbidden", "erik handed it over");
    assert_eq!(outcome(&c.expert2, close.clone(), "request").await, "ok");

    // Closed: trainers may now read it, nobody may write.
    assert_eq!(outcome(&c.trainer, subscribe.clone(), "event").await, "ok");
    let (status, _) = c.trainer.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(status, 200);
    for (name, api) in [("officer", &c.officer), ("expert2", &c.expert2), ("trainer", &c.trainer)] {
        let send = json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "late"});
        let got = outcome(api, send, "ack").await;
        assert!(got == "request_closed" || got == "forbidden", "send to a closed request as {name}: {got}");
    }
    assert_eq!(outcome(&c.expert, json!({"type": "claim", "request_id": id}), "request").await, "request_closed");

    // A browser page from another site may not open a socket.
    let mut upgrade =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(server.ws_url()).unwrap();
    upgrade.headers_mut().insert("authorization", format!("Bearer {}", c.officer.token).parse().unwrap());
    upgrade.headers_mut().insert("origin", "http://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(upgrade).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("a foreign Origin must be refused, got {:?}", other.map(|_| ())),
    }
    let mut same_site =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(server.ws_url()).unwrap();
    same_site.headers_mut().insert("authorization", format!("Bearer {}", c.officer.token).parse().unwrap());
    same_site.headers_mut().insert("origin", format!("http://127.0.0.1:{}", server.port).parse().unwrap());
    assert!(tokio_tungstenite::connect_async(same_site).await.is_ok(), "the server's own origin is fine");
}

/// The expected answer per role, in the order of `roles`, named for readability.
fn expect_table(table: [(&'static str, &'static str); 5]) -> [(&'static str, &'static str); 5] {
    table
}
