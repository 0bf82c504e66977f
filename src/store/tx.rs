//! Write transactions, and group commit on SQLite.
//!
//! SQLite makes a commit durable with an fsync of its log, and allows one writer at a time, so
//! one transaction per request caps the API at the disk's fsync rate. Instead, writers take
//! turns on one connection inside a shared transaction: each request's work runs in its own
//! savepoint (undone alone when it fails), and the transaction is committed once for everyone
//! when nobody else is waiting for a turn (or the batch is full). A request is answered only
//! after the commit that holds its work, so "answered means durable" still holds; under load
//! one fsync covers many requests. Without contention a batch holds a single request, and
//! nothing waits for a timer.
//!
//! Postgres handles concurrent writers itself: there a `Tx` is a plain transaction.

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// Most requests one commit covers: bounds the latency a long queue adds to the first of them.
const MAX_BATCH: usize = 64;

/// A write transaction. Every state change happens inside exactly one. Dereferences to the
/// connection, so queries run on `&mut **tx`.
pub struct Tx {
    inner: Inner,
}

enum Inner {
    Plain(sqlx::Transaction<'static, Any>),
    Batched(Turn),
}

impl Tx {
    pub(super) fn plain(tx: sqlx::Transaction<'static, Any>) -> Tx {
        Tx {
            inner: Inner::Plain(tx),
        }
    }

    /// Makes the work durable; returns once it is (with group commit: once the batch holding
    /// it is committed).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.inner {
            Inner::Plain(tx) => tx.commit().await,
            Inner::Batched(turn) => turn.commit().await,
        }
    }

    /// Undoes the work of this transaction (and only of this one).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.inner {
            Inner::Plain(tx) => tx.rollback().await,
            Inner::Batched(turn) => turn.rollback().await,
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.inner {
            Inner::Plain(tx) => tx,
            Inner::Batched(turn) => turn.connection(),
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            Inner::Plain(tx) => &mut *tx,
            Inner::Batched(turn) => turn.connection_mut(),
        }
    }
}

/// Group commit over a pool of one SQLite connection. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Batcher {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    pool: AnyPool,
    batch: Arc<Mutex<Batch>>,
    /// Writers queued for a turn: while there are some, a finished turn leaves the commit to
    /// the last of them.
    waiting: AtomicUsize,
}

#[derive(Debug, Default)]
struct Batch {
    /// The connection, while a batch transaction is open on it.
    conn: Option<PoolConnection<Any>>,
    /// Turns whose work is in the open transaction, waiting for its commit.
    pending: Vec<oneshot::Sender<Result<(), String>>>,
}

impl Batcher {
    pub fn new(pool: AnyPool) -> Batcher {
        Batcher {
            shared: Arc::new(Shared {
                pool,
                batch: Arc::new(Mutex::new(Batch::default())),
                waiting: AtomicUsize::new(0),
            }),
        }
    }

    /// Waits for a turn and opens this writer's savepoint in the batch transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let ticket = Ticket::new(self.shared.clone());
        let mut batch = self.shared.batch.clone().lock_owned().await;
        ticket.redeem();
        if batch.conn.is_none() {
            let mut conn = self.shared.pool.acquire().await?;
            conn.execute("BEGIN IMMEDIATE").await?;
            batch.conn = Some(conn);
        }
        let opened = batch
            .conn
            .as_mut()
            .expect("opened above")
            .execute("SAVEPOINT turn")
            .await;
        if let Err(err) = opened {
            self.shared.settle(batch).await;
            return Err(err);
        }
        Ok(Tx {
            inner: Inner::Batched(Turn {
                batch: Some(batch),
                shared: self.shared.clone(),
            }),
        })
    }
}

impl Shared {
    /// Ends a turn: commits the batch when nobody is queued behind it (or it is full),
    /// otherwise hands the connection to the next writer, who will.
    async fn settle(&self, mut batch: OwnedMutexGuard<Batch>) {
        if self.waiting.load(Ordering::Acquire) == 0 || batch.pending.len() >= MAX_BATCH {
            self.flush(&mut batch).await;
        }
    }

