//! Rewards (`rwd_…`) and redemptions (`rdm_…`).

use crate::domain::loyalty::RedemptionStatus;
use crate::domain::mode::Mode;
use crate::server::store::page::{Filter, Listing};
use crate::server::store::row::{self, row};
use crate::server::store::statement::{hot_reads, reads, writes};

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

// Lookups that `store::plans` checks are planned on an index.
pub(crate) const REDEMPTIONS_OF_PAYMENT: &str =
    "payment = $1 AND status = $2 ORDER BY sort_key, id";
pub(crate) const REDEMPTIONS_ON: &str =
    "account_id = $1 AND mode = $2 AND payment = $3 ORDER BY sort_key, id";
pub(crate) const RESERVED_FOR: &str = "payment = $1 AND status = 'reserved'";

reads! {
    /// A payment's redemptions in `status` (at most one reserved or completed).
    pub fn redemptions_of_payment(payment: &str, status: RedemptionStatus) -> Vec<RedemptionRow> =
        fetch_all(row::select::<RedemptionRow>(REDEMPTIONS_OF_PAYMENT));
}

hot_reads! {
    /// Every redemption made against a payment, oldest first (a checkout page shows them).
    pub fn redemptions_on_hot(account_id: &str, mode: Mode, payment: &str) -> Vec<RedemptionRow> =
        fetch_all(row::select::<RedemptionRow>(REDEMPTIONS_ON));

    /// A payment's reserved redemption (a payment's change reads it before its transaction).
    pub fn reserved_for_hot(payment: &str) -> Option<RedemptionRow> =
        fetch_optional(row::select::<RedemptionRow>(RESERVED_FOR));
}

writes! {
    /// A redemption's status, if it is still `from` (1 row: changed).
    pub fn set_redemption_status(id: &str, from: RedemptionStatus, to: RedemptionStatus) =
        "UPDATE loyalty_redemptions SET status = $3 WHERE id = $1 AND status = $2";
    /// A completed redemption's points were given back (1 row: now, 0: before).
    pub fn mark_restored(id: &str) =
        "UPDATE loyalty_redemptions SET restored = 1 WHERE id = $1 AND restored = 0";
    /// A restored redemption's points were taken again (1 row: now, 0: before).
    pub fn mark_unrestored(id: &str) =
        "UPDATE loyalty_redemptions SET restored = 0 WHERE id = $1 AND restored = 1";
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
