//! A whole hotline request: an officer asks with a photo, two experts race to claim, messages flow both ways,
//! the request is transferred and closed with an outcome, and a trainer can read it but never write.

use hotline_tests::{TestServer, check, check_error, images, uuid};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_from_question_to_verdict() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let expert = server.user("erik", "expert").await;
    let expert2 = server.user("ella", "expert").await;
    let trainer = server.user("tom", "trainer").await;

    // Experts watch the queue before anything is asked.
    let mut erik = expert.ws().await;
    let mut ella = expert2.ws().await;
    for ws in [&mut erik, &mut ella] {
        ws.send(json!({"type": "on_call", "on": true})).await;
        ws.recv_type("presence").await;
        ws.send(json!({"type": "watch_queue"})).await;
        let queue = ws.recv_type("queue").await;
        assert!(queue["requests"].as_array().unwrap().is_empty());
    }

    // The officer opens a request; the watchers hear of it.
    let request = officer.create_request("Five-axis machining centre?").await;
    let id = request["id"].as_str().unwrap().to_string();
    assert_eq!(request["status"], "waiting");
    assert_eq!(request["priority"], "urgent");
    assert_eq!(request["officer"]["username"], "olga");
    assert_eq!(request["last_seq"], 1);
    let announced = erik.recv_type("request").await;
    assert_eq!(announced["request"]["id"], id.as_str());

    // A photo, uploaded and then sent in a message.
    let (status, body) = officer.upload(&id, "nameplate.png", images::png(64, 48), "image/png").await;
    check(status, &body, 201);
    let attachment = body["attachment"].clone();
    assert_eq!(attachment["content_type"], "image/png");
    assert_eq!((attachment["width"].as_u64(), attachment["height"].as_u64()), (Some(64), Some(48)));
    let attachment_id = attachment["id"].as_str().unwrap().to_string();

    let mut olga = officer.ws().await;
    olga.subscribe(&id, 0, 1).await;
    let first_id = uuid();
    olga.send(json!({"type": "send", "request_id": id, "client_msg_id": first_id, "body": "Nameplate attached.",
                     "attachments": [attachment_id]}))
        .await;
    let ack = olga.recv_type("ack").await;
    assert_eq!(ack["client_msg_id"], first_id.as_str());
    assert_eq!(ack["seq"], 2);
    let echoed = olga.recv_event(&id).await;
    assert_eq!(echoed["message"]["attachments"], json!([attachment_id]));

    // Two experts claim at once: exactly one wins.
    erik.send(json!({"type": "claim", "request_id": id})).await;
    ella.send(json!({"type": "claim", "request_id": id})).await;
    let answer = |frame: &serde_json::Value| {
        (frame["type"] == "request" && frame["request"]["id"] == id.as_str() && frame["request"]["status"] == "claimed")
            || frame["type"] == "error"
    };
    let erik_answer = erik.recv_until(answer).await;
    let ella_answer = ella.recv_until(answer).await;
    let (mut winner, winner_api, mut loser, loser_name) = match (&erik_answer["type"], &ella_answer["type"]) {
        (a, b) if a == "request" && b == "error" => (erik, &expert, ella, "ella"),
        (a, b) if a == "error" && b == "request" => (ella, &expert2, erik, "erik"),
        other => panic!("expected one winner and one already_claimed, got {other:?}: {erik_answer} / {ella_answer}"),
    };
    let refusal = if erik_answer["type"] == "error" { &erik_answer } else { &ella_answer };
    assert_eq!(refusal["code"], "already_claimed");
    assert_eq!(refusal["ref"], id.as_str());
    let won = if erik_answer["type"] == "request" { &erik_answer } else { &ella_answer };
    assert_eq!(won["request"]["assignee"]["id"], winner_api.id());

    // The officer sees the claim in the timeline.
    let claimed = olga.recv_event(&id).await;
    assert_eq!(claimed["kind"], "claimed");
    assert_eq!(claimed["seq"], 3);

    // Messages both ways.
    winner.subscribe(&id, 0, 3).await;
    let answer_id = uuid();
    winner
        .send(json!({"type": "send", "request_id": id, "client_msg_id": answer_id, "body": "Looks like 2B001.b; spindle count?",
                     "cites": ["2B001"]}))
        .await;
    let ack = winner.recv_type("ack").await;
    assert_eq!(ack["seq"], 4);
    assert_eq!(winner.recv_event(&id).await["seq"], 4);
    let heard = olga.recv_event(&id).await;
    assert_eq!(heard["message"]["body"], "Looks like 2B001.b; spindle count?");
    assert_eq!(heard["message"]["cites"], json!(["2B001"]));
    assert_eq!(heard["author"]["id"], winner_api.id());
    assert_eq!(olga.send_message(&id, &uuid(), "Two spindles, 5 axes.").await["seq"], 5);
    assert_eq!(olga.recv_event(&id).await["seq"], 5, "subscribers get their own messages too");
    assert_eq!(winner.recv_event(&id).await["message"]["body"], "Two spindles, 5 axes.");

    // A trainer cannot write to an open chat (it cannot even see it).
    let mut tom = trainer.ws().await;
    let refused = tom.send_message(&id, &uuid(), "hello").await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "not_found");

    // Transfer to the other expert, who closes with an outcome.
    winner.send(json!({"type": "transfer", "request_id": id, "to_user": loser_name})).await;
    let transferred = winner
        .recv_until(|f| {
            f["type"] == "request"
                && f["request"]["assignee"]["username"] != winner_api.user["username"]
                && f["request"]["status"] == "claimed"
        })
        .await;
    assert_eq!(transferred["request"]["assignee"]["username"], loser_name);
    let event = olga.recv_event(&id).await;
    assert_eq!(event["kind"], "transferred");
    assert_eq!(event["data"]["to"]["username"], loser_name);
    // The old assignee may no longer answer.
    let refused = winner.send_message(&id, &uuid(), "one more thing").await;
    assert_eq!(refused["code"], "forbidden");

    loser
        .send(json!({"type": "close", "request_id": id,
                     "outcome": {"verdict": "controlled", "controls": ["2B001"], "note": "Licence required."}}))
        .await;
    let closed = loser.recv_until(|f| f["type"] == "request" && f["request"]["status"] == "closed").await;
    assert_eq!(closed["request"]["outcome"]["verdict"], "controlled");
    let event = olga.recv_event(&id).await;
    assert_eq!(event["kind"], "closed");
    assert_eq!(event["data"]["outcome"]["controls"], json!(["2B001"]));

    // The timeline, over REST: gapless seq, the right kinds.
    let events = officer.all_events(&id).await;
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "message", "claimed", "message", "message", "transferred", "closed"]);
    let (status, body) = officer.get(&format!("/api/v1/requests/{id}")).await;
    check(status, &body, 200);
    assert_eq!(body["request"]["status"], "closed");
    assert_eq!(body["request"]["last_seq"], 7);
    assert!(body["request"]["closed_at"].is_string());

    // Closed: the officer cannot write any more, the trainer may read but not write.
    assert_eq!(olga.send_message(&id, &uuid(), "thanks").await["code"], "request_closed");
    let (status, body) = trainer.get(&format!("/api/v1/requests/{id}")).await;
    check(status, &body, 200);
    let alias = body["request"]["officer"]["username"].as_str().unwrap().to_string();
    assert!(alias.starts_with("officer-"), "trainers see officers pseudonymised, got {alias}");
    let events = trainer.all_events(&id).await;
    assert_eq!(events[0]["author"]["username"], alias.as_str(), "the same alias everywhere");
    assert!(!events.iter().any(|e| e.to_string().contains("olga")), "the officer's name never reaches a trainer");
    assert_eq!(tom.send_message(&id, &uuid(), "hello").await["code"], "forbidden");
    let (status, _) = trainer.get(&format!("/api/v1/attachments/{attachment_id}")).await;
    assert_eq!(status, 200);

    // The photo comes back as a PNG, with a JPEG thumbnail.
    let response = officer
        .http
        .get(format!("{}/api/v1/attachments/{attachment_id}/thumb", officer.base))
        .bearer_auth(&officer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let loser_api = if loser_name == "erik" { &expert } else { &expert2 };
    let (status, body) = loser_api.get("/api/v1/requests?status=closed").await;
    check(status, &body, 200);
    assert_eq!(body["requests"].as_array().unwrap().len(), 1);
    let _ = check_error;
    loser.check_alive().await;
}
