//! Idempotency: the same send twice is one message with one ack; the same `client_request_id` twice is one
//! request; a first message in the request body becomes a message event with `client_msg_id` = the request's.

use hotline_tests::{check, new_request, uuid, TestServer};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_send_twice_is_one_message_and_the_same_ack() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let request = officer.create_request("Carbon fibre prepreg").await;
    let id = request["id"].as_str().unwrap();
    let mut ws = officer.ws().await;

    let msg = uuid();
    let first = ws.send_message(id, &msg, "Rolls of black fabric, refrigerated.").await;
    assert_eq!(first["type"], "ack", "{first}");
    let second = ws.send_message(id, &msg, "Rolls of black fabric, refrigerated.").await;
    assert_eq!(second, first, "a repeat must get the first ack");
    // Even over a new connection.
    let mut again = officer.ws().await;
    assert_eq!(again.send_message(id, &msg, "different text, same id").await, first);

    let events = officer.all_events(id).await;
    let messages: Vec<_> = events.iter().filter(|e| e["kind"] == "message").collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["message"]["client_msg_id"], msg.as_str());
    assert_eq!(messages[0]["message"]["id"], first["message_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_client_request_id_twice_is_one_request() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let other = server.user("otto", "officer").await;
    let mut body = new_request("Inconel tube");
    body["body"] = json!("Is this controlled?");
    let (status, first) = officer.post("/api/v1/requests", &body).await;
    check(status, &first, 201);
    let (status, second) = officer.post("/api/v1/requests", &body).await;
    check(status, &second, 200);
    assert_eq!(first["request"]["id"], second["request"]["id"]);

    // The id is per user: another officer with the same id gets a request of their own.
    let (status, theirs) = other.post("/api/v1/requests", &body).await;
    check(status, &theirs, 201);
    assert_ne!(theirs["request"]["id"], first["request"]["id"]);

    let (_, list) = officer.get("/api/v1/requests").await;
    assert_eq!(list["requests"].as_array().unwrap().len(), 1);

    // The body is the first message, with client_msg_id = client_request_id.
    let id = first["request"]["id"].as_str().unwrap();
    let events = officer.all_events(id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["kind"], "created");
    assert_eq!(events[1]["kind"], "message");
    assert_eq!(events[1]["message"]["body"], "Is this controlled?");
    assert_eq!(events[1]["message"]["client_msg_id"], body["client_request_id"]);
    // Resending that id over the WebSocket is the same message.
    let mut ws = officer.ws().await;
    let ack = ws.send_message(id, body["client_request_id"].as_str().unwrap(), "Is this controlled?").await;
    assert_eq!(ack["seq"], 2);
}
