//! The store: SQLite or Postgres behind one interface (sqlx's `Any` driver, one query text).
//!
//! Every statement is a `Statement` (text with `$n` placeholders, and its arguments), run on a
//! pool, in a `Tx`, or on the calling thread (`Store::fetch_all`); `row!` describes a table once
//! (insert, scoped select by id, list). Each table's queries are in a file of its own.
//!
//! SQLite allows one writer at a time: its engine (group commit, the writer thread, reads on
//! the calling thread, checkpoints) is fenced in `sqlite`, whose module doc states its rules.
//! Postgres uses one sqlx pool for reads and writes.

pub mod accounts;
pub mod acquirer_connections;
pub mod api_keys;
pub mod callbacks;
pub mod charges;
pub mod checkout_sessions;
mod columns;
pub mod connected_accounts;
pub mod customers;
pub mod events;
pub mod idempotency;
pub mod invoices;
pub mod key_cache;
pub mod ledger;
pub mod loyalty;
mod migrations;
pub mod page;
pub mod payment_methods;
pub mod payments;
#[cfg(test)]
mod plans;
pub mod products;
pub mod refunds;
pub mod row;
pub mod sessions;
pub mod sqlite;
pub mod statement;
pub mod subscriptions;
pub mod test_clocks;
pub mod tx;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_endpoints;

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use sqlx::any::{AnyPoolOptions, AnyRow, install_default_drivers};
use sqlx::{AnyPool, FromRow};
use std::time::Duration;

pub use sqlite::{Checkpointed, SQLITE_PRAGMAS};
pub use statement::Statement;
pub use tx::Tx;

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
/// On SQLite, writes and hot reads go through the engine in `sqlite` (group commit, a writer
/// thread, reads on the calling thread); on Postgres, through sqlx's pool alone.
#[derive(Clone, Debug)]
pub struct Store {
    reader: AnyPool,
    writer: AnyPool,
    backend: Backend,
    /// SQLite only.
    sqlite: Option<sqlite::Engine>,
}

impl Store {
    /// Connects to `url`, creating the SQLite file (and its folder) when missing.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        match backend {
            Backend::Sqlite => {
                let (reader, writer, engine) = sqlite::connect(url).await?;
                Ok(Store {
                    reader,
                    writer,
                    backend,
                    sqlite: Some(engine),
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
                    backend,
                    sqlite: None,
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
        match self
            .sqlite
            .as_ref()
            .and_then(|engine| engine.inline.as_ref())
        {
            Some(db) => sqlite::inline::fetch_all(db, &read),
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

    /// Starts a write transaction. On SQLite it joins a group commit (`sqlite::batch`): it takes the
    /// write lock (`BEGIN IMMEDIATE`) before its first statement that needs an answer, so it
    /// never fails half-way for lack of it, and one made only of queued writes goes whole to the
    /// writer thread at its commit.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match &self.sqlite {
            Some(engine) => Ok(engine.batcher.begin()),
            None => self.writer.begin().await.map(Tx::plain),
        }
    }

    /// Checks the database answers: what `/readyz` reports.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map(|_| ())
    }

    /// Starts the store's own upkeep, for a serving instance: on SQLite, the background
    /// checkpoint (`sqlite::checkpoint`); nothing on Postgres. Abort the handle to stop it.
    pub fn spawn_maintenance(&self) -> Option<tokio::task::JoinHandle<()>> {
        (self.backend == Backend::Sqlite)
            .then(|| tokio::spawn(sqlite::checkpoint::run(self.clone())))
    }

    /// Closes the pools (waits for connections in use to be returned).
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
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
