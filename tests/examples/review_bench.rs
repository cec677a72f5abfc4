//! `review_bench`: the measurement of issue 6 — review list, search and statistics latency with 100,000 closed
//! requests in the database — printed as a markdown table.
//!
//! ```text
//! cargo run --release -p hotline-tests --example review_bench
//! ```
//!
//! 1. Starts the real server once on a temporary data dir (it creates and migrates the database), adds officer,
//!    expert and trainer accounts with `hotline-server user add --password-stdin`, and stops it (SIGTERM).
//! 2. Bulk-loads 100,000 closed requests spread over 60 days straight into SQLite with rusqlite, 10,000 requests
//!    per transaction, in the order the server writes them: per request a claimed `requests` row, events
//!    `created`, `claimed` and four `message`s with four `messages` rows (officer, expert, officer, expert) with
//!    cited control codes, then the close (`UPDATE requests SET status = 'closed', …` and the `closed` event).
//!    The schema's review triggers fill `review_summary`, `review_codes` and the FTS5 `review_transcripts` at
//!    that close, exactly as they do for the server's own writes. Subjects
//!    and bodies draw on a vocabulary of a few hundred words with a skewed (Zipf-like) distribution; one word,
//!    `magnetometer`, is rare (the least likely item, about 1.5% of requests). This is a benchmark fixture, not a test.
//! 3. Starts the server again on that data dir, signs in as the trainer and times 50 sequential HTTP calls of
//!    each query (after 3 warm-up calls), reporting p50 and p99.
//! 4. Times the CSV and JSON exports (every matching row, no paging) of a 30-day range and of all 60 days, 5 calls
//!    each after one warm-up, with the server's resident memory before them and its peak (`VmHWM`) after.
//!
//! The server is the real `hotline-server` command line (`hotline_server::cli::main()`) in a child process: this
//! example runs itself as the server when its first argument is `--data-dir`, as `hotline_bench` does.

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use hotline_tests::{Api, TestServer};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

/// Closed requests loaded.
const REQUESTS: usize = 100_000;
/// Days they spread over.
const DAYS: i64 = 60;
/// Requests per transaction of the bulk load.
const BATCH: usize = 10_000;
/// Timed calls per query, and untimed warm-up calls before them.
const CALLS: usize = 50;
const WARMUP: usize = 3;
/// Accounts.
const OFFICERS: usize = 12;
const EXPERTS: usize = 5;
/// The first day of the data set (2026-09-01), as days since 1970-01-01.
const FIRST_DAY: i64 = 20_697;

const CONTROLS: &[&str] = &[
    "5A002.a.1",
    "5A002.a.2",
    "5A992.c",
    "5D002.c.1",
    "3A001.a.7",
    "3A090.a",
    "3A991.p",
    "1C010.a",
    "1C350.b",
    "2B001.b",
    "2B350.g",
    "2B352.d",
    "6A003.b.4",
    "6A002.a.3",
    "9A004.u",
    "9A012.a",
    "4A003.b",
    "7A003.a",
    "ML10.a",
    "ML4.b",
];
const VERDICTS: &[&str] = &["controlled", "not_controlled", "licence_check", "referred"];
const COUNTRIES: &[&str] = &["LV", "LT", "EE", "PL", "FI", "DE", "BY", "RU", "KZ", "AM", "GE", "TR", "CN", "AE", "UA"];
const ITEMS: &[&str] = &[
    "industrial pump",
    "frequency converter",
    "thermal camera",
    "gas turbine parts",
    "CNC milling head",
    "router modules",
    "encrypted radio",
    "drone flight controller",
    "carbon fibre sheets",
    "valve assembly",
    "oscilloscope",
    "GNSS receiver",
    "bearing set",
    "laser rangefinder",
    "power supply units",
    "heat exchanger",
    "signal generator",
    "optical sights",
    "servo motors",
    "lithium batteries",
    "machine tool spindle",
    "satellite antenna",
    "pressure transducers",
    "magnetometer",
];
/// The vocabulary of the bodies, most common first (picked with a skewed distribution).
const WORDS: &str = "the shipment export declared goods check please nameplate photo model number serial code control list \
    licence item category dual use could you confirm this is a the and of for with on in at from by to we it looks like \
    manufacturer datasheet specification frequency power output voltage range accuracy resolution encryption module \
    software firmware version chip processor memory board interface ethernet wireless antenna gain band channel \
    sensor thermal imaging detector pixel array lens aperture focal length zoom infrared cooled uncooled microbolometer \
    pump valve flange seal corrosion resistant alloy nickel titanium stainless steel lining fluoropolymer diaphragm \
    bellows flow rate capacity litre hour pressure bar temperature celsius kelvin tolerance micron spindle axis \
    contouring numerical positioning repeatability linear rotary table machine tool milling turning grinding lathe \
    carbon fibre prepreg composite tensile modulus strength filament tow resin matrix aerospace aircraft engine turbine \
    blade vane disk casting forging drone unmanned vehicle flight controller autopilot payload endurance altitude \
    navigation receiver satellite gnss inertial gyroscope accelerometer drift bias radar laser rangefinder target \
    optics sight night vision tube generation intensifier battery lithium cell energy density pack charger inverter \
    converter drive motor servo encoder torque speed rpm kilowatt megahertz gigahertz bandwidth sample oscilloscope \
    analyser spectrum signal generator synthesiser amplifier transistor wafer semiconductor lithography etching \
    deposition vacuum chamber furnace crucible reactor vessel agitator centrifuge filter membrane dryer fermenter \
    consignee end user statement invoice packing list waybill container seal truck trailer rail border crossing \
    customs office inspection officer expert verdict release detain refer hold sample laboratory report sanction \
    regulation annex entry note technical parameter threshold exceeds below above meets criteria exemption \
    decontrol mass market cryptography key length symmetric asymmetric bits authentication ok thanks understood \
    waiting more photos label side rear plate sticker marking stamp origin destination transit route broker";

