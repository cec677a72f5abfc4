//! The trainer review pages at `/review`, in a real headless Chromium: closed requests seeded through the real
//! REST and WebSocket API (one with a photo, one whose messages are markup); a trainer signs in at `/review`,
//! sees the list, opens a transcript (shipment, photo thumbnail, events, outcome), adds an annotation, and sees
//! the statistics page with SVG bar charts. Markup in a message shows as text, nothing runs, and the page breaks
//! no rule of its own Content-Security-Policy.

use hotline_tests::browser::Browser;
use hotline_tests::{check, images, uuid, Api, TestServer, Ws};
use serde_json::{json, Value};

const IMG: &str = "<img src=x onerror=alert(1)>";

async fn wait_request(ws: &mut Ws, id: &str, status: &str) -> Value {
    let frame = ws
        .recv_until(|f| {
            (f["type"] == "request" && f["request"]["id"] == id && f["request"]["status"] == status)
                || (f["type"] == "error" && f["ref"] == id)
        })
        .await;
    assert_eq!(frame["type"], "request", "expected the request {status}: {frame}");
    frame["request"].clone()
}

async fn send_and_ack(ws: &mut Ws, frame: Value) {
    let client_msg_id = frame["client_msg_id"].as_str().unwrap().to_string();
    ws.send(frame).await;
    let ack = ws
        .recv_until(|f| (f["type"] == "ack" && f["client_msg_id"] == client_msg_id.as_str()) || (f["type"] == "error" && f["ref"] == client_msg_id.as_str()))
        .await;
    assert_eq!(ack["type"], "ack", "message refused: {ack}");
}

/// One request to seed: `reply` is the officer's answer back, `photo` adds a photo to it; closed with `verdict`
/// and `code` (also cited by the expert).
struct Plan {
    subject: &'static str,
    reply: &'static str,
    photo: bool,
    verdict: &'static str,
    code: &'static str,
}

