//! Trainer review over REST: 300 closed requests (and some still open) seeded through the real REST and
//! WebSocket API by six officers and three experts over 60 days of the server's clock, then the review list's
//! filters, full-text search, paging, statistics, CSV and JSON exports, pseudonyms, annotations and role
//! refusals, each checked against figures this test computes from what it seeded.
//!
//! History: the test build of the server reads its clock from a file the test writes before each step
//! (`TestServer::set_clock`), so every request is opened, claimed, answered and closed at times this test
//! chose: 60 days from 2026-06-01, none on the seventh day of each week, answers from seconds to hours after
//! the question, some closed the next day.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use hotline_tests::seed::{ClosedRequest, Desk, Timeline};
use hotline_tests::{Api, TestServer, Ws, check, check_error, uuid};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::macros::{date, format_description};
use time::{Date, Duration, OffsetDateTime};

const OFFICERS: [&str; 6] = ["olga", "oskar", "ona", "otto", "oliwia", "omar"];
const EXPERTS: [&str; 3] = ["erik", "ella", "emil"];
const CODES: [&str; 6] = ["2B001", "2B201", "1C010", "1C210", "9A004", "3A001"];
const VERDICTS: [&str; 5] = ["controlled", "controlled", "not_controlled", "licence_check", "referred"];
const ITEMS: [&str; 6] = [
    "Five-axis machining centre",
    "Carbon fibre prepreg rolls",
    "Inconel tube, seamless",
    "Maraging steel rods",
    "Frequency changer \"FC-9\"",
    "Gyroscope assembly",
];
const CLOSED: usize = 300;
const LEFT_OPEN: usize = 8;
/// The seeded history: `DAYS` days from `FIRST_DAY`; every seventh day (day 6, 13, ...) has no requests.
const FIRST_DAY: Date = date!(2026 - 06 - 01);
const DAYS: i64 = 60;

/// What the test seeded for one closed request.
#[derive(Debug, Clone)]
struct Seeded {
    id: String,
    officer: &'static str,
    expert: &'static str,
    verdict: &'static str,
    controls: Vec<String>,
    cites: Vec<String>,
    /// Every text the transcript search covers: subject, shipment text, message bodies.
    text: String,
    created_at: String,
    closed_at: String,
    first_response_at: String,
}

/// Request `i`'s people, outcome and words: deterministic, varied.
struct Plan {
    officer: &'static str,
    expert: &'static str,
    verdict: &'static str,
    controls: Vec<String>,
    cites: Vec<String>,
    subject: String,
    question: String,
    answer: String,
    reply: Option<String>,
    photo: bool,
    origin: &'static str,
    timeline: Timeline,
}

/// The server's time format: RFC 3339 UTC with milliseconds.
fn wire_time(at: OffsetDateTime) -> String {
    at.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z")).unwrap()
}

/// When request `i` is opened, claimed, answered, answered back and closed.
fn timeline(i: usize) -> Timeline {
    let days: Vec<i64> = (0..DAYS).filter(|d| d % 7 != 6).collect();
    let day = days[(i * 37 + i * i / 11) % days.len()];
    let n = |k: usize, m: usize| ((i * k) % m) as i64;
    let created = FIRST_DAY.midnight().assume_utc()
        + Duration::days(day)
        + Duration::hours(6 + n(5, 14))
        + Duration::minutes(n(13, 60))
        + Duration::seconds(n(7, 60))
        + Duration::milliseconds(n(97, 1000));
    let claimed = created + Duration::seconds(15 + n(53, 600));
    let slow = if i.is_multiple_of(17) { Duration::hours(3) } else { Duration::ZERO };
    let answered = claimed + Duration::seconds(20 + n(31, 1800)) + slow;
    let replied = answered + Duration::seconds(60 + n(11, 900));
    let overnight = if i % 23 == 4 { Duration::hours(26) } else { Duration::ZERO };
    let closed = replied + Duration::seconds(120 + n(71, 7200)) + Duration::milliseconds(n(3, 1000)) + overnight;
    Timeline {
        created: wire_time(created),
        claimed: wire_time(claimed),
        answered: wire_time(answered),
        replied: wire_time(replied),
        closed: wire_time(closed),
    }
}