/// A small deterministic generator (xorshift64*), so every run loads the same data set.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// An index below `n`, small ones much more likely.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * u) * n as f64) as usize % n
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

fn main() -> ExitCode {
    hotline_tests::bench::main(|| Ok(()), run)
}

async fn run() {
    let started = Instant::now();
    eprintln!("review_bench: creating the database and the accounts");
    let mut server = TestServer::start();
    for i in 0..OFFICERS {
        server.add_user(&format!("bench-officer-{i}"), "officer");
    }
    for i in 0..EXPERTS {
        server.add_user(&format!("bench-expert-{i}"), "expert");
    }
    let trainer_password = server.add_user("bench-trainer", "trainer");
    let status = server.terminate();
    assert!(status.success(), "the server exited with {status}");

    let path = hotline_server::store::database_path(&server.data_dir);
    eprintln!("review_bench: loading {REQUESTS} closed requests into {}", path.display());
    let load = tokio::task::spawn_blocking(move || bulk_load(&path)).await.expect("bulk load");
    eprintln!(
        "review_bench: loaded in {:.1} s ({:.0} requests/s, {:.0} rows/s); database {:.0} MB",
        load.elapsed.as_secs_f64(),
        REQUESTS as f64 / load.elapsed.as_secs_f64(),
        load.rows as f64 / load.elapsed.as_secs_f64(),
        load.bytes as f64 / 1e6
    );

    if let Some(copy) = std::env::var_os("REVIEW_BENCH_SAVE_DB") {
        // For working on the queries: a copy of the loaded database to open again without reloading.
        let source = hotline_server::store::database_path(&server.data_dir);
        std::fs::copy(&source, &copy).expect("copy of the database");
        eprintln!("review_bench: saved a copy of the database as {}", std::path::Path::new(&copy).display());
    }
    server.restart();
    let trainer = Api::login(&server.base, "bench-trainer", &trainer_password).await;
    let day = |d: i64| date_of(FIRST_DAY + d);
    let (first, last) = (day(0), day(DAYS - 1));
    let queries: Vec<(String, String)> = vec![
        ("list, no filter, newest first, limit 50".into(), "/api/v1/review/requests?limit=50".into()),
        (
            format!("list, verdict=controlled + control=5A + {} … {}", day(10), day(39)),
            format!("/api/v1/review/requests?verdict=controlled&control=5A&from={}&to={}&limit=50", day(10), day(39)),
        ),
        ("search q=export (common word)".into(), "/api/v1/review/requests?q=export&limit=50".into()),
        ("search q=magnetometer (rare word)".into(), "/api/v1/review/requests?q=magnetometer&limit=50".into()),
        ("search q=thermal camera (two words)".into(), "/api/v1/review/requests?q=thermal%20camera&limit=50".into()),
        (format!("stats, all 60 days ({first} … {last})"), format!("/api/v1/review/stats?from={first}&to={last}")),
    ];
    let mut rows = Vec::new();
    for (name, path) in &queries {
        eprintln!("review_bench: {name}");
        rows.push(measure(&trainer, name, path).await);
    }
    let rss_before = proc_status_kib(server.pid(), "VmRSS");
    let mut exports = Vec::new();
    for (format, from, to) in [
        ("csv", day(10), day(39)),
        ("json", day(10), day(39)),
        ("csv", first.clone(), last.clone()),
        ("json", first.clone(), last.clone()),
    ] {
        let name = format!("export.{format}, {from} … {to}");
        eprintln!("review_bench: {name}");
        exports.push(
            measure_export(&trainer, &name, &format!("/api/v1/review/export.{format}?from={from}&to={to}")).await,
        );
    }
    let memory = ExportMemory { rss_before, peak: proc_status_kib(server.pid(), "VmHWM") };
    drop(server);
    print_report(&load, &rows, &exports, &memory, started.elapsed());
}