/// Opens, answers (with a citation) and closes one request.
async fn seed(officer: &Api, officer_ws: &mut Ws, expert_ws: &mut Ws, plan: Plan) -> String {
    let Plan { subject, reply, photo, verdict, code } = plan;
    let mut body = hotline_tests::new_request(subject);
    body["body"] = json!(format!("Question about {subject}"));
    let (status, created) = officer.post("/api/v1/requests", &body).await;
    check(status, &created, 201);
    let id = created["request"]["id"].as_str().unwrap().to_string();
    expert_ws.send(json!({"type": "claim", "request_id": id})).await;
    wait_request(expert_ws, &id, "claimed").await;
    send_and_ack(expert_ws, json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": format!("See {code}."), "cites": [code]})).await;
    let mut frame = json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": reply});
    if photo {
        let (status, uploaded) = officer.upload(&id, "plate.png", images::png(48, 32), "image/png").await;
        check(status, &uploaded, 201);
        frame["attachments"] = json!([uploaded["attachment"]["id"]]);
    }
    send_and_ack(officer_ws, frame).await;
    expert_ws
        .send(json!({"type": "close", "request_id": id, "outcome": {"verdict": verdict, "controls": [code], "note": "Done."}}))
        .await;
    wait_request(expert_ws, &id, "closed").await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trainer_reviews_requests_transcripts_and_charts_in_chromium() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let expert = server.user("erik", "expert").await;
    let password = server.add_user("tom", "trainer");
    let mut officer_ws = officer.ws().await;
    let mut expert_ws = expert.ws().await;

    let photo_id = seed(&officer, &mut officer_ws, &mut expert_ws, Plan { subject: "Five-axis milling machine", reply: "Photo attached.", photo: true, verdict: "controlled", code: "2B001" }).await;
    seed(&officer, &mut officer_ws, &mut expert_ws, Plan { subject: "Carbon fibre prepreg", reply: "Two rolls.", photo: false, verdict: "licence_check", code: "1C010" }).await;
    let markup_id = seed(&officer, &mut officer_ws, &mut expert_ws, Plan { subject: "Markup subject", reply: IMG, photo: false, verdict: "not_controlled", code: "2B001" }).await;

    // Headers of the pages.
    let page = reqwest::get(format!("{}/review", server.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    for rule in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"] {
        assert!(csp.contains(rule), "CSP lacks {rule}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let script = reqwest::get(format!("{}/review/assets/review.js", server.base)).await.unwrap();
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));

    let browser = Browser::start().await;
    browser.goto(&format!("{}/review", server.base)).await;
    browser.watch_csp().await;
    browser.type_into("#login-username", "tom").await;
    browser.type_into("#login-password", &password).await;
    browser.click("#login-submit").await;
    browser.wait_visible("#list-view").await;

    // The list: the three closed requests.
    browser.wait_text("#list-total", "(3)").await;
    browser.wait_text("#list-body .subject", "Five-axis milling machine").await;
    browser.wait_text("#list-body .subject", "Carbon fibre prepreg").await;
    // The export links carry the filters.
    browser.type_into("#f-verdict", "controlled").await;
    browser.click("#f-apply").await;
    browser.wait_text("#list-total", "(1)").await;
    let href = browser.js("return document.getElementById('export-csv').getAttribute('href')", vec![]).await;
    assert_eq!(href, json!("/api/v1/review/export.csv?verdict=controlled"));

    // The transcript with its photo, and an annotation.
    browser.click(&format!("#list-body [data-request-id=\"{photo_id}\"] button")).await;
    browser.wait_visible("#detail-view").await;
    browser.wait_text("#detail-subject", "Five-axis milling machine").await;
    browser.wait_text("#detail-events .msg-body", "Photo attached.").await;
    browser.wait_text("#detail-events .cites", "2B001").await;
    browser.wait_text("#detail-outcome", "controlled").await;
    browser.wait_text("#detail-meta", "Time to first response").await;
    browser.wait_js("the photo thumbnail loads", "const i = document.querySelector('#detail-photos img'); return !!i && i.complete && i.naturalWidth > 0").await;
    browser.type_into("#annotate-note", "Good example of 2B001.").await;
    browser.click("#annotate-training").await;
    browser.click("#annotate-submit").await;
    browser.wait_text("#detail-annotations .annotation", "training case").await;

    // Markup in a message shows as text.
    browser.goto(&format!("{}/review#request/{markup_id}", server.base)).await;
    browser.watch_csp().await;
    browser.wait_text("#detail-events .msg-body", IMG).await;
    let made = browser.js("return document.querySelectorAll('main img[src=\"x\"], main img[onerror]').length", vec![]).await;
    assert_eq!(made, json!(0), "an element was made from the message");
    assert!(browser.open_alert().await.is_none(), "an alert ran");

    // Statistics with SVG bar charts, over every request again.
    browser.type_into("#f-verdict", "any").await;
    browser.click("#f-apply").await;
    browser.click("#nav-stats").await;
    browser.wait_visible("#stats-view").await;
    browser.wait_text("#stats-total", "3 requests").await;
    browser.wait_js("a bar chart of days", "return document.querySelectorAll('#chart-days svg rect').length > 0").await;
    let bars = browser.js("return document.querySelectorAll('#chart-verdicts svg rect').length", vec![]).await;
    assert_eq!(bars, json!(3), "three verdicts");
    let controls = browser.js("return [...document.querySelectorAll('#chart-controls svg text')].map(t => t.textContent)", vec![]).await;
    assert!(controls.as_array().unwrap().iter().any(|t| t == "2B001"), "{controls}");
    browser.wait_text("#stats-figures", "First response p50").await;

    assert!(browser.open_alert().await.is_none(), "an alert ran");
    assert_eq!(browser.csp_violations().await, Vec::<String>::new());
    browser.close().await;
}
