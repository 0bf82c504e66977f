//! Engagement's tables: programs (`prog_…`) and customers' points accounts (`loy_…`) here;
//! points transactions with their entries, lots and lot uses in `points`; rewards and
//! redemptions in `rewards`.
//!
//! Program ids are unique per account and mode only (`prog_default` is everyone's): a program
//! is always written by id, account and mode together. Transactions, entries, lots' sizes and
//! lot uses are only ever inserted.

use super::page::{Filter, Listing};
use super::row::{self, Table, row};
use super::statement::{Statement, hot_reads};
use super::{Store, Tx};
use crate::domain::loyalty::{EarnedPolicy, RedeemedPolicy};
use crate::domain::mode::Mode;

mod points;
mod rewards;

pub use points::*;
pub use rewards::*;

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

hot_reads! {
    /// Every program of a merchant's mode, oldest first (a payment's success reads them
    /// before its transaction).
    pub fn programs_hot(account_id: &str, mode: Mode) -> Vec<ProgramRow> =
        fetch_all(row::select::<ProgramRow>("account_id = $1 AND mode = $2 ORDER BY sort_key, id"));
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
