//! Tests of migration 3's review triggers through the store's own write functions: a request is summarised when
//! it closes (times, codes, transcript), follows later changes, leaves review if it ever reopens, and the
//! migration summarises requests closed before it.

use hotline_protocol::{NewRequest, Outcome, Role, Shipment, User, Verdict};
use rusqlite::Connection;

use super::{ReviewFilter, list, stats};
use crate::access::Caller;
use crate::store::Store;
use crate::store::events::{NewMessage, append_message};
use crate::store::requests::{claim, close, create_request};
use crate::store::users::insert_user;

fn user(conn: &Connection, name: &str, role: Role) -> Caller {
    Caller { user: insert_user(conn, name, name, role, "not-a-hash", "2026-09-01T00:00:00.000Z").unwrap() }
}

fn new_request(n: u32, subject: &str) -> NewRequest {
    NewRequest {
        client_request_id: format!("00000000-0000-4000-8000-{n:012}"),
        subject: subject.into(),
        shipment: Shipment {
            declared_description: "machine parts".into(),
            hs_code: Some("8459.61".into()),
            ..Default::default()
        },
        priority: None,
        body: Some("Photo of the nameplate attached".into()),
    }
}

fn message(request_id: &str, n: u32, body: &str, cites: &[&str]) -> NewMessage {
    NewMessage {
        request_id: request_id.into(),
        client_msg_id: format!("10000000-0000-4000-8000-{n:012}"),
        body: body.into(),
        attachments: Vec::new(),
        cites: cites.iter().map(|c| c.to_string()).collect(),
    }
}

fn ids(conn: &Connection, caller: &Caller, filter: ReviewFilter) -> Vec<String> {
    let (total, requests) = list(conn, caller, &filter, 500, 0).unwrap();
    assert_eq!(total as usize, requests.len());
    requests.into_iter().map(|r| r.id).collect()
}

fn words(q: &str) -> ReviewFilter {
    ReviewFilter { q: Some(q.into()), ..Default::default() }
}

fn control(code: &str) -> ReviewFilter {
    ReviewFilter { control: Some(code.into()), ..Default::default() }
}

struct Desk {
    _dir: tempfile::TempDir,
    conn: Connection,
    officer: Caller,
    expert: Caller,
    trainer: Caller,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let conn = Store::open_direct(&dir.path().join("hotline.sqlite3")).unwrap();
    let officer = user(&conn, "olga", Role::Officer);
    let expert = user(&conn, "erik", Role::Expert);
    let trainer = user(&conn, "tom", Role::Trainer);
    Desk { _dir: dir, conn, officer, expert, trainer }
}

/// A summary's first response and resolution (ms), verdict and assignee.
type Summary = (Option<i64>, Option<i64>, Option<String>, Option<String>);

