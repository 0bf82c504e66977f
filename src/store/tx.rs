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
//! While a turn holds the connection nobody else writes, so its length is the API's ceiling;
//! and each statement costs a hand-off to the connection's thread and back. A turn therefore
//! sends its statements in as few round trips as it can: writes whose answer nobody needs are
//! queued (`Tx::defer`) and go, with the savepoint that opens the turn, in one script with the
//! next statement that needs the database, or with the savepoint's release at the commit.
//!
//! Postgres handles concurrent writers itself: there a `Tx` is a plain transaction, and queued
//! writes run one by one when the next statement or the commit needs them.

use super::statement::{Script, Statement};
use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Either, Executor, FromRow};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// Most requests one commit covers: bounds the latency a long queue adds to the first of them.
const MAX_BATCH: usize = 64;

/// A write transaction. Every state change happens inside exactly one. Queries that need an
/// answer run on `tx.conn().await?`; writes that need none are queued with `defer`.
pub struct Tx {
    inner: Inner,
    /// Writes not sent yet, in order. They reach the database before anything else this
    /// transaction does, so its statements keep their order.
    queued: Vec<Statement>,
}

enum Inner {
    Plain(sqlx::Transaction<'static, Any>),
    Batched(Turn),
}

impl Tx {
    pub(super) fn plain(tx: sqlx::Transaction<'static, Any>) -> Tx {
        Tx {
            inner: Inner::Plain(tx),
            queued: Vec::new(),
        }
    }

    /// Queues a write whose answer nobody reads. It runs before the next statement of this
    /// transaction (or at the commit), and if it fails, that statement (or the commit) returns
    /// its error.
    pub fn defer(&mut self, write: Statement) {
        self.queued.push(write);
    }

    /// Runs `write` now, after the queued ones (on SQLite in the same round trip), and returns
    /// how many rows it changed.
    pub async fn execute(&mut self, write: Statement) -> Result<u64, sqlx::Error> {
        self.queued.push(write);
        Ok(self.send_queued().await?.changed)
    }

    /// Runs the query `read` now, after the queued writes (on SQLite in the same round trip),
    /// and returns its rows.
    pub async fn fetch_all<T>(&mut self, read: Statement) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        self.queued.push(read);
        let sent = self.send_queued().await?;
        sent.rows.iter().map(T::from_row).collect()
    }

    /// The connection, for statements whose answer is needed; what is queued is sent first.
    pub async fn conn(&mut self) -> Result<&mut AnyConnection, sqlx::Error> {
        self.send_queued().await?;
        Ok(match &mut self.inner {
            Inner::Plain(tx) => &mut *tx,
            Inner::Batched(turn) => turn.connection_mut(),
        })
    }

    /// Makes the work durable; returns once it is (with group commit: once the batch holding
    /// it is committed).
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if let Inner::Plain(_) = self.inner {
            self.send_queued().await?;
        }
        let queued = std::mem::take(&mut self.queued);
        match self.inner {
            Inner::Plain(tx) => tx.commit().await,
            Inner::Batched(turn) => turn.commit(queued).await,
        }
    }

    /// Undoes the work of this transaction (and only of this one).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.inner {
            Inner::Plain(tx) => tx.rollback().await,
            Inner::Batched(turn) => turn.rollback().await,
        }
    }

    async fn send_queued(&mut self) -> Result<Sent, sqlx::Error> {
        let queued = std::mem::take(&mut self.queued);
        match &mut self.inner {
            Inner::Plain(tx) => {
                let mut sent = Sent::default();
                for statement in &queued {
                    sent = Sent::of(tx, statement.query()).await?;
                }
                Ok(sent)
            }
            Inner::Batched(turn) => turn.send(queued, None).await,
        }
    }
}

/// What a round trip gave back: the rows its statements returned (only the last statement of
/// a round trip may be a query) and how many rows its last statement changed.
#[derive(Default)]
struct Sent {
    rows: Vec<AnyRow>,
    changed: u64,
}

impl Sent {
    /// Runs `query` (one statement, or an SQLite script) and collects what it gives back.
    async fn of<'q>(
        conn: &mut AnyConnection,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<Sent, sqlx::Error> {
        let mut sent = Sent::default();
        let mut results = conn.fetch_many(query);
        while let Some(step) = results.try_next().await? {
            match step {
                Either::Left(done) => sent.changed = done.rows_affected(),
                Either::Right(row) => sent.rows.push(row),
            }
        }
        Ok(sent)
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

    /// Waits for a turn in the batch transaction. The turn's savepoint opens with its first
    /// statement.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let ticket = Ticket::new(self.shared.clone());
        let mut batch = self.shared.batch.clone().lock_owned().await;
        ticket.redeem();
        if batch.conn.is_none() {
            let mut conn = self.shared.pool.acquire().await?;
            conn.execute("BEGIN IMMEDIATE").await?;
            batch.conn = Some(conn);
        }
        Ok(Tx {
            inner: Inner::Batched(Turn {
                batch: Some(batch),
                shared: self.shared.clone(),
                opened: false,
            }),
            queued: Vec::new(),
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
    /// Whether this turn's savepoint was sent (its first round trip opens it).
    opened: bool,
}

impl Turn {
    fn connection_mut(&mut self) -> &mut AnyConnection {
        self.batch
            .as_mut()
            .and_then(|b| b.conn.as_deref_mut())
            .expect("a turn holds an open batch")
    }

    /// One round trip: the savepoint if not open yet, `writes`, then `tail`.
    async fn send(
        &mut self,
        writes: Vec<Statement>,
        tail: Option<&str>,
    ) -> Result<Sent, sqlx::Error> {
        let lead = (!self.opened).then_some("SAVEPOINT turn");
        let script = Script::new(lead, writes, tail);
        if script.is_empty() {
            return Ok(Sent::default());
        }
        // Marked before sending: if the script fails after its first statement the savepoint
        // exists and must be rolled back to (and if it does not, the undo fails and the batch
        // is abandoned, the safe side).
        self.opened = true;
        Sent::of(self.connection_mut(), script.query()).await
    }

    async fn commit(mut self, queued: Vec<Statement>) -> Result<(), sqlx::Error> {
        if queued.is_empty() && !self.opened {
            // Nothing was written: nothing to wait for.
            let batch = self.batch.take().expect("a turn holds the batch");
            self.shared.settle(batch).await;
            return Ok(());
        }
        let sent = match self.batch.as_ref().and_then(|b| b.conn.as_ref()) {
            Some(_) => self.send(queued, Some("RELEASE turn")).await.map(|_| ()),
            None => Err(sqlx::Error::Protocol("the batch was abandoned".into())),
        };
        let mut batch = self.batch.take().expect("a turn holds the batch");
        if let Err(err) = sent {
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
        let undone = if self.opened {
            self.shared.undo_turn(&mut batch).await
        } else {
            Ok(())
        };
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
                let opened = self.opened;
                runtime.spawn(async move {
                    if opened {
                        let _ = shared.undo_turn(&mut batch).await;
                    }
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
