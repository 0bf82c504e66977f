//! `vinr ledger verify`: every invariant of the ledger, and of the loyalty points ledger
//! (`services::loyalty::verify`), checked against the database.
//!
//! Each check is a query; a finding names the transaction, book or payment at fault. Run over
//! the whole database, or one account (the API tests, sharing a Postgres database, check
//! their own merchant after each scenario).

use crate::domain::ledger::Book;
use crate::server::store::Store;
use std::collections::BTreeMap;

/// What to check.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Only this account's ledger.
    pub account_id: Option<String>,
    /// Accept negative available balances (a merchant whose refunds outran its settled money).
    pub allow_negative: bool,
}

/// `AND <column> = $1` when one account is checked; the account binds as `$1`.
pub(crate) fn scoped(column: &str, options: &Options) -> String {
    if options.account_id.is_some() {
        format!(" AND {column} = $1")
    } else {
        String::new()
    }
}

pub(crate) async fn fetch<T>(
    store: &Store,
    sql: &str,
    options: &Options,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut query = sqlx::query_as::<_, T>(sql);
    if let Some(account) = &options.account_id {
        query = query.bind(account.clone());
    }
    query.fetch_all(store.reader()).await
}

/// Every broken invariant, in words; empty when the ledger is sound.
pub async fn verify(store: &Store, options: &Options) -> Result<Vec<String>, sqlx::Error> {
    let mut problems = Vec::new();

    // 1. Each transaction has entries, in its own currency, and they balance.
    let sql = format!(
        "SELECT t.id, CAST(COALESCE(SUM(e.debit), 0) AS BIGINT), CAST(COALESCE(SUM(e.credit), 0) AS BIGINT),
                CAST(COUNT(e.id) AS BIGINT)
         FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
         WHERE 1 = 1{}
         GROUP BY t.id
         HAVING COALESCE(SUM(e.debit), 0) <> COALESCE(SUM(e.credit), 0) OR COUNT(e.id) = 0",
        scoped("t.account_id", options)
    );
    for (id, debits, credits, lines) in
        fetch::<(String, i64, i64, i64)>(store, &sql, options).await?
    {
        if lines == 0 {
            problems.push(format!("transaction {id} has no entries"));
        } else {
            problems.push(format!(
                "transaction {id} is unbalanced: debits {debits} ≠ credits {credits}"
            ));
        }
    }
    let sql = format!(
        "SELECT e.id, t.id FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
         WHERE (e.currency <> t.currency OR e.account_id <> t.account_id OR e.mode <> t.mode
                OR e.debit < 0 OR e.credit < 0){}",
        scoped("t.account_id", options)
    );
    for (entry, txn) in fetch::<(String, String)>(store, &sql, options).await? {
        problems.push(format!(
            "entry {entry} of {txn} is negative or in another currency, account or mode"
        ));
    }

    // 2. Each balance equals the sum of its book's entries.
    let sql = format!(
        "SELECT account_id, mode, owner, book, currency,
                CAST(SUM(debit) AS BIGINT), CAST(SUM(credit) AS BIGINT)
         FROM ledger_entries WHERE 1 = 1{}
         GROUP BY account_id, mode, owner, book, currency",
        scoped("account_id", options)
    );
    let mut from_entries: BTreeMap<(String, String, String, String, String), i64> = BTreeMap::new();
    for (account, mode, owner, book, currency, debits, credits) in
        fetch::<(String, String, String, String, String, i64, i64)>(store, &sql, options).await?
    {
        let Some(kind) = Book::parse(&book) else {
            problems.push(format!(
                "entries of {owner} ({mode}, {currency}) name an unknown book {book}"
            ));
            continue;
        };
        from_entries.insert(
            (account, mode, owner, book, currency),
            kind.debit_sign() * (debits - credits),
        );
    }
    let sql = format!(
        "SELECT account_id, mode, owner, book, currency, balance FROM ledger_balances WHERE 1 = 1{}",
        scoped("account_id", options)
    );
    let kept = fetch::<(String, String, String, String, String, i64)>(store, &sql, options).await?;
    for (account, mode, owner, book, currency, balance) in &kept {
        let key = (
            account.clone(),
            mode.clone(),
            owner.clone(),
            book.clone(),
            currency.clone(),
        );
        let summed = from_entries.remove(&key).unwrap_or(0);
        if summed != *balance {
            problems.push(format!(
                "balance {book} of {owner} ({mode}, {currency}) is {balance}, its entries sum to {summed}"
            ));
        }
        if !options.allow_negative && book == "merchant_available" && *balance < 0 {
            problems.push(format!(
                "available balance of {owner} ({mode}, {currency}) is negative: {balance}"
            ));
        }
    }
    for ((_, mode, owner, book, currency), summed) in from_entries {
        if summed != 0 {
            problems.push(format!(
                "book {book} of {owner} ({mode}, {currency}) has entries summing to {summed} but no balance"
            ));
        }
    }

    // 3. Each captured payment is posted exactly once, for what it received.
    let sql = format!(
        "SELECT p.id, p.amount_received FROM payments p
         WHERE p.amount_received > 0{}
           AND NOT EXISTS (SELECT 1 FROM ledger_transactions t
                           WHERE t.payment_id = p.id AND t.kind = 'capture')",
        scoped("p.account_id", options)
    );
    for (payment, received) in fetch::<(String, i64)>(store, &sql, options).await? {
        problems.push(format!(
            "payment {payment} received {received} but its capture was never posted"
        ));
    }
    let sql = format!(
        "SELECT t.payment_id, CAST(COUNT(*) AS BIGINT), CAST(MAX(t.amount) AS BIGINT), p.amount_received
         FROM ledger_transactions t JOIN payments p ON p.id = t.payment_id
         WHERE t.kind = 'capture'{}
         GROUP BY t.payment_id, p.amount_received
         HAVING COUNT(*) <> 1 OR MAX(t.amount) <> p.amount_received",
        scoped("t.account_id", options)
    );
    for (payment, count, posted, received) in
        fetch::<(String, i64, i64, i64)>(store, &sql, options).await?
    {
        problems.push(format!(
            "payment {payment} has {count} capture posting(s) of {posted}; it received {received}"
        ));
    }
    let sql = format!(
        "SELECT s.id, s.amount, c.net, CAST(COALESCE((
                SELECT SUM(e.debit) FROM ledger_entries e
                JOIN ledger_transactions r ON r.id = e.transaction_id
                WHERE r.payment_id = c.payment_id AND r.kind = 'refund'
                  AND e.book = 'merchant_pending'), 0) AS BIGINT)
         FROM ledger_transactions s
         JOIN ledger_transactions c ON c.id = s.settles
         WHERE s.kind = 'settlement'{}",
        scoped("s.account_id", options)
    );
    for (settlement, amount, net, refunded) in
        fetch::<(String, i64, i64, i64)>(store, &sql, options).await?
    {
        if amount + refunded != net {
            problems.push(format!(
                "settlement {settlement} moved {amount}; its capture's net {net} less {refunded} refunded before settlement is {}",
                net - refunded
            ));
        }
    }

    // 4. Each succeeded refund is posted once, for its amount.
    let sql = format!(
        "SELECT r.id, r.amount, CAST(COUNT(t.id) AS BIGINT), CAST(COALESCE(MAX(t.amount), 0) AS BIGINT)
         FROM refunds r LEFT JOIN ledger_transactions t ON t.refund_id = r.id
         WHERE r.status = 'succeeded'{}
         GROUP BY r.id, r.amount
         HAVING COUNT(t.id) <> 1 OR COALESCE(MAX(t.amount), 0) <> r.amount",
        scoped("r.account_id", options)
    );
    for (refund, amount, count, posted) in
        fetch::<(String, i64, i64, i64)>(store, &sql, options).await?
    {
        problems.push(format!(
            "refund {refund} of {amount} has {count} posting(s) (of {posted})"
        ));
    }

    // 4b. A refund that failed after it succeeded has its posting and one reversal of it; any
    //     other failed refund has none.
    let sql = format!(
        "SELECT r.id, r.amount,
                CAST(COALESCE(SUM(CASE WHEN t.kind = 'refund' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN t.kind = 'refund_reversal' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN t.kind = 'refund' THEN t.amount ELSE -t.amount END), 0) AS BIGINT)
         FROM refunds r LEFT JOIN ledger_transactions t ON t.refund_id = r.id
         WHERE r.status IN ('failed', 'pending'){}
         GROUP BY r.id, r.amount
         HAVING COUNT(t.id) > 0",
        scoped("r.account_id", options)
    );
    for (refund, amount, posted, reversed, left) in
        fetch::<(String, i64, i64, i64, i64)>(store, &sql, options).await?
    {
        if posted != 1 || reversed != 1 || left != 0 {
            problems.push(format!(
                "refund {refund} of {amount} is not refunded yet has {posted} posting(s) and {reversed} reversal(s) leaving {left}"
            ));
        }
    }

    // 5. The points ledger.
    problems.extend(crate::server::services::loyalty::verify::verify(store, options).await?);
    Ok(problems)
}