    /// Commits the open batch (if any) and tells every turn in it the result.
    async fn flush(&self, batch: &mut Batch) {
        let Some(mut conn) = batch.conn.take() else {
            return;
        };
        let result = match conn.execute("COMMIT").await {
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::error!(error = %err, turns = batch.pending.len(), "group commit failed");
                // Leave no transaction open on a connection that goes back to the pool.
                if conn.execute("ROLLBACK").await.is_err() {
                    drop(conn.detach());
                }
                Err(err.to_string())
            }
        };
        for waiter in batch.pending.drain(..) {
            let _ = waiter.send(result.clone());
        }
    }

    /// Gives up the whole open batch (its connection is closed, so SQLite rolls it back) and
    /// fails every turn in it.
    fn abandon(batch: &mut Batch, why: &str) {
        if let Some(conn) = batch.conn.take() {
            drop(conn.detach());
        }
        for waiter in batch.pending.drain(..) {
            let _ = waiter.send(Err(why.to_string()));
        }
    }

    /// Undoes the current turn's savepoint; if even that fails, the batch cannot be trusted.
    async fn undo_turn(&self, batch: &mut Batch) -> Result<(), sqlx::Error> {
        let Some(conn) = batch.conn.as_mut() else {
            return Ok(());
        };
        let undone = match conn.execute("ROLLBACK TO turn").await {
            Ok(_) => conn.execute("RELEASE turn").await.map(|_| ()),
            Err(err) => Err(err),
        };
        if let Err(err) = &undone {
            tracing::error!(error = %err, "could not roll a turn back; abandoning its batch");
            Shared::abandon(batch, "the batch transaction was abandoned");
        }
        undone
    }

    /// Someone who was queued left without taking a turn (their request was cancelled): the
    /// batch may have been waiting for them to commit it.
    async fn flush_if_idle(self: Arc<Self>) {
        let batch = self.batch.clone().lock_owned().await;
        self.settle(batch).await;
    }
}

/// One writer's turn: holds the batch until it commits or rolls back.
struct Turn {
    batch: Option<OwnedMutexGuard<Batch>>,
    shared: Arc<Shared>,
}

impl Turn {
    fn connection(&self) -> &AnyConnection {
        self.batch
            .as_ref()
            .and_then(|b| b.conn.as_deref())
            .expect("a turn holds an open batch")
    }

    fn connection_mut(&mut self) -> &mut AnyConnection {
        self.batch
            .as_mut()
            .and_then(|b| b.conn.as_deref_mut())
            .expect("a turn holds an open batch")
    }

    async fn commit(mut self) -> Result<(), sqlx::Error> {
        let mut batch = self.batch.take().expect("a turn holds the batch");
        let released = match batch.conn.as_mut() {
            Some(conn) => conn.execute("RELEASE turn").await.map(|_| ()),
            None => Err(sqlx::Error::Protocol("the batch was abandoned".into())),
        };
        if let Err(err) = released {
            let _ = self.shared.undo_turn(&mut batch).await;
            self.shared.settle(batch).await;
            return Err(err);
        }
        let (sender, receiver) = oneshot::channel();
        batch.pending.push(sender);
        self.shared.settle(batch).await;
        match receiver.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(sqlx::Error::Protocol(format!("commit failed: {why}"))),
            Err(_) => Err(sqlx::Error::Protocol("the batch was abandoned".into())),
        }
    }

    async fn rollback(mut self) -> Result<(), sqlx::Error> {
        let mut batch = self.batch.take().expect("a turn holds the batch");
        let undone = self.shared.undo_turn(&mut batch).await;
        self.shared.settle(batch).await;
        undone
    }
}

impl Drop for Turn {
    /// A turn dropped unfinished (an error returned early, or the request was cancelled) is
    /// rolled back; Drop cannot wait, so a task does it while still holding the batch.
    fn drop(&mut self) {
        let Some(mut batch) = self.batch.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let shared = self.shared.clone();
                runtime.spawn(async move {
                    let _ = shared.undo_turn(&mut batch).await;
                    shared.settle(batch).await;
                });
            }
            Err(_) => Shared::abandon(&mut batch, "the runtime is shutting down"),
        }
    }
}

/// A place in the queue for a turn; counted in `waiting` until redeemed or dropped.
struct Ticket {
    shared: Option<Arc<Shared>>,
}

impl Ticket {
    fn new(shared: Arc<Shared>) -> Ticket {
        shared.waiting.fetch_add(1, Ordering::AcqRel);
        Ticket {
            shared: Some(shared),
        }
    }

    fn redeem(mut self) {
        if let Some(shared) = self.shared.take() {
            shared.waiting.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.waiting.fetch_sub(1, Ordering::AcqRel);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(shared.flush_if_idle());
            }
        }
    }
}

#[cfg(test)]
mod tests;
