//! The store: SQLite or Postgres behind one interface (sqlx's `Any` driver, one query text).
//!
//! SQLite allows one writer at a time, so writes go through a pool of one connection: writers
//! queue in the pool instead of failing with `SQLITE_BUSY`, while reads use a wider pool (WAL).
//! Postgres uses one pool for both.

pub mod accounts;
pub mod acquirer_connections;
pub mod api_keys;
pub mod callbacks;
pub mod charges;
pub mod checkout_sessions;
pub mod connected_accounts;
pub mod customers;
pub mod events;
pub mod idempotency;
mod inline;
pub mod ledger;
mod migrations;
pub mod page;
pub mod payment_methods;
pub mod payments;
pub mod refunds;
pub mod row;
pub mod sessions;
mod sqlite;
pub mod statement;
pub mod tx;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
mod writer;

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use sqlx::any::{AnyPoolOptions, AnyRow, install_default_drivers};
use sqlx::{AnyPool, Executor, FromRow};
use std::sync::Arc;
use std::time::Duration;

pub use statement::Statement;
pub use tx::Tx;

/// What a checkpoint found, in pages (frames) of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// Pages in the log since it last started over.
    pub log: i64,
    /// How many of them are now in the database file.
    pub copied: i64,
}

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("VINR_DATABASE_URL must start with sqlite: or postgres:")
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Handle to the database; cheap to clone.
///
/// On SQLite, writes go to one connection, shared through group commit (`tx`): changes that
/// read or need an answer as they go take turns on it, and changes that are only writes go
/// whole to a thread of their own (`writer`), many to a commit.
#[derive(Clone, Debug)]
pub struct Store {
    reader: AnyPool,
    writer: AnyPool,
    /// SQLite only: group commit over the writer connection (see `tx`).
    batcher: Option<tx::Batcher>,
    backend: Backend,
    /// SQLite only: the file hot reads open on their own thread (`inline`).
    inline: Option<Arc<inline::Database>>,
}

/// The SQLite settings every connection gets: durable commits (the API promises that an
/// answered request survives a power cut) and enforced foreign keys.
pub const SQLITE_PRAGMAS: [&str; 7] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    // The log is copied into the database file by a background checkpoint (`workers::checkpoint`),
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

impl Store {
    /// Connects to `url`, creating the SQLite file (and its folder) when missing.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        match backend {
            Backend::Sqlite => {
                // An in-memory database is the connection's own: only a file can be shared
                // with a writer thread and read from other threads.
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
                Ok(Store {
                    reader,
                    batcher: Some(tx::Batcher::new(writer.clone(), thread)),
                    writer,
                    backend,
                    inline: file.map(|path| Arc::new(inline::Database::new(path))),
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .context("connecting to Postgres")?;
                Ok(Store {
                    reader: pool.clone(),
                    writer: pool,
                    batcher: None,
                    backend,
                    inline: None,
                })
            }
        }
    }

    /// Applies the migrations under `migrations/` (idempotent; Postgres serialises concurrent
    /// runs with an advisory lock).
    pub async fn migrate(&self) -> Result<()> {
        migrations::migrator()
            .run(&self.writer)
            .await
            .context("applying migrations")?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for single-statement writes outside a transaction.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// The pool for reads outside a transaction.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// Runs the query `read` outside any transaction and returns its rows. On SQLite it runs on
    /// the calling thread (`inline`): for indexed lookups of a few rows only.
    pub async fn fetch_all<T>(&self, read: Statement) -> Result<Vec<T>, sqlx::Error>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, AnyRow>,
    {
        match &self.inline {
            Some(db) => inline::fetch_all(db, &read),
            None => read
                .query()
                .fetch_all(&self.reader)
                .await?
                .iter()
                .map(T::from_row)
                .collect(),
        }
    }

    /// `fetch_all`, for a query of one row at most.
    pub async fn fetch_optional<T>(&self, read: Statement) -> Result<Option<T>, sqlx::Error>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, AnyRow>,
    {
        Ok(self.fetch_all(read).await?.into_iter().next())
    }

    /// Starts a write transaction. On SQLite it joins a group commit (`tx::batch`): it takes the
    /// write lock (`BEGIN IMMEDIATE`) before its first statement that needs an answer, so it
    /// never fails half-way for lack of it, and one made only of queued writes goes whole to the
    /// writer thread at its commit.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match &self.batcher {
            Some(batcher) => Ok(batcher.begin()),
            None => self.writer.begin().await.map(Tx::plain),
        }
    }

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
    /// log starts over from its beginning (see `workers::checkpoint`).
    pub fn restart_log(&self) {
        if let Some(batcher) = &self.batcher {
            batcher.restart_log();
        }
    }

    /// Checks the database answers: what `/readyz` reports.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map(|_| ())
    }

    /// Closes the pools (waits for connections in use to be returned).
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
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

/// True when `err` is a unique-constraint violation (the same on both databases).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests;

/// A store on a new SQLite file in its own temporary folder (remove the folder when done).
#[cfg(test)]
pub(crate) async fn temp_sqlite(name: &str) -> (Store, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "vinr-{name}-{}-{}",
        std::process::id(),
        crate::server::crypto::random_base62(6)
    ));
    let url = format!("sqlite://{}/{name}.db?mode=rwc", dir.display());
    (Store::connect(&url).await.unwrap(), dir)
}
