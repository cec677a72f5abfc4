//! Idempotency: the same send twice is one message with one ack; the same `client_request_id` twice is one
//! request; a first message in the request body becomes a message event with `client_msg_id` = the request's;
//! a photo uploaded again with the same `Idempotency-Key` is stored once.

use hotline_tests::{TestServer, check, check_error, images, new_request, uuid};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_retried_with_its_key_is_stored_once() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let other = server.user("oskar", "officer").await;
    let request = officer.create_request("Inconel tube").await;
    let second_request = officer.create_request("Maraging steel rods").await;
    let (id, second_id) = (request["id"].as_str().unwrap(), second_request["id"].as_str().unwrap());
    let photo = images::png(64, 48);

    // The first upload stores the photo; the same key again answers 200 with the same photo.
    let key = uuid();
    let (status, first) = officer.upload_keyed(id, "plate.png", photo.clone(), "image/png", &key).await;
    check(status, &first, 201);
    let (status, again) = officer.upload_keyed(id, "plate.png", photo.clone(), "image/png", &key.to_uppercase()).await;
    check(status, &again, 200);
    assert_eq!(again, first, "the photo stored the first time");

    // Retries racing each other: one is stored, every answer names it.
    let racing = uuid();
    let uploads = (0..4).map(|_| {
        let (officer, id, photo, racing) = (officer.clone(), id.to_string(), photo.clone(), racing.clone());
        tokio::spawn(async move { officer.upload_keyed(&id, "plate.png", photo, "image/png", &racing).await })
    });
    let answers: Vec<(u16, serde_json::Value)> =
        futures_util::future::join_all(uploads).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(answers.iter().filter(|(status, _)| *status == 201).count(), 1, "one upload stored: {answers:?}");
    assert!(answers.iter().all(|(status, _)| *status == 200 || *status == 201), "{answers:?}");
    let ids: std::collections::BTreeSet<&str> =
        answers.iter().map(|(_, body)| body["attachment"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "every answer names the same photo");

    // A key is the uploader's own: another officer may use the same one; the owner may not reuse it elsewhere.
    let theirs = other.create_request("Gyroscope").await;
    let (status, body) =
        other.upload_keyed(theirs["id"].as_str().unwrap(), "plate.png", photo.clone(), "image/png", &key).await;
    check(status, &body, 201);
    assert_ne!(body["attachment"]["id"], first["attachment"]["id"]);
    let (status, body) = officer.upload_keyed(second_id, "plate.png", photo.clone(), "image/png", &key).await;
    check_error(status, &body, 422, "idempotency_key_reused");
    let (status, body) = officer.upload_keyed(id, "plate.png", photo.clone(), "image/png", "not-a-uuid").await;
    check_error(status, &body, 400, "invalid_field");
    // Without a key every upload is a new photo, as before.
    let (status, a) = officer.upload(id, "plate.png", photo.clone(), "image/png").await;
    check(status, &a, 201);
    let (status, b) = officer.upload(id, "plate.png", photo, "image/png").await;
    check(status, &b, 201);
    assert_ne!(a["attachment"]["id"], b["attachment"]["id"]);

    // On disk: a photo and a thumbnail for each stored attachment (5), nothing left over from the retries.
    let files: Vec<String> = std::fs::read_dir(server.data_dir.join("attachments"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 10, "{files:?}");
}
