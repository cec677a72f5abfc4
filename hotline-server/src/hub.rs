//! The realtime hub: which connection streams which request, who watches the queue, who is on call.
//!
//! Publishing never blocks (it runs on the writer thread right after each commit, so events go out in seq
//! order): each connection has a bounded queue, and when it is full the connection's subscription is dropped
//! and the connection told through its lag channel, so that it can say so to its client (error `lagged`) and
//! the client resubscribes from its last seq. Only ephemeral frames (typing, read, presence) may be dropped.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use hotline_protocol::{Event, Request, ServerFrame, User};
use tokio::sync::mpsc;

/// Identifies one WebSocket connection.
pub type ConnId = u64;

/// A frame queued for one connection, serialised once for every recipient.
#[derive(Debug, Clone)]
pub enum Outbound {
    /// A timeline event; the connection forwards it only in seq order.
    Event { request_id: Arc<str>, seq: u64, text: Utf8Bytes },
    /// Any other frame.
    Frame(Utf8Bytes),
}

/// What a connection lost because its queue was full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lag {
    /// Events of this request: resubscribe from the last seq seen.
    Request(String),
    /// Queue updates: watch the queue again.
    Queue,
}

/// A registered connection's receiving ends.
pub struct Registration {
    pub id: ConnId,
    pub outbound: mpsc::Receiver<Outbound>,
    pub lags: mpsc::UnboundedReceiver<Lag>,
}

struct Connection {
    user: User,
    outbound: mpsc::Sender<Outbound>,
    lags: mpsc::UnboundedSender<Lag>,
    subscriptions: HashSet<String>,
    on_call: bool,
}

#[derive(Default)]
struct HubState {
    connections: HashMap<ConnId, Connection>,
    subscribers: HashMap<String, HashSet<ConnId>>,
    watchers: HashSet<ConnId>,
}

/// What offering a frame to a connection's outbound queue came to.
#[derive(Debug, PartialEq, Eq)]
enum Offer {
    Queued,
    /// The queue is full: the connection is not keeping up.
    Full,
    /// The connection is gone (unregistered or closing).
    Gone,
}

impl HubState {
    /// Puts `item` on connection `id`'s outbound queue without waiting.
    fn offer(&self, id: &ConnId, item: Outbound) -> Offer {
        match self.connections.get(id).map(|connection| connection.outbound.try_send(item)) {
            Some(Ok(())) => Offer::Queued,
            Some(Err(mpsc::error::TrySendError::Full(_))) => Offer::Full,
            Some(Err(mpsc::error::TrySendError::Closed(_))) | None => Offer::Gone,
        }
    }
}

/// Counters of the hub, for `/metrics`.
#[derive(Debug, Default)]
pub struct HubStats {
    pub lagged: AtomicU64,
    pub dropped_ephemeral: AtomicU64,
}

/// See the module docs.
#[derive(Default)]
pub struct Hub {
    state: Mutex<HubState>,
    next_id: AtomicU64,
    pub stats: HubStats,
}

