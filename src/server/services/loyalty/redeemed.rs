//! What a refund does to the completed redemptions on its payment, in the refund's own
//! transaction: a full refund gives their points back (when the program's policy says so),
//! and a full refund the processor turns back afterwards takes them again, since the
//! customer kept the reward and the payment stands once more. How many points either moves
//! comes from the redemption's transactions (`domain::loyalty::redeemed`), so a refund, its
//! failure and a refund again stay exact.

use super::Result;
use super::lots;
use super::posting::{Note, Points};
use super::programs;
use crate::domain::loyalty::Transfer;
use crate::domain::loyalty::redeemed::{RedemptionPtx, Standing, standing};
use crate::domain::loyalty::{Book, PtxType, RedeemedPolicy, RedemptionStatus};
use crate::server::clock::Clock;
use crate::server::services::Scope;
use crate::server::store::Tx;
use crate::server::store::loyalty::{self, ProgramRow, PtxRow, RedemptionRow};
use crate::server::store::payments::PaymentRow;

/// A fully refunded payment gives back the points of its completed redemptions, once.
pub async fn restore_redeemed(
    tx: &mut Tx,
    wall: &dyn Clock,
    scope: &Scope,
    payment: &PaymentRow,
) -> Result<()> {
    for redemption in completed_on(tx, scope, payment, false).await? {
        let program = programs::find(tx.conn().await?, scope, &redemption.program, None).await?;
        if program.refund_redeemed == RedeemedPolicy::Keep {
            continue;
        }
        restore(tx, wall, &program, redemption).await?;
    }
    Ok(())
}

/// A payment that a turned-back refund left no longer fully refunded takes back what the
/// full refund gave back for its redemptions.
pub async fn take_back_restored(
    tx: &mut Tx,
    wall: &dyn Clock,
    scope: &Scope,
    payment: &PaymentRow,
) -> Result<()> {
    for redemption in completed_on(tx, scope, payment, true).await? {
        let program = programs::find(tx.conn().await?, scope, &redemption.program, None).await?;
        take_back(tx, wall, &program, redemption).await?;
    }
    Ok(())
}

/// The payment's completed redemptions of its merchant and mode, restored or not.
async fn completed_on(
    tx: &mut Tx,
    scope: &Scope,
    payment: &PaymentRow,
    restored: bool,
) -> Result<Vec<RedemptionRow>> {
    Ok(
        loyalty::redemptions_of_payment(tx.conn().await?, &payment.id, RedemptionStatus::Completed)
            .await?
            .into_iter()
            .filter(|r| {
                r.account_id == scope.account_id
                    && r.mode == scope.mode
                    && (r.restored != 0) == restored
            })
            .collect(),
    )
}

/// The redemption's transactions, oldest first, and where its points stand.
async fn standing_of(tx: &mut Tx, redemption: &str) -> Result<(Vec<PtxRow>, Standing)> {
    let ptxs = loyalty::of_redemption(tx.conn().await?, redemption).await?;
    let seen: Vec<RedemptionPtx> = ptxs
        .iter()
        .map(|p| RedemptionPtx {
            kind: p.kind,
            points: p.points,
            reverses: p.reverses.is_some(),
        })
        .collect();
    let standing = standing(&seen);
    Ok((ptxs, standing))
}

/// Gives back what a completed redemption holds, into the lots that gave it.
async fn restore(
    tx: &mut Tx,
    wall: &dyn Clock,
    program: &ProgramRow,
    redemption: RedemptionRow,
) -> Result<()> {
    if loyalty::mark_restored(tx, &redemption.id).await? != 1 {
        return Ok(());
    }
    let (ptxs, standing) = standing_of(tx, &redemption.id).await?;
    if standing.redeemed <= 0 {
        return Ok(());
    }
    let uses = match standing.taking {
        Some(i) => loyalty::uses_of(tx.conn().await?, &ptxs[i].id).await?,
        None => Vec::new(),
    };
    let mut locked = lots::lock(tx, wall, program, &redemption.customer).await?;
    let note = Note {
        source: Some(("redemption".into(), redemption.id.clone())),
        redemption: Some(redemption.id.clone()),
        reason: Some("full refund".into()),
        ..Note::default()
    };
    locked.points.give_back(
        PtxType::Restore,
        Book::Redeemed,
        standing.redeemed,
        &uses,
        note,
    );
    locked.write(tx, wall, None).await?;
    locked
        .announce_last(tx, wall, "loyalty.points.restored", None)
        .await?;
    Ok(())
}

