//! The signed-in session kept in `--home`: server URL, token and user, in a file only its owner can read.

use std::io::Write;
use std::path::Path;

use hotline_protocol::User;
use serde::{Deserialize, Serialize};

use crate::error::{ClientError, Result};

/// What `field login` keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Base URL, e.g. `http://hotline.example:8080`, without a trailing slash.
    pub server: String,
    pub token: String,
    pub expires_at: String,
    pub user: User,
}

impl Session {
    /// Reads the session file; `NotLoggedIn` when there is none.
    pub fn load(path: &Path) -> Result<Session> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ClientError::NotLoggedIn),
            Err(e) => return Err(ClientError::io(path, e)),
        };
        serde_json::from_str(&text).map_err(|_| ClientError::NotLoggedIn)
    }

    /// Writes the session file atomically with mode 0600 (the token is a credential).
    pub fn save(&self, path: &Path) -> Result<()> {
        let staging = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&staging).map_err(|e| ClientError::io(&staging, e))?;
        #[cfg(unix)]
        {
            // The mode above applies only to a new file; an old staging file keeps its own.
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| ClientError::io(&staging, e))?;
        }
        file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| ClientError::io(&staging, e))?;
        std::fs::rename(&staging, path).map_err(|e| ClientError::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.json");
        assert!(matches!(Session::load(&path), Err(ClientError::NotLoggedIn)));
        let session = Session {
            server: "http://127.0.0.1:1".into(),
            token: "secret".into(),
            expires_at: "2030-01-01T00:00:00Z".into(),
            user: User {
                id: "u1".into(),
                username: "o".into(),
                display_name: "O".into(),
                role: hotline_protocol::Role::Officer,
            },
        };
        session.save(&path).unwrap();
        assert_eq!(Session::load(&path).unwrap().token, "secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
