//! Write transactions.
//!
//! Every state change happens inside exactly one `Tx`. Writes whose answer nobody reads are
//! queued (`Tx::defer`) and reach the database with the transaction's next statement that needs
//! an answer (`execute`, `fetch_all`, `conn`) or with its commit, in as few round trips as
//! possible.
//!
//! On SQLite a `Tx` is part of a group commit (`batch`): it starts with nothing but its queue;
//! a statement that needs an answer takes a turn on the shared writer connection, and a change
//! that reaches its commit having only queued writes is handed whole to the writer thread. On
//! Postgres, which handles concurrent writers itself, a `Tx` is a plain transaction, and queued
//! writes run one by one when the next statement or the commit needs them.

use super::sqlite::Batcher;
use super::sqlite::batch::Turn;
use super::statement::Statement;
use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Either, Executor, FromRow};

/// A write transaction. Every state change happens inside exactly one. Queries that need an
/// answer run on `tx.conn().await?`; writes that need none are queued with `defer`.
pub struct Tx {
    pub(super) inner: Inner,
    /// Writes not sent yet, in order. They reach the database before anything else this
    /// transaction does, so its statements keep their order.
    pub(super) queued: Vec<Statement>,
}

pub(super) enum Inner {
    Plain(sqlx::Transaction<'static, Any>),
    /// SQLite, before anything needed the database: the writes are only queued. At the commit
    /// they go whole to the writer thread; a statement whose answer is needed takes a turn.
    Pending(Batcher),
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
            Inner::Pending(_) => unreachable!("sending takes a turn"),
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
            Inner::Pending(batcher) => batcher.submit(queued).await,
            Inner::Batched(turn) => turn.commit(queued).await,
        }
    }

    /// Undoes the work of this transaction (and only of this one).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.inner {
            Inner::Plain(tx) => tx.rollback().await,
            // Nothing reached the database.
            Inner::Pending(_) => Ok(()),
            Inner::Batched(turn) => turn.rollback().await,
        }
    }

    async fn send_queued(&mut self) -> Result<Sent, sqlx::Error> {
        if let Inner::Pending(batcher) = &self.inner {
            self.inner = Inner::Batched(batcher.turn().await?);
        }
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
            Inner::Pending(_) => unreachable!("a turn was just taken"),
        }
    }
}

/// What a round trip gave back: the rows its statements returned (only the last statement of
/// a round trip may be a query) and how many rows its last statement changed.
#[derive(Default)]
pub(super) struct Sent {
    pub(super) rows: Vec<AnyRow>,
    pub(super) changed: u64,
}

impl Sent {
    /// Runs `query` (one statement, or an SQLite script) and collects what it gives back.
    pub(super) async fn of<'q>(
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
