//! Hotline operations shared by REST and WebSocket: each validates its input, queues one write, and after the
//! commit publishes what changed to the hub (on the writer thread, so in seq order).

use std::future::Future;
use std::sync::atomic::Ordering;

use hotline_protocol::{NewRequest, Outcome, Request};

use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::hub::ConnId;
use crate::state::AppState;
use crate::store::events::{self, Ack, NewMessage, Sent};
use crate::store::requests::{self, Changed, Created};

/// Most attachments and cites one message may carry.
const MAX_LIST: usize = 20;
/// Longest id-like string accepted (ids, codes, usernames).
const MAX_ID: usize = 128;

/// Checks that `text` is a UUID (the contract's client ids).
pub fn require_uuid(field: &'static str, text: &str) -> AppResult<()> {
    uuid::Uuid::parse_str(text).map(|_| ()).map_err(|_| {
        AppError::bad_request(
            "invalid_field",
            format!("{field} must be a UUID such as 0190f1c2-6b1e-7c3a-9d2e-4f5a6b7c8d9e"),
        )
    })
}

fn require_text(field: &'static str, text: &str, max_chars: usize) -> AppResult<()> {
    if text.trim().is_empty() {
        return Err(AppError::bad_request("missing_field", format!("{field} must not be empty")));
    }
    check_length(field, text, max_chars)
}

fn check_length(field: &'static str, text: &str, max_chars: usize) -> AppResult<()> {
    if text.chars().count() > max_chars {
        return Err(AppError::invalid("too_long", format!("{field} may have at most {max_chars} characters")));
    }
    Ok(())
}

fn check_ids(field: &'static str, ids: &[String]) -> AppResult<()> {
    if ids.len() > MAX_LIST {
        return Err(AppError::invalid("too_many", format!("{field} may list at most {MAX_LIST} items")));
    }
    if ids.iter().any(|id| id.is_empty() || id.len() > MAX_ID) {
        return Err(AppError::bad_request("invalid_field", format!("{field} holds an empty or overlong id")));
    }
    Ok(())
}

/// Validates a new request's fields.
pub fn validate_new_request(new: &NewRequest) -> AppResult<()> {
    require_uuid("client_request_id", &new.client_request_id)?;
    require_text("subject", &new.subject, 300)?;
    require_text("shipment.declared_description", &new.shipment.declared_description, 4000)?;
    let shipment = &new.shipment;
    for (field, value) in [
        ("shipment.hs_code", &shipment.hs_code),
        ("shipment.origin_country", &shipment.origin_country),
        ("shipment.destination_country", &shipment.destination_country),
        ("shipment.consignee", &shipment.consignee),
        ("shipment.reference", &shipment.reference),
    ] {
        if let Some(value) = value {
            check_length(field, value, 300)?;
        }
    }
    if let Some(body) = &new.body {
        check_length("body", body, 8000)?;
    }
    Ok(())
}

/// `POST /api/v1/requests`: creates once per (officer, client_request_id); tells the queue watchers.
/// A named consignee is screened against the denied-party lists first (off the runtime), and the result is
/// stored with the request.
pub fn create_request(
    state: &AppState,
    caller: Caller,
    new: NewRequest,
) -> impl Future<Output = AppResult<Created>> + use<> {
    let hub = state.hub.clone();
    let metrics = state.metrics.clone();
    let writer = state.store.writer.clone();
    let catalogue = state.catalogue.clone();
    let now = state.config.clock.now_rfc3339();
    let validated = validate_new_request(&new);
    async move {
        validated?;
        let consignee = new.shipment.consignee.clone().filter(|name| !name.trim().is_empty());
        let screening = match consignee {
            Some(name) => tokio::task::spawn_blocking(move || catalogue.screen(&name, 5))
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)?,
            None => None,
        };
        let write = writer.submit(
            move |conn| requests::create_request(conn, &caller, &new, screening.as_deref(), &now),
            move |created: &Created| {
                if created.created {
                    metrics.requests_created.fetch_add(1, Ordering::Relaxed);
                    for event in &created.events {
                        hub.publish_event(event);
                    }
                    hub.publish_request(&created.request, None);
                }
            },
        );
        Ok(write.await?)
    }
}

/// Validates a `send` frame's fields.
pub fn validate_message(message: &NewMessage, max_body_chars: usize) -> AppResult<()> {
    require_uuid("client_msg_id", &message.client_msg_id)?;
    if message.request_id.is_empty() || message.request_id.len() > MAX_ID {
        return Err(AppError::bad_request("invalid_field", "request_id must be a request's id"));
    }
    if message.body.trim().is_empty() && message.attachments.is_empty() {
        return Err(AppError::bad_request("missing_field", "a message needs a body or attachments"));
    }
    check_length("body", &message.body, max_body_chars)?;
    check_ids("attachments", &message.attachments)?;
    check_ids("cites", &message.cites)
}

/// `send`: queued now, in call order; resolves with the ack once committed.
pub fn send_message(
    state: &AppState,
    caller: Caller,
    message: NewMessage,
) -> impl Future<Output = AppResult<Ack>> + use<> {
    let validated = validate_message(&message, state.config.limits.message_body_chars);
    let hub = state.hub.clone();
    let metrics = state.metrics.clone();
    let now = state.config.clock.now_rfc3339();
    let write = validated.is_ok().then(|| {
        state.store.writer.submit(
            move |conn| events::append_message(conn, &caller, &message, &now),
            move |sent: &Sent| {
                if let Some(event) = &sent.event {
                    metrics.messages.fetch_add(1, Ordering::Relaxed);
                    hub.publish_event(event);
                }
            },
        )
    });
    async move {
        validated?;
        match write {
            Some(write) => Ok(write.await?.ack),
            None => Err(AppError::internal("unreachable: validated without a write")),
        }
    }
}

/// A change of a request by an expert, published to subscribers and watchers except the actor's connection.
async fn change(
    state: &AppState,
    actor: Option<ConnId>,
    work: impl FnOnce(&rusqlite::Connection, &str) -> crate::store::StoreResult<Changed> + Send + 'static,
) -> AppResult<Request> {
    let hub = state.hub.clone();
    let now = state.config.clock.now_rfc3339();
    let changed = state
        .store
        .writer
        .submit(
            move |conn| work(conn, &now),
            move |changed: &Changed| {
                if let Some(event) = &changed.event {
                    hub.publish_event(event);
                    hub.publish_request(&changed.request, actor);
                }
            },
        )
        .await?;
    Ok(changed.request)
}

/// `claim`.
pub async fn claim(state: &AppState, caller: Caller, actor: Option<ConnId>, request_id: String) -> AppResult<Request> {
    change(state, actor, move |conn, now| requests::claim(conn, &caller, &request_id, now)).await
}

/// `transfer`.
pub async fn transfer(
    state: &AppState,
    caller: Caller,
    actor: Option<ConnId>,
    request_id: String,
    to_user: String,
) -> AppResult<Request> {
    if to_user.is_empty() || to_user.len() > MAX_ID {
        return Err(AppError::bad_request("invalid_field", "to_user must be an expert's username"));
    }
    change(state, actor, move |conn, now| requests::transfer(conn, &caller, &request_id, &to_user, now)).await
}

/// `close`.
pub async fn close(
    state: &AppState,
    caller: Caller,
    actor: Option<ConnId>,
    request_id: String,
    outcome: Outcome,
) -> AppResult<Request> {
    check_ids("outcome.controls", &outcome.controls)?;
    check_length("outcome.note", &outcome.note, 4000)?;
    change(state, actor, move |conn, now| requests::close(conn, &caller, &request_id, &outcome, now)).await
}
