//! Resume: a client that drops mid-conversation and subscribes again with its last seq gets every missed event
//! exactly once, in order, then the live ones; a REST page walk agrees. Read marks stored while a client was
//! away follow its replay.

use hotline_tests::{TestServer, uuid};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_client_resumes_from_its_last_seq() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let expert = server.user("erik", "expert").await;
    let request = officer.create_request("Frequency changer").await;
    let id = request["id"].as_str().unwrap().to_string();

    let mut erik = expert.ws().await;
    erik.send(json!({"type": "claim", "request_id": id})).await;
    erik.recv_type("request").await;

    let mut olga = officer.ws().await;
    let replay = olga.subscribe(&id, 0, 2).await;
    assert_eq!(replay.iter().map(|e| e["seq"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    for n in 0..3 {
        erik.send_message(&id, &uuid(), &format!("question {n}")).await;
        olga.recv_event(&id).await;
    }
    let last_seen = 5;
    drop(olga); // the link drops

    // Meanwhile the conversation goes on.
    for n in 3..40 {
        let ack = erik.send_message(&id, &uuid(), &format!("question {n}")).await;
        assert_eq!(ack["type"], "ack");
    }

    let mut olga = officer.ws().await;
    let missed = olga.subscribe(&id, last_seen, 42).await;
    let seqs: Vec<u64> = missed.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (6..=42).collect::<Vec<_>>(), "every missed event once, in order");
    assert_eq!(missed[0]["message"]["body"], "question 3");

    // Then live, with no duplicate of the replay.
    erik.send_message(&id, &uuid(), "live one").await;
    let live = olga.recv_event(&id).await;
    assert_eq!(live["seq"], 43);
    assert_eq!(live["message"]["body"], "live one");
    olga.check_alive().await;

    // Subscribing while messages stream in: the replay and the live stream join without a gap or duplicate.
    let mut watcher = officer.ws().await;
    let sender = {
        let expert = expert.clone();
        let id = id.clone();
        tokio::spawn(async move {
            let mut ws = expert.ws().await;
            for n in 0..30 {
                ws.send_message(&id, &uuid(), &format!("stream {n}")).await;
            }
        })
    };
    let seen = watcher.subscribe(&id, 0, 73).await;
    sender.await.unwrap();
    let seqs: Vec<u64> = seen.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=73).collect::<Vec<_>>());
    let rest = officer.all_events(&id).await;
    assert_eq!(rest.len(), 73);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_marks_follow_the_replay_after_a_reconnect() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let expert = server.user("erik", "expert").await;
    let request = officer.create_request("Gyroscope assembly").await;
    let id = request["id"].as_str().unwrap().to_string();
    let mut erik = expert.ws().await;
    erik.send(json!({"type": "claim", "request_id": id})).await;
    erik.await_request(&id, "claimed").await;
    for n in 0..3 {
        erik.send_message(&id, &uuid(), &format!("answer {n}")).await;
    }
    erik.send(json!({"type": "read", "request_id": id, "seq": 2})).await;
    erik.check_alive().await; // frames are handled in order: the mark is stored
    drop(erik); // the expert's link drops

    // While the expert is away the officer reads up to seq 4, then 5; a mark never moves back.
    let mut olga = officer.ws().await;
    olga.subscribe(&id, 0, 5).await;
    let olga_read = olga.recv_until(|f| f["type"] == "read").await;
    assert_eq!(
        (olga_read["user"]["username"].as_str(), olga_read["seq"].as_u64()),
        (Some("erik"), Some(2)),
        "the expert's mark, stored"
    );
    for seq in [4, 5, 3] {
        olga.send(json!({"type": "read", "request_id": id, "seq": seq})).await;
    }
    olga.check_alive().await;

    // The expert comes back: the replay, then how far the officer has read (and not the expert's own mark).
    let mut erik = expert.ws().await;
    let replay = erik.subscribe(&id, 3, 5).await;
    assert_eq!(replay.iter().map(|e| e["seq"].as_u64().unwrap()).collect::<Vec<_>>(), [4, 5]);
    let read = erik.recv_until(|f| f["type"] == "read").await;
    assert_eq!(read["request_id"], id.as_str());
    assert_eq!(read["user"]["username"], "olga");
    assert_eq!(read["seq"], 5, "the highest mark the officer sent");
    erik.check_alive().await;
    erik.send(json!({"type": "ping"})).await;
    let next = erik.recv_until(|f| f["type"] == "pong" || f["type"] == "read").await;
    assert_eq!(next["type"], "pong", "one read frame per other participant: {next}");
}