/// The plan for request `i`.
fn plan(i: usize) -> Plan {
    let verdict = VERDICTS[(i * 7) % VERDICTS.len()];
    let mut controls = Vec::new();
    if verdict != "not_controlled" {
        controls.push(CODES[i % CODES.len()].to_string());
        if i.is_multiple_of(5) {
            controls.push(CODES[(i + 1) % CODES.len()].to_string());
        }
    }
    let cites = if i.is_multiple_of(3) { vec![CODES[(i + 2) % CODES.len()].to_string()] } else { controls.clone() };
    let question = if i.is_multiple_of(4) {
        format!("Photo of the nameplate attached, lot {i}. Is this controlled?")
    } else {
        format!("Declared as machine parts, lot {i}. Please advise.")
    };
    let answer = if i % 10 == 3 {
        "How many spindle axes does it have? Check the controller.".to_string()
    } else {
        format!("Checked against the list; see the cited entries for lot {i}.")
    };
    Plan {
        officer: OFFICERS[i % OFFICERS.len()],
        expert: EXPERTS[(i / 7) % EXPERTS.len()],
        verdict,
        controls,
        cites,
        subject: format!("{} #{i}", ITEMS[i % ITEMS.len()]),
        question,
        answer,
        reply: i.is_multiple_of(2).then(|| format!("Reply for lot {i}: two units.")),
        photo: i.is_multiple_of(50),
        origin: ["LV", "DE", "CN", "TR"][i % 4],
        timeline: timeline(i),
    }
}

fn millis(at: &str) -> i128 {
    OffsetDateTime::parse(at, &Rfc3339).unwrap_or_else(|e| panic!("bad time {at}: {e}")).unix_timestamp_nanos()
        / 1_000_000
}

fn seconds(from: &str, to: &str) -> f64 {
    (millis(to) - millis(from)) as f64 / 1000.0
}

