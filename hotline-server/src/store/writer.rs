//! The one writer: a dedicated thread owning the only read-write connection. It takes every queued write,
//! runs the batch in one transaction (each write in its own savepoint, so one refusal spoils nothing else),
//! commits once, and only then answers each caller and runs its after-commit hook, in commit order.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{StoreError, StoreResult};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// Runs after the batch's commit (or its failure) on the writer thread.
type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// One queued write: runs inside the open transaction and returns what to do after the commit.
type Job = Box<dyn FnOnce(Result<&Connection, StoreError>) -> Completion + Send>;

enum Command {
    Job(Job),
    Stop,
}

/// Counters of the writer, for `/metrics`.
#[derive(Debug, Default)]
pub struct WriteStats {
    pub transactions: AtomicU64,
    pub writes: AtomicU64,
    pub commit_micros_total: AtomicU64,
}

/// Handle to the writer thread.
pub struct Writer {
    sender: Mutex<Option<mpsc::Sender<Command>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    pub stats: Arc<WriteStats>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub fn start(conn: Connection) -> StoreResult<Writer> {
        let (sender, receiver) = mpsc::channel();
        let stats = Arc::new(WriteStats::default());
        let thread_stats = stats.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, receiver, &thread_stats))
            .map_err(|e| StoreError::Sqlite(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { sender: Mutex::new(Some(sender)), thread: Mutex::new(Some(thread)), stats })
    }

    /// Queues `work` now (in call order) and returns a future of its result, resolved only after the
    /// transaction holding it has committed. `after_commit` runs on the writer thread right after the commit,
    /// in commit order, before the caller is answered (used to publish events in seq order).
    pub fn submit<T, W, A>(
        &self,
        work: W,
        after_commit: A,
    ) -> impl Future<Output = StoreResult<T>> + Send + 'static + use<T, W, A>
    where
        T: Send + 'static,
        W: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
        A: FnOnce(&T) + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |conn: Result<&Connection, StoreError>| {
            let outcome = conn.and_then(|conn| in_savepoint(conn, work));
            Box::new(move |commit: Result<(), StoreError>| {
                let result = commit.and(outcome);
                if let Ok(value) = &result {
                    after_commit(value);
                }
                let _ = reply.send(result);
            })
        });
        let queued = match self.sender.lock() {
            Ok(guard) => guard.as_ref().map(|s| s.send(Command::Job(job)).is_ok()).unwrap_or(false),
            Err(_) => false,
        };
        async move {
            if !queued {
                return Err(StoreError::Closed);
            }
            answer.await.unwrap_or(Err(StoreError::Closed))
        }
    }

    /// Like [`Writer::submit`] with nothing to do after the commit.
    pub fn write<T, W>(&self, work: W) -> impl Future<Output = StoreResult<T>> + Send + 'static + use<T, W>
    where
        T: Send + 'static,
        W: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.submit(work, |_: &T| {})
    }

    /// Lets every queued write finish and commit, then stops the thread (blocking: call off the runtime).
    pub fn stop_blocking(&self) {
        if let Ok(mut guard) = self.sender.lock()
            && let Some(sender) = guard.take()
        {
            let _ = sender.send(Command::Stop);
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// Runs `work` in a savepoint: its changes are kept only if it succeeds.
fn in_savepoint<T>(conn: &Connection, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
    conn.prepare_cached("SAVEPOINT job")?.execute([])?;
    match work(conn) {
        Ok(value) => {
            conn.prepare_cached("RELEASE job")?.execute([])?;
            Ok(value)
        }
        Err(error) => {
            conn.execute_batch("ROLLBACK TO job; RELEASE job")?;
            Err(error)
        }
    }
}

fn writer_loop(conn: Connection, receiver: mpsc::Receiver<Command>, stats: &WriteStats) {
    let mut stopping = false;
    while !stopping {
        let mut batch: Vec<Job> = Vec::new();
        match receiver.recv() {
            Ok(Command::Job(job)) => batch.push(job),
            Ok(Command::Stop) | Err(_) => break,
        }
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(Command::Job(job)) => batch.push(job),
                Ok(Command::Stop) => {
                    stopping = true;
                    break;
                }
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let begun = conn.execute_batch("BEGIN IMMEDIATE").map_err(StoreError::from);
        let completions: Vec<Completion> = match &begun {
            Ok(()) => batch.into_iter().map(|job| job(Ok(&conn))).collect(),
            Err(error) => batch.into_iter().map(|job| job(Err(error.clone()))).collect(),
        };
        let committed = begun.and_then(|()| conn.execute_batch("COMMIT").map_err(StoreError::from));
        if let Err(error) = &committed {
            tracing::error!(%error, "write transaction failed; its writes were answered with an error");
            let _ = conn.execute_batch("ROLLBACK");
        }
        stats.transactions.fetch_add(1, Ordering::Relaxed);
        stats.writes.fetch_add(completions.len() as u64, Ordering::Relaxed);
        stats.commit_micros_total.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        for completion in completions {
            completion(committed.clone());
        }
    }
    // Answer anything queued after the stop so no caller waits forever.
    while let Ok(command) = receiver.try_recv() {
        if let Command::Job(job) = command {
            job(Err(StoreError::Closed))(Err(StoreError::Closed));
        }
    }
    tracing::info!("database writer stopped");
}
