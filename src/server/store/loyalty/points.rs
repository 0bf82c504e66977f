//! Points transactions (`ptx_…`, append-only), their entries, the lots they give and the lot
//! uses of what they take.

use crate::domain::loyalty::PtxType;
use crate::domain::mode::Mode;
use crate::server::store::events::EventRow;
use crate::server::store::page::{Filter, Listing};
use crate::server::store::row::{self, Table, row};
use crate::server::store::statement::{Statement, hot_reads, reads};

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct PtxRow in "points_transactions" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub program: String,
        pub loyalty_account: String,
        pub customer: String,
        // Its column's name, for hot reads (rows by column name).
        #[serde(rename = "type")]
        pub kind as "type": PtxType,
        pub points: i64,
        pub balance_after: i64,
        pub source_type: Option<String>,
        pub source_id: Option<String>,
        pub reverses: Option<String>,
        pub redemption: Option<String>,
        pub reason: Option<String>,
        pub metadata: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Filters a transaction list accepts.
#[derive(Debug, Default, Clone)]
pub struct PtxFilter {
    pub loyalty_account: Option<String>,
    pub customer: Option<String>,
    pub source: Option<String>,
    pub kind: Option<PtxType>,
}

impl Listing for PtxFilter {
    type Row = PtxRow;
    fn conditions(&self, f: &mut Filter) {
        // An account's transactions are its customer's in its program: found by the customer
        // (the index), then the account.
        if let Some(account) = &self.loyalty_account {
            f.push(
                "customer = (SELECT customer FROM loyalty_accounts WHERE id = $1) AND loyalty_account = $1",
                [account.as_str().into()],
            );
        }
        f.eq("customer", self.customer.as_deref());
        f.eq("source_id", self.source.as_deref());
        f.eq("type", self.kind);
    }
}

row! {
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct EntryRow in "points_entries" {
        pub ptx: String,
        pub loyalty_account: String,
        pub book: String,
        pub points: i64,
    }
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct LotRow in "points_lots" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub loyalty_account: String,
        pub ptx: String,
        pub points: i64,
        pub remaining: i64,
        pub pending: i64,
        pub available_at: i64,
        pub expires_at: Option<i64>,
        pub created: i64,
    }
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct LotUseRow in "points_lot_uses" {
        pub ptx: String,
        pub lot: String,
        pub points: i64,
        pub created: i64,
    }
}

// Lookups that `store::plans` checks are planned on an index.
pub(crate) const EARNS_FOR_SOURCE: &str =
    "account_id = $1 AND mode = $2 AND source_id = $3 AND type = 'earn' ORDER BY sort_key, id";
pub(crate) const OF_SOURCE: &str =
    "account_id = $1 AND mode = $2 AND source_id = $3 ORDER BY sort_key, id";
pub(crate) const OF_REDEMPTION: &str = "redemption = $1 ORDER BY sort_key, id";
pub(crate) const LIVE_LOTS: &str = "loyalty_account = $1 AND remaining > 0 ORDER BY created, id";

