//! What the dashboard's loyalty pages show, one call per page: the programs, one points
//! account with its customer, lots and history. Scoped to the
//! signed-in account and mode like every page.

use super::Result;
use crate::domain::money::Currency;
use crate::server::services::{Scope, find_in};
use crate::server::store::accounts;
use crate::server::store::customers::CustomerRow;
use crate::server::store::loyalty::{
    self, LotRow, LoyaltyAccountRow, ProgramRow, PtxFilter, PtxRow,
};
use crate::server::store::page::{self, Cursor};
use crate::server::store::{Store, row};

/// How many transactions an account's page shows (the API lists them all).
pub const HISTORY_LIMIT: i64 = 50;

/// The programs of the scope, oldest first (`prog_default` leads).
pub async fn programs(store: &Store, scope: &Scope) -> Result<Vec<ProgramRow>> {
    Ok(super::programs::all_hot(store, scope).await?)
}

/// The account's currency: what a rule or a reward is in unless the merchant says otherwise.
pub async fn default_currency(store: &Store, scope: &Scope) -> Result<Currency> {
    let account = accounts::find(store.reader(), &scope.account_id).await?;
    Ok(account
        .and_then(|a| Currency::parse(&a.default_currency))
        .unwrap_or_else(|| Currency::parse("EUR").expect("EUR is known")))
}

/// A points account with what its page shows.
pub struct AccountDetail {
    pub account: LoyaltyAccountRow,
    pub program: ProgramRow,
    pub customer: Option<CustomerRow>,
    /// Its lots with points left, pending ones included.
    pub lots: Vec<LotRow>,
    /// Its newest transactions, and whether there are older ones.
    pub history: (Vec<PtxRow>, bool),
}

pub async fn account_detail(store: &Store, scope: &Scope, id: &str) -> Result<AccountDetail> {
    let ex = store.reader();
    let account: LoyaltyAccountRow = find_in(ex, scope, "loyalty account", id, None).await?;
    let program = super::programs::find(ex, scope, &account.program, None).await?;
    let mode = scope.mode.as_str();
    let customer = row::find::<CustomerRow>(ex, &scope.account_id, mode, &account.customer).await?;
    let lots = loyalty::live_lots(ex, &account.id).await?;
    let filter = PtxFilter {
        loyalty_account: Some(account.id.clone()),
        ..PtxFilter::default()
    };
    let history = page::list(
        ex,
        &scope.account_id,
        mode,
        &filter,
        &Cursor::Start,
        HISTORY_LIMIT,
    )
    .await?;
    Ok(AccountDetail {
        account,
        program,
        customer,
        lots,
        history,
    })
}
