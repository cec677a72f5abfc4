//! `field sync` against the real server: a changed catalogue downloads once, the next sync is a 304, and a
//! download damaged on the way is rejected with the old catalogue kept and still searchable.

use hotline_tests::TestServer;
use hotline_tests::field::{Field, Proxy, ProxyMode};

fn ccl_json() -> String {
    format!("ccl-json:{}/../../shared/data/ccl/ccl.json", env!("CARGO_MANIFEST_DIR"))
}

/// How many control entries a search for 2B001 finds offline.
fn control_hits(field: &Field) -> u64 {
    let run = field.run(&["search", "--json", "--kind", "control", "2B001"]).success();
    run.json()["hits"].as_array().expect("hits").len() as u64
}

#[test]
fn sync_downloads_a_changed_catalogue_once_then_gets_304_and_rejects_a_corrupted_one() {
    let server = TestServer::start_with(&["--import", &ccl_json()]);
    let password = server.add_user("officer", "officer");
    let proxy = Proxy::start(server.port, ProxyMode::CorruptAt(20_000), 5);
    let field = Field::new();
    field.login(&proxy.url(), "officer", &password);

    // Before any sync the built-in starter catalogue is set up: identification cards, no CCL entries.
    assert_eq!(control_hits(&field), 0);

    let rejected = field.run(&["sync"]).plain_failure();
    assert!(rejected.stderr.contains("rejected") && rejected.stderr.contains("kept"), "{}", rejected.stderr);
    assert_eq!(control_hits(&field), 0, "the old catalogue is kept and still searches");
    assert!(!field.home.path().join("catalogue-download.part").exists(), "the damaged download is removed");

    proxy.set_mode(ProxyMode::Pass);
    let first = field.run(&["sync"]).success();
    assert!(first.stdout.contains("catalogue updated"), "{}", first.stdout);
    assert!(control_hits(&field) >= 1, "the synced catalogue has the CCL");

    let before = proxy.status_lines().len();
    let second = field.run(&["sync"]).success();
    assert!(second.stdout.contains("already up to date"), "{}", second.stdout);
    let statuses = proxy.status_lines()[before..].to_vec();
    assert!(statuses.iter().any(|line| line.starts_with("HTTP/1.1 304")), "no 304 on the wire: {statuses:?}");
    assert!(control_hits(&field) >= 1);
}

#[test]
fn sync_without_login_and_login_without_server_fail_with_plain_messages() {
    let field = Field::new();
    let run = field.run(&["sync"]).plain_failure();
    assert!(run.stderr.contains("field login"), "{}", run.stderr);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    let run = field
        .run_with_stdin(&["login", "--server", &nowhere, "--username", "u", "--password-stdin"], "pw\n")
        .plain_failure();
    assert!(run.stderr.contains("cannot reach the server"), "{}", run.stderr);
}
