//! Accounts and sessions: argon2id password hashes (computed off the runtime), random opaque tokens stored as
//! their SHA-256, the caller extractor (Bearer header or session cookie), and login rate limiting.

pub mod extract;
pub mod password;
pub mod rate_limit;
pub mod tokens;

pub use extract::{SESSION_COOKIE, session_token};
pub use rate_limit::LoginLimiter;
