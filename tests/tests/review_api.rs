//! Trainer review over REST: 300 closed requests (and some still open) seeded through the real REST and
//! WebSocket API by six officers and three experts, then the review list's filters, full-text search, paging,
//! statistics, CSV and JSON exports, pseudonyms, annotations and role refusals, each checked against figures
//! this test computes from what it seeded.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use hotline_tests::{check, check_error, images, uuid, Api, TestServer, Ws};
use serde_json::{json, Value};

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

/// The plan for request `i`: deterministic, varied.
fn plan(i: usize) -> (&'static str, &'static str, &'static str, Vec<String>, Vec<String>, String, String, String) {
    let officer = OFFICERS[i % OFFICERS.len()];
    let expert = EXPERTS[(i / 7) % EXPERTS.len()];
    let verdict = VERDICTS[(i * 7) % VERDICTS.len()];
    let mut controls = Vec::new();
    if verdict != "not_controlled" {
        controls.push(CODES[i % CODES.len()].to_string());
        if i.is_multiple_of(5) {
            controls.push(CODES[(i + 1) % CODES.len()].to_string());
        }
    }
    let cites = if i.is_multiple_of(3) { vec![CODES[(i + 2) % CODES.len()].to_string()] } else { controls.clone() };
    let subject = format!("{} #{i}", ITEMS[i % ITEMS.len()]);
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
    (officer, expert, verdict, controls, cites, subject, question, answer)
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS.mmmZ` (days from civil, proleptic Gregorian).
fn millis(at: &str) -> i64 {
    let n = |range: std::ops::Range<usize>| at[range].parse::<i64>().unwrap_or_else(|_| panic!("bad time {at}"));
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (hh, mm, ss, ms) = (n(11..13), n(14..16), n(17..19), n(20..23));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms
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

/// One expert's share: each request is opened by its officer over REST (with a first message), claimed,
/// answered with citations, sometimes answered back by the officer (with a photo now and then), and closed.
async fn seed_share(expert: Api, officers: HashMap<&'static str, Api>, plans: Vec<usize>) -> Vec<(usize, String)> {
    let mut expert_ws = expert.ws().await;
    let mut officer_ws: HashMap<&'static str, Ws> = HashMap::new();
    for (name, api) in &officers {
        officer_ws.insert(name, api.ws().await);
    }
    let mut made = Vec::new();
    for i in plans {
        let (officer, _, verdict, controls, cites, subject, question, answer) = plan(i);
        let api = &officers[officer];
        let mut body = hotline_tests::new_request(&subject);
        body["body"] = json!(question);
        body["shipment"]["origin_country"] = json!(["LV", "DE", "CN", "TR"][i % 4]);
        let (status, created) = api.post("/api/v1/requests", &body).await;
        check(status, &created, 201);
        let id = created["request"]["id"].as_str().unwrap().to_string();
        expert_ws.send(json!({"type": "claim", "request_id": id})).await;
        wait_request(&mut expert_ws, &id, "claimed").await;
        send_and_ack(&mut expert_ws, json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": answer, "cites": cites})).await;
        if i.is_multiple_of(2) {
            let mut frame = json!({"type": "send", "request_id": id, "client_msg_id": uuid(), "body": format!("Reply for lot {i}: two units.")});
            if i.is_multiple_of(50) {
                let (status, uploaded) = api.upload(&id, "plate.png", images::png(48, 32), "image/png").await;
                check(status, &uploaded, 201);
                frame["attachments"] = json!([uploaded["attachment"]["id"]]);
            }
            send_and_ack(officer_ws.get_mut(officer).unwrap(), frame).await;
        }
        expert_ws
            .send(json!({"type": "close", "request_id": id, "outcome": {"verdict": verdict, "controls": controls, "note": "Done."}}))
            .await;
        wait_request(&mut expert_ws, &id, "closed").await;
        made.push((i, id));
    }
    made
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trainers_review_three_hundred_requests() {
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
    let usernames: BTreeSet<&str> = OFFICERS.iter().chain(EXPERTS.iter()).chain(["tom", "ada"].iter()).copied().collect();

    // Seed: three experts in parallel, each with its share.
    let started = Instant::now();
    let mut shares: Vec<Vec<usize>> = vec![Vec::new(); EXPERTS.len()];
    for i in 0..CLOSED {
        shares[(i / 7) % EXPERTS.len()].push(i);
    }
    let mut tasks = Vec::new();
    for (expert, share) in experts.iter().cloned().zip(shares) {
        tasks.push(tokio::spawn(seed_share(expert, officers.clone(), share)));
    }
    let mut ids: BTreeMap<usize, String> = BTreeMap::new();
    for task in tasks {
        ids.extend(task.await.expect("seeding task"));
    }
    // Open requests (waiting, and one claimed) must never show in review.
    let mut open_ids = Vec::new();
    for k in 0..LEFT_OPEN {
        let request = officers[OFFICERS[k % OFFICERS.len()]].create_request(&format!("Inconel nameplate still open {k}")).await;
        open_ids.push(request["id"].as_str().unwrap().to_string());
    }
    let mut erik = experts[0].ws().await;
    erik.send(json!({"type": "claim", "request_id": open_ids[0]})).await;
    wait_request(&mut erik, &open_ids[0], "claimed").await;
    eprintln!("seeded {CLOSED} closed and {LEFT_OPEN} open requests in {:?}", started.elapsed());

    // What was seeded, with the server's own times read back over the ordinary request API.
    let mut seeded: Vec<Seeded> = Vec::new();
    for (&i, id) in &ids {
        let (officer, expert, verdict, controls, cites, subject, question, answer) = plan(i);
        let (status, body) = admin.get(&format!("/api/v1/requests/{id}")).await;
        check(status, &body, 200);
        let request = &body["request"];
        let events = admin.all_events(id).await;
        let first_response_at = events
            .iter()
            .find(|e| e["kind"] == "message" && e["author"]["role"] == "expert")
            .map(|e| e["at"].as_str().unwrap().to_string())
            .expect("an expert answered");
        let mut text = format!("{subject} machine parts 8459.61 {} BY Acme Ltd T1-0001 {question} {answer}", request["shipment"]["origin_country"].as_str().unwrap());
        if i.is_multiple_of(2) {
            text.push_str(&format!(" Reply for lot {i}: two units."));
        }
        seeded.push(Seeded {
            id: id.clone(),
            officer,
            expert,
            verdict,
            controls,
            cites,
            text,
            created_at: request["created_at"].as_str().unwrap().to_string(),
            closed_at: request["closed_at"].as_str().unwrap().to_string(),
            first_response_at,
        });
    }
    let ids_where = |keep: &dyn Fn(&Seeded) -> bool| -> BTreeSet<String> { seeded.iter().filter(|s| keep(s)).map(|s| s.id.clone()).collect() };

    // The list: closed only, newest first, paged without gaps or repeats.
    let list = |api: &Api, query: String| {
        let api = api.clone();
        async move {
            let (status, body) = api.get(&format!("/api/v1/review/requests?limit=500&{query}")).await;
            check(status, &body, 200);
            let got: BTreeSet<String> = body["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
            assert_eq!(body["total"].as_u64().unwrap() as usize, got.len(), "total disagrees with the rows for {query}");
            (got, body)
        }
    };
    let (all, body) = list(&trainer, String::new()).await;
    assert_eq!(all, ids_where(&|_| true), "every closed request and nothing open");
    let created: Vec<&str> = body["requests"].as_array().unwrap().iter().map(|r| r["created_at"].as_str().unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(body["requests"].as_array().unwrap().iter().all(|r| r["status"] == "closed"));
    let mut paged = Vec::new();
    for offset in (0..CLOSED + 50).step_by(70) {
        let (status, page) = trainer.get(&format!("/api/v1/review/requests?limit=70&offset={offset}")).await;
        check(status, &page, 200);
        assert_eq!(page["total"], CLOSED as u64);
        paged.extend(page["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()));
    }
    let in_order: Vec<String> = body["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
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
        ids_where(&|s| s.verdict == "controlled" && s.officer == "olga" && s.controls.iter().chain(&s.cites).any(|c| c.starts_with("2B")))
    );

    // Dates: the seeded days (the server's clock), an empty past range, bad input.
    let days: BTreeSet<String> = seeded.iter().map(|s| s.created_at[..10].to_string()).collect();
    let (first_day, last_day) = (days.first().unwrap().clone(), days.last().unwrap().clone());
    assert_eq!(list(&trainer, format!("from={first_day}&to={last_day}")).await.0, all);
    for day in &days {
        let (got, _) = list(&trainer, format!("from={day}&to={day}")).await;
        assert_eq!(got, ids_where(&|s| &s.created_at[..10] == day), "day {day}");
    }
    assert!(list(&trainer, "from=2001-01-01&to=2001-01-31".into()).await.0.is_empty());
    let (status, body) = trainer.get("/api/v1/review/requests?from=01/02/2025").await;
    check_error(status, &body, 400, "invalid_query");
    let (status, body) = trainer.get("/api/v1/review/requests?verdict=maybe").await;
    check_error(status, &body, 400, "invalid_query");

    // Statistics, computed here from the seeded requests.
    let (status, stats) = trainer.get("/api/v1/review/stats").await;
    check(status, &stats, 200);
    assert_eq!(stats["requests"], CLOSED as u64);
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
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    for s in &seeded {
        *by_verdict.entry(s.verdict.to_string()).or_default() += 1;
        let codes: BTreeSet<&String> = s.controls.iter().chain(&s.cites).collect();
        for code in codes {
            *by_control.entry(code.clone()).or_default() += 1;
        }
        *by_day.entry(s.created_at[..10].to_string()).or_default() += 1;
    }
    assert_eq!(stats["by_verdict"], json!(by_verdict));
    assert_eq!(stats["by_control"], json!(by_control));
    let day_list: Vec<Value> = by_day.iter().map(|(day, n)| json!({"day": day, "requests": n})).collect();
    assert_eq!(stats["by_day"], json!(day_list));
    let (status, past) = trainer.get("/api/v1/review/stats?from=2001-01-01&to=2001-01-31").await;
    check(status, &past, 200);
    assert_eq!(past["requests"], 0);
    assert_eq!(past["first_response_s"], json!({"p50": null, "p90": null}));
    let past_days = past["by_day"].as_array().unwrap();
    assert_eq!(past_days.len(), 31, "every day of the range, zeros included");
    assert!(past_days.iter().all(|d| d["requests"] == 0));
    assert_eq!(past_days[0]["day"], "2001-01-01");

    // Exports: the JSON rows, and a CSV that parses, matches them and round-trips byte for byte.
    let (status, rows) = trainer.get("/api/v1/review/export.json").await;
    check(status, &rows, 200);
    let rows = rows.as_array().unwrap().clone();
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
        ["id", "created_at", "claimed_at", "closed_at", "officer", "expert", "verdict", "controls", "subject", "hs_code",
         "origin_country", "destination_country", "first_response_s", "resolution_s"]
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
        assert_eq!(&record[8], plan(ids.iter().find(|(_, id)| **id == seed.id).map(|(i, _)| *i).unwrap()).5);
        assert_eq!(record[12].parse::<f64>().unwrap(), seconds(&seed.created_at, &seed.first_response_at));
        assert_eq!(row["resolution_s"].as_f64().unwrap(), record[13].parse::<f64>().unwrap());
        assert_eq!(row["origin_country"], &record[10]);
        rewritten.write_record(record).unwrap();
    }
    assert_eq!(rewritten.into_inner().unwrap(), csv_bytes, "the CSV round-trips");
    let (status, some) = trainer.get("/api/v1/review/export.json?verdict=referred&q=nameplate").await;
    check(status, &some, 200);
    let expected = ids_where(&|s| s.verdict == "referred" && words(&s.text).contains("nameplate"));
    let got: BTreeSet<String> = some.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, expected, "exports take the list's filters");
    let (_, admin_rows) = admin.get("/api/v1/review/export.json").await;
    assert!(admin_rows.as_array().unwrap().iter().all(|r| OFFICERS.contains(&r["officer"].as_str().unwrap())), "admins see names");

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
        .post(&format!("/api/v1/review/requests/{}/annotations", photo_case.id), &json!({"training_case": true, "note": note}))
        .await;
    check(status, &made, 201);
    assert_eq!(made["annotation"]["note"], note);
    assert_eq!(made["annotation"]["author"]["username"], "tom");
    let (_, detail) = admin.get(&format!("/api/v1/review/requests/{}", photo_case.id)).await;
    assert_eq!(detail["annotations"][0]["note"], note);
    assert_eq!(detail["annotations"][0]["training_case"], true);
    assert_eq!(detail["request"]["officer"]["username"], photo_case.officer, "admins see the name");
    let (status, body) =
        trainer.post(&format!("/api/v1/review/requests/{}/annotations", photo_case.id), &json!({"training_case": false, "note": " "})).await;
    check_error(status, &body, 422, "empty_annotation");

    // Ids that are not closed requests answer 404; other roles 403 on every review route.
    for id in [open_ids[0].as_str(), open_ids[1].as_str(), "no-such-id"] {
        let (status, body) = trainer.get(&format!("/api/v1/review/requests/{id}")).await;
        check_error(status, &body, 404, "not_found");
        let (status, body) = admin.get(&format!("/api/v1/review/requests/{id}")).await;
        check_error(status, &body, 404, "not_found");
        let (status, body) =
            trainer.post(&format!("/api/v1/review/requests/{id}/annotations"), &json!({"training_case": true, "note": "x"})).await;
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
            .post(&format!("/api/v1/review/requests/{}/annotations", photo_case.id), &json!({"training_case": true, "note": "x"}))
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
        eprintln!("{what}: p50 {:.2} ms, p90 {:.2} ms over {CLOSED} closed requests",
            nearest_rank(&times, 50.0).unwrap(), nearest_rank(&times, 90.0).unwrap());
    }
}
