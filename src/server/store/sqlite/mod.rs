//! The SQLite engine: everything that makes one SQLite file serve many concurrent requests
//! durably. Nothing outside this folder knows it exists; above it, `Store` and `Tx` behave the
//! same on Postgres (where none of this runs).
//!
//! Why it exists: SQLite has one writer at a time and makes each commit durable with an fsync,
//! so a transaction per request caps the API at the disk's fsync rate, and sqlx runs each
//! SQLite connection on a thread of its own, so every statement costs two thread switches.
//! The parts, each measured in the bench (`make bench`; figures in their commits, and again
//! with each switched off when this folder was made):
//!
//! - `batch`: group commit. Changes share a transaction, each in its own savepoint, and one
//!   commit (one fsync) answers all of them.
//! - `writer`: a thread with its own connection that runs whole changes made only of writes,
//!   back to back, many to a commit, without going back to the async runtime between them.
//! - `inline`: hot point reads (a payment by id, an idempotency key) on the calling thread.
//! - `checkpoint`: store upkeep that copies the write-ahead log into the database file in the
//!   background and has the log start over before it grows large.
//! - `script`: a turn's queued writes and its statement sent as one SQLite script.
//! - `driver`: rusqlite for `writer` and `inline`, taking the store's `Statement`s and
//!   reporting errors as sqlx's.
//!
//! ## Rules
//!
//! 1. A change is one `Tx`. Its writes whose answer nobody reads are queued (`Tx::defer`); a
//!    statement that needs an answer (`execute`, `fetch_all`, `conn`) first sends what is
//!    queued, in order, in the same round trip.
//! 2. Only a write whose failure may surface later can be deferred: a deferred write's error
//!    (a unique violation, a foreign key) is returned by the transaction's next statement or by
//!    its `commit`, never earlier. A write whose outcome decides what the change does next
//!    (a compare-and-set, an insert that may collide) is run with `execute` instead.
//! 3. A change's writes go to the database in the order it made them, and a failing change is
//!    undone alone (its savepoint); the others in the same commit are kept.
//! 4. `commit` returns once the commit holding the change is durable (`synchronous = FULL`):
//!    an answered request survives a power cut. If that commit fails, every change in it gets
//!    the error, and none of them is kept.
//! 5. A change that never needed an answer is handed whole to the writer thread at `commit`;
//!    one that did holds the shared writer connection (its "turn") from its first answered
//!    statement to its commit, so it must not wait on anything slow (an acquirer call, HTTP)
//!    in between. Dropping a `Tx` undoes it.
//! 6. Inline reads are for indexed lookups of a few rows: they hold a runtime thread while
//!    they run. Everything else reads through the reader pool.
//!
//! ## A transaction's states
//!
//! ```text
//!             Store::begin
//!                  |
//!                  v
//!   defer ---> Pending (only queued writes; nothing sent)
//!                  |                                   |
//!                  | commit                            | execute / fetch_all / conn
//!                  v                                   v
//!   writer thread: runs it with every change     Batched (a turn on the writer
//!   waiting, each in a savepoint, one COMMIT      connection: savepoint, queued writes
//!                  |                               and the statement in one round trip)
//!                  |                                   | commit: release the savepoint;
//!                  |                                   | the last turn waiting commits
//!                  v                                   v
//!                  +------> durable, answered <--------+
//!
//!   rollback / drop: Pending has nothing to undo; Batched rolls back to its savepoint.
//!   Postgres: Plain (a sqlx transaction; queued writes run one by one before the next
//!   statement or the commit).
//! ```

pub(super) mod batch;
pub mod checkpoint;
mod driver;
pub(super) mod inline;
mod script;
mod writer;

pub use batch::Batcher;

use super::Store;
use anyhow::{Context, Result};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

/// What a checkpoint found, in pages (frames) of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// Pages in the log since it last started over.
    pub log: i64,
    /// How many of them are now in the database file.
    pub copied: i64,
}

/// The SQLite settings every connection gets: durable commits (the API promises that an
/// answered request survives a power cut) and enforced foreign keys.
pub const SQLITE_PRAGMAS: [&str; 7] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    // The log is copied into the database file by a background checkpoint (`checkpoint`),
    // not by the commit that fills it, and starts over past `RESTART_AT` (250,000) pages;
    // SQLite's own checkpoint, run by the committing writer, only past 300,000, should that fail.
    "PRAGMA wal_autocheckpoint = 300000",
    // A group commit's transaction touches many pages (each request's rows land at random
    // places in the id indexes): 32 MiB of page cache instead of 2 keeps them without rereading
    // or spilling them to the log before the commit.
    "PRAGMA cache_size = -32768",
    // Each turn's savepoint journals the pages it changes; in memory, not in a temporary file.
    "PRAGMA temp_store = MEMORY",
];

/// The engine of one SQLite store.
#[derive(Clone, Debug)]
pub(super) struct Engine {
    /// Group commit over the writer connection, with the writer thread when there is a file.
    pub(super) batcher: Batcher,
    /// The file hot reads open on the calling thread; none for an in-memory database.
    pub(super) inline: Option<Arc<inline::Database>>,
}

/// Opens the reader pool, the writer pool (one connection) and the engine over `url`,
/// creating the file (and its folder) when missing.
pub(super) async fn connect(url: &str) -> Result<(AnyPool, AnyPool, Engine)> {
    // An in-memory database is the connection's own: only a file can be shared with a writer
    // thread and read from other threads.
    let file = sqlite_file(url);
    if let Some(path) = &file {
        ensure_folder(path)?;
    }
    let writer = sqlite_pool(url, 1).await?;
    let reader = sqlite_pool(url, 8).await?;
    let thread = file
        .as_deref()
        .map(|path| writer::Thread::start(path, &SQLITE_PRAGMAS))
        .transpose()
        .context("starting the SQLite writer")?;
    let engine = Engine {
        batcher: Batcher::new(writer.clone(), thread),
        inline: file.map(|path| Arc::new(inline::Database::new(path))),
    };
    Ok((reader, writer, engine))
}

impl Store {
    /// SQLite: copies what the log holds into the database file as far as no reader needs the
    /// log any more, without blocking anyone (a PASSIVE checkpoint, on a reader connection).
    pub async fn checkpoint(&self) -> Result<Checkpointed, sqlx::Error> {
        let (_busy, log, copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&self.reader)
                .await?;
        Ok(Checkpointed { log, copied })
    }

    /// SQLite: has the writer copy what is left of the log after its next batch, so that the
    /// log starts over from its beginning (see `checkpoint`).
    pub fn restart_log(&self) {
        if let Some(engine) = &self.sqlite {
            engine.batcher.restart_log();
        }
    }
}

async fn sqlite_pool(url: &str, size: u32) -> Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                for pragma in SQLITE_PRAGMAS {
                    conn.execute(pragma).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .with_context(|| format!("opening SQLite database {url}"))
}

/// The file a `sqlite:` URL names; none for an in-memory (or unnamed, temporary) database.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

fn ensure_folder(file: &std::path::Path) -> Result<()> {
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating folder {}", parent.display()))?;
    }
    Ok(())
}