fn encode(frame: &ServerFrame) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(frame).unwrap_or_default())
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a connection of `user` with an outbound queue of `capacity` frames.
    pub fn register(&self, user: User, capacity: usize) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (outbound_tx, outbound) = mpsc::channel(capacity.max(1));
        let (lags_tx, lags) = mpsc::unbounded_channel();
        let connection =
            Connection { user, outbound: outbound_tx, lags: lags_tx, subscriptions: HashSet::new(), on_call: false };
        self.lock().connections.insert(id, connection);
        Registration { id, outbound, lags }
    }

    /// Forgets a connection; an expert who was on call only there goes off call.
    pub fn unregister(&self, id: ConnId) {
        let mut state = self.lock();
        let Some(connection) = state.connections.remove(&id) else { return };
        for request_id in &connection.subscriptions {
            if let Some(set) = state.subscribers.get_mut(request_id) {
                set.remove(&id);
                if set.is_empty() {
                    state.subscribers.remove(request_id);
                }
            }
        }
        state.watchers.remove(&id);
        if connection.on_call && !Self::user_on_call(&state, &connection.user.id) {
            self.broadcast_presence(&state, &connection.user, false, None);
        }
    }

    /// Number of registered connections.
    pub fn connection_count(&self) -> usize {
        self.lock().connections.len()
    }

    /// Starts streaming a request's events and request frames to the connection.
    pub fn subscribe(&self, id: ConnId, request_id: &str) {
        let mut state = self.lock();
        let Some(connection) = state.connections.get_mut(&id) else { return };
        connection.subscriptions.insert(request_id.to_string());
        state.subscribers.entry(request_id.to_string()).or_default().insert(id);
    }

    /// Stops streaming a request to the connection.
    pub fn unsubscribe(&self, id: ConnId, request_id: &str) {
        let mut state = self.lock();
        Self::drop_subscription(&mut state, id, request_id);
    }

    fn drop_subscription(state: &mut HubState, id: ConnId, request_id: &str) {
        if let Some(connection) = state.connections.get_mut(&id) {
            connection.subscriptions.remove(request_id);
        }
        if let Some(set) = state.subscribers.get_mut(request_id) {
            set.remove(&id);
            if set.is_empty() {
                state.subscribers.remove(request_id);
            }
        }
    }

    /// Adds the connection to the queue watchers; returns the experts on call now.
    pub fn watch_queue(&self, id: ConnId) -> Vec<User> {
        let mut state = self.lock();
        if state.connections.contains_key(&id) {
            state.watchers.insert(id);
        }
        let mut seen = HashSet::new();
        state
            .connections
            .values()
            .filter(|c| c.on_call && seen.insert(c.user.id.clone()))
            .map(|c| c.user.clone())
            .collect()
    }

    /// Sets the connection's on-call flag; tells watchers (except `id`) when the user's presence changed.
    pub fn set_on_call(&self, id: ConnId, on: bool) {
        let mut state = self.lock();
        let Some(connection) = state.connections.get(&id) else { return };
        let user = connection.user.clone();
        let before = Self::user_on_call(&state, &user.id);
        if let Some(connection) = state.connections.get_mut(&id) {
            connection.on_call = on;
        }
        let after = Self::user_on_call(&state, &user.id);
        if before != after {
            self.broadcast_presence(&state, &user, after, Some(id));
        }
    }

    fn user_on_call(state: &HubState, user_id: &str) -> bool {
        state.connections.values().any(|c| c.on_call && c.user.id == user_id)
    }

    fn broadcast_presence(&self, state: &HubState, user: &User, on_call: bool, except: Option<ConnId>) {
        let text = encode(&ServerFrame::Presence { user: user.clone(), on_call });
        for id in state.watchers.iter().filter(|id| Some(**id) != except) {
            if state.offer(id, Outbound::Frame(text.clone())) == Offer::Full {
                self.stats.dropped_ephemeral.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Sends an event to the request's subscribers (call in seq order: the writer does).
    pub fn publish_event(&self, event: &Event) {
        let mut state = self.lock();
        let Some(subscribers) = state.subscribers.get(&event.request_id) else { return };
        let request_id: Arc<str> = Arc::from(event.request_id.as_str());
        let text = encode(&ServerFrame::Event { event: event.clone() });
        let mut lagging = Vec::new();
        for id in subscribers {
            let item = Outbound::Event { request_id: request_id.clone(), seq: event.seq, text: text.clone() };
            if state.offer(id, item) == Offer::Full {
                lagging.push(*id);
            }
        }
        for id in lagging {
            self.lag_request(&mut state, id, &event.request_id);
        }
    }

    fn lag_request(&self, state: &mut HubState, id: ConnId, request_id: &str) {
        Self::drop_subscription(state, id, request_id);
        if let Some(connection) = state.connections.get(&id) {
            let _ = connection.lags.send(Lag::Request(request_id.to_string()));
        }
        self.stats.lagged.fetch_add(1, Ordering::Relaxed);
    }

    /// Sends a `request` frame to the request's subscribers and the queue watchers, once each, except `except`.
    pub fn publish_request(&self, request: &Request, except: Option<ConnId>) {
        let mut state = self.lock();
        let text = encode(&ServerFrame::Request { request: request.clone() });
        let subscribers: Vec<ConnId> =
            state.subscribers.get(&request.id).map(|s| s.iter().copied().collect()).unwrap_or_default();
        let mut sent = HashSet::new();
        let mut lagging_subscribers = Vec::new();
        let mut lagging_watchers = Vec::new();
        for id in subscribers {
            if Some(id) == except || !sent.insert(id) {
                continue;
            }
            if state.offer(&id, Outbound::Frame(text.clone())) == Offer::Full {
                lagging_subscribers.push(id);
            }
        }
        let watchers: Vec<ConnId> = state.watchers.iter().copied().collect();
        for id in watchers {
            if Some(id) == except || !sent.insert(id) {
                continue;
            }
            if state.offer(&id, Outbound::Frame(text.clone())) == Offer::Full {
                lagging_watchers.push(id);
            }
        }
        for id in lagging_subscribers {
            self.lag_request(&mut state, id, &request.id);
        }
        for id in lagging_watchers {
            state.watchers.remove(&id);
            if let Some(connection) = state.connections.get(&id) {
                let _ = connection.lags.send(Lag::Queue);
            }
            self.stats.lagged.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Sends an ephemeral frame (typing, read) to the request's subscribers except `except`; dropped when full.
    pub fn publish_ephemeral(&self, request_id: &str, frame: &ServerFrame, except: ConnId) {
        let state = self.lock();
        let Some(subscribers) = state.subscribers.get(request_id) else { return };
        let text = encode(frame);
        for id in subscribers.iter().filter(|id| **id != except) {
            if state.offer(id, Outbound::Frame(text.clone())) == Offer::Full {
                self.stats.dropped_ephemeral.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hotline_protocol::{EventKind, Role};

    fn user() -> User {
        User { id: "u1".into(), username: "olga".into(), display_name: "Olga".into(), role: Role::Officer }
    }

    fn event(seq: u64) -> Event {
        Event {
            seq,
            request_id: "r1".into(),
            kind: EventKind::Message,
            at: "2025-01-01T00:00:00.000Z".into(),
            author: None,
            message: None,
            data: serde_json::json!({}),
        }
    }

    #[test]
    fn a_full_queue_drops_the_subscription_and_says_so() {
        let hub = Hub::default();
        let mut registration = hub.register(user(), 2);
        hub.subscribe(registration.id, "r1");
        for seq in 1..=3 {
            hub.publish_event(&event(seq));
        }
        assert_eq!(registration.lags.try_recv().ok(), Some(Lag::Request("r1".into())));
        // The two queued events are still there, in order; nothing after the lag is queued.
        let seqs: Vec<u64> = std::iter::from_fn(|| registration.outbound.try_recv().ok())
            .map(|item| match item {
                Outbound::Event { seq, .. } => seq,
                Outbound::Frame(_) => 0,
            })
            .collect();
        assert_eq!(seqs, [1, 2]);
        hub.publish_event(&event(4));
        assert!(registration.outbound.try_recv().is_err(), "no longer subscribed");
        assert_eq!(hub.stats.lagged.load(Ordering::Relaxed), 1);
    }
}
