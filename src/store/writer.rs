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
//!
//! Statements are prepared once per connection and kept (`prepare_cached`), as sqlx does.

use super::statement::{Arg, Statement};
use rusqlite::Connection;
use std::borrow::Cow;
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
        let conn = Connection::open(path).map_err(to_sqlx)?;
        for pragma in pragmas {
            // Some pragmas answer with a row (journal_mode); none of them is needed.
            conn.query_row(pragma, [], |_| Ok(()))
                .or_else(|err| match err {
                    rusqlite::Error::QueryReturnedNoRows => Ok(()),
                    other => Err(other),
                })
                .map_err(to_sqlx)?;
        }
        // One statement of each kind per change, a few dozen kinds: room for all of them.
        conn.set_prepared_statement_cache_capacity(256);
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

fn stopped() -> sqlx::Error {
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

/// Runs one statement; its `$n` placeholders take the statement's n-th argument.
fn execute(conn: &Connection, write: &Statement) -> Result<(), sqlx::Error> {
    let mut stmt = conn.prepare_cached(write.sql()).map_err(to_sqlx)?;
    for index in 1..=stmt.parameter_count() {
        let arg = stmt
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| write.args().get(n))
            .ok_or_else(|| sqlx::Error::Protocol(format!("placeholder {index} has no argument")))?;
        match arg {
            Arg::Text(v) => stmt.raw_bind_parameter(index, v.as_deref()),
            Arg::Int(v) => stmt.raw_bind_parameter(index, v),
        }
        .map_err(to_sqlx)?;
    }
    stmt.raw_execute().map(|_| ()).map_err(to_sqlx)
}

/// A failed write, as the rest of the store reports database errors: `store::is_unique_violation`
/// reads it as it reads sqlx's own.
#[derive(Debug)]
struct WriteError {
    message: String,
    /// SQLite's extended result code.
    code: i32,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WriteError {}

impl sqlx::error::DatabaseError for WriteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        match self.code {
            ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
                sqlx::error::ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => sqlx::error::ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => sqlx::error::ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => sqlx::error::ErrorKind::CheckViolation,
            _ => sqlx::error::ErrorKind::Other,
        }
    }
}

fn to_sqlx(err: rusqlite::Error) -> sqlx::Error {
    match err {
        rusqlite::Error::SqliteFailure(failure, message) => {
            sqlx::Error::Database(Box::new(WriteError {
                message: message.unwrap_or_else(|| failure.to_string()),
                code: failure.extended_code,
            }))
        }
        other => sqlx::Error::Protocol(other.to_string()),
    }
}