fn summary(conn: &Connection, id: &str) -> Option<Summary> {
    conn.query_row(
        "SELECT first_response_ms, resolution_ms, verdict, assignee_id FROM review_summary WHERE request_id = ?1",
        [id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )
    .ok()
}

#[test]
fn a_request_is_summarised_when_it_closes_and_follows_later_changes() {
    let Desk { _dir, conn, officer, expert, trainer } = desk();
    let id = create_request(&conn, &officer, &new_request(1, "Inconel tube"), None, "2026-09-01T08:00:00.000Z")
        .unwrap()
        .request
        .id;
    claim(&conn, &expert, &id, "2026-09-01T08:00:05.000Z").unwrap();
    append_message(
        &conn,
        &expert,
        &message(&id, 1, "Which spindle axes?", &["2b001", " 1c010 "]),
        "2026-09-01T08:01:30.250Z",
    )
    .unwrap();
    append_message(&conn, &officer, &message(&id, 2, "Five axes, see plate", &[]), "2026-09-01T08:02:00.000Z").unwrap();
    assert_eq!(summary(&conn, &id), None, "open requests are not summarised");
    assert!(ids(&conn, &trainer, words("spindle")).is_empty(), "nor searchable");

    let only = vec![id.clone()];
    let outcome =
        Outcome { verdict: Verdict::Controlled, controls: vec!["2B001".into(), "9a004".into()], note: String::new() };
    close(&conn, &expert, &id, &outcome, "2026-09-01T09:00:00.500Z").unwrap();
    let first_response_ms = 90_250;
    let resolution_ms = 3_600_500;
    assert_eq!(
        summary(&conn, &id),
        Some((Some(first_response_ms), Some(resolution_ms), Some("controlled".into()), Some(expert.id().into())))
    );
    for q in ["spindle", "nameplate", "INCONEL tube", "8459", "axes plate", "machine parts"] {
        assert_eq!(ids(&conn, &trainer, words(q)), only, "q={q}");
    }
    // Every word somewhere; a word nowhere, or with no token at all, finds nothing.
    assert!(ids(&conn, &trainer, words("spindle zzz")).is_empty());
    assert!(ids(&conn, &trainer, words("spindle \u{0901}")).is_empty());
    for code in ["2B", "2b001", "9A", "9A004"] {
        assert_eq!(ids(&conn, &trainer, control(code)), only, "control={code}");
    }
    // As before the summaries: a cited code matches from its first character, untrimmed.
    assert!(ids(&conn, &trainer, control("1C")).is_empty());
    assert!(ids(&conn, &trainer, control("5A")).is_empty());
    let figures = stats(&conn, &trainer, &ReviewFilter::default()).unwrap();
    assert_eq!(figures.requests, 1);
    assert_eq!(figures.first_response_s.p50, Some(90.25));
    assert_eq!(figures.resolution_s.p90, Some(3600.5));
    let codes: Vec<(&str, u64)> = figures.by_control.iter().map(|(code, n)| (code.as_str(), *n)).collect();
    assert_eq!(codes, [("1C010", 1), ("2B001", 1), ("9A004", 1)]);

    // A message and a message event on the closed request (the server refuses them; SQL alone does not).
    conn.execute_batch(&format!(
        "INSERT INTO messages (id, request_id, seq, author_id, client_msg_id, body, attachments, cites)
             VALUES ('late', '{id}', 9, '{expert}', 'late', 'magnetometer too', '[]', '[\"5A002\"]');
         INSERT INTO events (request_id, seq, kind, at, author_id, message_id, data)
             VALUES ('{id}', 9, 'message', '2026-09-01T08:00:01.000Z', '{expert}', 'late', '{{}}');",
        expert = expert.id()
    ))
    .unwrap();
    assert_eq!(ids(&conn, &trainer, words("magnetometer spindle")), only);
    assert_eq!(ids(&conn, &trainer, control("5a")), only);
    assert_eq!(summary(&conn, &id).unwrap().0, Some(1000), "the earlier expert message is now the first response");

    // Leaving `closed` takes it out of review whole.
    conn.execute("UPDATE requests SET status = 'claimed' WHERE id = ?1", [&id]).unwrap();
    assert_eq!(summary(&conn, &id), None);
    assert!(ids(&conn, &trainer, words("spindle")).is_empty());
    let left: i64 = conn.query_row("SELECT count(*) FROM review_codes", [], |row| row.get(0)).unwrap();
    assert_eq!(left, 0);
}

#[test]
fn ties_keep_insertion_order_and_filters_combine() {
    let Desk { _dir, conn, officer, expert, trainer } = desk();
    let at = "2026-09-02T10:00:00.000Z";
    let mut made = Vec::new();
    for n in 0..30 {
        let id =
            create_request(&conn, &officer, &new_request(n, &format!("Gyroscope {n}")), None, at).unwrap().request.id;
        claim(&conn, &expert, &id, at).unwrap();
        let code = if n % 3 == 0 { "2B001" } else { "1C010" };
        append_message(&conn, &expert, &message(&id, n, "checked", &[code]), at).unwrap();
        made.push((id, n % 3 == 0, n % 2 == 0));
    }
    // All created in the same millisecond and closed in reverse order: the list still orders by creation time,
    // then by insertion.
    for (n, (id, _, controlled)) in made.iter().enumerate().rev() {
        let verdict = if *controlled { Verdict::Controlled } else { Verdict::Referred };
        close(
            &conn,
            &expert,
            id,
            &Outcome { verdict, controls: Vec::new(), note: String::new() },
            &format!("2026-09-02T11:00:{n:02}.000Z"),
        )
        .unwrap();
    }
    let newest_first: Vec<String> = made.iter().rev().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(ids(&conn, &trainer, ReviewFilter::default()), newest_first);
    assert_eq!(ids(&conn, &trainer, words("gyroscope")), newest_first);
    let expected: Vec<String> = made.iter().rev().filter(|(_, b, c)| *b && *c).map(|(id, _, _)| id.clone()).collect();
    let filter = ReviewFilter {
        control: Some("2b".into()),
        verdict: Some("controlled".into()),
        q: Some("checked".into()),
        ..Default::default()
    };
    assert_eq!(ids(&conn, &trainer, filter), expected);
    let (total, page) = list(&conn, &trainer, &words("gyroscope"), 7, 21).unwrap();
    assert_eq!(total, 30);
    assert_eq!(page.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), newest_first[21..28]);
    // A small set is looked up by id instead of tested against every summary.
    assert_eq!(ids(&conn, &trainer, words("gyroscope 7")), vec![made[7].0.clone()]);
    let few = stats(&conn, &trainer, &words("gyroscope 7")).unwrap();
    assert_eq!((few.requests, few.by_control.get("1C010").copied(), few.by_control.len()), (1, Some(1), 1));
    let day = ReviewFilter { from: Some("2026-09-02".into()), to: Some("2026-09-02".into()), ..Default::default() };
    assert_eq!(ids(&conn, &trainer, day).len(), 30);
    let expert_filter = ReviewFilter { expert: Some("erik".into()), ..Default::default() };
    assert_eq!(ids(&conn, &trainer, expert_filter).len(), 30);
    let nobody = ReviewFilter { expert: Some("nobody".into()), ..Default::default() };
    assert!(ids(&conn, &trainer, nobody).is_empty());
}

