//! What the officer reads in `field chat` and `field history`: the expert's citations with their catalogue
//! titles (from the synced offline catalogue), the claim, the transfer and the verdict; `/quit` leaves.

use hotline_tests::TestServer;
use hotline_tests::field::Field;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_shows_citations_with_titles_claims_transfers_and_the_verdict() {
    let ccl = format!("ccl-json:{}/../../shared/data/ccl/ccl.json", env!("CARGO_MANIFEST_DIR"));
    let server = TestServer::start_with(&["--import", &ccl]);
    let password = server.add_user("officer", "officer");
    let expert = server.user("expert", "expert").await;
    let expert2 = server.user("expert2", "expert").await;
    let field = Field::new();
    field.login(&server.base, "officer", &password);
    field.run(&["sync"]).success();
    let title = field.run(&["show", "--json", "2B001"]).success().json()["title"].as_str().unwrap().to_string();

    let asked =
        field.run(&["ask", "--subject", "Machining centre", "--message", "Is this 2B001?", "--json"]).success().json();
    let request_id = asked["request"]["id"].as_str().unwrap().to_string();
    let mut ws = expert.ws().await;
    ws.send(json!({"type": "claim", "request_id": request_id})).await;
    ws.recv_until(|f| f["type"] == "request" && f["request"]["status"] == "claimed").await;
    let id = hotline_tests::uuid();
    ws.send(json!({"type": "send", "request_id": request_id, "client_msg_id": id, "body": "Check the axes", "cites": ["2B001"]}))
        .await;
    ws.recv_until(|f| f["type"] == "ack" && f["client_msg_id"] == id.as_str()).await;
    ws.send(json!({"type": "transfer", "request_id": request_id, "to_user": "expert2"})).await;
    ws.recv_until(|f| f["type"] == "request" && f["request"]["assignee"]["username"] == "expert2").await;
    let mut ws2 = expert2.ws().await;
    let outcome = json!({"verdict": "controlled", "controls": ["2B001"], "note": "licence needed"});
    ws2.send(json!({"type": "close", "request_id": request_id, "outcome": outcome})).await;
    ws2.recv_until(|f| f["type"] == "request" && f["request"]["status"] == "closed").await;

    let history = field.run(&["history", &request_id]).success().stdout;
    for expected in [
        "you: Is this 2B001?".to_string(),
        "expert took the request".to_string(),
        format!("cites 2B001 ({title})"),
        "passed from expert to expert2".to_string(),
        format!("expert2 closed the request: verdict controlled, controls 2B001 ({title}): licence needed"),
    ] {
        assert!(history.contains(&expected), "history lacks {expected:?}:\n{history}");
    }

    // The chat replays the same timeline, then `/quit` leaves it.
    let chat = field.run_with_stdin(&["chat", &request_id], "/quit\n").success();
    assert!(chat.stdout.contains(&format!("cites 2B001 ({title})")), "{}", chat.stdout);
    assert!(chat.stdout.contains("verdict controlled"), "{}", chat.stdout);

    let missing = field.run_with_stdin(&["chat", "no-such-request"], "").plain_failure();
    assert!(missing.stderr.contains("no-such-request"), "{}", missing.stderr);
}