fn nearest_rank(values: &[f64], p: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.max(1) - 1])
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The day `offset` days after `FIRST_DAY`, as `YYYY-MM-DD`.
fn day(offset: i64) -> String {
    (FIRST_DAY + Duration::days(offset)).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trainers_review_three_hundred_requests_over_sixty_days() {
    let server = TestServer::start();
    let mut officers: HashMap<&'static str, Api> = HashMap::new();
    for name in OFFICERS {
        officers.insert(name, server.user(name, "officer").await);
    }
    let mut experts: Vec<Api> = Vec::new();
    for name in EXPERTS {
        experts.push(server.user(name, "expert").await);
    }
    let trainer = server.user("tom", "trainer").await;
    let admin = server.user("ada", "admin").await;
    let usernames: BTreeSet<&str> =
        OFFICERS.iter().chain(EXPERTS.iter()).chain(["tom", "ada"].iter()).copied().collect();

    // Seed, one step at a time on the steered clock (the sessions above were opened on today's clock and
    // stay valid in the past).
    let started = Instant::now();
    let mut officer_ws: HashMap<&'static str, Ws> = HashMap::new();
    for (name, api) in &officers {
        officer_ws.insert(name, api.ws().await);
    }
    let mut expert_ws: HashMap<&'static str, Ws> = HashMap::new();
    for (name, api) in EXPERTS.iter().zip(&experts) {
        expert_ws.insert(name, api.ws().await);
    }
    let mut ids: BTreeMap<usize, String> = BTreeMap::new();
    for i in 0..CLOSED {
        let plan = plan(i);
        let request = ClosedRequest {
            subject: plan.subject.clone(),
            shipment: json!({"origin_country": plan.origin}),
            question: plan.question.clone(),
            answer: plan.answer.clone(),
            cites: plan.cites.clone(),
            reply: plan.reply.clone(),
            photo: plan.photo,
            verdict: plan.verdict.to_string(),
            controls: plan.controls.clone(),
            note: "Done.".to_string(),
            timeline: Some(plan.timeline.clone()),
        };
        let mut desk = Desk {
            server: &server,
            officer: &officers[plan.officer],
            officer_ws: officer_ws.get_mut(plan.officer).unwrap(),
            expert_ws: expert_ws.get_mut(plan.expert).unwrap(),
        };
        ids.insert(i, desk.close(&request).await);
    }
    // Open requests (waiting, and one claimed), today: they must never show in review.
    server.clear_clock();
    let mut open_ids = Vec::new();
    for k in 0..LEFT_OPEN {
        let request =
            officers[OFFICERS[k % OFFICERS.len()]].create_request(&format!("Inconel nameplate still open {k}")).await;
        open_ids.push(request["id"].as_str().unwrap().to_string());
    }
    let erik = expert_ws.get_mut("erik").unwrap();
    erik.send(json!({"type": "claim", "request_id": open_ids[0]})).await;
    erik.await_request(&open_ids[0], "claimed").await;
    eprintln!("seeded {CLOSED} closed requests over {DAYS} days and {LEFT_OPEN} open ones in {:?}", started.elapsed());

    // What was seeded; the server recorded exactly the times this test chose.
    let mut seeded: Vec<Seeded> = Vec::new();
    for (&i, id) in &ids {
        let plan = plan(i);
        let (status, body) = admin.get(&format!("/api/v1/requests/{id}")).await;
        check(status, &body, 200);
        let request = &body["request"];
        let t = &plan.timeline;
        assert_eq!(request["created_at"], t.created.as_str(), "request {i} created at the steered time");
        assert_eq!(request["claimed_at"], t.claimed.as_str());
        assert_eq!(request["closed_at"], t.closed.as_str());
        let events = admin.all_events(id).await;
        let times: Vec<&str> = events.iter().map(|e| e["at"].as_str().unwrap()).collect();
        let mut expected = vec![t.created.as_str(), t.created.as_str(), t.claimed.as_str(), t.answered.as_str()];
        if plan.reply.is_some() {
            expected.push(t.replied.as_str());
        }
        expected.push(t.closed.as_str());
        assert_eq!(times, expected, "request {i}: every event at its step's time");
        let mut text = format!(
            "{} machine parts 8459.61 {} BY Acme Ltd T1-0001 {} {}",
            plan.subject, plan.origin, plan.question, plan.answer
        );
        if let Some(reply) = &plan.reply {
            text.push(' ');
            text.push_str(reply);
        }
        seeded.push(Seeded {
            id: id.clone(),
            officer: plan.officer,
            expert: plan.expert,
            verdict: plan.verdict,
            controls: plan.controls,
            cites: plan.cites,
            text,
            created_at: t.created.clone(),
            closed_at: t.closed.clone(),
            first_response_at: t.answered.clone(),
        });
    }
    let seeded_days: BTreeSet<&str> = seeded.iter().map(|s| &s.created_at[..10]).collect();
    assert_eq!(
        (seeded_days.first().copied(), seeded_days.last().copied()),
        (Some(day(0).as_str()), Some(day(DAYS - 1).as_str()))
    );
    assert!(
        (40..DAYS as usize).contains(&seeded_days.len()),
        "most days have requests, some none: {}",
        seeded_days.len()
    );
    let ids_where = |keep: &dyn Fn(&Seeded) -> bool| -> BTreeSet<String> {
        seeded.iter().filter(|s| keep(s)).map(|s| s.id.clone()).collect()
    };

    // The list: closed only, newest first, paged without gaps or repeats.
    let list = |api: &Api, query: String| {
        let api = api.clone();
        async move {
            let (status, body) = api.get(&format!("/api/v1/review/requests?limit=500&{query}")).await;
            check(status, &body, 200);
            let got: BTreeSet<String> =
                body["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
            assert_eq!(
                body["total"].as_u64().unwrap() as usize,
                got.len(),
                "total disagrees with the rows for {query}"
            );
            (got, body)
        }
    };
    let (all, body) = list(&trainer, String::new()).await;
    assert_eq!(all, ids_where(&|_| true), "every closed request and nothing open");
    let created: Vec<&str> =
        body["requests"].as_array().unwrap().iter().map(|r| r["created_at"].as_str().unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(body["requests"].as_array().unwrap().iter().all(|r| r["status"] == "closed"));
    let mut paged = Vec::new();
    for offset in (0..CLOSED + 50).step_by(70) {
        let (status, page) = trainer.get(&format!("/api/v1/review/requests?limit=70&offset={offset}")).await;
        check(status, &page, 200);
        assert_eq!(page["total"], CLOSED as u64);
        paged.extend(page["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()));
    }
    let in_order: Vec<String> =
        body["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(paged, in_order, "pages follow the same order, no gaps, no repeats");

    // Verdicts.
    for verdict in ["controlled", "not_controlled", "licence_check", "referred"] {
        let (got, _) = list(&trainer, format!("verdict={verdict}")).await;
        assert_eq!(got, ids_where(&|s| s.verdict == verdict), "verdict={verdict}");
    }
    // Control codes: exact, prefix, any case; outcome and cited codes alike.
    for control in ["2B001", "2b", "1C2", "9A004", "3A001", "5A002"] {
        let upper = control.to_uppercase();
        let expected = ids_where(&|s| s.controls.iter().chain(&s.cites).any(|c| c.starts_with(&upper)));
        let (got, _) = list(&trainer, format!("control={control}")).await;
        assert_eq!(got, expected, "control={control}");
    }
    assert!(list(&trainer, "control=5A002".into()).await.0.is_empty());
    // Full-text search over subject, shipment and messages.
    for q in ["nameplate", "spindle", "inconel nameplate", "Gyroscope", "reply units", "DE", "zzzqqq"] {
        let needed = words(q);
        let expected = ids_where(&|s| needed.is_subset(&words(&s.text)));
        let (got, _) = list(&trainer, format!("q={}", q.replace(' ', "+"))).await;
        assert_eq!(got, expected, "q={q}");
        if q != "zzzqqq" {
            assert!(!got.is_empty(), "q={q} should find something");
        }
    }
    // Search operators are words, not syntax.
    let (status, body) = trainer.get("/api/v1/review/requests?q=%22nameplate%22+OR+NEAR(*").await;
    check(status, &body, 200);
    // Experts, by username.
    for expert in EXPERTS {
        let (got, _) = list(&trainer, format!("expert={expert}")).await;
        assert_eq!(got, ids_where(&|s| s.expert == expert), "expert={expert}");
    }

    // Pseudonyms: one stable alias per officer, never a username; admins see names.
    let (_, body) = list(&trainer, String::new()).await;
    let mut alias_of: BTreeMap<&str, String> = BTreeMap::new();
    for request in body["requests"].as_array().unwrap() {
        let seed = seeded.iter().find(|s| s.id == request["id"].as_str().unwrap()).unwrap();
        let alias = request["officer"]["username"].as_str().unwrap().to_string();
        assert!(!usernames.contains(alias.as_str()), "a trainer saw the username {alias}");
        assert_eq!(request["officer"]["display_name"], alias.as_str());
        assert_ne!(request["officer"]["id"], officers[seed.officer].id(), "a trainer saw the officer's user id");
        let known = alias_of.entry(seed.officer).or_insert_with(|| alias.clone());
        assert_eq!(*known, alias, "one alias per officer");
    }
    let distinct: BTreeSet<&String> = alias_of.values().collect();
    assert_eq!(distinct.len(), OFFICERS.len(), "different officers get different aliases");
    let (_, again) = list(&trainer, String::new()).await;
    assert_eq!(again["requests"], body["requests"], "aliases are stable across calls");
    // The same alias on the hotline routes a trainer reads (requests and their timelines).
    let sample = &body["requests"][0];
    let (status, fetched) = trainer.get(&format!("/api/v1/requests/{}", sample["id"].as_str().unwrap())).await;
    assert_eq!(status, 200, "{fetched}");
    assert_eq!(fetched["request"]["officer"]["username"], sample["officer"]["username"], "one alias everywhere");
    for officer in OFFICERS {
        let (got, _) = list(&trainer, format!("officer={}", alias_of[officer])).await;
        assert_eq!(got, ids_where(&|s| s.officer == officer), "officer={officer}");
        assert!(list(&trainer, format!("officer={officer}")).await.0.is_empty(), "trainers cannot filter by username");
        let (got, admin_body) = list(&admin, format!("officer={officer}")).await;
        assert_eq!(got, ids_where(&|s| s.officer == officer), "admin officer={officer}");
        assert!(admin_body["requests"].as_array().unwrap().iter().all(|r| r["officer"]["username"] == officer));
    }
    // Filters combine.
    let (got, _) = list(&trainer, format!("verdict=controlled&control=2B&officer={}", alias_of["olga"])).await;
    assert_eq!(
        got,
        ids_where(&|s| s.verdict == "controlled"
            && s.officer == "olga"
            && s.controls.iter().chain(&s.cites).any(|c| c.starts_with("2B")))
    );

    // Dates (inclusive, on created_at): every single day of the 60 and the days around them, weeks, open ends,
    // an empty past range, bad input.
    let created_on = |from: &str, to: &str| ids_where(&|s| (from..=to).contains(&&s.created_at[..10]));
    assert_eq!(list(&trainer, format!("from={}&to={}", day(0), day(DAYS - 1))).await.0, all);
    for offset in -1..=DAYS {
        let d = day(offset);
        let (got, _) = list(&trainer, format!("from={d}&to={d}")).await;
        assert_eq!(got, created_on(&d, &d), "day {d}");
    }
    for (from, to) in [(7, 13), (14, 27), (30, 59), (0, 0), (58, 70)] {
        let (from, to) = (day(from), day(to));
        let (got, _) = list(&trainer, format!("from={from}&to={to}")).await;
        assert_eq!(got, created_on(&from, &to), "from={from}&to={to}");
        assert!(!got.is_empty(), "from={from}&to={to} holds requests");
    }
    assert_eq!(list(&trainer, format!("from={}", day(45))).await.0, created_on(&day(45), "9999-12-31"));
    assert_eq!(list(&trainer, format!("to={}", day(10))).await.0, created_on("0000-01-01", &day(10)));
    let (got, _) = list(&trainer, format!("from={}&to={}&verdict=referred&expert=ella", day(20), day(40))).await;
    assert_eq!(
        got,
        ids_where(&|s| (day(20).as_str()..=day(40).as_str()).contains(&&s.created_at[..10])
            && s.verdict == "referred"
            && s.expert == "ella")
    );
    assert!(list(&trainer, "from=2001-01-01&to=2001-01-31".into()).await.0.is_empty());
    assert!(list(&trainer, format!("from={}&to={}", day(10), day(9))).await.0.is_empty(), "from after to: nothing");
    for bad in ["from=01/02/2025", "to=2026-13-01", "from=2026-02-30", "verdict=maybe"] {
        let (status, body) = trainer.get(&format!("/api/v1/review/requests?{bad}")).await;
        check_error(status, &body, 400, "invalid_query");
    }

    // Statistics, computed here from the seeded requests: all of them, and two ranges.
    let (status, stats) = trainer.get("/api/v1/review/stats").await;
    check(status, &stats, 200);
    let everything: Vec<&Seeded> = seeded.iter().collect();
    check_stats(&stats, &everything, &day(0), &day(DAYS - 1));
    assert_eq!(stats["requests"], CLOSED as u64);
    assert_eq!(stats["by_day"].as_array().unwrap().len(), DAYS as usize, "every day from the first to the last");
    for (from, to) in [(day(14), day(27)), (day(50), day(64))] {
        let (status, ranged) = trainer.get(&format!("/api/v1/review/stats?from={from}&to={to}")).await;
        check(status, &ranged, 200);
        let inside: Vec<&Seeded> =
            seeded.iter().filter(|s| (from.as_str()..=to.as_str()).contains(&&s.created_at[..10])).collect();
        assert!(!inside.is_empty());
        check_stats(&ranged, &inside, &from, &to);
    }
    let (status, past) = trainer.get("/api/v1/review/stats?from=2001-01-01&to=2001-01-31").await;
    check(status, &past, 200);
    assert_eq!(past["requests"], 0);
    assert_eq!(past["first_response_s"], json!({"p50": null, "p90": null}));
    let past_days = past["by_day"].as_array().unwrap();
    assert_eq!(past_days.len(), 31, "every day of the range, zeros included");
    assert!(past_days.iter().all(|d| d["requests"] == 0));
    assert_eq!(past_days[0]["day"], "2001-01-01");

    // Exports: the JSON rows, and a CSV that parses, matches them and round-trips byte for byte.
    let response = trainer
        .http
        .get(format!("{}/api/v1/review/export.json", trainer.base))
        .bearer_auth(&trainer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let json_bytes = response.bytes().await.unwrap();
    assert!(
        json_bytes.len() > 64 * 1024,
        "the export streams in more than one 64 KiB chunk ({} bytes)",
        json_bytes.len()
    );
    let rows: Vec<Value> = serde_json::from_slice(&json_bytes).expect("one JSON array");
    assert_eq!(rows.len(), CLOSED);
    let response = trainer
        .http
        .get(format!("{}/api/v1/review/export.csv?verdict=", trainer.base))
        .bearer_auth(&trainer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv_bytes = response.bytes().await.unwrap().to_vec();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "id",
            "created_at",
            "claimed_at",
            "closed_at",
            "officer",
            "expert",
            "verdict",
            "controls",
            "subject",
            "hs_code",
            "origin_country",
            "destination_country",
            "first_response_s",
            "resolution_s"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV record")).collect();
    assert_eq!(records.len(), CLOSED);
    let mut rewritten = csv::Writer::from_writer(Vec::new());
    rewritten.write_record(&header).unwrap();
    for (record, row) in records.iter().zip(&rows) {
        let seed = seeded.iter().find(|s| s.id == record[0]).expect("a seeded id");
        assert_eq!(row["id"], &record[0], "CSV and JSON in the same order");
        assert_eq!(&record[4], alias_of[seed.officer].as_str());
        assert_eq!(&record[5], seed.expert);
        assert_eq!(&record[6], seed.verdict);
        assert_eq!(record[7].split(' ').filter(|c| !c.is_empty()).collect::<Vec<_>>(), seed.controls);
        assert_eq!(row["controls"], json!(seed.controls));
        assert_eq!(&record[8], plan(ids.iter().find(|(_, id)| **id == seed.id).map(|(i, _)| *i).unwrap()).subject);
        assert_eq!((&record[1], &record[3]), (seed.created_at.as_str(), seed.closed_at.as_str()));
        assert_eq!(record[12].parse::<f64>().unwrap(), seconds(&seed.created_at, &seed.first_response_at));
        assert_eq!(row["resolution_s"].as_f64().unwrap(), record[13].parse::<f64>().unwrap());
        assert_eq!(row["origin_country"], &record[10]);
        rewritten.write_record(record).unwrap();
    }
    assert_eq!(rewritten.into_inner().unwrap(), csv_bytes, "the CSV round-trips");
    let (status, some) = trainer.get("/api/v1/review/export.json?verdict=referred&q=nameplate").await;
    check(status, &some, 200);
    let expected = ids_where(&|s| s.verdict == "referred" && words(&s.text).contains("nameplate"));
    let got: BTreeSet<String> =
        some.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, expected, "exports take the list's filters");
    let (_, admin_rows) = admin.get("/api/v1/review/export.json").await;
    assert!(
        admin_rows.as_array().unwrap().iter().all(|r| OFFICERS.contains(&r["officer"].as_str().unwrap())),
        "admins see names"
    );

    // One transcript: every event, officers pseudonymised, photos listed; annotations.
    let photo_case = seeded.iter().find(|s| ids.iter().any(|(i, id)| *id == s.id && i.is_multiple_of(50))).unwrap();
    let (status, detail) = trainer.get(&format!("/api/v1/review/requests/{}", photo_case.id)).await;
    check(status, &detail, 200);
    let kinds: Vec<&str> = detail["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "message", "claimed", "message", "message", "closed"]);
    assert_eq!(detail["events"][1]["author"]["username"], alias_of[photo_case.officer].as_str());
    assert_eq!(detail["events"][4]["message"]["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(detail["events"][3]["message"]["cites"], json!(photo_case.cites));
    let text = detail.to_string();
    for officer in OFFICERS {
        assert!(!text.contains(&format!("\"{officer}\"")), "the transcript names officer {officer}");
    }
    assert_eq!(detail["annotations"], json!([]));
    let note = "<script>alert(1)</script> good example of asking for the nameplate";
    let (status, made) = trainer
        .post(
            &format!("/api/v1/review/requests/{}/annotations", photo_case.id),
            &json!({"training_case": true, "note": note}),
        )
        .await;
    check(status, &made, 201);
    assert_eq!(made["annotation"]["note"], note);
    assert_eq!(made["annotation"]["author"]["username"], "tom");
    let (_, detail) = admin.get(&format!("/api/v1/review/requests/{}", photo_case.id)).await;
    assert_eq!(detail["annotations"][0]["note"], note);
    assert_eq!(detail["annotations"][0]["training_case"], true);
    assert_eq!(detail["request"]["officer"]["username"], photo_case.officer, "admins see the name");
    let (status, body) = trainer
        .post(
            &format!("/api/v1/review/requests/{}/annotations", photo_case.id),
            &json!({"training_case": false, "note": " "}),
        )
        .await;
    check_error(status, &body, 422, "empty_annotation");

    // Ids that are not closed requests answer 404; other roles 403 on every review route.
    for id in [open_ids[0].as_str(), open_ids[1].as_str(), "no-such-id"] {
        let (status, body) = trainer.get(&format!("/api/v1/review/requests/{id}")).await;
        check_error(status, &body, 404, "not_found");
        let (status, body) = admin.get(&format!("/api/v1/review/requests/{id}")).await;
        check_error(status, &body, 404, "not_found");
        let (status, body) = trainer
            .post(&format!("/api/v1/review/requests/{id}/annotations"), &json!({"training_case": true, "note": "x"}))
            .await;
        check_error(status, &body, 404, "not_found");
    }
    for outsider in [&officers["olga"], &experts[0]] {
        for path in [
            "/api/v1/review/requests".to_string(),
            format!("/api/v1/review/requests/{}", photo_case.id),
            "/api/v1/review/stats".to_string(),
            "/api/v1/review/export.csv".to_string(),
            "/api/v1/review/export.json".to_string(),
        ] {
            let (status, body) = outsider.get(&path).await;
            check_error(status, &body, 403, "forbidden");
        }
        let (status, body) = outsider
            .post(
                &format!("/api/v1/review/requests/{}/annotations", photo_case.id),
                &json!({"training_case": true, "note": "x"}),
            )
            .await;
        check_error(status, &body, 403, "forbidden");
    }
    let anonymous = reqwest::get(format!("{}/api/v1/review/requests", server.base)).await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // A trainer never writes to a chat: not to a closed request, not to an open one, and opens none.
    let mut tom = trainer.ws().await;
    assert_eq!(tom.send_message(&photo_case.id, &uuid(), "well done").await["code"], "forbidden");
    assert_eq!(tom.send_message(&open_ids[1], &uuid(), "hello").await["code"], "not_found");
    let (status, body) = trainer.post("/api/v1/requests", &hotline_tests::new_request("trainer question")).await;
    check_error(status, &body, 403, "forbidden");
    let events = admin.all_events(&photo_case.id).await;
    assert_eq!(events.len(), 6, "nothing was added to the chat");

    // Latency at this size (the measured figures at 100,000 requests are in docs/review.md).
    for (what, path) in [
        ("list", "/api/v1/review/requests?limit=50"),
        ("search", "/api/v1/review/requests?limit=50&q=nameplate"),
        ("filtered", "/api/v1/review/requests?limit=50&control=2B&verdict=controlled"),
        ("stats", "/api/v1/review/stats"),
    ] {
        let mut times = Vec::new();
        for _ in 0..20 {
            let at = Instant::now();
            let (status, body) = trainer.get(path).await;
            check(status, &body, 200);
            times.push(at.elapsed().as_secs_f64() * 1000.0);
        }
        eprintln!(
            "{what}: p50 {:.2} ms, p90 {:.2} ms over {CLOSED} closed requests",
            nearest_rank(&times, 50.0).unwrap(),
            nearest_rank(&times, 90.0).unwrap()
        );
    }
}

/// Checks `stats` against the requests `seeded` between the days `from` and `to` (inclusive).
#[track_caller]
fn check_stats(stats: &Value, seeded: &[&Seeded], from: &str, to: &str) {
    assert_eq!(stats["requests"], seeded.len() as u64);
    let first: Vec<f64> = seeded.iter().map(|s| seconds(&s.created_at, &s.first_response_at)).collect();
    let resolution: Vec<f64> = seeded.iter().map(|s| seconds(&s.created_at, &s.closed_at)).collect();
    let close = |got: &Value, expected: Option<f64>| {
        let expected = expected.unwrap();
        assert!((got.as_f64().expect("a number") - expected).abs() < 1e-6, "got {got}, expected {expected}");
    };
    close(&stats["first_response_s"]["p50"], nearest_rank(&first, 50.0));
    close(&stats["first_response_s"]["p90"], nearest_rank(&first, 90.0));
    close(&stats["resolution_s"]["p50"], nearest_rank(&resolution, 50.0));
    close(&stats["resolution_s"]["p90"], nearest_rank(&resolution, 90.0));
    let mut by_verdict: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_control: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    let (mut day, last) = (
        Date::parse(from, format_description!("[year]-[month]-[day]")).unwrap(),
        Date::parse(to, format_description!("[year]-[month]-[day]")).unwrap(),
    );
    while day <= last {
        by_day.insert(day.to_string(), 0);
        day = day.next_day().unwrap();
    }
    for s in seeded {
        *by_verdict.entry(s.verdict.to_string()).or_default() += 1;
        let codes: BTreeSet<&String> = s.controls.iter().chain(&s.cites).collect();
        let categories: BTreeSet<&str> = codes.iter().map(|code| &code[..1]).collect();
        for code in codes {
            *by_control.entry(code.clone()).or_default() += 1;
        }
        for category in categories {
            *by_category.entry(category.to_string()).or_default() += 1;
        }
        *by_day.get_mut(&s.created_at[..10]).expect("a day of the range") += 1;
    }
    assert_eq!(stats["by_verdict"], json!(by_verdict));
    assert_eq!(stats["by_control"], json!(by_control));
    assert_eq!(stats["by_category"], json!(by_category), "requests per control-list category, once each");
    let day_list: Vec<Value> = by_day.iter().map(|(day, n)| json!({"day": day, "requests": n})).collect();
    assert_eq!(stats["by_day"], json!(day_list), "requests per day, zero days included");
}
