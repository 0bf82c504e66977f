//! Customers (`cust_…`), scoped to an account and mode.

use super::Statement;
use super::page::{Filter, Listing};
use super::row::row;
use crate::domain::mode::Mode;
use sqlx::{Any, Executor};

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct CustomerRow in "customers" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
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
        /// The test clock whose time the customer's billing runs on (`clock_…`).
        pub test_clock: Option<String>,
    }
}

/// Filters a customer list accepts.
#[derive(Debug, Default, Clone)]
pub struct CustomerFilter {
    pub email: Option<String>,
}

impl Listing for CustomerFilter {
    type Row = CustomerRow;
    fn conditions(&self, f: &mut Filter) {
        f.push("deleted = 0", []);
        if let Some(email) = &self.email {
            f.push("lower(email) = lower($1)", [email.into()]);
        }
    }
}

/// How many customers an account has in a mode; used by tests and the dashboard.
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = Statement::new(
        "SELECT COUNT(*) FROM customers WHERE account_id = $1 AND mode = $2 AND deleted = 0",
    )
    .bind(account_id)
    .bind(mode)
    .fetch_one(ex)
    .await?;
    Ok(n)
}
