//! Versioned schema migrations, applied in order at open; `PRAGMA user_version` holds the applied version.

use rusqlite::Connection;

use super::StoreResult;

/// Each migration, in order; index + 1 is its version. Never edit one that has shipped: add another.
const MIGRATIONS: &[&str] = &[
    // 1: accounts, sessions, requests and their timeline, attachments, read marks.
    r#"
    CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE,
        display_name  TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('officer', 'expert', 'trainer', 'admin')),
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash  TEXT PRIMARY KEY,
        user_id     TEXT NOT NULL REFERENCES users(id),
        created_at  TEXT NOT NULL,
        expires_at  INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions(user_id);
    CREATE TABLE requests (
        id                TEXT PRIMARY KEY,
        officer_id        TEXT NOT NULL REFERENCES users(id),
        client_request_id TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('waiting', 'claimed', 'closed')),
        subject           TEXT NOT NULL,
        shipment          TEXT NOT NULL,
        priority          TEXT NOT NULL,
        assignee_id       TEXT REFERENCES users(id),
        created_at        TEXT NOT NULL,
        claimed_at        TEXT,
        closed_at         TEXT,
        last_seq          INTEGER NOT NULL DEFAULT 0,
        outcome           TEXT,
        screening         TEXT,
        UNIQUE (officer_id, client_request_id)
    );
    CREATE INDEX requests_by_status ON requests(status, created_at);
    CREATE TABLE messages (
        id            TEXT PRIMARY KEY,
        request_id    TEXT NOT NULL REFERENCES requests(id),
        seq           INTEGER NOT NULL,
        author_id     TEXT NOT NULL REFERENCES users(id),
        client_msg_id TEXT NOT NULL,
        body          TEXT NOT NULL,
        attachments   TEXT NOT NULL,
        cites         TEXT NOT NULL,
        UNIQUE (author_id, client_msg_id)
    );
    CREATE TABLE events (
        request_id  TEXT NOT NULL REFERENCES requests(id),
        seq         INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        at          TEXT NOT NULL,
        author_id   TEXT REFERENCES users(id),
        message_id  TEXT REFERENCES messages(id),
        data        TEXT NOT NULL,
        PRIMARY KEY (request_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE attachments (
        id            TEXT PRIMARY KEY,
        request_id    TEXT NOT NULL REFERENCES requests(id),
        uploader_id   TEXT NOT NULL REFERENCES users(id),
        content_type  TEXT NOT NULL,
        width         INTEGER NOT NULL,
        height        INTEGER NOT NULL,
        bytes         INTEGER NOT NULL,
        created_at    TEXT NOT NULL
    );
    CREATE INDEX attachments_by_request ON attachments(request_id);
    CREATE TABLE read_marks (
        request_id  TEXT NOT NULL REFERENCES requests(id),
        user_id     TEXT NOT NULL REFERENCES users(id),
        seq         INTEGER NOT NULL,
        PRIMARY KEY (request_id, user_id)
    ) WITHOUT ROWID;
    "#,
    // 2: review. Trainers' annotations; a per-server random secret for officer pseudonyms; `transcript_fts`, an
    // FTS5 index over each request's subject and shipment text and every message body. Triggers fill it inside
    // the same transaction as the insert (requests and messages are never updated or deleted), so the index is
    // always in step with the timeline; existing rows are indexed here once.
    r#"
    CREATE TABLE annotations (
        id            TEXT PRIMARY KEY,
        request_id    TEXT NOT NULL REFERENCES requests(id),
        author_id     TEXT NOT NULL REFERENCES users(id),
        training_case INTEGER NOT NULL,
        note          TEXT NOT NULL,
        created_at    TEXT NOT NULL
    );
    CREATE INDEX annotations_by_request ON annotations(request_id, created_at);
    CREATE INDEX requests_by_created ON requests(created_at);
    CREATE INDEX messages_by_request ON messages(request_id, seq);
    CREATE TABLE server_secrets (
        name   TEXT PRIMARY KEY,
        value  BLOB NOT NULL
    );
    INSERT INTO server_secrets (name, value) VALUES ('officer_pseudonym_key', randomblob(32));
    CREATE VIRTUAL TABLE transcript_fts USING fts5(
        request_id UNINDEXED,
        text,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER transcript_fts_request AFTER INSERT ON requests BEGIN
        INSERT INTO transcript_fts (request_id, text) VALUES (new.id, concat_ws(' ', new.subject,
            json_extract(new.shipment, '$.declared_description'), json_extract(new.shipment, '$.hs_code'),
            json_extract(new.shipment, '$.origin_country'), json_extract(new.shipment, '$.destination_country'),
            json_extract(new.shipment, '$.consignee'), json_extract(new.shipment, '$.reference')));
    END;
    CREATE TRIGGER transcript_fts_message AFTER INSERT ON messages BEGIN
        INSERT INTO transcript_fts (request_id, text) VALUES (new.request_id, new.body);
    END;
    INSERT INTO transcript_fts (request_id, text)
        SELECT id, concat_ws(' ', subject, json_extract(shipment, '$.declared_description'), json_extract(shipment, '$.hs_code'),
            json_extract(shipment, '$.origin_country'), json_extract(shipment, '$.destination_country'),
            json_extract(shipment, '$.consignee'), json_extract(shipment, '$.reference'))
        FROM requests;
    INSERT INTO transcript_fts (request_id, text) SELECT request_id, body FROM messages;
    "#,
    // 3: review summaries, so that trainers' queries read narrow indexed rows instead of every request's JSON.
    // `review_summary` holds one row per closed request (its own `id` is the key of the two tables below):
    // times, verdict, officer, assignee, time to first expert message and to close in milliseconds.
    // `review_codes` holds each closed request's distinct codes (outcome controls and cited codes, upper-cased)
    // for the `control` filter and `by_control`. `review_transcripts` replaces `transcript_fts`: one contentless
    // FTS5 row per closed request (rowid = summary id) with its subject, shipment text and every message body,
    // each part separated by U+E000 (a token no search word can contain, so no phrase spans two parts).
    //
    // One trigger, `review_summarize`, computes all three from the request's current rows whenever a closed
    // request's status, assignee, closing time or outcome is set; the other triggers re-run it (through a no-op
    // `SET status = status`) when a closed request is inserted or gets a message or a message event, and
    // `review_unsummarize` removes them if a request ever leaves `closed`. They run inside the writer's
    // transaction, so the summaries are never behind or ahead of the timeline. The server closes a request once
    // after its messages, so the transcript is tokenised once, at close. Existing closed requests are summarised
    // by the same trigger at the end of this migration.
    r#"
    DROP TRIGGER transcript_fts_request;
    DROP TRIGGER transcript_fts_message;
    DROP TABLE transcript_fts;
    CREATE TABLE review_summary (
        id                INTEGER PRIMARY KEY,
        request_id        TEXT NOT NULL UNIQUE REFERENCES requests(id),
        request_rowid     INTEGER NOT NULL,
        created_at        TEXT NOT NULL,
        closed_at         TEXT,
        verdict           TEXT,
        officer_id        TEXT NOT NULL,
        assignee_id       TEXT,
        first_response_ms INTEGER,
        resolution_ms     INTEGER
    );
    CREATE INDEX review_summary_by_created
        ON review_summary(created_at, request_rowid, verdict, first_response_ms, resolution_ms);
    CREATE INDEX review_summary_by_verdict ON review_summary(verdict, created_at, request_rowid);
    CREATE INDEX review_summary_by_officer ON review_summary(officer_id, created_at, request_rowid);
    CREATE INDEX review_summary_by_assignee ON review_summary(assignee_id, created_at, request_rowid);
    CREATE TABLE review_codes (
        code        TEXT NOT NULL,
        summary_id  INTEGER NOT NULL,
        PRIMARY KEY (code, summary_id)
    ) WITHOUT ROWID;
    CREATE INDEX review_codes_by_summary ON review_codes(summary_id, code);
    CREATE VIRTUAL TABLE review_transcripts USING fts5(
        text,
        content = '',
        contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER review_summarize AFTER UPDATE OF status, assignee_id, closed_at, outcome ON requests
    WHEN new.status = 'closed' BEGIN
        DELETE FROM review_codes WHERE summary_id = (SELECT id FROM review_summary WHERE request_id = new.id);
        DELETE FROM review_transcripts WHERE rowid = (SELECT id FROM review_summary WHERE request_id = new.id);
        INSERT INTO review_summary (request_id, request_rowid, created_at, closed_at, verdict, officer_id, assignee_id,
                                    first_response_ms, resolution_ms)
        VALUES (new.id, new.rowid, new.created_at, new.closed_at, json_extract(new.outcome, '$.verdict'),
                new.officer_id, new.assignee_id,
                (SELECT CAST(round((julianday(min(e.at)) - julianday(new.created_at)) * 86400000.0) AS INTEGER)
                 FROM events e JOIN users u ON u.id = e.author_id
                 WHERE e.request_id = new.id AND e.kind = 'message' AND u.role = 'expert' AND e.at >= new.created_at),
                CAST(round((julianday(new.closed_at) - julianday(new.created_at)) * 86400000.0) AS INTEGER))
        ON CONFLICT (request_id) DO UPDATE SET request_rowid = excluded.request_rowid,
            created_at = excluded.created_at, closed_at = excluded.closed_at, verdict = excluded.verdict,
            officer_id = excluded.officer_id, assignee_id = excluded.assignee_id,
            first_response_ms = excluded.first_response_ms, resolution_ms = excluded.resolution_ms;
        INSERT INTO review_codes (code, summary_id)
            SELECT upper(j.value), s.id FROM review_summary s, json_each(new.outcome, '$.controls') j
            WHERE s.request_id = new.id AND j.type = 'text'
            UNION
            SELECT upper(j.value), s.id FROM review_summary s, messages m, json_each(m.cites) j
            WHERE s.request_id = new.id AND m.request_id = new.id AND j.type = 'text';
        INSERT INTO review_transcripts (rowid, text)
            SELECT s.id, concat_ws(' ' || char(57344) || ' ',
                concat_ws(' ', new.subject, json_extract(new.shipment, '$.declared_description'),
                    json_extract(new.shipment, '$.hs_code'), json_extract(new.shipment, '$.origin_country'),
                    json_extract(new.shipment, '$.destination_country'), json_extract(new.shipment, '$.consignee'),
                    json_extract(new.shipment, '$.reference')),
                (SELECT group_concat(m.body, ' ' || char(57344) || ' ') FROM messages m WHERE m.request_id = new.id))
            FROM review_summary s WHERE s.request_id = new.id;
    END;
    CREATE TRIGGER review_unsummarize AFTER UPDATE OF status ON requests
    WHEN old.status = 'closed' AND new.status <> 'closed' BEGIN
        DELETE FROM review_codes WHERE summary_id = (SELECT id FROM review_summary WHERE request_id = old.id);
        DELETE FROM review_transcripts WHERE rowid = (SELECT id FROM review_summary WHERE request_id = old.id);
        DELETE FROM review_summary WHERE request_id = old.id;
    END;
    CREATE TRIGGER review_closed_insert AFTER INSERT ON requests WHEN new.status = 'closed' BEGIN
        UPDATE requests SET status = status WHERE id = new.id;
    END;
    CREATE TRIGGER review_message AFTER INSERT ON messages BEGIN
        UPDATE requests SET status = status WHERE id = new.request_id AND status = 'closed';
    END;
    CREATE TRIGGER review_message_event AFTER INSERT ON events WHEN new.kind = 'message' BEGIN
        UPDATE requests SET status = status WHERE id = new.request_id AND status = 'closed';
    END;
    UPDATE requests SET status = status WHERE status = 'closed';
    INSERT INTO review_transcripts (review_transcripts) VALUES ('optimize');
    "#,
    // 4: idempotent uploads. `client_upload_id` is the uploader's own id for a photo (the `Idempotency-Key`
    // header), unique per uploader, so a retried upload finds the photo stored the first time.
    r#"
    ALTER TABLE attachments ADD COLUMN client_upload_id TEXT;
    CREATE UNIQUE INDEX attachments_by_client_upload ON attachments(uploader_id, client_upload_id)
        WHERE client_upload_id IS NOT NULL;
    "#,
];

/// The schema version this build expects.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every migration newer than the database's version, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> StoreResult<()> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Applies the migrations newer than the database's version up to `target` (tests start from older versions).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> StoreResult<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(super::StoreError::Sqlite(format!(
            "the database has schema version {current}, newer than this server's {SCHEMA_VERSION}; run a newer server"
        )));
    }
    let target = target.clamp(0, SCHEMA_VERSION) as usize;
    for (index, sql) in MIGRATIONS.iter().enumerate().take(target).skip(current as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}
