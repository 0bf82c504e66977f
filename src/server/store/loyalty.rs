//! Engagement's tables: programs (`prog_…`), customers' points accounts (`loy_…`), points
//! transactions (`ptx_…`) with their entries, lots and lot uses, rewards (`rwd_…`) and
//! redemptions (`rdm_…`).
//!
//! Program ids are unique per account and mode only (`prog_default` is everyone's): a program
//! is always written by id, account and mode together. Transactions, entries, lots' sizes and
//! lot uses are only ever inserted.

use super::page::{Filter, Listing};
use super::row::{self, Table, row};
use super::statement::{Statement, reads, writes};
use super::{Store, Tx};
use crate::domain::loyalty::{EarnedPolicy, PtxType, RedeemedPolicy, RedemptionStatus};
use crate::domain::mode::Mode;

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct ProgramRow in "loyalty_programs" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub name: String,
        /// JSON list of `EarnRuleSpec`.
        pub earn_rules: String,
        pub pending_days: i64,
        pub expiry_days: Option<i64>,
        pub refund_earned: EarnedPolicy,
        pub refund_redeemed: RedeemedPolicy,
        pub allow_negative: i64,
        pub metadata: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

impl ProgramRow {
    /// The program every merchant and mode has from the start: no rules, so it earns nothing
    /// until the merchant says how.
    pub fn default_for(account_id: &str, mode: Mode, now_micros: i64) -> ProgramRow {
        ProgramRow {
            id: DEFAULT_PROGRAM.into(),
            account_id: account_id.into(),
            mode,
            name: "Default".into(),
            earn_rules: "[]".into(),
            pending_days: 0,
            expiry_days: None,
            refund_earned: EarnedPolicy::Clawback,
            refund_redeemed: RedeemedPolicy::RestoreOnFullRefund,
            allow_negative: 0,
            metadata: "{}".into(),
            created: now_micros.div_euclid(1_000_000),
            sort_key: now_micros,
        }
    }
}

/// A program list (no filters).
#[derive(Debug, Default, Clone)]
pub struct ProgramFilter;

impl Listing for ProgramFilter {
    type Row = ProgramRow;
    fn conditions(&self, _f: &mut Filter) {}
}

/// The id of the program every merchant and mode has.
pub const DEFAULT_PROGRAM: &str = "prog_default";

/// Writes a program's changeable fields (by id, account and mode).
pub async fn save_program(tx: &mut Tx, p: &ProgramRow) -> Result<u64, sqlx::Error> {
    let write = Statement::new(
        "UPDATE loyalty_programs SET name = $4, earn_rules = $5, pending_days = $6,
         expiry_days = $7, refund_earned = $8, refund_redeemed = $9, allow_negative = $10,
         metadata = $11
         WHERE id = $1 AND account_id = $2 AND mode = $3",
    )
    .bind(&p.id)
    .bind(&p.account_id)
    .bind(p.mode)
    .bind(&p.name)
    .bind(&p.earn_rules)
    .bind(p.pending_days)
    .bind(p.expiry_days)
    .bind(p.refund_earned)
    .bind(p.refund_redeemed)
    .bind(p.allow_negative)
    .bind(&p.metadata);
    tx.execute(write).await
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct LoyaltyAccountRow in "loyalty_accounts" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub program: String,
        pub customer: String,
        pub issued: i64,
        pub pending: i64,
        pub available: i64,
        pub reserved: i64,
        pub redeemed: i64,
        pub expired: i64,
        pub lifetime_earned: i64,
        pub version: i64,
        pub created: i64,
        pub sort_key: i64,
    }
}

impl LoyaltyAccountRow {
    /// The cached balances in `Book::ALL` order.
    pub fn books(&self) -> [i64; 6] {
        [
            self.issued,
            self.pending,
            self.available,
            self.reserved,
            self.redeemed,
            self.expired,
        ]
    }

    /// Sets the cached balances from `Book::ALL` order.
    pub fn set_books(&mut self, b: [i64; 6]) {
        [
            self.issued,
            self.pending,
            self.available,
            self.reserved,
            self.redeemed,
            self.expired,
        ] = b;
    }
}

/// Writes an account's balances if nobody changed it since `version` was read (true: written).
pub async fn save_account_if(
    tx: &mut Tx,
    a: &LoyaltyAccountRow,
    version: i64,
) -> Result<bool, sqlx::Error> {
    Ok(tx.execute(save_account(a).bind(version)).await? == 1)
}

