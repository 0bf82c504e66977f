//! The ledger: transactions (`txn_…`), their entries (`led_…`) and running balances.
//! Transactions and entries are only ever inserted; balances move in the same transaction.

use super::page::{self, Filter, Listing};
use super::row::{self, row};
use super::statement::reads;
use super::{Statement, Tx};
use crate::domain::mode::Mode;
use crate::domain::money::Currency;
use sqlx::{Any, AnyPool, Executor};

row! {
    #[derive(Debug, Clone)]
    pub struct TransactionRow in "ledger_transactions" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub kind: String,
        pub payment_id: Option<String>,
        pub charge_id: Option<String>,
        pub refund_id: Option<String>,
        pub owner: String,
        pub currency: Currency,
        pub amount: i64,
        pub fee: i64,
        pub net: i64,
        pub available_on: Option<i64>,
        pub settles: Option<String>,
        pub created: i64,
        pub sort_key: i64,
    }
}

row! {
    #[derive(Debug, Clone)]
    pub struct EntryRow in "ledger_entries" {
        pub id: String,
        pub transaction_id: String,
        pub account_id: String,
        pub mode: Mode,
        pub book: String,
        pub owner: String,
        pub currency: Currency,
        pub debit: i64,
        pub credit: i64,
    }
}

row! {
    /// A running balance of one book.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct BalanceRow {
        pub account_id: String,
        pub mode: Mode,
        pub owner: String,
        pub book: String,
        pub currency: Currency,
        pub balance: i64,
    }
}

/// Writes a transaction, its entries and the balances they move (queued in `tx`).
pub fn insert(
    tx: &mut Tx,
    t: &TransactionRow,
    entries: &[EntryRow],
    changes: &[(String, String, i64)],
) {
    tx.defer(row::insert(t));
    if let Some(lines) = row::insert_many(entries) {
        tx.defer(lines);
    }
    // (owner, book, change), one row per book: upserted in one statement, so the first
    // posting to a book creates its balance.
    let mut merged: Vec<(&str, &str, i64)> = Vec::new();
    for (owner, book, change) in changes {
        match merged.iter_mut().find(|(o, b, _)| o == owner && b == book) {
            Some(row) => row.2 += change,
            None => merged.push((owner, book, *change)),
        }
    }
    if merged.is_empty() {
        return;
    }
    let values: Vec<String> = (0..merged.len())
        .map(|i| format!("({})", page::placeholders(i * 6 + 1, 6)))
        .collect();
    let sql = format!(
        "INSERT INTO ledger_balances (account_id, mode, owner, book, currency, balance)
         VALUES {}
         ON CONFLICT (account_id, mode, owner, book, currency)
         DO UPDATE SET balance = ledger_balances.balance + excluded.balance",
        values.join(", ")
    );
    let mut balances = Statement::new(sql);
    for (owner, book, change) in merged {
        balances = balances
            .bind(&t.account_id)
            .bind(t.mode)
            .bind(owner)
            .bind(book)
            .bind(t.currency)
            .bind(change);
    }
    tx.defer(balances);
}

reads! {
    /// The balances of one owner's books in an account and mode.
    pub fn balances(account_id: &str, mode: &str, owner: &str) -> Vec<BalanceRow> =
        fetch_all("SELECT account_id, mode, owner, book, currency, balance FROM ledger_balances
            WHERE account_id = $1 AND mode = $2 AND owner = $3 ORDER BY currency, book");
}

reads! {
    /// A refund's own posting (kind `refund`), if it was posted.
    pub fn refund_posting(refund_id: &str) -> Option<TransactionRow> =
        fetch_optional(row::select::<TransactionRow>("refund_id = $1 AND kind = 'refund'"));
}

reads! {
    /// A payment's capture transaction, if it was posted.
    pub fn capture_of(payment_id: &str) -> Option<TransactionRow> =
        fetch_optional(row::select::<TransactionRow>("payment_id = $1 AND kind = 'capture'"));
}

/// True when a capture has been settled.
pub async fn is_settled<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    capture_id: &str,
) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> =
        Statement::new("SELECT id FROM ledger_transactions WHERE settles = $1")
            .bind(capture_id)
            .fetch_optional(ex)
            .await?;
    Ok(row.is_some())
}

/// What refunds of a payment took from its pending (unsettled) net.
pub async fn refunded_from_pending<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    payment_id: &str,
) -> Result<i64, sqlx::Error> {
    let (sum,): (i64,) = Statement::new(
        "SELECT CAST(COALESCE(SUM(e.debit), 0) AS BIGINT) FROM ledger_entries e
         JOIN ledger_transactions t ON t.id = e.transaction_id
         WHERE t.payment_id = $1 AND t.kind = 'refund' AND e.book = 'merchant_pending'",
    )
    .bind(payment_id)
    .fetch_one(ex)
    .await?;
    Ok(sum)
}

/// Captures whose net is due to become available at `now` and that no settlement covers yet
/// (of one account, when given).
pub async fn captures_to_settle<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    now: i64,
    account: Option<&str>,
    limit: i64,
) -> Result<Vec<TransactionRow>, sqlx::Error> {
    let scope = if account.is_some() {
        " AND c.account_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {} FROM ledger_transactions c
         WHERE c.kind = 'capture' AND c.available_on <= $1{scope}
           AND NOT EXISTS (SELECT 1 FROM ledger_transactions s WHERE s.settles = c.id)
         ORDER BY c.available_on LIMIT $2",
        <TransactionRow as row::Table>::select_list()
    );
    let mut query = Statement::new(&sql).bind(now).bind(limit);
    if let Some(account) = account {
        query = query.bind(account);
    }
    query.fetch_all(ex).await
}

/// Filters of the ledger transaction list.
#[derive(Debug, Default, Clone)]
pub struct TransactionFilter {
    /// Only this payment's transactions.
    pub payment: Option<String>,
}

impl Listing for TransactionFilter {
    type Row = TransactionRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("payment_id", self.payment.as_deref());
    }
}

/// Each transaction with its entries (one query for all of them), in the order given.
pub async fn with_entries(
    pool: &AnyPool,
    transactions: Vec<TransactionRow>,
) -> Result<Vec<(TransactionRow, Vec<EntryRow>)>, sqlx::Error> {
    let ids: Vec<String> = transactions.iter().map(|t| t.id.clone()).collect();
    let mut entries = entries_of(pool, &ids).await?;
    Ok(transactions
        .into_iter()
        .map(|t| {
            let mine = entries
                .extract_if(.., |e| e.transaction_id == t.id)
                .collect();
            (t, mine)
        })
        .collect())
}

/// The entries of these transactions.
pub async fn entries_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    transaction_ids: &[String],
) -> Result<Vec<EntryRow>, sqlx::Error> {
    row::with_any_of(
        ex,
        "transaction_id",
        transaction_ids,
        "ORDER BY transaction_id, id",
    )
    .await
}
