//! Password hashing with argon2id; both hashing and checking are CPU-heavy and run on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

use crate::error::{AppError, AppResult};

/// An argon2id PHC string for `password` (blocking).
pub fn hash_blocking(password: &str) -> AppResult<String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| AppError::internal(format!("argon2 salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::internal(format!("argon2: {e}")))
}

/// Whether `password` matches the PHC string `hash` (blocking).
pub fn verify_blocking(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Hashes on the blocking pool.
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(AppError::internal)?
}

/// Checks on the blocking pool. With no stored hash (unknown user) a dummy hash is checked anyway, so that
/// an unknown username takes as long as a wrong password.
pub async fn verify(hash: Option<String>, password: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_blocking(&hash, &password),
        None => {
            let _ = verify_blocking(dummy_hash(), &password);
            false
        }
    })
    .await
    .map_err(AppError::internal)
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a password anyone has").unwrap_or_default())
}

/// Checks a new password's strength rules.
pub fn check_new_password(password: &str) -> AppResult<()> {
    if password.chars().count() < 8 {
        return Err(AppError::invalid("weak_password", "the password must have at least 8 characters"));
    }
    if password.len() > 1024 {
        return Err(AppError::invalid("password_too_long", "the password must have at most 1,024 bytes"));
    }
    Ok(())
}
