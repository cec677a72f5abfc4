//! `AppState`: the one cloneable state every handler and connection receives.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::LoginLimiter;
use crate::catalogue::CatalogueService;
use crate::config::Config;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::store::Store;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub hub: Arc<Hub>,
    pub catalogue: Arc<CatalogueService>,
    pub login_limiter: Arc<LoginLimiter>,
    pub metrics: Arc<Metrics>,
    /// Cancelled when the server shuts down; WebSocket loops watch it.
    pub shutdown: CancellationToken,
    /// Owns every WebSocket connection task so shutdown can wait for them.
    pub tasks: TaskTracker,
    /// Bounds how many uploads are decoded at once (CPU-heavy).
    pub media_permits: Arc<Semaphore>,
    /// The server's secret for officer pseudonyms (read once from the database at start).
    pub pseudonym_key: Arc<Vec<u8>>,
}
