//! Customers (`cust_…`), scoped to an account and mode.

use super::Tx;
use super::page::{Cursor, Filter, Val};
use super::row::{self, row};
use sqlx::{Any, AnyPool, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct CustomerRow in "customers" {
        pub id: String,
        pub account_id: String,
        pub mode: String,
        pub email: Option<String>,
        pub name: Option<String>,
        pub phone: Option<String>,
        pub description: Option<String>,
        /// JSON object of string values.
        pub metadata: String,
        pub default_payment_method: Option<String>,
        pub deleted: i64,
        pub created: i64,
        pub sort_key: i64,
    }
}

pub const TABLE: &str = <CustomerRow as row::Table>::TABLE;

pub async fn insert(tx: &mut Tx, row: &CustomerRow) -> Result<(), sqlx::Error> {
    row::insert_now(tx, row).await
}

/// A customer of this account and mode, deleted ones included (the caller decides).
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<CustomerRow>, sqlx::Error> {
    row::find(ex, account_id, mode, id).await
}

/// Writes the editable fields of `row` back.
pub async fn update(tx: &mut Tx, row: &CustomerRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE customers SET email = $2, name = $3, phone = $4, description = $5, metadata = $6,
                default_payment_method = $7, deleted = $8
         WHERE id = $1",
    )
    .bind(&row.id)
    .bind(&row.email)
    .bind(&row.name)
    .bind(&row.phone)
    .bind(&row.description)
    .bind(&row.metadata)
    .bind(&row.default_payment_method)
    .bind(row.deleted)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

/// Filters a customer list accepts.
#[derive(Debug, Default, Clone)]
pub struct CustomerFilter {
    pub email: Option<String>,
}

pub async fn list(
    pool: &AnyPool,
    account_id: &str,
    mode: &str,
    filter: &CustomerFilter,
    cursor: &Cursor,
    limit: i64,
) -> Result<(Vec<CustomerRow>, bool), sqlx::Error> {
    let mut f = Filter::scoped(account_id, mode);
    f.push("deleted = 0", []);
    if let Some(email) = &filter.email {
        f.push("lower(email) = lower(?)", [Val::Text(email.clone())]);
    }
    row::list(pool, &f, cursor, limit).await
}

/// How many customers an account has in a mode; used by tests and the dashboard.
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM customers WHERE account_id = $1 AND mode = $2 AND deleted = 0",
    )
    .bind(account_id)
    .bind(mode)
    .fetch_one(ex)
    .await?;
    Ok(n)
}
