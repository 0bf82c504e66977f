//! What a payment's change does to loyalty points, in the same transaction: worked out (read)
//! before the writer is taken, written after the payment's compare-and-set.

use super::{Deps, PaymentError, Result};
use crate::domain::loyalty::RedemptionStatus;
use crate::domain::payment::PaymentStatus;
use crate::server::clock::Clock;
use crate::server::services::{ServiceError, loyalty};
use crate::server::store::Tx;
use crate::server::store::payments::PaymentRow;

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
        if row.status == from || row.customer.is_none() {
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
            out.earns = loyalty::earn::for_payment(deps.store, row)
                .await
                .map_err(loyalty_error)?;
        }
        if let Some(to) = ends {
            out.redemption = loyalty::redemptions::reserved_for(deps.store, row)
                .await
                .map_err(loyalty_error)?
                .map(|(program, redemption)| (program, redemption, to));
        }
        Ok(out)
    }

    /// A payment created succeeded (confirmed at once): what it earns. (A new payment has no
    /// reward reserved on it.)
    pub(super) async fn for_new(deps: &Deps<'_>, row: &PaymentRow) -> Result<PointsChange> {
        let earns = match row.status == PaymentStatus::Succeeded && row.customer.is_some() {
            true => loyalty::earn::for_payment(deps.store, row)
                .await
                .map_err(loyalty_error)?,
            false => Vec::new(),
        };
        Ok(PointsChange {
            earns,
            redemption: None,
        })
    }

    pub(super) async fn write(self, tx: &mut Tx, clock: &dyn Clock) -> Result<()> {
        for earn in self.earns {
            earn.write(tx, clock).await.map_err(loyalty_error)?;
        }
        if let Some((program, redemption, to)) = self.redemption {
            loyalty::redemptions::end(tx, clock, &program, redemption, to)
                .await
                .map_err(loyalty_error)?;
        }
        Ok(())
    }
}

/// A loyalty step inside a payment's change fails the change: a database error as such, a
/// conflict (another request changed the points account or the redemption) as a conflict.
fn loyalty_error(e: loyalty::LoyaltyError) -> PaymentError {
    match e {
        loyalty::LoyaltyError::Service(ServiceError::Database(db)) => PaymentError::from(db),
        _ => PaymentError::Conflict,
    }
}