/// Writes an account's balances and version, queued (the caller holds the account's lock).
pub fn saving_account(a: &LoyaltyAccountRow) -> Statement {
    save_account(a).bind(a.version - 1)
}

fn save_account(a: &LoyaltyAccountRow) -> Statement {
    Statement::new(
        "UPDATE loyalty_accounts SET issued = $2, pending = $3, available = $4, reserved = $5,
         redeemed = $6, expired = $7, lifetime_earned = $8, version = $9
         WHERE id = $1 AND version = $10",
    )
    .bind(&a.id)
    .bind(a.issued)
    .bind(a.pending)
    .bind(a.available)
    .bind(a.reserved)
    .bind(a.redeemed)
    .bind(a.expired)
    .bind(a.lifetime_earned)
    .bind(a.version)
}

/// Inserts a new account unless the customer has one in the program (true: inserted).
pub async fn create_account(tx: &mut Tx, a: &LoyaltyAccountRow) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "{} ON CONFLICT (account_id, mode, program, customer) DO NOTHING",
        LoyaltyAccountRow::insert_sql()
    );
    let insert = a
        .args()
        .into_iter()
        .fold(Statement::new(sql), Statement::bind);
    Ok(tx.execute(insert).await? == 1)
}

/// The customer's account in the program, as a hot read (before a transaction).
pub async fn account_of_hot(
    store: &Store,
    account_id: &str,
    mode: Mode,
    program: &str,
    customer: &str,
) -> Result<Option<LoyaltyAccountRow>, sqlx::Error> {
    store
        .fetch_optional(account_of_query(account_id, mode, program, customer))
        .await
}

/// The customer's account in the program, read in `tx` after taking its lock (nobody else
/// changes it until `tx` ends).
pub async fn lock_account_of(
    tx: &mut Tx,
    account_id: &str,
    mode: Mode,
    program: &str,
    customer: &str,
) -> Result<Option<LoyaltyAccountRow>, sqlx::Error> {
    // A write that changes nothing takes the row's lock on Postgres; SQLite's writer is
    // already this transaction's alone.
    tx.execute(
        Statement::new(
            "UPDATE loyalty_accounts SET version = version
             WHERE account_id = $1 AND mode = $2 AND program = $3 AND customer = $4",
        )
        .bind(account_id)
        .bind(mode)
        .bind(program)
        .bind(customer),
    )
    .await?;
    Ok(tx
        .fetch_all(account_of_query(account_id, mode, program, customer))
        .await?
        .pop())
}

fn account_of_query(account_id: &str, mode: Mode, program: &str, customer: &str) -> Statement {
    Statement::new(row::select::<LoyaltyAccountRow>(
        "account_id = $1 AND mode = $2 AND program = $3 AND customer = $4",
    ))
    .bind(account_id)
    .bind(mode)
    .bind(program)
    .bind(customer)
}

/// Filters an account list accepts.
#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub customer: Option<String>,
    pub program: Option<String>,
}

impl Listing for AccountFilter {
    type Row = LoyaltyAccountRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("customer", self.customer.as_deref());
        f.eq("program", self.program.as_deref());
    }
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct PtxRow in "points_transactions" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub program: String,
        pub loyalty_account: String,
        pub customer: String,
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
        f.eq("loyalty_account", self.loyalty_account.as_deref());
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

