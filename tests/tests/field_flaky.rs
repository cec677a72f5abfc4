//! `field chat` over a link that keeps breaking: a TCP proxy cuts the officer's connections at seeded random
//! points; 200 messages each way still arrive whole, in order and without duplicates.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use hotline_tests::TestServer;
use hotline_tests::field::{Field, Proxy, ProxyMode};
use serde_json::json;

const MESSAGES: usize = 200;
/// How long the whole conversation may take.
const DEADLINE: Duration = Duration::from_secs(240);

/// Waits for the chat to print a line containing `needle`, collecting every line seen.
fn wait_for_line(lines: &Receiver<String>, seen: &mut Vec<String>, needle: &str, deadline: Instant) {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(_) => {
                panic!("the chat never showed {needle:?}; its last lines: {:?}", &seen[seen.len().saturating_sub(10)..])
            }
        }
    }
}

/// The numbers of the lines that carry `prefix NNN`, in the order shown.
fn numbered(lines: &[String], prefix: &str) -> Vec<usize> {
    lines
        .iter()
        .filter_map(|line| line.split(prefix).nth(1))
        .map(|rest| rest.trim().parse::<usize>().expect("a message number"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_over_a_link_that_keeps_breaking_arrives_whole_in_order_once() {
    let server = TestServer::start();
    let password = server.add_user("officer", "officer");
    let expert = server.user("expert", "expert").await;
    let proxy = Proxy::start(server.port, ProxyMode::Pass, 0x5eed);
    let field = Field::new();
    field.login(&proxy.url(), "officer", &password);
    let asked = field.run(&["ask", "--subject", "Vacuum pump", "--json"]).success().json();
    let request_id = asked["request"]["id"].as_str().unwrap().to_string();

    let mut ws = expert.ws().await;
    ws.send(json!({"type": "claim", "request_id": request_id})).await;
    ws.recv_until(|f| f["type"] == "request" && f["request"]["status"] == "claimed").await;

    // From here on every officer connection dies after 1.5 to 24 kB.
    proxy.set_mode(ProxyMode::Flaky { min: 1_500, max: 24_000 });
    let mut chat = field
        .command()
        .args(["chat", &request_id])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chat starts");
    let stdout = chat.stdout.take().unwrap();
    let (sender, lines) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdin = chat.stdin.take().unwrap();
    let typed: String = (0..MESSAGES).map(|n| format!("officer line {n:03}\n")).collect();
    stdin.write_all(typed.as_bytes()).unwrap();
    stdin.flush().unwrap();

    for n in 0..MESSAGES {
        let ack = ws.send_message(&request_id, &hotline_tests::uuid(), &format!("expert line {n:03}")).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }

    let deadline = Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    wait_for_line(&lines, &mut seen, &format!("expert line {:03}", MESSAGES - 1), deadline);
    wait_for_line(&lines, &mut seen, &format!("you: officer line {:03}", MESSAGES - 1), deadline);
    // End of input: the chat delivers what is still queued, then leaves.
    drop(stdin);
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(chat.wait_with_output());
    });
    let output = finished.recv_timeout(DEADLINE).expect("the chat ends after its input").expect("exit status");
    assert!(output.status.success(), "chat failed: {}", String::from_utf8_lossy(&output.stderr));
    reader.join().unwrap();
    seen.extend(lines.try_iter());

    let (connections, cuts) = proxy.connections_and_cuts();
    eprintln!("the proxy cut {cuts} of {connections} officer connections");
    assert!(cuts >= 5, "the link broke only {cuts} times");

    let all: Vec<usize> = (0..MESSAGES).collect();
    assert_eq!(numbered(&seen, "expert line "), all, "the chat showed the expert's messages out of order or twice");
    assert_eq!(
        numbered(&seen, "you: officer line "),
        all,
        "the chat showed the officer's messages out of order or twice"
    );

    let events = expert.all_events(&request_id).await;
    let bodies: Vec<String> = events
        .iter()
        .filter(|e| e["kind"] == "message")
        .map(|e| e["message"]["body"].as_str().unwrap().to_string())
        .collect();
    let officer: Vec<usize> = numbered(&bodies, "officer line ");
    assert_eq!(officer, all, "the server holds the officer's messages out of order or twice");
    assert_eq!(numbered(&bodies, "expert line "), all);
    assert_eq!(field.run(&["outbox", "--json"]).success().json()["entries"], json!([]));
}