#[test]
fn the_migration_summarises_requests_closed_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("hotline.sqlite3")).unwrap();
    crate::store::migrations::migrate_to(&mut conn, 2).unwrap();
    let officer: User = insert_user(&conn, "olga", "olga", Role::Officer, "x", "2026-09-01T00:00:00.000Z").unwrap();
    let expert: User = insert_user(&conn, "erik", "erik", Role::Expert, "x", "2026-09-01T00:00:00.000Z").unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO requests (id, officer_id, client_request_id, status, subject, shipment, priority, assignee_id,
                               created_at, claimed_at, closed_at, last_seq, outcome)
             VALUES ('r1', '{o}', 'c1', 'closed', 'Thermal camera', '{{\"declared_description\":\"optics\"}}', 'normal', '{e}',
                     '2026-09-03T08:00:00.000Z', '2026-09-03T08:00:01.000Z', '2026-09-03T08:10:00.000Z', 2,
                     '{{\"verdict\":\"licence_check\",\"controls\":[\"6A003.b.4\"],\"note\":\"\"}}'),
                    ('r2', '{o}', 'c2', 'waiting', 'Pump', '{{}}', 'normal', NULL, '2026-09-03T09:00:00.000Z', NULL, NULL, 0, NULL);
         INSERT INTO messages (id, request_id, seq, author_id, client_msg_id, body, attachments, cites)
             VALUES ('m1', 'r1', 2, '{e}', 'k1', 'uncooled microbolometer', '[]', '[\"6A003\"]');
         INSERT INTO events (request_id, seq, kind, at, author_id, message_id, data)
             VALUES ('r1', 2, 'message', '2026-09-03T08:00:42.000Z', '{e}', 'm1', '{{}}');",
        o = officer.id,
        e = expert.id
    ))
    .unwrap();
    crate::store::migrations::migrate(&mut conn).unwrap();
    assert_eq!(
        summary(&conn, "r1"),
        Some((Some(42_000), Some(600_000), Some("licence_check".into()), Some(expert.id.clone())))
    );
    assert_eq!(summary(&conn, "r2"), None);
    let trainer =
        Caller { user: insert_user(&conn, "tom", "tom", Role::Trainer, "x", "2026-09-01T00:00:00.000Z").unwrap() };
    assert_eq!(ids(&conn, &trainer, words("microbolometer optics")), ["r1"]);
    assert_eq!(ids(&conn, &trainer, control("6a003")), ["r1"]);
    assert_eq!(ids(&conn, &trainer, control("6a003.")), ["r1"]);
}
