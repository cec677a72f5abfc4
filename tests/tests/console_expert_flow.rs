//! The expert console end to end, in a real headless Chromium against the real server: an expert signs in, goes
//! on call, sees requests created through the API appear in the live queue (urgent first) within a second,
//! claims one with the keyboard, sees the shipment (HS heading, screening), the officer's photo, message and
//! typing, searches the catalogue, cites an entry and replies; the officer's WebSocket client receives the reply
//! with the citation, and the officer's read receipt shows in the console; logging out ends the session. Takes the
//! docs screenshots (into docs/ with `UPDATE_SCREENSHOTS=1`).

use std::time::{Duration, Instant};

use hotline_tests::browser::{Browser, console_server, demo_api, demo_password, keys, screenshot_path};
use hotline_tests::{check, images, uuid};
use serde_json::{Value, json};

fn new_request(subject: &str, priority: &str, description: &str, hs: &str) -> Value {
    json!({
        "client_request_id": uuid(),
        "subject": subject,
        "shipment": {"declared_description": description, "hs_code": hs, "origin_country": "LV",
                     "destination_country": "BY", "consignee": "Baltic Precision Trading SIA", "reference": "T1-2024-0117"},
        "priority": priority,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expert_claims_a_request_cites_an_entry_and_the_officer_receives_the_reply() {
    let server = console_server();
    let officer = demo_api(&server, "officer").await;
    let colleague = demo_api(&server, "expert2").await;
    let mut colleague_ws = colleague.ws().await;
    colleague_ws.send(json!({"type": "on_call", "on": true})).await;
    colleague_ws.recv_type("presence").await;
    colleague_ws.send(json!({"type": "watch_queue"})).await;
    colleague_ws.recv_type("queue").await;

    let browser = Browser::start().await;
    browser.sign_in(&server.base, "expert", &demo_password(&server.data_dir, "expert")).await;
    browser.click("#on-call").await;
    browser.wait_text("#roster", "Demo Expert").await;
    browser.wait_text("#roster", "Second Demo Expert").await;

    // A normal request first, then an urgent one: the queue lists the urgent one first.
    let (status, body) = officer
        .post("/api/v1/requests", &new_request("Spare spindle bearings", "normal", "bearings for a lathe", "8482.10"))
        .await;
    check(status, &body, 201);
    let older = body["request"]["id"].as_str().unwrap().to_string();
    browser
        .wait_js_args(
            "the first request in the queue",
            "return !!document.querySelector(`#queue [data-request-id=\"${arguments[0]}\"]`)",
            vec![json!(older)],
            Duration::from_secs(1),
        )
        .await;

    let (status, body) = officer
        .post(
            "/api/v1/requests",
            &new_request(
                "5-axis machining centre declared as \"machine parts\"",
                "urgent",
                "machine parts (crated milling machine, nameplate DMU 65)",
                "8459.61",
            ),
        )
        .await;
    let created_at = Instant::now();
    check(status, &body, 201);
    let request_id = body["request"]["id"].as_str().unwrap().to_string();
    browser
        .wait_js_args(
            "the new request in the queue within a second",
            "return !!document.querySelector(`#queue [data-request-id=\"${arguments[0]}\"]`)",
            vec![json!(request_id)],
            Duration::from_secs(1),
        )
        .await;
    assert!(created_at.elapsed() < Duration::from_secs(1));
    let order = browser
        .js("return [...document.querySelectorAll('#queue [data-request-id]')].map(li => li.dataset.requestId)", vec![])
        .await;
    assert_eq!(order, json!([request_id, older]), "urgent first, then oldest");
    browser.wait_text("#notice", "New urgent request from Demo Officer").await;
    browser.wait_text(&format!("#queue [data-request-id=\"{request_id}\"] .waited"), " s").await;
    browser.screenshot(&screenshot_path("console-queue.png")).await;

    // The officer sends a photo and a message.
    let (status, upload) = officer.upload(&request_id, "nameplate.jpg", images::jpeg(640, 480), "image/jpeg").await;
    check(status, &upload, 201);
    let photo_id = upload["attachment"]["id"].as_str().unwrap().to_string();
    let mut officer_ws = officer.ws().await;
    officer_ws.subscribe(&request_id, 0, 1).await;
    let officer_msg = uuid();
    officer_ws
        .send(json!({"type": "send", "request_id": request_id, "client_msg_id": officer_msg,
                     "body": "Nameplate says DMU 65 monoBLOCK, 5 axes. Photo attached. Controlled?",
                     "attachments": [photo_id]}))
        .await;
    officer_ws.recv_until(|f| f["type"] == "ack" && f["client_msg_id"] == officer_msg.as_str()).await;

    // The expert opens it and claims it with Alt+C.
    let item = format!("#queue [data-request-id=\"{request_id}\"] button");
    browser.click(&item).await;
    browser.wait_text("#request-title", "5-axis machining centre").await;
    browser.type_into(&item, &format!("{}c{}", keys::ALT, keys::NULL)).await;
    browser.wait_text("#request-meta", "held by you").await;
    browser.wait_text("#chat .msg-theirs .msg-body", "Nameplate says DMU 65").await;
    browser
        .wait_js_args(
            "the officer's photo as a loaded thumbnail",
            "const img = document.querySelector(`#chat img[data-attachment-id=\"${arguments[0]}\"]`); return !!img && img.complete && img.naturalWidth > 0",
            vec![json!(photo_id)],
            Duration::from_secs(10),
        )
        .await;
    browser.wait_text("#hs-heading", "milling").await;
    browser.wait_text("#shipment", "Baltic Precision Trading SIA").await;
    browser
        .wait_js("the consignee's screening line", "return document.getElementById('screening').textContent.length > 0")
        .await;
    browser.wait_text("#shipment", "LV → BY").await;

    // The photo opens full size.
    browser.click(&format!("#photos img[data-attachment-id=\"{photo_id}\"]")).await;
    browser.wait_js("the full-size photo", "const img = document.getElementById('photo-full'); return document.getElementById('photo-dialog').open && img.complete && img.naturalWidth === 640").await;
    browser.click("#photo-dialog form button").await;
    browser.wait_js("the photo dialog to close", "return !document.getElementById('photo-dialog').open").await;

    // Typing shows.
    officer_ws.send(json!({"type": "typing", "request_id": request_id})).await;
    browser.wait_text("#typing", "Demo Officer is typing").await;

    // Ctrl+K goes to the catalogue; the search runs as one types.
    browser.type_into("#message", &format!("{}k{}", "\u{e009}", keys::NULL)).await;
    browser
        .wait_js(
            "the search box focused by Ctrl+K",
            "return document.activeElement && document.activeElement.id === 'search'",
        )
        .await;
    browser.type_into("#search", "2B001").await;
    browser.click("#results [data-entry-id=\"2B001\"]").await;
    browser.wait_text("#entry h3", "Machine tools").await;
    browser.click("#entry [data-cite=\"2B001\"]").await;
    browser.wait_visible("#cite-chips [data-cite-chip=\"2B001\"]").await;

    // Shift+Enter makes a new line, Enter sends.
    browser
        .type_into(
            "#message",
            &format!(
                "Yes: a 5-axis machining centre is 2B001.{}{}{}Hold it and ask for the licence.{}",
                keys::SHIFT,
                keys::ENTER,
                keys::NULL,
                keys::ENTER
            ),
        )
        .await;
    browser.wait_text("#chat .msg-mine[data-seq] .msg-body", "Hold it and ask for the licence.").await;
    let card = browser.wait_text("#chat .msg-mine[data-seq] .cite-card[data-code=\"2B001\"]", "Machine tools").await;
    assert!(card.starts_with("2B001"), "the card shows the code and the title: {card}");
    let composer = browser.js("return document.getElementById('message').value", vec![]).await;
    assert_eq!(composer, json!(""), "the composer is cleared after sending");
    assert_eq!(
        browser.js("return document.querySelectorAll('#cite-chips [data-cite-chip]').length", vec![]).await,
        json!(0)
    );

    // The officer's client receives the reply with its citation.
    let reply = officer_ws
        .recv_until(|f| {
            f["type"] == "event" && f["event"]["kind"] == "message" && f["event"]["author"]["username"] == "expert"
        })
        .await;
    let event = &reply["event"];
    assert_eq!(event["message"]["body"], "Yes: a 5-axis machining centre is 2B001.\nHold it and ask for the licence.");
    assert_eq!(event["message"]["cites"], json!(["2B001"]));

    // The officer reads it; the console shows the receipt.
    let seq = event["seq"].as_u64().unwrap();
    officer_ws.send(json!({"type": "read", "request_id": request_id, "seq": seq})).await;
    browser.wait_text(&format!("#chat [data-receipt-seq=\"{seq}\"]"), "Seen by Demo Officer").await;
    browser.screenshot(&screenshot_path("console-request.png")).await;

    // The catalogue pane with a search in words and an entry open.
    browser.js("document.getElementById('search').value = ''; return true", vec![]).await;
    browser.type_into("#search", "5 axis milling").await;
    browser.wait_text("#search-state", "for “5 axis milling”").await;
    browser
        .wait_js(
            "search hits with highlighted words",
            "return document.querySelectorAll('#results .snippet mark').length > 0",
        )
        .await;
    let first = browser.js("return document.querySelector('#results .result-title').textContent", vec![]).await;
    browser.click("#results .result-open").await;
    browser.wait_text("#entry h3", first.as_str().unwrap()).await;
    browser.screenshot(&screenshot_path("console-catalogue.png")).await;

    // Close with a verdict: the codes cited are offered, the officer gets the outcome, the queue drops it.
    browser.click("#show-close").await;
    let offered = browser.js("return document.getElementById('close-controls').value", vec![]).await;
    assert_eq!(offered, json!("2B001"), "the close form offers the codes cited");
    browser.js("document.getElementById('close-verdict').value = 'licence_check'; return true", vec![]).await;
    browser.type_into("#close-note", "Licence needed for BY.").await;
    browser.click("#close-form button[type=submit]").await;
    browser.wait_text("#request-meta", "closed: licence check").await;
    let closed = officer_ws.recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "closed").await;
    assert_eq!(
        closed["event"]["data"]["outcome"],
        json!({"verdict": "licence_check", "controls": ["2B001"], "note": "Licence needed for BY."})
    );
    browser
        .wait_js_args(
            "the closed request to leave the queue",
            "return !document.querySelector(`#queue [data-request-id=\"${arguments[0]}\"]`)",
            vec![json!(request_id)],
            Duration::from_secs(5),
        )
        .await;
    browser.wait_js("the composer to lock", "return document.getElementById('message').disabled").await;

    // Transfer the other request to the colleague on call.
    browser.open_and_claim(&older).await;
    browser.click("#show-transfer").await;
    let options =
        browser.js("return [...document.querySelectorAll('#transfer-to option')].map(o => o.value)", vec![]).await;
    assert_eq!(options, json!(["expert2"]), "the transfer list offers the other expert on call");
    browser.click("#transfer-form button[type=submit]").await;
    browser.wait_text("#request-meta", "held by Second Demo Expert").await;
    let moved = colleague_ws
        .recv_until(|f| {
            f["type"] == "request"
                && f["request"]["id"] == older.as_str()
                && f["request"]["assignee"]["username"] == "expert2"
        })
        .await;
    assert_eq!(moved["request"]["status"], "claimed");
    browser.wait_text(&format!("#queue [data-request-id=\"{older}\"]"), "held by Second Demo Expert").await;

    assert_eq!(
        browser.csp_violations().await,
        Vec::<String>::new(),
        "the console breaks its own Content-Security-Policy"
    );

    // Logging out revokes the session: the login form is back, and a reload does not sign in again.
    browser.click("#logout").await;
    browser.wait_visible("#login-form").await;
    browser.wait_text("#login-error", "You are signed out.").await;
    browser.goto(&format!("{}/console", server.base)).await;
    browser.wait_visible("#login-form").await;
    assert!(!browser.js("return !document.getElementById('app-view').hidden", vec![]).await.as_bool().unwrap());
    browser.close().await;
}
