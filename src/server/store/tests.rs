//! The store's own parts: reads on the calling thread, the checkpoint, backends.
use super::row::row;
use super::*;

row! {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Row {
        name: String,
        note: Option<String>,
        n: i64,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_on_the_calling_thread_see_each_commit_and_map_rows_by_column_name() {
    let (store, dir) = super::temp_sqlite("inline").await;
    sqlx::query("CREATE TABLE r (n BIGINT, name TEXT NOT NULL, note TEXT)")
        .execute(store.writer())
        .await
        .unwrap();
    let read =
        |n: i64| Statement::new("SELECT n, note, name FROM r WHERE n >= $1 ORDER BY n").bind(n);
    assert_eq!(store.fetch_all::<Row>(read(0)).await.unwrap(), vec![]);
    for n in 1..=3i64 {
        let mut tx = store.begin().await.unwrap();
        tx.defer(
            Statement::new("INSERT INTO r (name, note, n) VALUES ($2, $3, $1)")
                .bind(n)
                .bind(format!("row {n}"))
                .bind((n == 2).then_some("two")),
        );
        tx.commit().await.unwrap();
        // Committed means readable at once, from whichever thread reads next.
        let seen: Option<Row> = store.fetch_optional(read(n)).await.unwrap();
        assert_eq!(seen.map(|r| r.n), Some(n));
    }
    assert_eq!(
        store.fetch_all::<Row>(read(2)).await.unwrap(),
        vec![
            Row {
                name: "row 2".into(),
                note: Some("two".into()),
                n: 2
            },
            Row {
                name: "row 3".into(),
                note: None,
                n: 3
            },
        ]
    );
    // A column that does not fit the row is an error, not a panic; SQL errors are sqlx's.
    let wrong = store
        .fetch_all::<Row>(Statement::new("SELECT name AS n, note, name FROM r"))
        .await;
    assert!(matches!(wrong, Err(sqlx::Error::Decode(_))), "{wrong:?}");
    let missing = store
        .fetch_all::<Row>(Statement::new("SELECT * FROM no_such_table"))
        .await;
    assert!(
        matches!(missing, Err(sqlx::Error::Database(_))),
        "{missing:?}"
    );
    // Reads cannot write.
    let write = store
        .fetch_all::<Row>(Statement::new("DELETE FROM r RETURNING n, note, name"))
        .await;
    assert!(write.is_err());
    assert_eq!(store.fetch_all::<Row>(read(0)).await.unwrap().len(), 3);
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_background_checkpoint_copies_the_log_and_the_next_write_starts_it_over() {
    let (store, dir) = super::temp_sqlite("checkpoint").await;
    let mut tx = store.begin().await.unwrap();
    tx.defer(Statement::new("CREATE TABLE t (v INTEGER)"));
    for v in 0..100i64 {
        tx.defer(Statement::new("INSERT INTO t (v) VALUES ($1)").bind(v));
    }
    tx.commit().await.unwrap();
    for v in 100..105i64 {
        let mut tx = store.begin().await.unwrap();
        tx.defer(Statement::new("INSERT INTO t (v) VALUES ($1)").bind(v));
        tx.commit().await.unwrap();
    }
    let full = store.checkpoint().await.unwrap();
    assert!(full.copied > 0 && full.copied == full.log, "{full:?}");
    // With every page copied and no write in between, the next write starts the log over by
    // itself (what keeps the log small once load pauses; `sqlite::checkpoint` forces it only
    // under sustained load).
    let mut tx = store.begin().await.unwrap();
    tx.defer(Statement::new("INSERT INTO t (v) VALUES (105)"));
    tx.commit().await.unwrap();
    let after = store.checkpoint().await.unwrap();
    assert!(after.log < full.log, "{after:?} after {full:?}");
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn backend_follows_the_url_scheme() {
    assert_eq!(
        Backend::from_url("sqlite://data/vinr.db").unwrap(),
        Backend::Sqlite
    );
    assert_eq!(
        Backend::from_url("postgres://localhost/test").unwrap(),
        Backend::Postgres
    );
    assert_eq!(
        Backend::from_url("postgresql://localhost/test").unwrap(),
        Backend::Postgres
    );
    assert!(Backend::from_url("mysql://localhost/test").is_err());
}

#[test]
fn a_table_update_writes_every_other_column_by_id() {
    use super::customers::CustomerRow;
    use super::row::Table;
    let sql = CustomerRow::update_sql();
    assert!(
        sql.starts_with("UPDATE customers SET account_id = $2, mode = $3, "),
        "{sql}"
    );
    assert!(sql.ends_with(" WHERE id = $1"), "{sql}");
    assert_eq!(sql.matches(" = $").count(), CustomerRow::COLUMNS.len());
}

row! {
    #[derive(Debug)]
    struct StatusRow {
        status: crate::domain::payment::PaymentStatus,
    }
}

#[tokio::test]
async fn a_status_column_reads_back_typed_and_refuses_what_the_domain_does_not_know() {
    use crate::domain::payment::PaymentStatus;
    let (store, dir) = super::temp_sqlite("columns").await;
    let read = |text: &str| Statement::new("SELECT $1 AS status").bind(text.to_string());
    let known: Vec<StatusRow> = read("requires_capture")
        .fetch_all(store.reader())
        .await
        .unwrap();
    assert_eq!(known[0].status, PaymentStatus::RequiresCapture);
    let unknown = read("paid").fetch_all::<StatusRow>(store.reader()).await;
    assert!(unknown.is_err(), "{unknown:?}");
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}
