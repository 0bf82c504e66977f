//! Group commit under concurrency, failure and cancellation.

use super::*;
use sqlx::any::{AnyPoolOptions, install_default_drivers};

async fn batcher(dir: &std::path::Path) -> (Batcher, AnyPool) {
    install_default_drivers();
    let url = format!("sqlite://{}/t.db?mode=rwc", dir.display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (v INTEGER PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    let reader = AnyPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .unwrap();
    (Batcher::new(pool), reader)
}

async fn values(reader: &AnyPool) -> Vec<i64> {
    sqlx::query_scalar("SELECT v FROM t ORDER BY v")
        .fetch_all(reader)
        .await
        .unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "vinr-tx-{name}-{}-{}",
        std::process::id(),
        crate::crypto::random_base62(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn insert(tx: &mut Tx, v: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO t (v) VALUES ($1)")
        .bind(v)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_turns_all_commit_and_failures_undo_only_themselves() {
    let dir = temp_dir("concurrent");
    let (batcher, reader) = batcher(&dir).await;
    let mut tasks = Vec::new();
    for v in 0..200i64 {
        let batcher = batcher.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = batcher.begin().await?;
            insert(&mut tx, v).await?;
            if v % 10 == 3 {
                // A second insert that fails (duplicate key): this turn must vanish whole.
                insert(&mut tx, v).await?;
            }
            if v % 10 == 7 {
                return tx.rollback().await.map(|_| false);
            }
            tx.commit().await.map(|_| true)
        }));
    }
    let mut committed = Vec::new();
    for (v, task) in tasks.into_iter().enumerate() {
        if let Ok(true) = task.await.unwrap() {
            committed.push(v as i64);
        }
    }
    assert_eq!(committed.len(), 160);
    assert_eq!(values(&reader).await, committed);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_dropped_turn_is_rolled_back_and_frees_the_batch() {
    let dir = temp_dir("dropped");
    let (batcher, reader) = batcher(&dir).await;
    {
        let mut tx = batcher.begin().await.unwrap();
        insert(&mut tx, 1).await.unwrap();
    }
    let mut tx = batcher.begin().await.unwrap();
    insert(&mut tx, 2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(values(&reader).await, vec![2]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn nothing_is_visible_to_readers_before_its_commit() {
    let dir = temp_dir("visible");
    let (batcher, reader) = batcher(&dir).await;
    let mut tx = batcher.begin().await.unwrap();
    insert(&mut tx, 5).await.unwrap();
    assert!(values(&reader).await.is_empty());
    tx.commit().await.unwrap();
    assert_eq!(values(&reader).await, vec![5]);
    std::fs::remove_dir_all(dir).ok();
}
