//! Connected accounts (`acct_…`): sub-merchants a platform settles to with `on_behalf_of`.

use super::Tx;
use super::page::{self, Cursor, Filter};
use crate::store::row::row;
use sqlx::{Any, AnyPool, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct ConnectedAccountRow {
        pub id: String,
        pub account_id: String,
        pub mode: String,
        pub name: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

pub const TABLE: &str = "connected_accounts";
const COLUMNS: &str = "id, account_id, mode, name, created, sort_key";

pub async fn insert(tx: &mut Tx, r: &ConnectedAccountRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO connected_accounts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(&r.id)
    .bind(&r.account_id)
    .bind(&r.mode)
    .bind(&r.name)
    .bind(r.created)
    .bind(r.sort_key)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<ConnectedAccountRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM connected_accounts WHERE id = $1 AND account_id = $2 AND mode = $3"
    ))
    .bind(id)
    .bind(account_id)
    .bind(mode)
    .fetch_optional(ex)
    .await
}

pub async fn list(
    pool: &AnyPool,
    account_id: &str,
    mode: &str,
    cursor: &Cursor,
    limit: i64,
) -> Result<(Vec<ConnectedAccountRow>, bool), sqlx::Error> {
    page::fetch_page(
        pool,
        TABLE,
        COLUMNS,
        &Filter::scoped(account_id, mode),
        cursor,
        limit,
    )
    .await
}
