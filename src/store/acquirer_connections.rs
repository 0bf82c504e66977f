//! A merchant's acquirer connections (`acq_…`), per mode.

use super::Tx;
use super::row::{self, row};
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct AcquirerConnectionRow in "acquirer_connections" {
        pub account_id: String,
        pub mode: String,
        pub id: String,
        pub name: String,
        pub kind: String,
        pub created: i64,
    }
}

/// Inserts a connection; a unique violation means the merchant already has one by that id.
pub async fn insert(tx: &mut Tx, r: &AcquirerConnectionRow) -> Result<(), sqlx::Error> {
    row::insert_now(tx, r).await
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<AcquirerConnectionRow>, sqlx::Error> {
    row::find(ex, account_id, mode, id).await
}

/// All of a merchant's connections in one mode, by id (a merchant has a handful).
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
) -> Result<Vec<AcquirerConnectionRow>, sqlx::Error> {
    sqlx::query_as(&row::select::<AcquirerConnectionRow>(
        "account_id = $1 AND mode = $2 ORDER BY id",
    ))
    .bind(account_id)
    .bind(mode)
    .fetch_all(ex)
    .await
}
