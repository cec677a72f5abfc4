//! The offline outbox: with the server down, `send` and `ask` queue; after a restart on the same data dir,
//! `outbox --flush` delivers everything exactly once and in order (the proxy keeps the client's URL stable).

use hotline_tests::field::{Field, Proxy, ProxyMode, phone_photo};
use hotline_tests::{Api, TestServer};
use serde_json::Value;

fn bodies(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "message")
        .map(|e| e["message"]["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_sent_while_the_server_is_down_is_delivered_once_in_order_after_a_restart() {
    let mut server = TestServer::start();
    let password = server.add_user("officer", "officer");
    let proxy = Proxy::start(server.port, ProxyMode::Pass, 3);
    let field = Field::new();
    field.login(&proxy.url(), "officer", &password);
    let request =
        field.run(&["ask", "--subject", "Inconel tube", "--message", "online first", "--json"]).success().json();
    let request_id = request["request"]["id"].as_str().unwrap().to_string();

    assert!(server.terminate().success());
    for text in ["offline one", "offline two", "offline three"] {
        let run = field.run(&["send", &request_id, text]).success();
        assert!(run.stdout.contains("queued"), "{}", run.stdout);
    }
    let photo = field.home.path().join("crate.jpg");
    std::fs::write(&photo, phone_photo(2000, 1500, 3)).unwrap();
    let queued_ask = field
        .run(&[
            "ask",
            "--subject",
            "Crate of valves",
            "--photo",
            photo.to_str().unwrap(),
            "--message",
            "asked offline",
            "--json",
        ])
        .plain_failure();
    assert!(queued_ask.stderr.contains("queued"), "{}", queued_ask.stderr);
    assert!(queued_ask.stdout.is_empty(), "no JSON without a request: {}", queued_ask.stdout);
    field.run(&["outbox", "--flush"]).plain_failure();

    let listed = field.run(&["outbox", "--json"]).success().json();
    let kinds: Vec<&str> = listed["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["message", "message", "message", "ask", "photo", "message"]);

    server.restart();
    proxy.set_upstream(server.port);
    let flushed = field.run(&["outbox", "--flush", "--json"]).success().json();
    assert_eq!(flushed["delivered"], 6, "{flushed}");
    assert_eq!(flushed["entries"], serde_json::json!([]));
    let again = field.run(&["outbox", "--flush", "--json"]).success().json();
    assert_eq!(again["delivered"], 0);

    let officer = Api::login(&server.base, "officer", &password).await;
    let events = officer.all_events(&request_id).await;
    assert_eq!(bodies(&events), ["online first", "offline one", "offline two", "offline three"]);
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());

    let listed = field.run(&["requests", "--json"]).success().json();
    let requests = listed["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "{listed}");
    let offline = requests.iter().find(|r| r["subject"] == "Crate of valves").expect("the queued ask was created");
    let history = field.run(&["history", offline["id"].as_str().unwrap(), "--json"]).success().json();
    assert_eq!(history["request"]["id"], offline["id"]);
    let events = history["events"].as_array().unwrap();
    assert_eq!(bodies(events), ["asked offline"]);
    let message = events.iter().find(|e| e["kind"] == "message").unwrap();
    assert_eq!(message["message"]["attachments"].as_array().unwrap().len(), 1, "the photo went with it");
}
