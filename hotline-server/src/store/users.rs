//! Accounts: creating users and finding them by name or id.

use hotline_protocol::{Role, User};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, StoreResult};

/// Reads a user from four columns starting at `at`: id, username, display_name, role.
pub fn user_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<User> {
    let role: String = row.get(at + 3)?;
    Ok(User {
        id: row.get(at)?,
        username: row.get(at + 1)?,
        display_name: row.get(at + 2)?,
        role: Role::parse(&role).unwrap_or(Role::Officer),
    })
}

/// Like [`user_from_row`] for a LEFT JOIN: `None` when the id column is NULL.
pub fn optional_user_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<User>> {
    let id: Option<String> = row.get(at)?;
    match id {
        Some(_) => user_from_row(row, at).map(Some),
        None => Ok(None),
    }
}

/// Creates a user; a taken username is a conflict.
pub fn insert_user(
    conn: &Connection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    now: &str,
) -> StoreResult<User> {
    if find_by_username(conn, username)?.is_some() {
        return Err(StoreError::Conflict {
            code: "username_taken",
            message: format!("a user named {username:?} already exists"),
        });
    }
    let id = uuid::Uuid::now_v7().to_string();
    conn.execute(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, username, display_name, role.as_str(), password_hash, now],
    )?;
    Ok(User { id, username: username.into(), display_name: display_name.into(), role })
}

/// A user by username.
pub fn find_by_username(conn: &Connection, username: &str) -> StoreResult<Option<User>> {
    Ok(conn
        .query_row("SELECT id, username, display_name, role FROM users WHERE username = ?1", [username], |row| {
            user_from_row(row, 0)
        })
        .optional()?)
}

/// A user and their password hash, for login.
pub fn find_login(conn: &Connection, username: &str) -> StoreResult<Option<(User, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, username, display_name, role, password_hash FROM users WHERE username = ?1",
            [username],
            |row| Ok((user_from_row(row, 0)?, row.get(4)?)),
        )
        .optional()?)
}
