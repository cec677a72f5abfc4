//! Who may see and do what with a request: the contract's role rules as pure functions, used inside the
//! store's transactions so that the check and the write see the same state.

use hotline_protocol::{RequestStatus, Role, User};

use crate::store::StoreError;

/// The authenticated caller of a route or WebSocket action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    /// The caller's user id.
    pub fn id(&self) -> &str {
        &self.user.id
    }

    /// The caller's role.
    pub fn role(&self) -> Role {
        self.user.role
    }
}

/// The facts about a request that access rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub id: String,
    pub officer_id: String,
    pub assignee_id: Option<String>,
    pub status: RequestStatus,
}

/// The one answer for ids the caller may not see, so that existence does not leak.
pub fn not_found() -> StoreError {
    StoreError::NotFound("no such request (or it is not yours to see)".into())
}

/// Officers see their own requests; experts and admins all; trainers the closed ones.
pub fn can_see(caller: &Caller, facts: &RequestFacts) -> bool {
    match caller.role() {
        Role::Officer => facts.officer_id == caller.id(),
        Role::Expert | Role::Admin => true,
        Role::Trainer => facts.status == RequestStatus::Closed,
    }
}

/// Checks visibility: `NotFound` when the caller may not see the request.
pub fn require_visible(caller: &Caller, facts: &RequestFacts) -> Result<(), StoreError> {
    if can_see(caller, facts) { Ok(()) } else { Err(not_found()) }
}

/// Whether the caller takes part in the chat: the owning officer or the assignee.
pub fn is_participant(caller: &Caller, facts: &RequestFacts) -> bool {
    match caller.role() {
        Role::Officer => facts.officer_id == caller.id(),
        Role::Expert => facts.assignee_id.as_deref() == Some(caller.id()),
        Role::Trainer | Role::Admin => false,
    }
}

/// Who may append a message: the owning officer or the assignee, while the request is open.
pub fn require_chat_writer(caller: &Caller, facts: &RequestFacts) -> Result<(), StoreError> {
    require_visible(caller, facts)?;
    if !is_participant(caller, facts) {
        let why = match caller.role() {
            Role::Expert => "only the expert who claimed this request may answer it; claim it first",
            Role::Trainer => "trainers read requests but never write to a chat",
            Role::Admin => "admins read requests but do not write to a chat",
            Role::Officer => "only the officer who opened this request may write to it",
        };
        return Err(StoreError::Forbidden(why.into()));
    }
    if facts.status == RequestStatus::Closed {
        return Err(StoreError::Conflict {
            code: "request_closed",
            message: "this request is closed; open a new one".into(),
        });
    }
    Ok(())
}

/// Who may claim, transfer or close: experts only (claim), the assignee (transfer, close).
pub fn require_expert(caller: &Caller, facts: &RequestFacts) -> Result<(), StoreError> {
    require_visible(caller, facts)?;
    if caller.role() != Role::Expert {
        return Err(StoreError::Forbidden("only experts may claim, transfer or close requests".into()));
    }
    Ok(())
}

/// The assignee of an open request.
pub fn require_assignee(caller: &Caller, facts: &RequestFacts) -> Result<(), StoreError> {
    require_expert(caller, facts)?;
    if facts.status == RequestStatus::Closed {
        return Err(StoreError::Conflict { code: "request_closed", message: "this request is already closed".into() });
    }
    if facts.assignee_id.as_deref() != Some(caller.id()) {
        return Err(StoreError::Forbidden("only the expert who holds this request may do that".into()));
    }
    Ok(())
}
