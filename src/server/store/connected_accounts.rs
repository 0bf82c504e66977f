//! Connected accounts (`acct_…`): sub-merchants a platform settles to with `on_behalf_of`.

use super::page::{Filter, Listing};
use super::row::row;
use crate::domain::mode::Mode;

row! {
    #[derive(Debug, Clone)]
    pub struct ConnectedAccountRow in "connected_accounts" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub name: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Every connected account of the account and mode.
#[derive(Debug, Default, Clone)]
pub struct ConnectedAccountFilter;

impl Listing for ConnectedAccountFilter {
    type Row = ConnectedAccountRow;
    fn conditions(&self, _: &mut Filter) {}
}