/// One export's timings: the body's size and its rows (CSV lines after the header, or the JSON array's length).
struct ExportRow {
    name: String,
    rows: usize,
    bytes: usize,
    p50: Duration,
    max: Duration,
}

/// The server's resident memory before the exports and its peak after them, in KiB.
struct ExportMemory {
    rss_before: u64,
    peak: u64,
}

const EXPORT_CALLS: usize = 5;

async fn measure_export(api: &Api, name: &str, path: &str) -> ExportRow {
    let url = format!("{}{path}", api.base);
    let mut samples = Vec::with_capacity(EXPORT_CALLS);
    let (mut rows, mut bytes) = (0, 0);
    for i in 0..1 + EXPORT_CALLS {
        let start = Instant::now();
        let response = api.http.get(&url).bearer_auth(&api.token).send().await.expect("export request");
        assert_eq!(response.status(), 200, "GET {path}");
        let body = response.bytes().await.expect("export body");
        let elapsed = start.elapsed();
        bytes = body.len();
        rows = if path.contains("export.json") {
            serde_json::from_slice::<Vec<Value>>(&body).expect("a JSON array").len()
        } else {
            let records: Result<Vec<_>, _> = csv::Reader::from_reader(&body[..]).records().collect();
            records.expect("CSV records").len()
        };
        if i >= 1 {
            samples.push(elapsed);
        }
    }
    samples.sort();
    ExportRow {
        name: name.into(),
        rows,
        bytes,
        p50: samples[samples.len().div_ceil(2) - 1],
        max: *samples.last().expect("samples"),
    }
}

/// A `kB` line of `/proc/<pid>/status` (`VmRSS`, `VmHWM`).
fn proc_status_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.strip_prefix(':')))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} in /proc/{pid}/status"))
}

struct Load {
    elapsed: Duration,
    rows: u64,
    /// Rows the review triggers made in `review_summary` (and in `review_transcripts`) and in `review_codes`.
    summaries: u64,
    codes: u64,
    bytes: u64,
}

struct User {
    id: String,
    json: Value,
}

fn users(conn: &Connection, role: &str) -> Vec<User> {
    let mut statement =
        conn.prepare("SELECT id, username, display_name FROM users WHERE role = ?1 AND username LIKE 'bench-%' ORDER BY username").expect("users");
    statement
        .query_map([role], |row| {
            let id: String = row.get(0)?;
            let username: String = row.get(1)?;
            let display_name: String = row.get(2)?;
            Ok(User { json: json!({"id": id, "username": username, "display_name": display_name, "role": role}), id })
        })
        .expect("users")
        .collect::<Result<_, _>>()
        .expect("users")
}

