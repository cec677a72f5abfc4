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
];

/// The schema version this build expects.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every migration newer than the database's version, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(super::StoreError::Sqlite(format!(
            "the database has schema version {current}, newer than this server's {SCHEMA_VERSION}; run a newer server"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}
