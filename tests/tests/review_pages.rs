//! The trainer review pages at `/review`, in a real headless Chromium: closed requests seeded through the real
//! REST and WebSocket API (nine on the days before today, on the steered clock; today one with a photo, one
//! whose messages are markup); a trainer signs in at `/review`,
//! sees the list, opens a transcript (shipment, photo thumbnail, events, outcome), adds an annotation, and sees
//! the statistics page with SVG bar charts (days, times, verdicts, codes, categories). Markup in a message shows as text, nothing runs, and the page breaks
//! no rule of its own Content-Security-Policy.

use hotline_tests::TestServer;
use hotline_tests::browser::{Browser, screenshot_path};
use hotline_tests::seed::{ClosedRequest, Desk, Timeline};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// Requests of the nine days before today, one a day, laid out on the server's steered clock.
const HISTORY_DAYS: i64 = 9;

/// The server's time format.
fn wire_time(at: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.format(format).unwrap()
}

const IMG: &str = "<img src=x onerror=alert(1)>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trainer_reviews_requests_transcripts_and_charts_in_chromium() {
    let server = TestServer::start();
    let officer = server.user("olga", "officer").await;
    let expert = server.user("erik", "expert").await;
    let password = server.add_user("tom", "trainer");
    let mut officer_ws = officer.ws().await;
    let mut expert_ws = expert.ws().await;

    let plan = |subject: &str, reply: &str, photo: bool, verdict: &str, code: &str| ClosedRequest {
        reply: Some(reply.to_string()),
        photo,
        ..ClosedRequest::new(subject, verdict, code)
    };
    let mut desk = Desk { server: &server, officer: &officer, officer_ws: &mut officer_ws, expert_ws: &mut expert_ws };
    // History first (referred, 5A002), on the nine days before today; then today's three on the system clock.
    let today = OffsetDateTime::now_utc().date();
    for day in 1..=HISTORY_DAYS {
        let created = (today - Duration::days(day)).midnight().assume_utc() + Duration::hours(12);
        let at = |minutes: i64| wire_time(created + Duration::minutes(minutes));
        let timeline = Timeline {
            created: at(0),
            claimed: at(2),
            answered: at(4 + day),
            replied: at(30),
            closed: at(40 + 5 * day),
        };
        desk.close(&ClosedRequest {
            timeline: Some(timeline),
            ..ClosedRequest::new(&format!("Encryption module, day {day}"), "referred", "5A002")
        })
        .await;
    }
    server.clear_clock();
    let photo_id = desk.close(&plan("Five-axis milling machine", "Photo attached.", true, "controlled", "2B001")).await;
    desk.close(&plan("Carbon fibre prepreg", "Two rolls.", false, "licence_check", "1C010")).await;
    let markup_id = desk.close(&plan("Markup subject", IMG, false, "not_controlled", "2B001")).await;

    // Headers of the pages.
    let page = reqwest::get(format!("{}/review", server.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    for rule in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
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

    // The list: every closed request.
    browser.wait_text("#list-total", "(12)").await;
    browser.wait_text("#list-body .subject", "Five-axis milling machine").await;
    browser.wait_text("#list-body .subject", "Carbon fibre prepreg").await;
    browser.screenshot(&screenshot_path("review-list.png")).await;
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
    browser
        .wait_js(
            "the photo thumbnail loads",
            "const i = document.querySelector('#detail-photos img'); return !!i && i.complete && i.naturalWidth > 0",
        )
        .await;
    let opens_full_size = browser
        .js("const a = document.querySelector('#detail-photos a'); const i = a && a.querySelector('img'); return !!i && a.target === '_blank' && a.href + '/thumb' === i.src", vec![])
        .await;
    assert_eq!(opens_full_size, serde_json::json!(true), "the thumbnail links to the full-size photo");
    browser.type_into("#annotate-note", "Good example of 2B001.").await;
    browser.click("#annotate-training").await;
    browser.click("#annotate-submit").await;
    browser.wait_text("#detail-annotations .annotation", "training case").await;

    // Markup in a message shows as text.
    browser.goto(&format!("{}/review#request/{markup_id}", server.base)).await;
    browser.watch_csp().await;
    browser.wait_text("#detail-events .msg-body", IMG).await;
    let made =
        browser.js("return document.querySelectorAll('main img[src=\"x\"], main img[onerror]').length", vec![]).await;
    assert_eq!(made, json!(0), "an element was made from the message");
    assert!(browser.open_alert().await.is_none(), "an alert ran");

    // Statistics with SVG bar charts, over every request again.
    browser.type_into("#f-verdict", "any").await;
    browser.click("#f-apply").await;
    browser.click("#nav-stats").await;
    browser.wait_visible("#stats-view").await;
    browser.wait_text("#stats-total", "12 requests").await;
    browser.wait_js("a bar chart of days", "return document.querySelectorAll('#chart-days svg rect').length > 0").await;
    let days = browser.js("return document.querySelectorAll('#chart-days svg rect').length", vec![]).await;
    assert_eq!(days, json!(HISTORY_DAYS + 1), "a bar for each day from the first request's to today");
    let labels = browser
        .js("return [...document.querySelectorAll('#chart-days svg > text')].map(t => t.textContent)", vec![])
        .await;
    let labels: Vec<&str> = labels.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let first_day = (today - Duration::days(HISTORY_DAYS)).to_string();
    let today_label = today.to_string()[5..].to_string();
    assert_eq!(labels[..3], ["0", "2", "3"], "grid lines at zero, half and the most requests in a day: {labels:?}");
    assert_eq!(labels[3], first_day, "the first day in full: {labels:?}");
    assert_eq!(labels.last().copied(), Some(today_label.as_str()), "today last: {labels:?}");
    assert!(labels.len() <= 3 + 7, "at most seven date labels: {labels:?}");
    let bars = browser.js("return document.querySelectorAll('#chart-verdicts svg rect').length", vec![]).await;
    assert_eq!(bars, json!(4), "four verdicts");
    let controls = browser
        .js("return [...document.querySelectorAll('#chart-controls svg text')].map(t => t.textContent)", vec![])
        .await;
    assert!(controls.as_array().unwrap().iter().any(|t| t == "2B001"), "{controls}");
    browser.wait_text("#stats-figures", "First response p50").await;
    let times = browser.js("return document.querySelectorAll('#chart-times svg rect').length", vec![]).await;
    assert_eq!(times, json!(4), "first response and resolution, p50 and p90");
    let categories = browser
        .js("return [...document.querySelectorAll('#chart-categories svg text')].map(t => t.textContent)", vec![])
        .await;
    let categories: Vec<&str> = categories.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(
        categories,
        ["5 Telecoms and info security", "9", "2 Materials processing", "2", "1 Materials, chemicals, toxins", "1"],
        "categories, most asked first"
    );
    browser.screenshot(&screenshot_path("review-stats.png")).await;

    assert!(browser.open_alert().await.is_none(), "an alert ran");
    assert_eq!(browser.csp_violations().await, Vec::<String>::new());
    browser.close().await;
}