reads! {
    /// The earn of a program for a source, if there is one.
    pub fn earn_of(account_id: &str, mode: Mode, program: &str, source_type: &str, source_id: &str) -> Option<PtxRow> =
        fetch_optional(row::select::<PtxRow>("account_id = $1 AND mode = $2 AND program = $3
            AND source_type = $4 AND source_id = $5 AND type = 'earn'"));

    /// Every earn of any program for a source (one per program).
    pub fn earns_for_source(account_id: &str, mode: Mode, source_id: &str) -> Vec<PtxRow> =
        fetch_all(row::select::<PtxRow>("account_id = $1 AND mode = $2 AND source_id = $3
            AND type = 'earn' ORDER BY sort_key, id"));

    /// The transactions that reverse `ptx` (clawbacks of an earn), oldest first.
    pub fn reversing(ptx: &str) -> Vec<PtxRow> =
        fetch_all(row::select::<PtxRow>("reverses = $1 ORDER BY sort_key, id"));

    /// The transactions of a redemption, oldest first (the first took its points).
    pub fn of_redemption(redemption: &str) -> Vec<PtxRow> =
        fetch_all(row::select::<PtxRow>("redemption = $1 ORDER BY sort_key, id"));

    /// A transaction's entries.
    pub fn entries_of(ptx: &str) -> Vec<EntryRow> =
        fetch_all(row::select::<EntryRow>("ptx = $1 ORDER BY book"));

    /// A points account's lots with points left (pending ones included).
    pub fn live_lots(loyalty_account: &str) -> Vec<LotRow> =
        fetch_all(row::select::<LotRow>("loyalty_account = $1 AND remaining > 0 ORDER BY created, id"));

    /// The lot an earn made.
    pub fn lot_of(ptx: &str) -> Option<LotRow> =
        fetch_optional(row::select::<LotRow>("ptx = $1"));

    /// What a transaction took from each lot.
    pub fn uses_of(ptx: &str) -> Vec<LotUseRow> =
        fetch_all(row::select::<LotUseRow>("ptx = $1 ORDER BY lot"));

    /// Points accounts with a pending lot due by `now`, or a lot expired by `now` with points
    /// left, soonest first (of `account`, or of every account when it is empty).
    pub fn accounts_due(now: i64, limit: i64, account: &str) -> Vec<(String, String, String, String)> =
        fetch_all("SELECT DISTINCT la.account_id, la.mode, la.program, la.customer
            FROM points_lots l JOIN loyalty_accounts la ON la.id = l.loyalty_account
            WHERE ((l.pending = 1 AND l.available_at <= $1)
                OR (l.pending = 0 AND l.remaining > 0 AND l.expires_at <= $1))
              AND ($3 = '' OR l.account_id = $3)
            LIMIT $2");
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

/// What the verifier reads for one points account: its entries summed per book.
pub async fn book_sums(
    store: &Store,
    loyalty_account: &str,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Statement::new(
        "SELECT book, CAST(SUM(points) AS BIGINT) FROM points_entries
         WHERE loyalty_account = $1 GROUP BY book",
    )
    .bind(loyalty_account)
    .fetch_all(store.reader())
    .await
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct RewardRow in "loyalty_rewards" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub program: String,
        pub name: String,
        pub cost_points: i64,
        pub discount_amount: Option<i64>,
        pub currency: Option<String>,
        pub discount_percent: Option<i64>,
        pub active: i64,
        pub metadata: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Filters a reward list accepts.
#[derive(Debug, Default, Clone)]
pub struct RewardFilter {
    pub active: Option<bool>,
}

impl Listing for RewardFilter {
    type Row = RewardRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("active", self.active.map(i64::from));
    }
}

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct RedemptionRow in "loyalty_redemptions" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub program: String,
        pub loyalty_account: String,
        pub customer: String,
        pub reward: String,
        pub points: i64,
        pub status: RedemptionStatus,
        pub payment: Option<String>,
        pub discount: i64,
        pub restored: i64,
        pub metadata: String,
        pub created: i64,
        pub sort_key: i64,
    }
}

reads! {
    /// A payment's redemptions in `status` (at most one reserved or completed).
    pub fn redemptions_of_payment(payment: &str, status: RedemptionStatus) -> Vec<RedemptionRow> =
        fetch_all(row::select::<RedemptionRow>("payment = $1 AND status = $2 ORDER BY sort_key, id"));
}

/// A payment's reserved redemption, as a hot read (a payment's change reads it before its
/// transaction).
pub async fn reserved_for_hot(
    store: &Store,
    payment: &str,
) -> Result<Option<RedemptionRow>, sqlx::Error> {
    store
        .fetch_optional(
            Statement::new(row::select::<RedemptionRow>(
                "payment = $1 AND status = 'reserved'",
            ))
            .bind(payment),
        )
        .await
}

writes! {
    /// A redemption's status, if it is still `from` (1 row: changed).
    pub fn set_redemption_status(id: &str, from: RedemptionStatus, to: RedemptionStatus) =
        "UPDATE loyalty_redemptions SET status = $3 WHERE id = $1 AND status = $2";
    /// A completed redemption's points were given back (1 row: now, 0: before).
    pub fn mark_restored(id: &str) =
        "UPDATE loyalty_redemptions SET restored = 1 WHERE id = $1 AND restored = 0";
}

/// Filters a redemption list accepts.
#[derive(Debug, Default, Clone)]
pub struct RedemptionFilter {
    pub customer: Option<String>,
    pub payment: Option<String>,
    pub status: Option<RedemptionStatus>,
}

impl Listing for RedemptionFilter {
    type Row = RedemptionRow;
    fn conditions(&self, f: &mut Filter) {
        f.eq("customer", self.customer.as_deref());
        f.eq("payment", self.payment.as_deref());
        f.eq("status", self.status);
    }
}
