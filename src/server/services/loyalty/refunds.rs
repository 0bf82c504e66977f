//! What a refund does to points, in the refund's own transaction: the points its payment
//! earned are clawed back pro rata (⌊earned × net ÷ captured⌋ still stands, so a full refund
//! takes back exactly what was earned however many refunds it took), from pending points
//! first; a full refund gives back the points redeemed on the payment. Each program's refund
//! policy decides.

use super::lots;
use super::posting::Note;
use super::programs;
use super::{Result, record};
use crate::domain::loyalty::{EarnedPolicy, RedeemedPolicy, RedemptionStatus, clawback_due};
use crate::server::clock::Clock;
use crate::server::services::Scope;
use crate::server::store::Tx;
use crate::server::store::loyalty::{self, RedemptionRow};
use crate::server::store::payments::PaymentRow;
use crate::server::views::loyalty::PtxView;
use crate::server::views::to_json;

/// Applies a succeeded refund of `payment` (which had `captured`, now `refunded` in all).
pub async fn on_refund(
    tx: &mut Tx,
    wall: &dyn Clock,
    payment: &PaymentRow,
    captured: i64,
    refunded: i64,
) -> Result<()> {
    let scope = Scope {
        account_id: payment.account_id.clone(),
        mode: payment.mode,
    };
    let earns =
        loyalty::earns_for_source(tx.conn().await?, &scope.account_id, scope.mode, &payment.id)
            .await?;
    for earn in earns {
        let program = programs::find(tx.conn().await?, &scope, &earn.program, None).await?;
        if program.refund_earned == EarnedPolicy::Keep {
            continue;
        }
        // Read in the refund's transaction, after it took the payment (`settle_hold`): a
        // concurrent refund of the same payment has committed its clawback or waits.
        let clawed: i64 = loyalty::reversing(tx.conn().await?, &earn.id)
            .await?
            .iter()
            .map(|p| -p.points)
            .sum();
        let due = clawback_due(earn.points, captured, refunded, clawed);
        if due == 0 {
            continue;
        }
        let lot = loyalty::lot_of(tx.conn().await?, &earn.id).await?;
        let mut locked = lots::lock(tx, wall, &program, &earn.customer).await?;
        let note = Note {
            source: Some(("payment".into(), payment.id.clone())),
            reverses: Some(earn.id.clone()),
            reason: Some(format!("refund of {} of {}", refunded, captured)),
            ..Note::default()
        };
        let taken =
            locked
                .points
                .claw_back(&program, lot.as_ref().map(|l| l.id.as_str()), due, note);
        locked.write(tx, wall, None).await?;
        if taken > 0 {
            let ptx = locked
                .points
                .postings
                .last()
                .expect("clawed back")
                .ptx
                .clone();
            record(
                tx,
                wall,
                &program,
                &to_json(&PtxView::from(&ptx)),
                &["loyalty.points.clawed_back"],
                None,
            )
            .await?;
        }
    }
    if refunded >= captured {
        restore_redeemed(tx, wall, &scope, payment).await?;
    }
    Ok(())
}

/// A fully refunded payment gives back the points of its completed redemption, once.
async fn restore_redeemed(
    tx: &mut Tx,
    wall: &dyn Clock,
    scope: &Scope,
    payment: &PaymentRow,
) -> Result<()> {
    let redemptions: Vec<RedemptionRow> =
        loyalty::redemptions_of_payment(tx.conn().await?, &payment.id, RedemptionStatus::Completed)
            .await?
            .into_iter()
            .filter(|r| r.account_id == scope.account_id && r.mode == scope.mode && r.restored == 0)
            .collect();
    for redemption in redemptions {
        let program = programs::find(tx.conn().await?, scope, &redemption.program, None).await?;
        if program.refund_redeemed == RedeemedPolicy::Keep {
            continue;
        }
        super::redemptions::restore(tx, wall, &program, redemption).await?;
    }
    Ok(())
}
