//! The merchant's money as the ledger has it: balances and transactions with their entries.

use super::is_live;
use crate::server::store::ledger::{BalanceRow, EntryRow, TransactionRow};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An amount in one currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Money)]
pub struct MoneyView {
    pub amount: i64,
    pub currency: String,
}

/// What the merchant (or one of its connected accounts) holds, per currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Balance)]
pub struct BalanceView {
    /// Always `balance`.
    pub object: &'static str,
    /// Settled: the merchant's to pay out.
    pub available: Vec<MoneyView>,
    /// Captured, not yet settled.
    pub pending: Vec<MoneyView>,
    /// Whose balance this is (the merchant's account id, or a connected account's).
    pub account: String,
    pub livemode: bool,
}

impl BalanceView {
    /// The balance of `account` from its books' running balances.
    pub fn new(account: String, books: &[BalanceRow], livemode: bool) -> BalanceView {
        let mut available: BTreeMap<String, i64> = BTreeMap::new();
        let mut pending: BTreeMap<String, i64> = BTreeMap::new();
        for b in books {
            match b.book.as_str() {
                "merchant_available" => {
                    *available.entry(b.currency.code().to_string()).or_default() += b.balance
                }
                "merchant_pending" => {
                    *pending.entry(b.currency.code().to_string()).or_default() += b.balance
                }
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
                .map(|(currency, amount)| MoneyView { amount, currency })
                .collect()
        };
        BalanceView {
            object: "balance",
            available: list(available),
            pending: list(pending),
            account,
            livemode,
        }
    }
}

/// One line of a ledger transaction.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = LedgerEntry)]
pub struct EntryView {
    pub id: String,
    /// `acquirer_receivable`, `merchant_pending`, `merchant_available` or `fees`.
    pub book: String,
    /// The merchant or connected account the book belongs to.
    pub owner: String,
    pub debit: i64,
    pub credit: i64,
}

impl From<EntryRow> for EntryView {
    fn from(e: EntryRow) -> Self {
        EntryView {
            id: e.id,
            book: e.book,
            owner: e.owner,
            debit: e.debit,
            credit: e.credit,
        }
    }
}

/// A balanced, immutable ledger transaction.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = LedgerTransaction)]
pub struct LedgerTransactionView {
    pub id: String,
    /// Always `ledger_transaction`.
    pub object: &'static str,
    /// `capture`, `settlement`, `refund`, or `refund_reversal` (a refund the processor turned
    /// back after it succeeded).
    #[serde(rename = "type")]
    pub kind: String,
    pub payment: Option<String>,
    pub charge: Option<String>,
    /// Refunds and their reversals: the refund.
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
    pub entries: Vec<EntryView>,
    pub created: i64,
    pub livemode: bool,
}

impl LedgerTransactionView {
    /// The transaction `t` with its entries.
    pub fn new(t: TransactionRow, entries: Vec<EntryRow>) -> Self {
        LedgerTransactionView {
            object: "ledger_transaction",
            livemode: is_live(t.mode),
            id: t.id,
            kind: t.kind,
            payment: t.payment_id,
            charge: t.charge_id,
            refund: t.refund_id,
            owner: t.owner,
            currency: t.currency.code().to_string(),
            amount: t.amount,
            fee: t.fee,
            net: t.net,
            available_on: t.available_on,
            settles: t.settles,
            entries: entries.into_iter().map(EntryView::from).collect(),
            created: t.created,
        }
    }
}
