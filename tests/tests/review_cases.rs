//! Training cases: two closed requests seeded through the real REST and WebSocket API (one with a photo and a
//! body that is markup), one marked as a training case; `GET /api/v1/review/cases` lists exactly it and
//! `GET /api/v1/review/requests/{id}/export.html` is one self-contained, escaped, script-free HTML file.

use hotline_tests::seed::{ClosedRequest, Desk};
use hotline_tests::{Api, TestServer, check, uuid};
use serde_json::json;

const MARKUP: &str = "<script>alert(1)</script>";

/// Opens, answers (citing 2B001) and closes one request whose first message is `body`; with `photo` the officer
/// answers back with a nameplate photo. The outcome's note is markup.
async fn seed(server: &TestServer, officer: &Api, expert: &Api, subject: &str, body: &str, photo: bool) -> String {
    let (mut officer_ws, mut expert_ws) = (officer.ws().await, expert.ws().await);
    let plan = ClosedRequest {
        question: body.to_string(),
        answer: "See the cited entry.".to_string(),
        reply: photo.then(|| "Nameplate photo.".to_string()),
        photo,
        note: "Licence <b>required</b>.".to_string(),
        ..ClosedRequest::new(subject, "controlled", "2B001")
    };
    Desk { server, officer, officer_ws: &mut officer_ws, expert_ws: &mut expert_ws }.close(&plan).await
}

async fn get_text(api: &Api, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let response = api.http.get(format!("{}{path}", api.base)).bearer_auth(&api.token).send().await.expect("GET");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.text().await.expect("body"), headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_cases_list_and_export() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let expert = server.user("erik", "expert").await;
    let trainer = server.user("tom", "trainer").await;
    let admin = server.user("ada", "admin").await;

    let case = seed(&server, &officer, &expert, "Inconel tube with nameplate", MARKUP, true).await;
    let other = seed(&server, &officer, &expert, "Carbon fibre rolls", "Is this controlled?", false).await;

    // Nothing is a training case yet; a note alone does not make one.
    let (status, body) = trainer.get("/api/v1/review/cases").await;
    check(status, &body, 200);
    assert_eq!(body["cases"], json!([]));
    let (status, body) =
        trainer.post(&format!("/api/v1/review/requests/{other}/annotations"), &json!({"note": "Just a note."})).await;
    check(status, &body, 201);
    let (status, body) = trainer
        .post(
            &format!("/api/v1/review/requests/{case}/annotations"),
            &json!({"training_case": true, "note": "Note <i>this</i> & that."}),
        )
        .await;
    check(status, &body, 201);

    for api in [&trainer, &admin] {
        let (status, body) = api.get("/api/v1/review/cases").await;
        check(status, &body, 200);
        let cases = body["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "exactly the marked request: {body}");
        assert_eq!(cases[0]["request"]["id"], case.as_str());
        assert_eq!(cases[0]["request"]["status"], "closed");
        assert_eq!(cases[0]["annotations"][0]["training_case"], true);
        assert_eq!(cases[0]["annotations"][0]["note"], "Note <i>this</i> & that.");
    }
    // Trainers see the officer's alias, never the username.
    let (_, body) = trainer.get("/api/v1/review/cases").await;
    assert_ne!(body["cases"][0]["request"]["officer"]["username"], "olga");

    // The export.
    let (status, html, headers) = get_text(&trainer, &format!("/api/v1/review/requests/{case}/export.html")).await;
    assert_eq!(status, 200, "{html}");
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(&format!("case-{case}.html")),
        "{disposition}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the body is escaped");
    assert!(!html.to_lowercase().contains("<script"), "no script tag at all");
    assert!(html.contains("data:image/png;base64,"), "the photo is embedded");
    assert!(!html.contains("/api/v1/attachments"), "no links back to the server");
    assert!(html.contains("content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\""), "CSP meta tag");
    assert!(html.contains("Note &lt;i&gt;this&lt;/i&gt; &amp; that."), "the annotation, escaped");
    assert!(html.contains("Licence &lt;b&gt;required&lt;/b&gt;."), "the outcome note, escaped");
    assert!(html.contains("2B001"), "citations and controls");
    assert!(html.contains("Inconel tube with nameplate") && html.contains("Nameplate photo."));
    assert!(!html.contains("olga"), "a trainer's export shows the alias");
    let (status, html, _) = get_text(&admin, &format!("/api/v1/review/requests/{other}/export.html")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Is this controlled?") && !html.contains("data:image/"));

    // Refusals: officers and experts, unknown and open requests.
    for api in [&officer, &expert] {
        let (status, _) = api.get("/api/v1/review/cases").await;
        assert!(status == 403 || status == 404, "cases: {status}");
        let (status, _, _) = get_text(api, &format!("/api/v1/review/requests/{case}/export.html")).await;
        assert!(status == 403 || status == 404, "export: {status}");
    }
    let (status, _, _) = get_text(&trainer, &format!("/api/v1/review/requests/{}/export.html", uuid())).await;
    assert_eq!(status, 404);
    let open = officer.create_request("Still open").await;
    let (status, _, _) =
        get_text(&trainer, &format!("/api/v1/review/requests/{}/export.html", open["id"].as_str().unwrap())).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_training_cases_view_lists_cases_and_links_exports_in_chromium() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let expert = server.user("erik", "expert").await;
    let password = server.add_user("tom", "trainer");
    let trainer = Api::login(&server.base, "tom", &password).await;
    let case = seed(&server, &officer, &expert, "Inconel tube with nameplate", MARKUP, true).await;
    seed(&server, &officer, &expert, "Carbon fibre rolls", "Is this controlled?", false).await;
    let (status, body) = trainer
        .post(
            &format!("/api/v1/review/requests/{case}/annotations"),
            &json!({"training_case": true, "note": "<img src=x onerror=alert(2)>"}),
        )
        .await;
    check(status, &body, 201);

    let browser = hotline_tests::browser::Browser::start().await;
    browser.goto(&format!("{}/review", server.base)).await;
    browser.watch_csp().await;
    browser.type_into("#login-username", "tom").await;
    browser.type_into("#login-password", &password).await;
    browser.click("#login-submit").await;
    browser.wait_visible("#list-view").await;
    browser.click("#nav-cases").await;
    browser.wait_visible("#cases-view").await;
    browser.wait_text("#cases-total", "(1)").await;
    browser.wait_text("#cases-body .subject", "Inconel tube with nameplate").await;
    browser.wait_text("#cases-body .case-notes", "<img src=x onerror=alert(2)>").await;
    let export = format!("/api/v1/review/requests/{case}/export.html");
    let hrefs = browser
        .js("return [...document.querySelectorAll('#cases-body a')].map(a => a.getAttribute('href'))", vec![])
        .await;
    assert_eq!(hrefs, json!([export]));
    assert_eq!(browser.js("return document.querySelectorAll('#cases-body img').length", vec![]).await, json!(0));
    browser.click("#cases-body .subject button").await;
    browser.wait_text("#detail-subject", "Inconel tube with nameplate").await;
    browser.wait_text("#detail-export", "Export this case").await;
    let href = browser.js("return document.getElementById('detail-export').getAttribute('href')", vec![]).await;
    assert_eq!(href, json!(export));
    assert_eq!(browser.open_alert().await, None);
    assert_eq!(browser.csp_violations().await, Vec::<String>::new());
    browser.close().await;
}
