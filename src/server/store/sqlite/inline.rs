//! SQLite: hot reads run on the calling thread.
//!
//! A point read from SQLite takes microseconds. sqlx runs each SQLite connection on a thread of
//! its own, so through the reader pool the same read also costs two thread switches (there and
//! back), more than the read itself: at load, most of the server's CPU went to switching. The
//! hot reads (a payment by id, an idempotency key, a merchant's webhook endpoints) therefore run
//! here, on a connection each runtime thread keeps for the database; in the bench, retrieves/s
//! doubled. Only indexed lookups of a few rows belong here: a read holds its thread while it
//! runs. In WAL mode a reader waits for nobody, so it never blocks for long.

use super::driver::{self as sqlite, to_sqlx};
use crate::server::store::statement::Statement;
use rusqlite::{Connection, OpenFlags};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Read-only; a small cache (SQLite empties a reader's cache whenever the database changed
/// since its last read, so a large one only costs emptying); no long waits on a runtime thread.
const PRAGMAS: [&str; 3] = [
    "PRAGMA query_only = ON",
    "PRAGMA cache_size = -2048",
    "PRAGMA busy_timeout = 1000",
];

/// Connections a thread keeps: one per database it reads (tests open many).
const KEPT: usize = 4;

/// A store's SQLite file. The id tells stores apart, so a file made anew at the same path (a
/// test's) never meets a connection to the old one.
#[derive(Debug)]
pub(in crate::server::store) struct Database {
    id: u64,
    path: PathBuf,
}

impl Database {
    pub(in crate::server::store) fn new(path: PathBuf) -> Database {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Database {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            path,
        }
    }
}

thread_local! {
    static CONNECTIONS: RefCell<Vec<(u64, Connection)>> = const { RefCell::new(Vec::new()) };
}

/// Runs the query `read` on this thread's connection to `db`; rows become `T` by column name.
pub(in crate::server::store) fn fetch_all<T: DeserializeOwned>(
    db: &Database,
    read: &Statement,
) -> Result<Vec<T>, sqlx::Error> {
    CONNECTIONS.with(|cell| {
        let mut kept = cell.borrow_mut();
        let at = match kept.iter().position(|(id, _)| *id == db.id) {
            Some(at) => at,
            None => {
                if kept.len() == KEPT {
                    kept.remove(0);
                }
                kept.push((
                    db.id,
                    sqlite::open(&db.path, OpenFlags::default(), &PRAGMAS)?,
                ));
                kept.len() - 1
            }
        };
        let mut query = sqlite::prepare(&kept[at].1, read)?;
        serde_rusqlite::from_rows::<T>(query.raw_query())
            .collect::<Result<Vec<T>, _>>()
            .map_err(|err| match err {
                serde_rusqlite::Error::Rusqlite(err) => to_sqlx(err),
                other => sqlx::Error::Decode(Box::new(other)),
            })
    })
}
