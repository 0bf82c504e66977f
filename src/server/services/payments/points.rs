//! What a payment's change does to loyalty points, in the same transaction: worked out (read)
//! before the writer is taken, written after the payment's compare-and-set.

use super::{Deps, PaymentError, Result};
use crate::domain::loyalty::RedemptionStatus;
use crate::domain::payment::PaymentStatus;
use crate::server::clock::Clock;
use crate::server::services::{ServiceError, loyalty};
use crate::server::store::Tx;
use crate::server::store::payments::PaymentRow;
use crate::server::store::webhook_endpoints::EndpointRow;

/// What a payment's change does to loyalty points: a success earns by the programs' rules
/// and completes a reward reserved on it; an end without payment gives the reward's points
/// back.
pub(super) struct PointsChange {
    earns: Vec<loyalty::earn::Plan>,
    redemption: Option<(
        crate::server::store::loyalty::ProgramRow,
        crate::server::store::loyalty::RedemptionRow,
        RedemptionStatus,
    )>,
}

impl PointsChange {
    pub(super) async fn prepare(
        deps: &Deps<'_>,
        row: &PaymentRow,
        from: PaymentStatus,
    ) -> Result<PointsChange> {
        let mut out = PointsChange {
            earns: Vec::new(),
            redemption: None,
        };
        // Without a customer nothing is read: no points, no reward (both below say so).
        if row.status == from {
            return Ok(out);
        }
        let ends = match row.status {
            PaymentStatus::Succeeded => Some(RedemptionStatus::Completed),
            PaymentStatus::Canceled | PaymentStatus::Expired | PaymentStatus::Failed => {
                Some(RedemptionStatus::Canceled)
            }
            _ => None,
        };
        if row.status == PaymentStatus::Succeeded {
            out.earns = loyalty::earn::for_payment(deps.store, row, None).await?;
        }
        if let Some(to) = ends {
            out.redemption = loyalty::redemptions::reserved_for(deps.store, row)
                .await?
                .map(|(program, redemption)| (program, redemption, to));
        }
        Ok(out)
    }

    /// A payment created succeeded (confirmed at once): what it earns, its events going to
    /// `endpoints` (read for the payment's own). (A new payment has no reward reserved on it.)
    pub(super) async fn for_new(
        deps: &Deps<'_>,
        row: &PaymentRow,
        endpoints: &[EndpointRow],
    ) -> Result<PointsChange> {
        let earns = match row.status == PaymentStatus::Succeeded {
            true => loyalty::earn::for_payment(deps.store, row, Some(endpoints)).await?,
            false => Vec::new(),
        };
        Ok(PointsChange {
            earns,
            redemption: None,
        })
    }

    pub(super) async fn write(self, tx: &mut Tx, clock: &dyn Clock) -> Result<()> {
        for earn in self.earns {
            earn.write(tx, clock).await?;
        }
        if let Some((program, redemption, to)) = self.redemption {
            // None: canceled meanwhile (its points are back already); the payment stands.
            let _ended = loyalty::redemptions::end(tx, clock, &program, redemption, to).await?;
        }
        Ok(())
    }
}

/// A loyalty step inside a payment's (or a refund's) change fails the change: a database
/// error as such, a conflict (another request changed the points account or the
/// redemption) as a conflict.
impl From<loyalty::LoyaltyError> for PaymentError {
    fn from(e: loyalty::LoyaltyError) -> Self {
        match e {
            loyalty::LoyaltyError::Service(ServiceError::Database(db)) => PaymentError::from(db),
            _ => PaymentError::Conflict,
        }
    }
}
