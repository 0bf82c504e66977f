//! `GET /v1/balance` and `GET /v1/ledger/transactions`: the merchant's money as the ledger has it.

use super::error::{ApiError, ApiResult};
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::domain::ids::{self, IdKind};
use crate::server::store::connected_accounts::ConnectedAccountRow;
use crate::server::store::ledger as rows;
use crate::server::store::row;
use crate::server::views::{BalanceView, LedgerTransactionView, ListView};
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct BalanceQuery {
    /// A connected account (`acct_…`) to show instead of the merchant's own balance.
    pub account: Option<String>,
}

#[utoipa::path(get, path = "/balance", tag = "Ledger", params(("account" = Option<String>, Query, description = "A connected account's balance instead of your own")), responses((status = 200, description = "Available and pending balance per currency", body = BalanceView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such connected account", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_balance(
    Read { state, auth }: Read,
    ApiQuery(query): ApiQuery<BalanceQuery>,
) -> ApiResult<Json<BalanceView>> {
    let mode = auth.mode.as_str();
    let owner = match query.account {
        None => auth.account_id.clone(),
        Some(id) => {
            let found = if ids::is_id(IdKind::Account, &id) {
                row::find::<ConnectedAccountRow>(state.store.reader(), &auth.account_id, mode, &id)
                    .await?
            } else {
                None
            };
            found
                .map(|a| a.id)
                .ok_or_else(|| ApiError::not_found("account", &id))?
        }
    };
    let books = rows::balances(state.store.reader(), &auth.account_id, mode, &owner).await?;
    Ok(Json(BalanceView::new(owner, &books, auth.mode.is_live())))
}

#[derive(Debug, Deserialize)]
pub struct TransactionsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    /// Only this payment's transactions.
    pub payment: Option<String>,
}

#[utoipa::path(get, path = "/ledger/transactions", tag = "Ledger", params(("payment" = Option<String>, Query, description = "Only this payment's transactions"), ("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: a transaction id"), ("ending_before" = Option<String>, Query, description = "Cursor: a transaction id")), responses((status = 200, description = "Transactions with their entries, newest first", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_transactions(
    Read { state, auth }: Read,
    ApiQuery(query): ApiQuery<TransactionsQuery>,
) -> ApiResult<Json<ListView<LedgerTransactionView>>> {
    let filter = rows::TransactionFilter {
        payment: query.payment,
    };
    let (found, has_more) = query.paging.page(&state, &auth, &filter).await?;
    let data = rows::with_entries(state.store.reader(), found)
        .await?
        .into_iter()
        .map(|(t, entries)| LedgerTransactionView::new(t, entries))
        .collect();
    Ok(Json(ListView::new(
        data,
        has_more,
        "/v1/ledger/transactions",
    )))
}
