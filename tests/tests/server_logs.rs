//! The server's log keeps no secrets and no user text: after a whole conversation at `RUST_LOG=debug`
//! (logins right and wrong, a request with shipment details, messages both ways, a photo, a search, a party
//! screening, a review search, a logout), the log names none of the passwords, tokens, subjects, shipment fields,
//! message bodies, file names or query words, while it does record that the work happened.

use hotline_tests::{Api, TestServer, check, images, uuid};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_holds_no_secrets_and_no_user_text() {
    let server = TestServer::start_logging("debug", &[]);
    let password = server.add_user("olga", "officer");
    let officer = Api::login(&server.base, "olga", &password).await;
    let expert = server.user("erik", "expert").await;
    let trainer = server.user("tom", "trainer").await;
    let wrong = "Wrong-Secret-Lemur-77";
    let refused = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": "olga", "password": wrong}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    let mut new = hotline_tests::new_request("Subject zebrafinch 41");
    new["shipment"] = json!({"declared_description": "Declared pangolin valves", "hs_code": "8481.80", "origin_country": "LV",
                             "destination_country": "BY", "consignee": "Quokka Trading GmbH", "reference": "REF-ibex-9921"});
    new["body"] = json!("First message narwhal");
    let (status, created) = officer.post("/api/v1/requests", &new).await;
    check(status, &created, 201);
    let id = created["request"]["id"].as_str().unwrap().to_string();
    let (status, photo) = officer.upload(&id, "passport-scan-ibis.png", images::png(40, 30), "image/png").await;
    check(status, &photo, 201);
    let mut olga = officer.ws().await;
    olga.send_acked(json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "Officer says okapi",
                           "attachments": [photo["attachment"]["id"]]}))
        .await;
    let mut erik = expert.ws().await;
    erik.send(json!({"type": "claim", "request_id": id})).await;
    erik.await_request(&id, "claimed").await;
    erik.send_acked(json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": "Expert says axolotl", "cites": ["2B001"]}))
        .await;
    erik.send(json!({"type": "send", "request_id": id, "client_msg_id": "not-a-uuid", "body": "Refused frame wombat"}))
        .await;
    erik.recv_type("error").await;
    erik.send(json!({"type": "close", "request_id": id, "outcome": {"verdict": "controlled", "controls": ["2B001"], "note": "Outcome note marmot"}}))
        .await;
    erik.await_request(&id, "closed").await;
    let (status, _) = officer.get("/api/v1/search?q=tapir+spindle").await;
    assert_eq!(status, 200);
    // No list was imported, so screening answers 503 screening_unavailable; the name must stay out of the log all the same.
    let (status, _) = expert.get("/api/v1/screen?name=Quokka+Trading").await;
    assert_eq!(status, 503);
    let (status, _) = trainer.get("/api/v1/review/requests?q=narwhal").await;
    assert_eq!(status, 200);
    let (status, _) = officer.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(status, 204);
    drop((olga, erik));

    let log = server.log();
    assert!(log.contains("login"), "the log records logins:\n{log}");
    assert!(log.contains("/api/v1/requests"), "the log records requests by path:\n{log}");
    for secret in [password.as_str(), wrong, officer.token.as_str(), expert.token.as_str(), trainer.token.as_str()] {
        assert!(!log.contains(secret), "a password or token is in the log");
    }
    for text in
        ["zebrafinch", "pangolin", "Quokka", "ibex", "narwhal", "ibis", "okapi", "axolotl", "wombat", "marmot", "tapir"]
    {
        assert!(
            !log.contains(text),
            "user text {text:?} is in the log:\n{}",
            log.lines().filter(|l| l.contains(text)).collect::<Vec<_>>().join("\n")
        );
    }
}
