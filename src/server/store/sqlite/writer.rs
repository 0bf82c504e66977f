//! SQLite: whole changes written by a thread of their own, many to a commit.
//!
//! Most changes are only writes whose answer nobody reads (a payment, its charge, its events,
//! its ledger postings, the idempotency record). Such a change need not hold the shared writer
//! while its request runs: it is handed over whole at its commit (`Batcher::submit`), and this
//! thread, which owns a connection of its own, runs every change waiting at that moment one
//! after the other, each in its own savepoint (a failing one is undone alone), then commits
//! them together. Between two changes nothing goes back to the async runtime: with a turn per
//! request, the writer sat idle while each request's task waited to be scheduled, and every
//! statement's answer woke that task.

use super::driver::{self as sqlite, to_sqlx};
use crate::server::store::statement::Statement;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::oneshot;

/// One change: its writes in order, and who waits for its commit.
#[derive(Debug)]
pub(super) struct Job {
    pub(super) writes: Vec<Statement>,
    pub(super) done: oneshot::Sender<Result<(), sqlx::Error>>,
}

/// Hands batches of jobs to the writer thread. Cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct Thread {
    batches: std::sync::mpsc::Sender<(Vec<Job>, oneshot::Sender<()>)>,
    /// Set when the log should start over (`restart_log`).
    restart: Arc<AtomicBool>,
}

impl Thread {
    /// Opens `path` with `pragmas` and starts the thread; it ends when every `Thread` handle
    /// is dropped.
    pub(super) fn start(path: &Path, pragmas: &[&str]) -> Result<Thread, sqlx::Error> {
        let conn = sqlite::open(path, OpenFlags::default(), pragmas)?;
        let (batches, incoming) = std::sync::mpsc::channel::<(Vec<Job>, oneshot::Sender<()>)>();
        let restart = Arc::new(AtomicBool::new(false));
        let restart_due = restart.clone();
        std::thread::Builder::new()
            .name("vinr-sqlite-writer".into())
            .spawn(move || {
                for (jobs, finished) in incoming {
                    commit_batch(&conn, jobs);
                    let _ = finished.send(());
                    if restart_due.swap(false, Ordering::AcqRel) {
                        finish_checkpoint(&conn);
                    }
                }
            })
            .map_err(sqlx::Error::Io)?;
        Ok(Thread { batches, restart })
    }

    /// Asks for the log to start over from its beginning. SQLite restarts it at the start of
    /// a write once every frame is copied into the database file and no reader needs it; under
    /// steady load the background checkpoint never sees that moment (a commit always lands
    /// between its copy and the next write), so the log would grow to SQLite's own limit, whose
    /// checkpoint then stalls a commit for all the frames since the last background one. Asked
    /// right after a background checkpoint, the writer copies only the few frames committed
    /// since, between two batches, and its next write starts the log over.
    pub(super) fn restart_log(&self) {
        self.restart.store(true, Ordering::Release);
    }

    /// Runs `jobs` in one transaction; returns once each job has its answer.
    pub(super) async fn run(&self, jobs: Vec<Job>) {
        let (finished, wait) = oneshot::channel();
        if let Err(err) = self.batches.send((jobs, finished)) {
            let (jobs, _) = err.0;
            for job in jobs {
                let _ = job.done.send(Err(stopped()));
            }
            return;
        }
        let _ = wait.await;
    }
}

pub(super) fn stopped() -> sqlx::Error {
    sqlx::Error::Protocol("the SQLite writer has stopped".into())
}

/// Copies what is left of the log into the database file (see `Thread::restart_log`).
fn finish_checkpoint(conn: &Connection) {
    if let Err(err) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(error = %err, "SQLite writer: checkpoint failed");
    }
}

/// One transaction: every job in its own savepoint, then one commit for all that succeeded.
fn commit_batch(conn: &Connection, jobs: Vec<Job>) {
    if let Err(err) = conn.execute_batch("BEGIN IMMEDIATE") {
        let err = err.to_string();
        for job in jobs {
            let _ = job.done.send(Err(sqlx::Error::Protocol(err.clone())));
        }
        return;
    }
    let mut committed = Vec::with_capacity(jobs.len());
    for job in jobs {
        match run_job(conn, &job.writes) {
            Ok(()) => committed.push(job.done),
            Err(err) => {
                let _ = job.done.send(Err(err));
            }
        }
    }
    let result = conn.execute_batch("COMMIT").map_err(|err| {
        tracing::error!(error = %err, changes = committed.len(), "SQLite writer: commit failed");
        // Leave no transaction open for the next batch.
        let _ = conn.execute_batch("ROLLBACK");
        err.to_string()
    });
    for done in committed {
        let _ = done.send(
            result
                .clone()
                .map_err(|why| sqlx::Error::Protocol(format!("commit failed: {why}"))),
        );
    }
}

/// A job's writes inside a savepoint of their own: all of them, or none.
fn run_job(conn: &Connection, writes: &[Statement]) -> Result<(), sqlx::Error> {
    conn.execute_batch("SAVEPOINT job").map_err(to_sqlx)?;
    let ran = writes.iter().try_for_each(|write| execute(conn, write));
    let ended = match &ran {
        Ok(()) => conn.execute_batch("RELEASE job"),
        Err(_) => conn.execute_batch("ROLLBACK TO job; RELEASE job"),
    };
    ran?;
    ended.map_err(to_sqlx)
}

fn execute(conn: &Connection, write: &Statement) -> Result<(), sqlx::Error> {
    sqlite::prepare(conn, write)?
        .raw_execute()
        .map(|_| ())
        .map_err(to_sqlx)
}
