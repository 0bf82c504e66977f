//! A merchant's acquirer connections (`acq_…`), per mode.

use super::Tx;
use crate::store::row::row;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct AcquirerConnectionRow {
        pub account_id: String,
        pub mode: String,
        pub id: String,
        pub name: String,
        pub kind: String,
        pub created: i64,
    }
}

const COLUMNS: &str = "account_id, mode, id, name, kind, created";

/// Inserts a connection; a unique violation means the merchant already has one by that id.
pub async fn insert(tx: &mut Tx, r: &AcquirerConnectionRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO acquirer_connections ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(&r.account_id)
    .bind(&r.mode)
    .bind(&r.id)
    .bind(&r.name)
    .bind(&r.kind)
    .bind(r.created)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<AcquirerConnectionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM acquirer_connections WHERE account_id = $1 AND mode = $2 AND id = $3"
    ))
    .bind(account_id)
    .bind(mode)
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// All of a merchant's connections in one mode, by id (a merchant has a handful).
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
) -> Result<Vec<AcquirerConnectionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM acquirer_connections WHERE account_id = $1 AND mode = $2 ORDER BY id"
    ))
    .bind(account_id)
    .bind(mode)
    .fetch_all(ex)
    .await
}
