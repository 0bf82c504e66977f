//! Engagement's objects: loyalty programs, points accounts, points transactions, rewards and
//! redemptions.

use super::{is_live, metadata};
use crate::domain::loyalty::EarnRuleSpec;
use crate::server::store::loyalty::{
    LotRow, LoyaltyAccountRow, ProgramRow, PtxRow, RedemptionRow, RewardRow,
};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An earn rule: `points` for each whole `per_amount` (minor units of `currency`) of the
/// event's amount, nothing below `min_amount`, at most `max_points`, times `multiplier`;
/// rounded down.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EarnRuleView {
    /// `payment.completed` or `invoice.paid`.
    pub event: String,
    pub points: i64,
    pub per_amount: i64,
    pub currency: String,
    pub min_amount: i64,
    pub max_points: Option<i64>,
    /// A decimal string, `"1"` or `"1.5"`.
    pub multiplier: String,
}

impl From<&EarnRuleSpec> for EarnRuleView {
    fn from(r: &EarnRuleSpec) -> Self {
        EarnRuleView {
            event: r.event.to_string(),
            points: r.points,
            per_amount: r.per_amount,
            currency: r.currency.clone(),
            min_amount: r.min_amount,
            max_points: r.max_points,
            multiplier: r.multiplier.clone(),
        }
    }
}

/// What refunds do to points.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefundPolicyView {
    /// `clawback` (take back the points a refunded amount earned, pro rata) or `keep`.
    pub earned: &'static str,
    /// `restore_on_full_refund` (a fully refunded payment gives back the points redeemed on
    /// it) or `keep`.
    pub redeemed: &'static str,
    /// Whether a clawback may take a balance below zero (else it takes what there is).
    pub allow_negative: bool,
}

