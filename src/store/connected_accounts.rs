//! Connected accounts (`acct_…`): sub-merchants a platform settles to with `on_behalf_of`.

use super::Tx;
use super::page::{Cursor, Filter};
use super::row::{self, row};
use sqlx::{Any, AnyPool, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct ConnectedAccountRow in "connected_accounts" {
        pub id: String,
        pub account_id: String,
        pub mode: String,
        pub name: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

pub const TABLE: &str = <ConnectedAccountRow as row::Table>::TABLE;

pub async fn insert(tx: &mut Tx, r: &ConnectedAccountRow) -> Result<(), sqlx::Error> {
    row::insert_now(tx, r).await
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<ConnectedAccountRow>, sqlx::Error> {
    row::find(ex, account_id, mode, id).await
}

pub async fn list(
    pool: &AnyPool,
    account_id: &str,
    mode: &str,
    cursor: &Cursor,
    limit: i64,
) -> Result<(Vec<ConnectedAccountRow>, bool), sqlx::Error> {
    row::list(pool, &Filter::scoped(account_id, mode), cursor, limit).await
}