reads! {
    /// The earn of a program for a source, if there is one.
    pub fn earn_of(account_id: &str, mode: Mode, program: &str, source_type: &str, source_id: &str) -> Option<PtxRow> =
        fetch_optional(row::select::<PtxRow>("account_id = $1 AND mode = $2 AND program = $3
            AND source_type = $4 AND source_id = $5 AND type = 'earn'"));

    /// Every earn of any program for a source (one per program).
    pub fn earns_for_source(account_id: &str, mode: Mode, source_id: &str) -> Vec<PtxRow> =
        fetch_all(row::select::<PtxRow>(EARNS_FOR_SOURCE));

    /// The transactions that reverse `ptx` (clawbacks of an earn), oldest first.
    pub fn reversing(ptx: &str) -> Vec<PtxRow> =
        fetch_all(row::select::<PtxRow>("reverses = $1 ORDER BY sort_key, id"));

    /// The transactions of a redemption, oldest first (the first took its points).
    pub fn of_redemption(redemption: &str) -> Vec<PtxRow> =
        fetch_all(row::select::<PtxRow>(OF_REDEMPTION));

    /// A points account's lots with points left (pending ones included).
    pub fn live_lots(loyalty_account: &str) -> Vec<LotRow> =
        fetch_all(row::select::<LotRow>(LIVE_LOTS));

    /// A lot by its id.
    pub fn lot(id: &str) -> Option<LotRow> =
        fetch_optional(row::select::<LotRow>("id = $1"));

    /// What a transaction took from each lot.
    pub fn uses_of(ptx: &str) -> Vec<LotUseRow> =
        fetch_all(row::select::<LotUseRow>("ptx = $1 ORDER BY lot"));

    /// Points accounts with a pending lot due by `now`, or a lot expired by `now` with points
    /// left (of `account`, or of every account when it is empty). Customers on a test clock
    /// are left to their clock.
    pub fn accounts_due(now: i64, limit: i64, account: &str) -> Vec<(String, String, String, String)> =
        fetch_all("SELECT DISTINCT la.account_id, la.mode, la.program, la.customer
            FROM points_lots l JOIN loyalty_accounts la ON la.id = l.loyalty_account
            JOIN customers c ON c.id = la.customer
            WHERE ((l.pending = 1 AND l.available_at <= $1)
                OR (l.pending = 0 AND l.remaining > 0 AND l.expires_at <= $1))
              AND ($3 = '' OR l.account_id = $3)
              AND c.test_clock IS NULL
            LIMIT $2");

    /// The same for the customers of one test clock, at its time `now`.
    pub fn accounts_due_on_clock(test_clock: &str, now: i64, limit: i64) -> Vec<(String, String, String, String)> =
        fetch_all("SELECT DISTINCT la.account_id, la.mode, la.program, la.customer
            FROM points_lots l JOIN loyalty_accounts la ON la.id = l.loyalty_account
            JOIN customers c ON c.id = la.customer
            WHERE c.test_clock = $1
              AND ((l.pending = 1 AND l.available_at <= $2)
                OR (l.pending = 0 AND l.remaining > 0 AND l.expires_at <= $2))
            LIMIT $3");

    /// The time of the customer's test clock (seconds), when they are on one: their points
    /// live by it.
    pub fn clock_time_of(customer: &str) -> Option<(i64,)> = fetch_optional(CLOCK_TIME_OF);
}

const CLOCK_TIME_OF: &str = "SELECT tc.frozen_time FROM customers c
    JOIN test_clocks tc ON tc.id = c.test_clock WHERE c.id = $1";

hot_reads! {
    /// Every transaction with a source (a payment's earns, clawbacks and what came back of
    /// them), oldest first (a checkout page shows a payment's points).
    pub fn of_source_hot(account_id: &str, mode: Mode, source_id: &str) -> Vec<PtxRow> =
        fetch_all(row::select::<PtxRow>(OF_SOURCE));

    /// `clock_time_of` outside any transaction: an earn by a rule asks it of every paying
    /// customer, and through the reader pool it cost more than the rest of the earn's reads.
    pub fn clock_time_of_hot(customer: &str) -> Option<(i64,)> = fetch_optional(CLOCK_TIME_OF);
}

/// Moves `points` out of (positive) or back into (negative) a lot, queued by a change that
/// holds the account's lock.
pub fn using_lot(lot: &str, points: i64) -> Statement {
    Statement::new("UPDATE points_lots SET remaining = remaining - $2 WHERE id = $1")
        .bind(lot)
        .bind(points)
}

/// A pending lot becomes spendable.
pub fn activating_lot(lot: &str) -> Statement {
    Statement::new("UPDATE points_lots SET pending = 0 WHERE id = $1").bind(lot)
}

/// Adds `delta` (in `Book::ALL` order) and `earned` to an account's cached balances, whatever
/// they hold when it runs: an earn only adds, so it needs neither the account's lock nor a
/// compare-and-set, and never conflicts.
pub fn adding_to_account(id: &str, delta: [i64; 6], earned: i64) -> Statement {
    Statement::new(
        "UPDATE loyalty_accounts SET issued = issued + $2, pending = pending + $3,
         available = available + $4, reserved = reserved + $5, redeemed = redeemed + $6,
         expired = expired + $7, lifetime_earned = lifetime_earned + $8, version = version + 1
         WHERE id = $1",
    )
    .bind(id)
    .bind(delta[0])
    .bind(delta[1])
    .bind(delta[2])
    .bind(delta[3])
    .bind(delta[4])
    .bind(delta[5])
    .bind(earned)
}

/// Inserts a transaction, after its account's row was locked or written in the same
/// transaction. Its `sort_key` is the one worked out, or one past the customer's latest
/// transaction when that is as late: so an account's transactions list in the order they were
/// written, and each `balance_after` follows from the one before, whatever the clocks said
/// when they were worked out (an earn worked out before a transaction that committed first,
/// instances whose clocks differ). With `balance_read_back`, `balance_after` is its account's
/// available points as the insert runs (queued after `adding_to_account`: the balance it made).
pub fn inserting(p: &PtxRow, balance_read_back: bool) -> Statement {
    static SQL: [std::sync::OnceLock<String>; 2] =
        [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    let sql = SQL[usize::from(balance_read_back)].get_or_init(|| {
        row::insert_sql_computing::<PtxRow>(|column, at| match column {
            "sort_key" => Some(format!(
                "(SELECT CASE WHEN last.at >= {own} THEN last.at + 1 ELSE {own} END
                  FROM (SELECT MAX(sort_key) AS at FROM points_transactions
                        WHERE customer = {customer} AND account_id = {account} AND mode = {mode})
                  AS last)",
                own = at("sort_key"),
                customer = at("customer"),
                account = at("account_id"),
                mode = at("mode"),
            )),
            // Its own argument is then the account's id.
            "balance_after" if balance_read_back => Some(format!(
                "(SELECT available FROM loyalty_accounts WHERE id = {})",
                at("balance_after")
            )),
            _ => None,
        })
    });
    p.args().into_iter().zip(PtxRow::COLUMNS).fold(
        Statement::new(sql.as_str()),
        |s, (arg, column)| match *column {
            "balance_after" if balance_read_back => s.bind(p.loyalty_account.as_str()),
            _ => s.bind(arg),
        },
    )
}

/// Inserts the event about a transaction written by `inserting` with its balance read back, its object's
/// `balance_after` (written as `BALANCE_PENDING` in `event.data`) replaced by the account's
/// available points as the insert runs: the same figure the transaction holds.
pub fn inserting_event_with_balance(event: &EventRow, loyalty_account: &str) -> Statement {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sql = SQL.get_or_init(|| {
        let n = EventRow::COLUMNS.len();
        row::insert_sql_computing::<EventRow>(|column, at| {
            (column == "data").then(|| {
                format!(
                    "REPLACE({}, ${}, ${} || CAST((SELECT available FROM loyalty_accounts
                     WHERE id = ${}) AS TEXT))",
                    at("data"),
                    n + 1,
                    n + 2,
                    n + 3
                )
            })
        })
    });
    event
        .args()
        .into_iter()
        .fold(Statement::new(sql.as_str()), Statement::bind)
        .bind(format!("\"balance_after\":{BALANCE_PENDING}"))
        .bind("\"balance_after\":")
        .bind(loyalty_account)
}

/// What an event about a transaction inserted with its balance read back says in place of
/// its balance until its insert replaces it (no balance is this low).
pub const BALANCE_PENDING: i64 = i64::MIN;

reads! {
    /// A transaction's balance after it (read in its own transaction, once written).
    pub fn balance_after_of(ptx: &str) -> Option<(i64,)> =
        fetch_optional("SELECT balance_after FROM points_transactions WHERE id = $1");
}
