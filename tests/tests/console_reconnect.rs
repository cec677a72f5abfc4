//! The console after a network drop, in a real headless Chromium: the expert's WebSocket is cut mid-chat (the
//! page's own test hook closes it as a drop would and holds off the reconnect), the indicator says so, the officer
//! sends messages meanwhile and the expert writes a reply offline; when the link comes back the console catches
//! up from its last seq, every message shows exactly once, in order, and the offline reply reaches the officer once.

use std::time::Duration;

use hotline_tests::browser::{Browser, console_server, demo_api, demo_password, keys};
use hotline_tests::uuid;
use serde_json::{Value, json};

const SEQS_IN_CHAT: &str = "return [...document.querySelectorAll('#chat [data-seq]')].map(n => Number(n.dataset.seq))";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_sent_while_the_expert_is_cut_off_appear_once_each_after_the_reconnect() {
    let server = console_server();
    let officer = demo_api(&server, "officer").await;
    let browser = Browser::start().await;
    browser.sign_in(&server.base, "expert", &demo_password(&server.data_dir, "expert")).await;

    let mut body = hotline_tests::new_request("Carbon fibre prepreg rolls");
    body["body"] = json!("Ten rolls of carbon prepreg, declared as fabric. Controlled?");
    let (status, created) = officer.post("/api/v1/requests", &body).await;
    hotline_tests::check(status, &created, 201);
    let request_id = created["request"]["id"].as_str().unwrap().to_string();
    browser.open_and_claim(&request_id).await;
    browser.wait_text("#chat .msg-theirs .msg-body", "Ten rolls of carbon prepreg").await;

    let mut officer_ws = officer.ws().await;
    officer_ws.subscribe(&request_id, 0, 3).await; // created, message, claimed

    // Mid-chat, the link drops; the indicator says so.
    browser.js("window.__hotline.debugDropConnection(); return true", vec![]).await;
    browser
        .wait_js("the indicator to show the drop", "return document.getElementById('conn').dataset.state === 'offline'")
        .await;
    let shown = browser.js("return document.getElementById('conn-text').textContent", vec![]).await;
    assert!(shown.as_str().unwrap().starts_with("Offline"), "the connection state is visible: {shown}");

    // Meanwhile the officer writes three messages, and the expert answers while still offline.
    let away: Vec<String> = (1..=3).map(|i| format!("While you were away, note {i}: rolls are 1.2 m wide")).collect();
    for text in &away {
        let ack = officer_ws.send_message(&request_id, &uuid(), text).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    browser.type_into("#message", &format!("Answering offline: check the resin type.{}", keys::ENTER)).await;
    browser.wait_text("#chat .msg-pending", "sending").await;
    browser.wait_text("#composer-state", "will be sent when the connection is back").await;
    let before = browser.js("return document.querySelectorAll('#chat .msg-theirs').length", vec![]).await;
    assert_eq!(before, json!(1), "nothing arrives while the link is down");

    // The link comes back: the console catches up.
    browser.js("window.__hotline.debugRestoreConnection(); return true", vec![]).await;
    browser.wait_connected().await;
    for text in &away {
        browser.wait_text("#chat .msg-theirs .msg-body", text).await;
    }
    browser.wait_text("#chat .msg-mine[data-seq] .msg-body", "Answering offline").await;
    browser
        .wait_js(
            "the pending bubble to be replaced",
            "return document.querySelectorAll('#chat .msg-pending').length === 0",
        )
        .await;

    // Each once, in seq order, gapless.
    let count =
        "return [...document.querySelectorAll('#chat .msg-body')].filter(n => n.textContent === arguments[0]).length";
    for text in away.iter().chain(std::iter::once(&"Answering offline: check the resin type.".to_string())) {
        let n = browser.js(count, vec![json!(text)]).await;
        assert_eq!(n, json!(1), "{text:?} shows {n} times");
    }
    let seqs = browser.js(SEQS_IN_CHAT, vec![]).await;
    let seqs: Vec<u64> = seqs.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "the chat holds every event once, in order");
    assert_eq!(seqs.len(), 7, "created, message, claimed, three officer messages, the expert's reply");

    // The officer receives the offline reply exactly once.
    let reply = officer_ws
        .recv_until(|f| {
            f["type"] == "event" && f["event"]["author"]["username"] == "expert" && f["event"]["kind"] == "message"
        })
        .await;
    assert_eq!(reply["event"]["message"]["body"], "Answering offline: check the resin type.");
    officer_ws.check_alive().await;
    let events = officer.all_events(&request_id).await;
    let replies =
        events.iter().filter(|e: &&Value| e["message"]["body"] == "Answering offline: check the resin type.").count();
    assert_eq!(replies, 1, "the resend after the reconnect did not double the message");

    // A second drop right after the first also heals, with nothing new doubled.
    browser
        .js("window.__hotline.debugDropConnection(); window.__hotline.debugRestoreConnection(); return true", vec![])
        .await;
    browser.wait_connected().await;
    let last = officer_ws.send_message(&request_id, &uuid(), "One more after the second drop").await;
    assert_eq!(last["type"], "ack");
    browser
        .wait_js_args(
            "the message after the second drop",
            "return [...document.querySelectorAll('#chat .msg-body')].filter(n => n.textContent === arguments[0]).length === 1",
            vec![json!("One more after the second drop")],
            Duration::from_secs(10),
        )
        .await;
    let seqs = browser.js(SEQS_IN_CHAT, vec![]).await;
    assert_eq!(seqs.as_array().unwrap().len(), 8);
    browser.close().await;
}