fn bulk_load(path: &std::path::Path) -> Load {
    let mut conn = Connection::open(path).expect("database opens");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;")
        .expect("pragmas");
    let officers = users(&conn, "officer");
    let experts = users(&conn, "expert");
    assert_eq!((officers.len(), experts.len()), (OFFICERS, EXPERTS), "the accounts exist");
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rows = 0u64;
    let started = Instant::now();
    let mut done = 0;
    while done < REQUESTS {
        let tx = conn.transaction().expect("transaction");
        {
            let mut insert_request = tx
                .prepare_cached(
                    "INSERT INTO requests (id, officer_id, client_request_id, status, subject, shipment, priority, assignee_id,
                                           created_at, claimed_at, last_seq, screening)
                     VALUES (?1, ?2, ?3, 'claimed', ?4, ?5, ?6, ?7, ?8, ?9, 7, NULL)",
                )
                .expect("prepare");
            let mut close_request = tx
                .prepare_cached("UPDATE requests SET status = 'closed', closed_at = ?2, outcome = ?3 WHERE id = ?1")
                .expect("prepare");
            let mut insert_event = tx
                .prepare_cached(
                    "INSERT INTO events (request_id, seq, kind, at, author_id, message_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .expect("prepare");
            let mut insert_message = tx
                .prepare_cached(
                    "INSERT INTO messages (id, request_id, seq, author_id, client_msg_id, body, attachments, cites)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]', ?7)",
                )
                .expect("prepare");
            for n in done..(done + BATCH).min(REQUESTS) {
                let id = format!("00000000-0000-7000-8000-{n:012x}");
                let officer = &officers[rng.below(officers.len())];
                let expert = &experts[rng.below(experts.len())];
                // Spread evenly over the days, at a random time between 07:00 and 19:00.
                let day = (n as i64 * DAYS) / REQUESTS as i64;
                let created = ((FIRST_DAY + day) * 86_400 + 7 * 3600 + rng.below(12 * 3600) as i64) * 1000
                    + rng.below(1000) as i64;
                let claimed = created + 20_000 + rng.below(900_000) as i64;
                let rare = rng.below(2000) == 0;
                let item = if rare { "magnetometer" } else { ITEMS[rng.skewed(ITEMS.len())] };
                let destination = rng.pick(COUNTRIES);
                let subject = format!(
                    "{} for {destination}: {}",
                    capitalise(item),
                    ["is it controlled?", "nameplate check", "dual-use check", "licence needed?", "please classify"]
                        [rng.below(5)]
                );
                let shipment = json!({
                    "declared_description": format!("{item}, {} pcs", 1 + rng.below(40)),
                    "hs_code": format!("{:04}.{:02}", 8400 + rng.below(200), rng.below(100)),
                    "origin_country": rng.pick(COUNTRIES),
                    "destination_country": destination,
                    "consignee": format!("{} {}", ["Baltic", "Nordic", "Eastern", "Global", "Union", "Vector"][rng.below(6)], ["Trading", "Logistics", "Industries", "Supply", "Systems"][rng.below(5)]),
                    "reference": format!("T1-{:06}", rng.below(1_000_000)),
                });
                let verdict = VERDICTS[rng.skewed(VERDICTS.len())];
                let code = CONTROLS[rng.skewed(CONTROLS.len())];
                let controls: Vec<&str> = if verdict == "not_controlled" { Vec::new() } else { vec![code] };
                let outcome = json!({"verdict": verdict, "controls": controls, "note": sentence(&mut rng, &words, 6)});
                let mut at = claimed;
                let mut times = Vec::with_capacity(4);
                for _ in 0..4 {
                    at += 15_000 + rng.below(600_000) as i64;
                    times.push(at);
                }
                let closed = at + 10_000 + rng.below(3_600_000) as i64;
                let (created_s, claimed_s, closed_s) = (timestamp(created), timestamp(claimed), timestamp(closed));
                insert_request
                    .execute(params![
                        id,
                        officer.id,
                        format!("10000000-0000-4000-8000-{n:012x}"),
                        subject,
                        shipment.to_string(),
                        if rng.below(10) == 0 { "urgent" } else { "normal" },
                        expert.id,
                        created_s,
                        claimed_s,
                    ])
                    .expect("request row");
                let created_data = json!({"subject": subject, "priority": "normal"}).to_string();
                insert_event
                    .execute(params![id, 1, "created", created_s, officer.id, None::<String>, created_data])
                    .expect("event");
                let claimed_data = json!({"assignee": expert.json}).to_string();
                insert_event
                    .execute(params![id, 2, "claimed", claimed_s, expert.id, None::<String>, claimed_data])
                    .expect("event");
                for (k, &time) in times.iter().enumerate() {
                    let seq = 3 + k as i64;
                    let (author, cites) = if k % 2 == 0 {
                        (officer, "[]".to_string())
                    } else if controls.is_empty() {
                        (expert, json!([CONTROLS[rng.skewed(CONTROLS.len())]]).to_string())
                    } else {
                        (expert, json!(controls).to_string())
                    };
                    let length = 10 + rng.below(25);
                    let mut body = sentence(&mut rng, &words, length);
                    if k == 0 {
                        body = format!("{item}: {body}");
                    }
                    let message_id = format!("20000000-0000-7000-8000-{:012x}", n * 4 + k);
                    let client_msg_id = format!("30000000-0000-4000-8000-{:012x}", n * 4 + k);
                    insert_message
                        .execute(params![message_id, id, seq, author.id, client_msg_id, body, cites])
                        .expect("message row");
                    insert_event
                        .execute(params![id, seq, "message", timestamp(time), author.id, message_id, "{}"])
                        .expect("event");
                }
                close_request.execute(params![id, closed_s, outcome.to_string()]).expect("close");
                let closed_data = json!({"outcome": outcome}).to_string();
                insert_event
                    .execute(params![id, 7, "closed", closed_s, expert.id, None::<String>, closed_data])
                    .expect("event");
                rows += 12;
            }
        }
        tx.commit().expect("commit");
        done = (done + BATCH).min(REQUESTS);
        eprintln!("review_bench:   {done} requests, {:.1} s", started.elapsed().as_secs_f64());
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;").expect("checkpoint");
    let elapsed = started.elapsed();
    let summaries: i64 =
        conn.query_row("SELECT count(*) FROM review_summary", [], |row| row.get(0)).expect("summaries");
    let codes: i64 = conn.query_row("SELECT count(*) FROM review_codes", [], |row| row.get(0)).expect("codes");
    drop(conn);
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Load { elapsed, rows, summaries: summaries as u64, codes: codes as u64, bytes }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn sentence(rng: &mut Rng, words: &[&str], count: usize) -> String {
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(words[rng.skewed(words.len())]);
    }
    out
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn date_of(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Milliseconds since the epoch → `YYYY-MM-DDTHH:MM:SS.mmmZ`, the server's stored form.
fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!("{}T{:02}:{:02}:{:02}.{:03}Z", date_of(days), rest / 3600, rest / 60 % 60, rest % 60, ms.rem_euclid(1000))
}

struct Row {
    name: String,
    path: String,
    total: u64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

async fn measure(api: &Api, name: &str, path: &str) -> Row {
    let mut samples = Vec::with_capacity(CALLS);
    let mut total = 0;
    for i in 0..WARMUP + CALLS {
        let start = Instant::now();
        let (status, body) = api.get(path).await;
        let elapsed = start.elapsed();
        assert_eq!(status, 200, "GET {path}: {body}");
        // The list answers `total`, the statistics `requests`.
        total = body["total"].as_u64().or_else(|| body["requests"].as_u64()).unwrap_or(0);
        if i >= WARMUP {
            samples.push(elapsed);
        }
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    Row {
        name: name.into(),
        path: path.into(),
        total,
        p50: at(0.50),
        p99: at(0.99),
        max: *samples.last().expect("samples"),
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn print_report(load: &Load, rows: &[Row], exports: &[ExportRow], memory: &ExportMemory, elapsed: Duration) {
    let uptime = Command::new("uptime")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!("### Review latency with {REQUESTS} closed requests ({DAYS} days, 4 messages each)\n");
    println!(
        "Command: `cargo run --release -p hotline-tests --example review_bench` ({cores} cores; whole run {:.0} s)  ",
        elapsed.as_secs_f64()
    );
    println!("`uptime` at the end: `{uptime}`\n");
    println!(
        "Bulk load (rusqlite, {BATCH} requests per transaction, review triggers on): {:.1} s — {:.0} requests/s, {:.0} table rows/s \
         ({} rows in requests, events and messages; {} summaries and FTS5 transcripts, {} code rows); database {:.0} MB\n",
        load.elapsed.as_secs_f64(),
        REQUESTS as f64 / load.elapsed.as_secs_f64(),
        load.rows as f64 / load.elapsed.as_secs_f64(),
        load.rows,
        load.summaries,
        load.codes,
        load.bytes as f64 / 1e6
    );
    println!("{CALLS} sequential calls each over HTTP as a trainer, after {WARMUP} warm-up calls:\n");
    println!("| query | request | matching | p50 ms | p99 ms | max ms |");
    println!("|---|---|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | `GET {}` | {} | {} | {} | {} |",
            row.name,
            row.path,
            row.total,
            ms(row.p50),
            ms(row.p99),
            ms(row.max)
        );
    }
    println!(
        "\nExports (every matching row, no paging), {EXPORT_CALLS} calls each after one warm-up, the whole body read:\n"
    );
    println!("| export | rows | MB | p50 ms | max ms | rows/s |");
    println!("|---|---:|---:|---:|---:|---:|");
    for row in exports {
        println!(
            "| {} | {} | {:.1} | {} | {} | {:.0} |",
            row.name,
            row.rows,
            row.bytes as f64 / 1e6,
            ms(row.p50),
            ms(row.max),
            row.rows as f64 / row.p50.as_secs_f64()
        );
    }
    println!(
        "\nServer memory: VmRSS {:.0} MiB before the exports, peak (VmHWM) {:.0} MiB after them.",
        memory.rss_before as f64 / 1024.0,
        memory.peak as f64 / 1024.0
    );
}
