//! `serve --demo`: the demo users, created once with random passwords kept in `DATA_DIR/demo-credentials.txt`.

use std::io::Write;
use std::path::Path;

use hotline_protocol::Role;

use crate::auth::{password, tokens};
use crate::clock::Clock;
use crate::store::{Store, users};

/// The demo accounts: username, role, display name.
pub const DEMO_USERS: [(&str, Role, &str); 5] = [
    ("officer", Role::Officer, "Demo Officer"),
    ("expert", Role::Expert, "Demo Expert"),
    ("expert2", Role::Expert, "Second Demo Expert"),
    ("trainer", Role::Trainer, "Demo Trainer"),
    ("admin", Role::Admin, "Demo Admin"),
];

/// Creates the missing demo users; their passwords are printed once (stderr) and appended to the file.
pub async fn ensure_demo_users(store: &Store, data_dir: &Path, clock: &Clock) -> anyhow::Result<()> {
    let file = data_dir.join("demo-credentials.txt");
    for (username, role, display_name) in DEMO_USERS {
        let lookup = username.to_string();
        if store.readers.read(move |conn| users::find_by_username(conn, &lookup)).await?.is_some() {
            continue;
        }
        let secret = tokens::new_password();
        let hash = password::hash(secret.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let now = clock.now_rfc3339();
        store.writer.write(move |conn| users::insert_user(conn, username, display_name, role, &hash, &now)).await?;
        append_credentials(&file, username, &secret)?;
        eprintln!("demo user {username} ({role}) created with password {secret} (kept in {})", file.display());
    }
    Ok(())
}

fn append_credentials(file: &Path, username: &str, secret: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(file)?;
    writeln!(out, "{username}:{secret}")?;
    out.sync_all()?;
    Ok(())
}