/// Takes again what the latest restore of a redemption gave back: the redemption stands.
async fn take_back(
    tx: &mut Tx,
    wall: &dyn Clock,
    program: &ProgramRow,
    redemption: RedemptionRow,
) -> Result<()> {
    if loyalty::mark_unrestored(tx, &redemption.id).await? != 1 {
        return Ok(());
    }
    let (ptxs, standing) = standing_of(tx, &redemption.id).await?;
    let due = redemption.points - standing.redeemed;
    let Some(restore) = standing.last_restore.map(|i| ptxs[i].id.clone()) else {
        return Ok(());
    };
    if due <= 0 {
        return Ok(());
    }
    let mut locked = lots::lock(tx, wall, program, &redemption.customer).await?;
    let note = Note {
        source: Some(("redemption".into(), redemption.id.clone())),
        reverses: Some(restore),
        redemption: Some(redemption.id.clone()),
        reason: Some("refund failed: the payment is no longer fully refunded".into()),
        ..Note::default()
    };
    let taken = locked.points.take_restored_again(program, due, note);
    locked.write(tx, wall, None).await?;
    if taken > 0 {
        locked
            .announce_last(tx, wall, "loyalty.points.clawed_back", None)
            .await?;
    }
    Ok(())
}

impl Points {
    /// Redeems again up to `due` points a restore gave back, taken from the available points
    /// as a clawback takes them (`taking_available`): what the customer has spent since goes
    /// below zero only when the program allows a negative balance, else it is forgone. How
    /// many it took.
    pub fn take_restored_again(&mut self, program: &ProgramRow, due: i64, note: Note) -> i64 {
        let (taken, points) = self.taking_available(program, due);
        if points == 0 {
            return 0;
        }
        let uses = self.use_lots(&taken);
        self.record(
            PtxType::Redeem,
            &[Transfer {
                from: Book::Available,
                to: Book::Redeemed,
                points,
            }],
            -points,
            uses,
            note,
        );
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mode::Mode;

    fn holding(available: i64, allow_negative: bool) -> (ProgramRow, Points) {
        let mut program = ProgramRow::default_for("acct_1", Mode::Test, 1_000_000);
        program.allow_negative = i64::from(allow_negative);
        let mut points = Points::open(&program, "cus_1", 1_000_000);
        points.give(&program, PtxType::Adjust, available, false, Note::default());
        (program, points)
    }

    #[test]
    fn restored_points_spent_since_are_forgone_unless_the_balance_may_go_negative() {
        let (program, mut points) = holding(10, false);
        assert_eq!(
            points.take_restored_again(&program, 30, Note::default()),
            10
        );
        assert_eq!((points.account.available, points.account.redeemed), (0, 10));
        assert_eq!(points.lots[0].remaining, 0);
        // Nothing left: no transaction at all.
        assert_eq!(points.take_restored_again(&program, 20, Note::default()), 0);
        assert_eq!(points.postings.len(), 2);

        let (program, mut points) = holding(10, true);
        assert_eq!(
            points.take_restored_again(&program, 30, Note::default()),
            30
        );
        assert_eq!(
            (points.account.available, points.account.redeemed),
            (-20, 30)
        );
        let last = &points.postings.last().unwrap();
        assert_eq!((last.ptx.kind, last.ptx.points), (PtxType::Redeem, -30));
        assert_eq!(last.uses.iter().map(|u| u.points).sum::<i64>(), 10);
    }
}
