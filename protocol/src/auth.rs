//! Accounts on the wire: users, roles, login and logout.

use serde::{Deserialize, Serialize};

/// The four roles of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Officer,
    Expert,
    Trainer,
    Admin,
}

impl Role {
    /// The lowercase name used on the wire and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Expert => "expert",
            Role::Trainer => "trainer",
            Role::Admin => "admin",
        }
    }

    /// Parses `officer`, `expert`, `trainer` or `admin`.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "officer" => Some(Role::Officer),
            "expert" => Some(Role::Expert),
            "trainer" => Some(Role::Trainer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Every role, in the contract's order.
    pub const ALL: [Role; 4] = [Role::Officer, Role::Expert, Role::Trainer, Role::Admin];
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user as others see it (`GET /api/v1/me`, authors, assignees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// `POST /api/v1/auth/login` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Opaque bearer token; send as `Authorization: Bearer <token>`.
    pub token: String,
    /// RFC 3339 UTC.
    pub expires_at: String,
    pub user: User,
}
