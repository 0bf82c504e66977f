//! Group commit under concurrency, failure and cancellation.

use super::*;
use sqlx::AnyPool;
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
    (Batcher::new(pool, None), reader)
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
        crate::server::crypto::random_base62(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn insert(tx: &mut Tx, v: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO t (v) VALUES ($1)")
        .bind(v)
        .execute(tx.conn().await?)
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
            let mut tx = batcher.begin();
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
        let mut tx = batcher.begin();
        insert(&mut tx, 1).await.unwrap();
    }
    let mut tx = batcher.begin();
    insert(&mut tx, 2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(values(&reader).await, vec![2]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn nothing_is_visible_to_readers_before_its_commit() {
    let dir = temp_dir("visible");
    let (batcher, reader) = batcher(&dir).await;
    let mut tx = batcher.begin();
    insert(&mut tx, 5).await.unwrap();
    assert!(values(&reader).await.is_empty());
    tx.commit().await.unwrap();
    assert_eq!(values(&reader).await, vec![5]);
    std::fs::remove_dir_all(dir).ok();
}

fn queued_insert(v: i64) -> Statement {
    Statement::new("INSERT INTO t (v) VALUES ($1)").bind(v)
}

/// Queues rows `10v` and `10v + 1` and commits; for every fifth `v` it also queues a duplicate
/// of the first, so that nothing fails until the commit sends it, and then the change must
/// vanish whole (its two good rows too). Answers `v` once committed.
async fn two_rows(mut tx: Tx, v: i64) -> Result<i64, sqlx::Error> {
    tx.defer(queued_insert(v * 10));
    tx.defer(queued_insert(v * 10 + 1));
    if v % 5 == 2 {
        tx.defer(queued_insert(v * 10));
    }
    tx.commit().await.map(|_| v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_writes_commit_with_their_turn_and_a_failing_one_undoes_only_its_turn() {
    let dir = temp_dir("queued");
    let (batcher, reader) = batcher(&dir).await;
    let mut tasks = Vec::new();
    for v in 0..100i64 {
        let batcher = batcher.clone();
        tasks.push(tokio::spawn(
            async move { two_rows(batcher.begin(), v).await },
        ));
    }
    let mut expected = Vec::new();
    let mut failed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(v) => expected.extend([v * 10, v * 10 + 1]),
            Err(_) => failed += 1,
        }
    }
    assert_eq!(failed, 20);
    expected.sort_unstable();
    assert_eq!(values(&reader).await, expected);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn queued_writes_go_before_what_the_turn_reads_and_execute_counts_its_own_rows() {
    let dir = temp_dir("order");
    let (batcher, reader) = batcher(&dir).await;
    let mut tx = batcher.begin();
    tx.defer(queued_insert(1));
    tx.defer(queued_insert(2));
    // The read sees the queued rows: they were sent first.
    let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
        .fetch_one(tx.conn().await.unwrap())
        .await
        .unwrap();
    assert_eq!(seen, 2);
    tx.defer(queued_insert(3));
    let changed = tx
        .execute(Statement::new("UPDATE t SET v = v + 10 WHERE v >= $1").bind(2i64))
        .await
        .unwrap();
    assert_eq!(changed, 2, "the UPDATE's rows, not the INSERT's before it");
    // A failure in `execute` leaves the turn to be rolled back, with all it sent.
    assert!(tx.execute(queued_insert(1)).await.is_err());
    tx.rollback().await.unwrap();
    let mut tx = batcher.begin();
    tx.defer(queued_insert(7));
    tx.commit().await.unwrap();
    assert_eq!(values(&reader).await, vec![7]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_turn_that_wrote_nothing_commits_at_once() {
    let dir = temp_dir("empty");
    let (batcher, reader) = batcher(&dir).await;
    let tx = batcher.begin();
    tx.commit().await.unwrap();
    let mut tx = batcher.begin();
    tx.defer(queued_insert(4));
    tx.commit().await.unwrap();
    assert_eq!(values(&reader).await, vec![4]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_query_after_queued_writes_sees_them_and_returns_only_its_rows() {
    let dir = temp_dir("fetch");
    let (batcher, _reader) = batcher(&dir).await;
    let mut tx = batcher.begin();
    tx.defer(queued_insert(3));
    tx.defer(queued_insert(9));
    let rows: Vec<(i64,)> = tx
        .fetch_all(Statement::new("SELECT v FROM t WHERE v > $1 ORDER BY v").bind(1i64))
        .await
        .unwrap();
    assert_eq!(rows, vec![(3,), (9,)]);
    tx.commit().await.unwrap();
    std::fs::remove_dir_all(dir).ok();
}

/// A store as the server has it (WAL, the writer thread) over a table `t`.
async fn store(dir: &std::path::Path) -> crate::server::store::Store {
    let url = format!("sqlite://{}/s.db?mode=rwc", dir.display());
    let store = crate::server::store::Store::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE t (v INTEGER PRIMARY KEY)")
        .execute(store.writer())
        .await
        .unwrap();
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_changes_commit_together_and_a_failing_one_is_undone_alone() {
    let dir = temp_dir("whole");
    let store = store(&dir).await;
    let mut tasks = Vec::new();
    for v in 0..200i64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            two_rows(store.begin().await.unwrap(), v).await
        }));
    }
    let mut expected = Vec::new();
    let mut failed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(v) => expected.extend([v * 10, v * 10 + 1]),
            Err(err) => {
                assert!(crate::server::store::is_unique_violation(&err), "{err}");
                failed += 1;
            }
        }
    }
    assert_eq!(failed, 40);
    expected.sort_unstable();
    assert_eq!(values(store.reader()).await, expected);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_changes_and_turns_take_the_writer_in_turn() {
    let dir = temp_dir("mixed");
    let store = store(&dir).await;
    let mut tasks = Vec::new();
    for v in 0..200i64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await?;
            tx.defer(queued_insert(v));
            if v % 2 == 0 {
                // Needs an answer: this change takes a turn on the sqlx connection.
                let seen: Vec<(i64,)> = tx
                    .fetch_all(Statement::new("SELECT v FROM t WHERE v = $1").bind(v))
                    .await?;
                assert_eq!(seen, vec![(v,)]);
            }
            if v % 10 == 4 {
                return tx.rollback().await.map(|_| None);
            }
            tx.commit().await.map(|_| Some(v))
        }));
    }
    let mut expected = Vec::new();
    for task in tasks {
        if let Some(v) = task.await.unwrap().unwrap() {
            expected.push(v);
        }
    }
    assert_eq!(expected.len(), 180);
    assert_eq!(values(store.reader()).await, expected);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_change_dropped_before_its_commit_writes_nothing() {
    let dir = temp_dir("dropped-whole");
    let store = store(&dir).await;
    {
        let mut tx = store.begin().await.unwrap();
        tx.defer(queued_insert(1));
    }
    let mut tx = store.begin().await.unwrap();
    tx.defer(queued_insert(2));
    tx.commit().await.unwrap();
    assert_eq!(values(store.reader()).await, vec![2]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_log_starts_over_once_the_writer_is_asked_to() {
    let dir = temp_dir("restart");
    let store = store(&dir).await;
    let commit = |from: i64, n: i64| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            for v in from..from + n {
                tx.defer(queued_insert(v));
            }
            tx.commit().await.unwrap();
        }
    };
    for round in 0..20 {
        commit(round * 500, 500).await;
    }
    let log_size = || std::fs::metadata(dir.join("s.db-wal")).unwrap().len();
    let grown = log_size();
    commit(100_000, 1).await;
    assert!(
        log_size() > grown,
        "nothing copied yet: a commit adds to the log"
    );
    store.restart_log();
    // The writer copies the whole log after this batch; the next one starts it over.
    commit(100_001, 1).await;
    let full = log_size();
    commit(100_002, 1).await;
    assert_eq!(
        log_size(),
        full,
        "written at the log's beginning, not added to its end"
    );
    let after = store.checkpoint().await.unwrap();
    assert!(after.log < 10, "{after:?}");
    assert_eq!(values(store.reader()).await.len(), 10_003);
    std::fs::remove_dir_all(dir).ok();
}
