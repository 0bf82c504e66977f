//! A merchant's acquirer connections (`acq_…`), per mode.

use super::Statement;
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

/// All of a merchant's connections in one mode, by id (a merchant has a handful).
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    account_id: &str,
    mode: &str,
) -> Result<Vec<AcquirerConnectionRow>, sqlx::Error> {
    Statement::new(row::select::<AcquirerConnectionRow>(
        "account_id = $1 AND mode = $2 ORDER BY id",
    ))
    .bind(account_id)
    .bind(mode)
    .fetch_all(ex)
    .await
}