/// A loyalty program: how customers earn points and what refunds do to them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = LoyaltyProgram)]
pub struct ProgramView {
    pub id: String,
    /// Always `loyalty_program`.
    pub object: &'static str,
    pub name: String,
    pub earn_rules: Vec<EarnRuleView>,
    /// Days before earned points can be spent (a return window); 0: at once.
    pub pending_days: i64,
    /// Days points stay spendable; null: they never expire.
    pub expiry_days: Option<i64>,
    pub refund_policy: RefundPolicyView,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&ProgramRow> for ProgramView {
    fn from(r: &ProgramRow) -> Self {
        let rules: Vec<EarnRuleSpec> = serde_json::from_str(&r.earn_rules).unwrap_or_default();
        ProgramView {
            id: r.id.clone(),
            object: "loyalty_program",
            name: r.name.clone(),
            earn_rules: rules.iter().map(EarnRuleView::from).collect(),
            pending_days: r.pending_days,
            expiry_days: r.expiry_days,
            refund_policy: RefundPolicyView {
                earned: r.refund_earned.as_str(),
                redeemed: r.refund_redeemed.as_str(),
                allow_negative: r.allow_negative != 0,
            },
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

/// Points that expire together.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpiringView {
    pub points: i64,
    pub expires_at: i64,
}

/// A customer's points in one program.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = LoyaltyAccount)]
pub struct LoyaltyAccountView {
    pub id: String,
    /// Always `loyalty_account`.
    pub object: &'static str,
    pub program: String,
    pub customer: String,
    /// Points the customer can spend now.
    pub available: i64,
    /// Points earned, spendable once their pending days are over.
    pub pending: i64,
    /// Points held by redemptions waiting on their payment.
    pub reserved: i64,
    pub redeemed: i64,
    pub expired: i64,
    /// Every point given, less those clawed back.
    pub lifetime_earned: i64,
    /// The next spendable points to expire, soonest first (at most five).
    pub next_expiring: Vec<ExpiringView>,
    pub created: i64,
    pub livemode: bool,
}

impl LoyaltyAccountView {
    /// The account, with `lots` (its lots with points left) for the next expiries.
    pub fn new(r: &LoyaltyAccountRow, lots: &[LotRow]) -> Self {
        let mut expiring: Vec<ExpiringView> = lots
            .iter()
            .filter(|l| l.pending == 0 && l.remaining > 0)
            .filter_map(|l| {
                l.expires_at.map(|at| ExpiringView {
                    points: l.remaining,
                    expires_at: at,
                })
            })
            .collect();
        expiring.sort_by_key(|e| e.expires_at);
        expiring.truncate(5);
        LoyaltyAccountView {
            id: r.id.clone(),
            object: "loyalty_account",
            program: r.program.clone(),
            customer: r.customer.clone(),
            available: r.available,
            pending: r.pending,
            reserved: r.reserved,
            redeemed: r.redeemed,
            expired: r.expired,
            lifetime_earned: r.lifetime_earned,
            next_expiring: expiring,
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

/// What a points transaction came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceView {
    /// `payment`, `invoice`, `refund`, `redemption` or `lot`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// One movement of a customer's points. Append-only: a correction is a new transaction.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PointsTransaction)]
pub struct PtxView {
    pub id: String,
    /// Always `loyalty.points_transaction`.
    pub object: &'static str,
    /// `earn`, `clawback`, `adjust`, `reserve`, `release`, `redeem`, `restore`, `activate`
    /// or `expire`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub program: String,
    pub loyalty_account: String,
    pub customer: String,
    /// How many points it moved: negative when it takes them from the customer (a
    /// clawback, a negative adjustment, a reserve, a redeem — also of points a reserve held
    /// already — an expiry), positive otherwise (an earn, also into pending; an activation;
    /// a release; a restore). The type says between which balances.
    pub points: i64,
    /// The customer's available (spendable) points after it.
    pub balance_after: i64,
    pub source: Option<SourceView>,
    /// The transaction this one reverses: a clawback's or a restore's earn, or the restore
    /// a redeem takes back when a full refund is turned back by the processor.
    pub reverses: Option<String>,
    pub redemption: Option<String>,
    pub reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&PtxRow> for PtxView {
    fn from(r: &PtxRow) -> Self {
        PtxView {
            id: r.id.clone(),
            object: "loyalty.points_transaction",
            kind: r.kind.as_str(),
            program: r.program.clone(),
            loyalty_account: r.loyalty_account.clone(),
            customer: r.customer.clone(),
            points: r.points,
            balance_after: r.balance_after,
            source: match (&r.source_type, &r.source_id) {
                (Some(kind), Some(id)) => Some(SourceView {
                    kind: kind.clone(),
                    id: id.clone(),
                }),
                _ => None,
            },
            reverses: r.reverses.clone(),
            redemption: r.redemption.clone(),
            reason: r.reason.clone(),
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

/// A reward customers can redeem points for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = LoyaltyReward)]
pub struct RewardView {
    pub id: String,
    /// Always `loyalty_reward`.
    pub object: &'static str,
    pub program: String,
    pub name: String,
    pub cost_points: i64,
    /// A fixed amount off (minor units of `currency`), or null with `discount_percent`.
    pub discount_amount: Option<i64>,
    pub currency: Option<String>,
    pub discount_percent: Option<i64>,
    pub active: bool,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&RewardRow> for RewardView {
    fn from(r: &RewardRow) -> Self {
        RewardView {
            id: r.id.clone(),
            object: "loyalty_reward",
            program: r.program.clone(),
            name: r.name.clone(),
            cost_points: r.cost_points,
            discount_amount: r.discount_amount,
            currency: r.currency.clone(),
            discount_percent: r.discount_percent,
            active: r.active != 0,
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

/// A reward redeemed with points: at once, or against a payment until it is paid.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = LoyaltyRedemption)]
pub struct RedemptionView {
    pub id: String,
    /// Always `loyalty_redemption`.
    pub object: &'static str,
    pub program: String,
    pub loyalty_account: String,
    pub customer: String,
    pub reward: String,
    pub points: i64,
    /// `reserved` (waiting on its payment), `completed` or `canceled`.
    pub status: &'static str,
    pub payment: Option<String>,
    /// What it took off the payment (minor units), 0 without one.
    pub discount: i64,
    /// Whether its points were given back after a full refund.
    pub restored: bool,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&RedemptionRow> for RedemptionView {
    fn from(r: &RedemptionRow) -> Self {
        RedemptionView {
            id: r.id.clone(),
            object: "loyalty_redemption",
            program: r.program.clone(),
            loyalty_account: r.loyalty_account.clone(),
            customer: r.customer.clone(),
            reward: r.reward.clone(),
            points: r.points,
            status: r.status.as_str(),
            payment: r.payment.clone(),
            discount: r.discount,
            restored: r.restored != 0,
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

/// A payment's points (`expand[]=loyalty` on a payment).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PaymentLoyalty)]
pub struct PaymentLoyaltyView {
    /// Always `payment_loyalty`.
    pub object: &'static str,
    /// What the payment earned, in every program.
    pub points_earned: i64,
    /// What refunds took back of it.
    pub points_clawed_back: i64,
    /// What paying it now would earn, while it waits to be paid (null otherwise).
    pub points_to_earn: Option<i64>,
    /// Rewards redeemed against it.
    pub redemptions: Vec<RedemptionView>,
    /// Its earns and clawbacks, oldest first.
    pub transactions: Vec<PtxView>,
}

impl PaymentLoyaltyView {
    pub fn new<'a>(
        points_earned: i64,
        points_clawed_back: i64,
        points_to_earn: Option<i64>,
        redemptions: impl IntoIterator<Item = &'a RedemptionRow>,
        transactions: &[PtxRow],
    ) -> Self {
        PaymentLoyaltyView {
            object: "payment_loyalty",
            points_earned,
            points_clawed_back,
            points_to_earn,
            redemptions: redemptions.into_iter().map(RedemptionView::from).collect(),
            transactions: transactions.iter().map(PtxView::from).collect(),
        }
    }
}
