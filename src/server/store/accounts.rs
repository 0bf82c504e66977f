//! Merchant accounts (`acct_…`).

use super::Statement;
use super::Tx;
use super::row::{self, row};
use super::statement::{hot_reads, reads, writes};
use crate::domain::mode::Mode;

row! {
    /// An account as stored.
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct AccountRow in "accounts" {
        pub id: String,
        pub name: String,
        pub email: String,
        pub default_currency: String,
        pub brand_color: String,
        pub is_demo: i64,
        pub created: i64,
        /// Origins allowed to frame the card fields, one per line.
        pub embed_origins: String,
        /// The acquirer connection payments use when they name none.
        pub default_acquirer: String,
        /// Days between renewal retries (`3,5,7`).
        pub billing_retry_days: String,
        /// What a subscription becomes when its retries run out (`canceled`, `unpaid`,
        /// `past_due`).
        pub billing_dunning_end: String,
        /// Seconds a renewal invoice stays a draft before it is finalized and charged.
        pub billing_draft_secs: i64,
        /// Live mode's default connection: a processor the merchant added; none until then.
        pub live_acquirer: Option<String>,
    }
}

impl AccountRow {
    /// The connection payments of `mode` use when they name none (live mode: none until the
    /// merchant adds a processor).
    pub fn default_connection(&self, mode: Mode) -> Option<&str> {
        match mode {
            Mode::Test => Some(&self.default_acquirer),
            Mode::Live => self.live_acquirer.as_deref(),
        }
    }
}

writes! {
    /// Makes `acquirer` live mode's default connection.
    pub fn set_live_acquirer(id: &str, acquirer: &str) =
        "UPDATE accounts SET live_acquirer = $2 WHERE id = $1";
    /// Makes `acquirer` test mode's default connection.
    pub fn set_test_acquirer(id: &str, acquirer: &str) =
        "UPDATE accounts SET default_acquirer = $2 WHERE id = $1";
}

/// What the dashboard's settings page changes.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    pub brand_color: String,
    pub embed_origins: String,
    pub default_acquirer: String,
}

pub async fn update_settings(tx: &mut Tx, id: &str, s: &Settings) -> Result<(), sqlx::Error> {
    Statement::new(
        "UPDATE accounts SET name = $2, brand_color = $3, embed_origins = $4, default_acquirer = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(&s.name)
    .bind(&s.brand_color)
    .bind(&s.embed_origins)
    .bind(&s.default_acquirer)
    .execute(tx.conn().await?)
    .await?;
    Ok(())
}

writes! {
    /// The account's billing settings: retry schedule, what dunning ends in, draft window.
    pub fn update_billing(id: &str, retry_days: &str, dunning_end: &str, draft_secs: i64) =
        "UPDATE accounts SET billing_retry_days = $2, billing_dunning_end = $3, billing_draft_secs = $4
         WHERE id = $1";
}

hot_reads! {
    /// `find`, as a hot read.
    pub fn find_hot(id: &str) -> Option<AccountRow> =
        fetch_optional(row::select::<AccountRow>("id = $1"));
}

reads! {
    pub fn find(id: &str) -> Option<AccountRow> =
        fetch_optional(row::select::<AccountRow>("id = $1"));
}

reads! {
    /// The demo account made on first start, if any.
    pub fn find_demo() -> Option<AccountRow> =
        fetch_optional(row::select::<AccountRow>("is_demo = 1 ORDER BY created LIMIT 1"));
}

reads! {
    /// Finds an account by id or by its e-mail (what an operator types at the command line).
    pub fn find_by_id_or_email(needle: &str) -> Option<AccountRow> =
        fetch_optional(row::select::<AccountRow>("id = $1 OR lower(email) = lower($1)
            ORDER BY created LIMIT 1"));
}
