//! Store upkeep (`Store::spawn_maintenance`): copies the write-ahead log into the database file in the background, and has
//! the log start over before it grows large.
//!
//! SQLite's own checkpoint runs inside the commit that takes the log past its size limit, so
//! every request of that group commit waited for megabytes of copying and an fsync of the
//! database file. Here a PASSIVE checkpoint, which takes no lock the writer or readers wait for,
//! runs every 100 ms on a reader connection: each copies a tenth of a second of commits, so its
//! fsync stays small next to the commits' own (at 1 s, a commit stalled ~40 ms once a second).
//!
//! The log only starts over (and is then written in place instead of growing) at a write
//! that finds every page of it already copied; under steady load a commit always lands between
//! a background copy and the next write, so it never would. Once the log passes `RESTART_AT`
//! pages, this step copies again until a pass is quick (each copies only what was committed
//! during the one before), then asks the writer to copy what is left between two batches:
//! the writer, which holds every write meanwhile, copies a batch or two instead of a tenth of
//! a second of them.

use crate::server::store::Store;
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(100);

/// Log pages (4 KiB each) past which the log is made to start over: under sustained load the
/// log file grows to about 1 GiB, and keeps that size, reused from its start (when writes
/// pause, a background copy catches up and SQLite starts the log over by itself, so a gateway
/// that never sees sustained load keeps a small one). Each restart holds every write for the
/// writer's last copy and its fsync (up to ~90 ms seen in the bench), so they should be rare:
/// at 30,000 pages they came twice a second and the bench's p99 was 26-31 ms; at 120,000,
/// 22 ms; at 250,000, once every three seconds and 19-20 ms.
pub const RESTART_AT: i64 = 250_000;

/// A copy this quick left little behind it.
const QUICK: Duration = Duration::from_millis(4);
const MAX_PASSES: usize = 5;

/// What one step did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Log pages in the database file after the first pass.
    pub copied: i64,
    /// Whether the writer was asked to let the log start over.
    pub restart: bool,
}

/// One background checkpoint, and the restart of the log once it holds `restart_at` pages.
pub async fn run_once(store: &Store, restart_at: i64) -> Result<Outcome, sqlx::Error> {
    let first = store.checkpoint().await?;
    let restart = first.log >= restart_at;
    if restart {
        for _ in 1..MAX_PASSES {
            let started = Instant::now();
            store.checkpoint().await?;
            if started.elapsed() < QUICK {
                break;
            }
        }
        store.restart_log();
    }
    Ok(Outcome {
        copied: first.copied,
        restart,
    })
}

/// Checkpoints every `EVERY` until the task is dropped or the store is closed (a server that
/// shuts down closes its store before it stops this task). Started by `Store::spawn_maintenance`,
/// on SQLite only.
pub(in crate::server::store) async fn run(store: Store) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if store.reader().is_closed() {
            return;
        }
        if let Err(err) = run_once(&store, RESTART_AT).await {
            tracing::warn!(error = %err, "background checkpoint failed; will retry");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::Statement;

    #[tokio::test]
    async fn a_long_log_is_copied_and_the_writer_asked_to_start_it_over() {
        let (store, dir) = crate::server::store::temp_sqlite("restart").await;
        let write = |v: i64| {
            let store = store.clone();
            async move {
                let mut tx = store.begin().await.unwrap();
                tx.defer(Statement::new("INSERT INTO t (v) VALUES ($1)").bind(v));
                tx.commit().await.unwrap();
            }
        };
        sqlx::query("CREATE TABLE t (v INTEGER)")
            .execute(store.writer())
            .await
            .unwrap();
        for v in 0..50 {
            write(v).await;
        }
        let short = run_once(&store, 1_000).await.unwrap();
        assert!(short.copied >= 50 && !short.restart, "{short:?}");
        write(50).await;
        let long = run_once(&store, 1).await.unwrap();
        assert!(long.restart, "{long:?}");
        write(51).await;
        write(52).await;
        assert!(store.checkpoint().await.unwrap().log < 5);
        store.close().await;
        std::fs::remove_dir_all(dir).ok();
    }
}
