//! Sessions: opaque tokens stored only as their SHA-256, with an expiry.

use hotline_protocol::User;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreResult;
use super::users::user_from_row;

/// Stores a new session.
pub fn insert_session(
    conn: &Connection,
    token_hash: &str,
    user_id: &str,
    now: &str,
    expires_at: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user_id, now, expires_at],
    )?;
    Ok(())
}

/// The user of an unexpired session.
pub fn find_session(conn: &Connection, token_hash: &str, now_unix: i64) -> StoreResult<Option<User>> {
    Ok(conn
        .query_row(
            "SELECT u.id, u.username, u.display_name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            params![token_hash, now_unix],
            |row| user_from_row(row, 0),
        )
        .optional()?)
}

/// Revokes a session; also drops expired ones while at it.
pub fn delete_session(conn: &Connection, token_hash: &str, now_unix: i64) -> StoreResult<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1 OR expires_at <= ?2", params![token_hash, now_unix])?;
    Ok(())
}
