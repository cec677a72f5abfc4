//! `field ask` with camera photos: what reaches the server is at most 1600 px and carries no EXIF, and the
//! bytes on the wire for a typical two-photo request stay small.

use hotline_tests::TestServer;
use hotline_tests::field::{Field, Proxy, ProxyMode, has_exif, phone_photo};
use serde_json::Value;

/// Every message event of a request, read as the officer.
async fn messages(api: &hotline_tests::Api, request_id: &str) -> Vec<Value> {
    api.all_events(request_id).await.into_iter().filter(|e| e["kind"] == "message").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_shrinks_a_phone_photo_and_the_server_keeps_no_gps() {
    let server = TestServer::start();
    let password = server.add_user("officer", "officer");
    let officer = hotline_tests::Api::login(&server.base, "officer", &password).await;
    let field = Field::new();
    field.login(&server.base, "officer", &password);

    let photo = phone_photo(4000, 3000, 7);
    assert!(has_exif(&photo), "the test photo must carry EXIF");
    let path = field.home.path().join("nameplate.jpg");
    std::fs::write(&path, &photo).unwrap();

    let run = field
        .run(&[
            "ask",
            "--subject",
            "Spindle head on a pallet",
            "--hs",
            "8459.61",
            "--origin",
            "LV",
            "--destination",
            "BY",
            "--consignee",
            "Acme Ltd",
            "--photo",
            path.to_str().unwrap(),
            "--message",
            "Nameplate attached",
            "--json",
        ])
        .success();
    let request = run.json()["request"].clone();
    let request_id = request["id"].as_str().expect("request id");
    assert_eq!(request["subject"], "Spindle head on a pallet");
    assert_eq!(request["shipment"]["hs_code"], "8459.61");
    assert!(run.stderr.contains("4000×3000 → 1600×1200") && run.stderr.contains("saved"), "{}", run.stderr);

    let messages = messages(&officer, request_id).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["message"]["body"], "Nameplate attached");
    let attachments = messages[0]["message"]["attachments"].as_array().expect("attachments").clone();
    assert_eq!(attachments.len(), 1);
    let response = officer
        .http
        .get(format!("{}/api/v1/attachments/{}", server.base, attachments[0].as_str().unwrap()))
        .bearer_auth(&officer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let stored = response.bytes().await.unwrap().to_vec();
    let decoded = image::load_from_memory(&stored).expect("the stored photo decodes");
    assert!(decoded.width().max(decoded.height()) <= 1600, "{}×{}", decoded.width(), decoded.height());
    assert!(!has_exif(&stored), "the stored photo still carries EXIF");
    assert!(!stored.windows(4).any(|w| w == b"Exif"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_with_two_phone_photos_costs_little_on_the_wire() {
    let server = TestServer::start();
    let password = server.add_user("officer", "officer");
    let proxy = Proxy::start(server.port, ProxyMode::Pass, 1);
    let field = Field::new();
    field.login(&proxy.url(), "officer", &password);

    let mut paths = Vec::new();
    let mut original = 0;
    for seed in [11, 12] {
        let photo = phone_photo(4000, 3000, seed);
        original += photo.len() as u64;
        let path = field.home.path().join(format!("photo-{seed}.jpg"));
        std::fs::write(&path, &photo).unwrap();
        paths.push(path);
    }
    proxy.reset_bytes();
    let run = field
        .run(&[
            "ask",
            "--subject",
            "Carbon fibre rolls",
            "--declared",
            "textile rolls",
            "--hs",
            "6815.11",
            "--photo",
            paths[0].to_str().unwrap(),
            "--photo",
            paths[1].to_str().unwrap(),
            "--message",
            "Two photos of the labels",
            "--json",
        ])
        .success();
    let (up, down) = proxy.bytes();
    eprintln!(
        "wire bytes for one request with two 4000x3000 photos ({original} bytes as taken): {up} up, {down} down, {} total",
        up + down
    );
    assert!(up + down < original / 4, "{up} + {down} bytes on the wire for {original} bytes of photos");
    assert!(up + down < 1_500_000, "{up} + {down}");
    assert_eq!(run.json()["request"]["last_seq"], 2);
}
