//! The points ledger's invariants, checked by `vinr ledger verify`: every transaction balanced,
//! each account's cached balances equal to its entries, at most one earn per program and
//! source, no lot spent beyond its size or after its expiry, and a balance taken below zero
//! only by a clawback or by taking a redemption's restored points again (a redeem that
//! reverses the restore), which the program's `allow_negative` governs alike; and each
//! transaction's `balance_after` following from the one before it.

use crate::server::services::ledger::verify::{Options, fetch, scoped};
use crate::server::store::Store;

/// Every broken invariant of the points ledger, in words.
pub async fn verify(store: &Store, options: &Options) -> Result<Vec<String>, sqlx::Error> {
    let mut problems = Vec::new();

    let sql = format!(
        "SELECT p.id, CAST(COALESCE(SUM(e.points), 0) AS BIGINT), CAST(COUNT(e.book) AS BIGINT)
         FROM points_transactions p LEFT JOIN points_entries e ON e.ptx = p.id
         WHERE 1 = 1{}
         GROUP BY p.id
         HAVING COALESCE(SUM(e.points), 0) <> 0 OR COUNT(e.book) = 0",
        scoped("p.account_id", options)
    );
    for (id, sum, count) in fetch::<(String, i64, i64)>(store, &sql, options).await? {
        if count == 0 {
            problems.push(format!("points transaction {id} has no entries"));
        } else {
            problems.push(format!(
                "points transaction {id} does not balance: its entries sum to {sum}"
            ));
        }
    }

    let sum = |book: &str| {
        format!(
            "CAST(COALESCE(SUM(CASE WHEN e.book = '{book}' THEN e.points ELSE 0 END), 0) AS BIGINT)"
        )
    };
    let sql = format!(
        "SELECT a.id, a.issued, a.pending, a.available, a.reserved, a.redeemed, a.expired,
                {}, {}, {}, {}, {}, {}
         FROM loyalty_accounts a LEFT JOIN points_entries e ON e.loyalty_account = a.id
         WHERE 1 = 1{}
         GROUP BY a.id, a.issued, a.pending, a.available, a.reserved, a.redeemed, a.expired",
        sum("issued"),
        sum("pending"),
        sum("available"),
        sum("reserved"),
        sum("redeemed"),
        sum("expired"),
        scoped("a.account_id", options)
    );
    type Sums = (
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    for row in fetch::<Sums>(store, &sql, options).await? {
        let cached = [row.1, row.2, row.3, row.4, row.5, row.6];
        let entries = [row.7, row.8, row.9, row.10, row.11, row.12];
        for ((book, c), e) in crate::domain::loyalty::Book::ALL
            .iter()
            .zip(cached)
            .zip(entries)
        {
            if c != e {
                problems.push(format!(
                    "points account {}: {book} is {c} but its entries sum to {e}",
                    row.0
                ));
            }
        }
    }

    let sql = format!(
        "SELECT program, source_id, CAST(COUNT(*) AS BIGINT) FROM points_transactions
         WHERE type = 'earn' AND source_id IS NOT NULL{}
         GROUP BY account_id, mode, program, source_type, source_id HAVING COUNT(*) > 1",
        scoped("account_id", options)
    );
    for (program, source, count) in fetch::<(String, String, i64)>(store, &sql, options).await? {
        problems.push(format!("{source} earned {count} times in {program}"));
    }

    let sql = format!(
        "SELECT l.id, l.points, l.remaining, CAST(COALESCE(SUM(u.points), 0) AS BIGINT)
         FROM points_lots l LEFT JOIN points_lot_uses u ON u.lot = l.id
         WHERE 1 = 1{}
         GROUP BY l.id, l.points, l.remaining
         HAVING l.remaining < 0 OR l.remaining > l.points
             OR l.points - l.remaining <> COALESCE(SUM(u.points), 0)",
        scoped("l.account_id", options)
    );
    for (lot, size, remaining, used) in
        fetch::<(String, i64, i64, i64)>(store, &sql, options).await?
    {
        problems.push(format!(
            "lot {lot} of {size} has {remaining} left but its uses took {used}"
        ));
    }
    let sql = format!(
        "SELECT l.id, u.ptx FROM points_lot_uses u
         JOIN points_lots l ON l.id = u.lot
         JOIN points_transactions p ON p.id = u.ptx
         WHERE u.points > 0 AND p.type <> 'expire' AND l.expires_at IS NOT NULL
           AND p.created >= l.expires_at{}",
        scoped("l.account_id", options)
    );
    for (lot, ptx) in fetch::<(String, String)>(store, &sql, options).await? {
        problems.push(format!("{ptx} spent lot {lot} after it expired"));
    }

    let sql = format!(
        "SELECT id, type, balance_after FROM points_transactions
         WHERE balance_after < 0 AND points < 0 AND type <> 'clawback'
           AND NOT (type = 'redeem' AND reverses IS NOT NULL){}",
        scoped("account_id", options)
    );
    for (ptx, kind, balance) in fetch::<(String, String, i64)>(store, &sql, options).await? {
        problems.push(format!(
            "{ptx} ({kind}) took the balance to {balance}: only a clawback or a take-back may"
        ));
    }

    // Each transaction's balance_after is the one before it plus what it moved into or out of
    // the available book: the account's history reads as a running balance.
    let sql = format!(
        "SELECT id, balance_after, prev, moved FROM (
            SELECT p.id, p.balance_after,
                   LAG(p.balance_after) OVER (PARTITION BY p.loyalty_account
                                              ORDER BY p.sort_key, p.id) AS prev,
                   (SELECT CAST(COALESCE(SUM(e.points), 0) AS BIGINT) FROM points_entries e
                    WHERE e.ptx = p.id AND e.book = 'available') AS moved
            FROM points_transactions p
            WHERE 1 = 1{}
         ) AS running
         WHERE balance_after <> COALESCE(prev, 0) + moved",
        scoped("p.account_id", options)
    );
    for (ptx, balance, prev, moved) in
        fetch::<(String, i64, Option<i64>, i64)>(store, &sql, options).await?
    {
        problems.push(format!(
            "{ptx} says a balance of {balance} after it, but {} before it and {moved} moved make {}",
            prev.unwrap_or(0),
            prev.unwrap_or(0) + moved
        ));
    }
    Ok(problems)
}
