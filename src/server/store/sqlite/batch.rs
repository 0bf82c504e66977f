//! Group commit on SQLite.
//!
//! SQLite makes a commit durable with an fsync of its log, and allows one writer at a time, so
//! one transaction per request caps the API at the disk's fsync rate. Instead, changes share
//! transactions: each runs in its own savepoint (undone alone when it fails), and one commit
//! covers everyone whose change is in it. A request is answered only after the commit that
//! holds its work, so "answered means durable" still holds; under load one fsync covers many
//! requests. Without contention a batch holds a single change, and nothing waits for a timer.
//!
//! Two kinds of change take part, one kind at a time, through the same lock (`Batch`):
//!
//! - A change that reads, or needs a statement's answer, as it goes takes a turn on the sqlx
//!   writer connection. The batch stays open while others wait for a turn and is committed by
//!   the last of them. Each of its round trips is a hand-off to the connection's thread and back,
//!   and while the request's task waits to be scheduled nobody else writes.
//! - A change that is only writes (most of them: a payment, its charge, events, ledger postings
//!   and idempotency record) is handed whole to the writer thread (`writer`), which runs every
//!   change waiting at that moment back to back and commits them together. A pump task takes
//!   the lock for it whenever such changes wait.

use super::script::Script;
use super::writer::{self, Job};
use crate::server::store::statement::Statement;
use crate::server::store::tx::{Inner, Sent, Tx};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

/// Most changes one commit covers: bounds the latency a long queue adds to the first of them.
const MAX_BATCH: usize = 64;

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
    /// The thread whole changes are written by (`writer`); without it they take turns.
    thread: Option<writer::Thread>,
    /// Whole changes waiting for the writer thread, and the bell that tells its pump.
    jobs: std::sync::Mutex<Vec<Job>>,
    jobs_queued: Arc<Notify>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The pump wakes, finds the batcher gone, and ends.
        self.jobs_queued.notify_one();
    }
}

#[derive(Debug, Default)]
struct Batch {
    /// The connection, while a batch transaction is open on it.
    conn: Option<PoolConnection<Any>>,
    /// Turns whose work is in the open transaction, waiting for its commit.
    pending: Vec<oneshot::Sender<Result<(), String>>>,
}

impl Batcher {
    /// Group commit on `pool`'s connection; whole changes go to `thread` when there is one.
    pub(super) fn new(pool: AnyPool, thread: Option<writer::Thread>) -> Batcher {
        let batcher = Batcher {
            shared: Arc::new(Shared {
                pool,
                batch: Arc::new(Mutex::new(Batch::default())),
                waiting: AtomicUsize::new(0),
                thread,
                jobs: std::sync::Mutex::new(Vec::new()),
                jobs_queued: Arc::new(Notify::new()),
            }),
        };
        if batcher.shared.thread.is_some() {
            tokio::spawn(Shared::pump(
                Arc::downgrade(&batcher.shared),
                batcher.shared.jobs_queued.clone(),
            ));
        }
        batcher
    }

    /// See `writer::Thread::restart_log`.
    pub(super) fn restart_log(&self) {
        if let Some(thread) = &self.shared.thread {
            thread.restart_log();
        }
    }

    /// A transaction whose writes are queued until it needs the database (then it takes a
    /// turn) or commits (then it goes whole to the writer thread).
    pub fn begin(&self) -> Tx {
        Tx {
            inner: Inner::Pending(self.clone()),
            queued: Vec::new(),
        }
    }

    /// Commits `writes` as one change: on the writer thread when there is one, else in a turn.
    pub(in crate::server::store) async fn submit(
        &self,
        writes: Vec<Statement>,
    ) -> Result<(), sqlx::Error> {
        if writes.is_empty() {
            return Ok(());
        }
        if self.shared.thread.is_none() {
            return self.turn().await?.commit(writes).await;
        }
        let (done, answer) = oneshot::channel();
        self.shared
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Job { writes, done });
        self.shared.jobs_queued.notify_one();
        answer.await.unwrap_or_else(|_| Err(writer::stopped()))
    }

    /// Waits for a turn in the batch transaction. The turn's savepoint opens with its first
    /// statement.
    pub(in crate::server::store) async fn turn(&self) -> Result<Turn, sqlx::Error> {
        let ticket = Ticket::new(self.shared.clone());
        let mut batch = self.shared.batch.clone().lock_owned().await;
        ticket.redeem();
        if batch.conn.is_none() {
            let mut conn = self.shared.pool.acquire().await?;
            conn.execute("BEGIN IMMEDIATE").await?;
            batch.conn = Some(conn);
        }
        Ok(Turn {
            batch: Some(batch),
            shared: self.shared.clone(),
            opened: false,
        })
    }
}

impl Shared {
    /// Waits for whole changes and has the writer thread write them. Holds the batcher only
    /// while writing, so it ends once the batcher is dropped (`Drop` rings the bell).
    async fn pump(shared: std::sync::Weak<Shared>, bell: Arc<Notify>) {
        loop {
            // A ring while nobody waits is kept, so a change queued during a write is not missed.
            bell.notified().await;
            let Some(this) = shared.upgrade() else {
                return;
            };
            this.write_queued().await;
        }
    }

    /// Until no whole change waits: takes the writer's turn (committing a batch of turns still
    /// open on it), and has the thread write what waits in one transaction.
    async fn write_queued(&self) {
        let Some(thread) = &self.thread else {
            return;
        };
        loop {
            let mut batch = self.batch.clone().lock_owned().await;
            self.flush(&mut batch).await;
            let jobs: Vec<Job> = {
                let mut waiting = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
                let n = waiting.len().min(MAX_BATCH);
                waiting.drain(..n).collect()
            };
            if jobs.is_empty() {
                return;
            }
            thread.run(jobs).await;
        }
    }

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
pub(in crate::server::store) struct Turn {
    batch: Option<OwnedMutexGuard<Batch>>,
    shared: Arc<Shared>,
    /// Whether this turn's savepoint was sent (its first round trip opens it).
    opened: bool,
}

impl Turn {
    pub(in crate::server::store) fn connection_mut(&mut self) -> &mut AnyConnection {
        self.batch
            .as_mut()
            .and_then(|b| b.conn.as_deref_mut())
            .expect("a turn holds an open batch")
    }

    /// One round trip: the savepoint if not open yet, `writes`, then `tail`.
    pub(in crate::server::store) async fn send(
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

    pub(in crate::server::store) async fn commit(
        mut self,
        queued: Vec<Statement>,
    ) -> Result<(), sqlx::Error> {
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

    pub(in crate::server::store) async fn rollback(mut self) -> Result<(), sqlx::Error> {
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
