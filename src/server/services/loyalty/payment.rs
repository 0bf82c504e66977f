//! A payment's points as its customer and merchant see them: what it earned and lost to
//! refunds, the rewards redeemed on it, and what it will earn if it is paid now (the hosted
//! checkout's "you'll earn N points", `expand[]=loyalty`, the dashboard's payment page).

use super::earn::earning;
use super::programs;
use crate::domain::loyalty::{PtxType, RedemptionStatus};
use crate::domain::payment::PaymentStatus;
use crate::server::services::Scope;
use crate::server::services::payments::status_of;
use crate::server::store::Store;
use crate::server::store::loyalty::{self, PtxRow, RedemptionRow, RewardRow};
use crate::server::store::payments::PaymentRow;
use crate::server::store::row;

/// A payment's points.
#[derive(Debug, Clone, Default)]
pub struct PaymentPoints {
    /// Its earns, their clawbacks and what came back of them, oldest first.
    pub transactions: Vec<PtxRow>,
    /// Rewards redeemed against it (a reserved one lowered its amount), with the reward
    /// when it is still there to name.
    pub redemptions: Vec<(RedemptionRow, Option<RewardRow>)>,
    /// What paying it now would earn, while it waits for its customer (None once paid, or
    /// when no rule applies, or without a customer to earn them).
    pub to_earn: Option<i64>,
}

impl PaymentPoints {
    pub fn earned(&self) -> i64 {
        self.sum(PtxType::Earn)
    }

    /// Points taken back by refunds (a positive number), less what refunds turned back
    /// gave back (a restore with the payment as its source).
    pub fn clawed_back(&self) -> i64 {
        -self.sum(PtxType::Clawback) - self.sum(PtxType::Restore)
    }

    /// The redemption that lowered the payment's amount: reserved until it is paid, then
    /// completed.
    pub fn discount(&self) -> Option<&(RedemptionRow, Option<RewardRow>)> {
        self.redemptions.iter().rev().find(|(r, _)| {
            matches!(
                r.status,
                RedemptionStatus::Reserved | RedemptionStatus::Completed
            ) && r.discount > 0
        })
    }

    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty() && self.redemptions.is_empty() && self.to_earn.is_none()
    }

    fn sum(&self, kind: PtxType) -> i64 {
        self.transactions
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.points)
            .sum()
    }
}

/// The points of `payment`: none without a customer (points and rewards are a customer's),
/// and nothing read then. Hot reads: every checkout page asks.
pub async fn of_payment(store: &Store, payment: &PaymentRow) -> Result<PaymentPoints, sqlx::Error> {
    if payment.customer.is_none() {
        return Ok(PaymentPoints::default());
    }
    let (account, mode) = (payment.account_id.as_str(), payment.mode);
    let transactions = loyalty::of_source_hot(store, account, mode, &payment.id).await?;
    let mut redemptions = Vec::new();
    for r in loyalty::redemptions_on_hot(store, account, mode, &payment.id).await? {
        let reward = row::find_hot::<RewardRow>(store, account, mode.as_str(), &r.reward).await?;
        redemptions.push((r, reward));
    }
    let to_earn = match &payment.customer {
        Some(_) if awaits_payment(status_of(payment)) => {
            let scope = Scope {
                account_id: account.to_string(),
                mode,
            };
            let points: i64 = programs::all_hot(store, &scope)
                .await?
                .iter()
                .filter_map(|p| earning(p, payment, payment.amount).map(|(_, n)| n))
                .sum();
            (points > 0).then_some(points)
        }
        _ => None,
    };
    Ok(PaymentPoints {
        transactions,
        redemptions,
        to_earn,
    })
}

/// Whether the payment can still be paid (and so earn).
fn awaits_payment(status: PaymentStatus) -> bool {
    status.awaits_customer()
        || matches!(
            status,
            PaymentStatus::Processing | PaymentStatus::RequiresCapture
        )
}
