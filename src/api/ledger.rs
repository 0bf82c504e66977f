//! `GET /v1/balance` and `GET /v1/ledger/transactions`: the merchant's money as the ledger has it.

use super::auth::SecretAuth;
use super::error::{ApiError, ApiResult};
use super::list::{ApiQuery, ListEnvelope, Paging};
use crate::domain::ids::{self, IdKind};
use crate::state::AppState;
use crate::store::connected_accounts;
use crate::store::ledger::{self as rows, EntryRow, TransactionRow};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An amount in one currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Money {
    pub amount: i64,
    pub currency: String,
}

/// What the merchant (or one of its connected accounts) holds, per currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BalanceDto {
    /// Always `balance`.
    pub object: &'static str,
    /// Settled: the merchant's to pay out.
    pub available: Vec<Money>,
    /// Captured, not yet settled.
    pub pending: Vec<Money>,
    /// Whose balance this is (the merchant's account id, or a connected account's).
    pub account: String,
    pub livemode: bool,
}

#[derive(Debug, Deserialize)]
pub struct BalanceQuery {
    /// A connected account (`acct_…`) to show instead of the merchant's own balance.
    pub account: Option<String>,
}

#[utoipa::path(get, path = "/balance", tag = "Ledger", params(("account" = Option<String>, Query, description = "A connected account's balance instead of your own")), responses((status = 200, description = "Available and pending balance per currency", body = BalanceDto), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error), (status = 404, description = "No such connected account", body = crate::api::schemas::Error)))]
pub async fn get_balance(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    ApiQuery(query): ApiQuery<BalanceQuery>,
) -> ApiResult<Json<BalanceDto>> {
    let mode = auth.mode.as_str();
    let owner = match query.account {
        None => auth.account_id.clone(),
        Some(id) => {
            let found = if ids::is_id(IdKind::Account, &id) {
                connected_accounts::find(state.store.reader(), &auth.account_id, mode, &id).await?
            } else {
                None
            };
            found
                .map(|a| a.id)
                .ok_or_else(|| ApiError::not_found("account", &id))?
        }
    };
    let balances = rows::balances(state.store.reader(), &auth.account_id, mode, &owner).await?;
    let mut available: BTreeMap<String, i64> = BTreeMap::new();
    let mut pending: BTreeMap<String, i64> = BTreeMap::new();
    for b in balances {
        match b.book.as_str() {
            "merchant_available" => *available.entry(b.currency).or_default() += b.balance,
            "merchant_pending" => *pending.entry(b.currency).or_default() += b.balance,
            _ => {}
        }
    }
    // Every currency the owner has money in shows in both lists.
    for currency in pending.keys() {
        available.entry(currency.clone()).or_default();
    }
    for currency in available.keys() {
        pending.entry(currency.clone()).or_default();
    }
    let list = |m: BTreeMap<String, i64>| {
        m.into_iter()
            .map(|(currency, amount)| Money { amount, currency })
            .collect()
    };
    Ok(Json(BalanceDto {
        object: "balance",
        available: list(available),
        pending: list(pending),
        account: owner,
        livemode: auth.mode.is_live(),
    }))
}

/// One line of a ledger transaction.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryDto {
    pub id: String,
    /// `acquirer_receivable`, `merchant_pending`, `merchant_available` or `fees`.
    pub book: String,
    /// The merchant or connected account the book belongs to.
    pub owner: String,
    pub debit: i64,
    pub credit: i64,
}

/// A balanced, immutable ledger transaction.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerTransactionDto {
    pub id: String,
    /// Always `ledger_transaction`.
    pub object: &'static str,
    /// `capture`, `settlement` or `refund`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    pub payment: Option<String>,
    pub charge: Option<String>,
    /// Refunds: the refund posted.
    pub refund: Option<String>,
    pub owner: String,
    pub currency: String,
    pub amount: i64,
    pub fee: i64,
    pub net: i64,
    /// Captures: when the net becomes available.
    pub available_on: Option<i64>,
    /// Settlements: the capture settled.
    pub settles: Option<String>,
    pub entries: Vec<EntryDto>,
    pub created: i64,
    pub livemode: bool,
}

impl LedgerTransactionDto {
    fn new(t: TransactionRow, entries: Vec<EntryDto>) -> Self {
        LedgerTransactionDto {
            object: "ledger_transaction",
            livemode: t.mode == "live",
            id: t.id,
            kind: t.kind,
            payment: t.payment_id,
            charge: t.charge_id,
            refund: t.refund_id,
            owner: t.owner,
            currency: t.currency,
            amount: t.amount,
            fee: t.fee,
            net: t.net,
            available_on: t.available_on,
            settles: t.settles,
            entries,
            created: t.created,
        }
    }
}

impl From<EntryRow> for EntryDto {
    fn from(e: EntryRow) -> Self {
        EntryDto {
            id: e.id,
            book: e.book,
            owner: e.owner,
            debit: e.debit,
            credit: e.credit,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TransactionsQuery {
    #[serde(flatten)]
    pub paging: Paging,
    /// Only this payment's transactions.
    pub payment: Option<String>,
}

#[utoipa::path(get, path = "/ledger/transactions", tag = "Ledger", params(("payment" = Option<String>, Query, description = "Only this payment's transactions"), ("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: a transaction id"), ("ending_before" = Option<String>, Query, description = "Cursor: a transaction id")), responses((status = 200, description = "Transactions with their entries, newest first", body = crate::api::schemas::List), (status = 400, description = "Invalid parameters", body = crate::api::schemas::Error), (status = 401, description = "Missing or invalid API key", body = crate::api::schemas::Error)))]
pub async fn list_transactions(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    ApiQuery(query): ApiQuery<TransactionsQuery>,
) -> ApiResult<Json<ListEnvelope<LedgerTransactionDto>>> {
    let limit = query.paging.limit()?;
    let pool = state.store.reader();
    let cursor = query.paging.cursor(pool, rows::TABLE, &auth).await?;
    let (found, has_more) = rows::list(
        pool,
        &auth.account_id,
        auth.mode.as_str(),
        query.payment.as_deref(),
        &cursor,
        limit,
    )
    .await?;
    let data = rows::with_entries(pool, found)
        .await?
        .into_iter()
        .map(|(t, entries)| {
            LedgerTransactionDto::new(t, entries.into_iter().map(EntryDto::from).collect())
        })
        .collect();
    Ok(Json(ListEnvelope::new(
        data,
        has_more,
        "/v1/ledger/transactions",
    )))
}
