//! Crash durability: kill -9 the server while a client streams sends; after a restart on the same data dir
//! every acked message is there exactly once, and resending every message with its `client_msg_id` creates no
//! duplicate (the acked ones get their first ack back).

use std::collections::HashMap;

use futures_util::{SinkExt, StreamExt};
use hotline_tests::{Api, TestServer, uuid};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const MESSAGES: usize = 900;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acked_message_survives_kill_9_exactly_once() {
    let mut server = TestServer::start();
    let password = server.add_user("olga", "officer");
    let officer = Api::login(&server.base, "olga", &password).await;
    let request = officer.create_request("Crash test").await;
    let id = request["id"].as_str().unwrap().to_string();
    let ids: Vec<String> = (0..MESSAGES).map(|_| uuid()).collect();

    // Stream every send without waiting, read acks as they come, and kill the server mid-stream.
    let ws = officer.ws().await;
    let (mut sink, mut stream) = ws.stream.split();
    let frames: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(n, msg)| {
            json!({"type": "send", "request_id": id, "client_msg_id": msg, "body": format!("line {n}")}).to_string()
        })
        .collect();
    let writer = tokio::spawn(async move {
        for frame in frames {
            if sink.send(Message::Text(frame.into())).await.is_err() {
                break;
            }
        }
        sink
    });
    let mut acked: HashMap<String, Value> = HashMap::new();
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else { continue };
        let frame: Value = serde_json::from_str(text.as_str()).unwrap();
        if frame["type"] == "ack" {
            acked.insert(frame["client_msg_id"].as_str().unwrap().to_string(), frame);
            if acked.len() == 100 {
                server.kill9();
            }
        }
    }
    let _ = writer.await;
    assert!(acked.len() >= 100, "the kill came after 100 acks");

    server.restart();
    let officer = Api::login(&server.base, "olga", &password).await;
    let events = officer.all_events(&id).await;
    let stored: Vec<&Value> = events.iter().filter(|e| e["kind"] == "message").collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for event in &stored {
        *count.entry(event["message"]["client_msg_id"].as_str().unwrap()).or_default() += 1;
    }
    for (msg, ack) in &acked {
        assert_eq!(count.get(msg.as_str()), Some(&1), "acked message {msg} must be stored exactly once");
        let event = stored.iter().find(|e| e["message"]["client_msg_id"] == msg.as_str()).unwrap();
        assert_eq!(event["seq"], ack["seq"]);
        assert_eq!(event["message"]["id"], ack["message_id"]);
    }
    assert!(count.values().all(|n| *n == 1));
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>(), "seq stays gapless across the crash");

    // Resend everything with the same ids: nothing twice, the acked ones keep their first ack.
    let mut ws = officer.ws().await;
    for (n, msg) in ids.iter().enumerate() {
        let ack = ws.send_message(&id, msg, &format!("line {n}")).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        if let Some(first) = acked.get(msg) {
            assert_eq!(&ack, first, "a resent acked message gets its first ack");
        }
    }
    let events = officer.all_events(&id).await;
    let messages: Vec<&Value> = events.iter().filter(|e| e["kind"] == "message").collect();
    assert_eq!(messages.len(), MESSAGES, "every message exactly once");
    let mut distinct: Vec<&str> = messages.iter().map(|e| e["message"]["client_msg_id"].as_str().unwrap()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), MESSAGES);
}
