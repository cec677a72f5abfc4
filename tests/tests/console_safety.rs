//! No user text is ever HTML in the console, in a real headless Chromium: a request whose subject, shipment and
//! messages are markup (`<img src=x onerror=alert(1)>`, `<script>alert(1)</script>`) shows them as the literal
//! characters, no element is made from them, nothing runs (no alert), and the page breaks no rule of its own
//! Content-Security-Policy. Also checks the security headers of the console's answers.

use hotline_tests::browser::{Browser, console_server, demo_api, demo_password};
use hotline_tests::{check, uuid};
use serde_json::json;

const IMG: &str = "<img src=x onerror=alert(1)>";
const SCRIPT: &str = "<script>alert(1)</script>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_requests_and_messages_shows_as_text_and_nothing_runs() {
    let server = console_server();
    let officer = demo_api(&server, "officer").await;

    let headers = reqwest::get(format!("{}/console", server.base)).await.unwrap();
    assert_eq!(headers.status(), 200);
    let csp = headers.headers()["content-security-policy"].to_str().unwrap().to_string();
    for rule in
        ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]
    {
        assert!(csp.contains(rule), "CSP lacks {rule}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(headers.headers()["x-content-type-options"], "nosniff");
    assert_eq!(headers.headers()["referrer-policy"], "no-referrer");
    assert!(headers.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let script = reqwest::get(format!("{}/console/assets/console.js", server.base)).await.unwrap();
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));

    let browser = Browser::start().await;
    browser.sign_in(&server.base, "expert", &demo_password(&server.data_dir, "expert")).await;

    let (status, created) = officer
        .post(
            "/api/v1/requests",
            &json!({
                "client_request_id": uuid(),
                "subject": IMG,
                "shipment": {"declared_description": SCRIPT, "hs_code": "<b>8459</b>", "consignee": "<i onmouseover=alert(1)>Acme</i>",
                             "origin_country": "<u>LV</u>", "reference": "&lt;not an entity&gt;"},
                "priority": "urgent",
                "body": IMG,
            }),
        )
        .await;
    check(status, &created, 201);
    let request_id = created["request"]["id"].as_str().unwrap().to_string();
    browser.wait_text("#queue .queue-subject", IMG).await;
    browser.wait_text("#notice", IMG).await;
    browser.open_and_claim(&request_id).await;

    let mut officer_ws = officer.ws().await;
    officer_ws.subscribe(&request_id, 0, 3).await;
    let ack = officer_ws.send_message(&request_id, &uuid(), SCRIPT).await;
    assert_eq!(ack["type"], "ack");
    let ack = officer_ws
        .send_message(&request_id, &uuid(), "<a href=\"javascript:alert(1)\">click</a> &amp; <mark>x</mark>")
        .await;
    assert_eq!(ack["type"], "ack");

    browser.wait_text("#chat .msg-body", SCRIPT).await;
    browser.wait_text("#chat .msg-body", "<a href=\"javascript:alert(1)\">click</a> &amp; <mark>x</mark>").await;
    // The expert's own reply with markup, sent from the console.
    browser.type_into("#message", &format!("{IMG}{}", hotline_tests::browser::keys::ENTER)).await;
    browser
        .wait_js_args(
            "the expert's markup reply as text",
            "return [...document.querySelectorAll('#chat .msg-mine[data-seq] .msg-body')].some(n => n.textContent === arguments[0])",
            vec![json!(IMG)],
            std::time::Duration::from_secs(10),
        )
        .await;

    // The literal text is in the DOM ...
    let texts = browser
        .js(
            "return {title: document.getElementById('request-title').textContent,
                     bodies: [...document.querySelectorAll('#chat .msg-body')].map(n => n.textContent),
                     shipment: document.getElementById('shipment').textContent}",
            vec![],
        )
        .await;
    assert_eq!(texts["title"], IMG);
    let bodies: Vec<&str> = texts["bodies"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(bodies.iter().filter(|b| **b == IMG).count(), 2, "{bodies:?}");
    assert!(bodies.contains(&SCRIPT), "{bodies:?}");
    let shipment = texts["shipment"].as_str().unwrap();
    for literal in [SCRIPT, "<b>8459</b>", "<i onmouseover=alert(1)>Acme</i>", "<u>LV</u>", "&lt;not an entity&gt;"] {
        assert!(shipment.contains(literal), "shipment lacks {literal:?}: {shipment}");
    }

    // ... and no element was made from it.
    let made = browser
        .js(
            "return {
               imgs: [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x').length,
               scripts: document.querySelectorAll('body script').length,
               handlers: document.querySelectorAll('[onerror], [onmouseover], [onclick]').length,
               links: document.querySelectorAll('#chat a, #shipment a').length,
               marks: document.querySelectorAll('#chat mark, #shipment b, #shipment i, #shipment u').length,
             }",
            vec![],
        )
        .await;
    assert_eq!(made, json!({"imgs": 0, "scripts": 0, "handlers": 0, "links": 0, "marks": 0}));

    // A search for markup echoes it as text too.
    browser.type_into("#search", SCRIPT).await;
    browser.wait_text("#search-state", SCRIPT).await;

    assert_eq!(browser.open_alert().await, None, "an alert was raised: some text ran as script");
    assert_eq!(
        browser.csp_violations().await,
        Vec::<String>::new(),
        "the console breaks its own Content-Security-Policy"
    );
    browser.close().await;
}
