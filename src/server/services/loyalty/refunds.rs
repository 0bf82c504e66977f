//! What a refund does to points, in the refund's own transaction: the points its payment
//! earned are clawed back pro rata (⌊earned × net ÷ captured⌋ still stands, so a full refund
//! takes back exactly what was earned however many refunds it took), from pending points
//! first; a full refund gives back the points redeemed on the payment. Each program's refund
//! policy decides. A refund the processor turns back after it succeeded gives back what its
//! clawback took that the payment's net stands for again, and takes again what a full
//! refund gave back for a redemption (`redeemed`).

use super::Result;
use super::lots;
use super::posting::{Note, Points};
use super::programs;
use super::redeemed;
use crate::domain::loyalty::{
    self as rules, EarnedPolicy, PtxType, Transfer, clawback_due, restorable,
};
use crate::server::clock::Clock;
use crate::server::services::Scope;
use crate::server::store::Tx;
use crate::server::store::loyalty::{self, LotRow, ProgramRow, PtxRow};
use crate::server::store::payments::PaymentRow;

/// Applies a succeeded refund of `payment` (which had `captured`, now `refunded` in all).
pub async fn on_refund(
    tx: &mut Tx,
    wall: &dyn Clock,
    payment: &PaymentRow,
    captured: i64,
    refunded: i64,
) -> Result<()> {
    let (scope, earns) = earns_of(tx, payment).await?;
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
        let mut locked = lots::lock(tx, wall, &program, &earn.customer).await?;
        let note = Note {
            source: Some(("payment".into(), payment.id.clone())),
            reverses: Some(earn.id.clone()),
            reason: Some(format!("refund of {} of {}", refunded, captured)),
            ..Note::default()
        };
        let taken = locked.points.claw_back(&program, &earn.id, due, note);
        locked.write(tx, wall, None).await?;
        if taken > 0 {
            locked
                .announce_last(tx, wall, "loyalty.points.clawed_back", None)
                .await?;
        }
    }
    if refunded >= captured {
        redeemed::restore_redeemed(tx, wall, &scope, payment).await?;
    }
    Ok(())
}

/// The payment's merchant and mode, and the earns the payment made (one per program).
async fn earns_of(tx: &mut Tx, payment: &PaymentRow) -> Result<(Scope, Vec<PtxRow>)> {
    let scope = Scope {
        account_id: payment.account_id.clone(),
        mode: payment.mode,
    };
    let earns =
        loyalty::earns_for_source(tx.conn().await?, &scope.account_id, scope.mode, &payment.id)
            .await?;
    Ok((scope, earns))
}

/// A refund that had succeeded failed after all (the issuer sent the money back), so the
/// payment of `captured` stands for `captured - refunded` again: each earn gets back what its
/// clawbacks took beyond what is due now, newest taken first, into the lots it came from.
/// A payment no longer fully refunded takes again what its redemptions were given back.
pub async fn on_refund_failed(
    tx: &mut Tx,
    wall: &dyn Clock,
    payment: &PaymentRow,
    captured: i64,
    refunded: i64,
) -> Result<()> {
    let (scope, earns) = earns_of(tx, payment).await?;
    for earn in earns {
        let reversing = loyalty::reversing(tx.conn().await?, &earn.id).await?;
        let clawed: i64 = reversing.iter().map(|p| -p.points).sum();
        let back = clawed - clawback_due(earn.points, captured, refunded, 0);
        if back <= 0 {
            continue;
        }
        // What the clawbacks took, piece by piece, and what earlier give-backs returned.
        let (mut taken, mut restored) = (Vec::new(), 0);
        for p in &reversing {
            if p.kind != PtxType::Clawback {
                restored += p.points;
                continue;
            }
            let uses = loyalty::uses_of(tx.conn().await?, &p.id).await?;
            let backed: i64 = uses.iter().map(|u| u.points).sum();
            taken.extend(uses.into_iter().map(|u| (Some(u.lot), u.points)));
            taken.push((None, -p.points - backed));
        }
        let program = programs::find(tx.conn().await?, &scope, &earn.program, None).await?;
        let mut locked = lots::lock(tx, wall, &program, &earn.customer).await?;
        // Each lot as the lock brought it up to date (a pending one may have become
        // spendable), or as stored when nothing is left of it (the lock reads live lots only).
        let mut pieces = Vec::new();
        for (lot, n) in restorable(&taken, restored, back) {
            let lot = match lot {
                Some(id) => match locked.points.lots.iter().find(|l| l.id == id) {
                    Some(live) => Some(live.clone()),
                    None => loyalty::lot(tx.conn().await?, &id).await?,
                },
                None => None,
            };
            pieces.push((lot, n));
        }
        let note = Note {
            source: Some(("payment".into(), payment.id.clone())),
            reverses: Some(earn.id.clone()),
            reason: Some(format!("refund failed: {refunded} of {captured} refunded")),
            ..Note::default()
        };
        locked.points.restore_clawed(&pieces, note);
        locked.write(tx, wall, None).await?;
        locked
            .announce_last(tx, wall, "loyalty.points.restored", None)
            .await?;
    }
    if refunded < captured {
        redeemed::take_back_restored(tx, wall, &scope, payment).await?;
    }
    Ok(())
}

impl Points {
    /// Takes back up to `due` points the earn `earn` gave: from pending points first (the
    /// earn's own lot, then the others), then from the available balance; what is left goes
    /// below zero only when the program allows it. How many it took.
    pub fn claw_back(&mut self, program: &ProgramRow, earn: &str, due: i64, note: Note) -> i64 {
        let mut left = due;
        let mut from_pending = Vec::new();
        let mut order: Vec<&LotRow> = self
            .lots
            .iter()
            .filter(|l| l.pending == 1 && l.remaining > 0)
            .collect();
        order.sort_by_key(|l| (l.ptx != earn, l.available_at, l.created));
        for lot in order {
            if left == 0 {
                break;
            }
            let n = lot.remaining.min(left);
            from_pending.push((lot.id.clone(), n));
            left -= n;
        }
        let pending: i64 = from_pending.iter().map(|(_, n)| n).sum();
        let (from_available, available) = self.taking_available(program, due - pending);
        let taken = pending + available;
        if taken == 0 {
            return 0;
        }
        self.account.lifetime_earned -= taken;
        let mut uses = self.use_lots(&from_pending);
        uses.extend(self.use_lots(&from_available));
        self.record(
            PtxType::Clawback,
            &[
                Transfer {
                    from: rules::Book::Pending,
                    to: rules::Book::Issued,
                    points: pending,
                },
                Transfer {
                    from: rules::Book::Available,
                    to: rules::Book::Issued,
                    points: available,
                },
            ],
            -taken,
            uses,
            note,
        );
        taken
    }

    /// Up to `need` points taken back from the available balance: what the lots back of it,
    /// soonest-expiring first, and the rest below zero (with no lot) only when the program
    /// allows a negative balance. Which lots give how many, and how many points in all.
    pub(super) fn taking_available(
        &self,
        program: &ProgramRow,
        need: i64,
    ) -> (Vec<(String, i64)>, i64) {
        let backed_max = need.min(self.account.available.max(0));
        let from_lots = rules::take_up_to(&self.spendable_lots(), backed_max, self.now());
        let backed: i64 = from_lots.iter().map(|(_, n)| n).sum();
        let unbacked = if program.allow_negative != 0 {
            need - backed
        } else {
            0
        };
        (from_lots, backed + unbacked)
    }

    /// Gives back what a clawback took (`pieces`: the lot each came from, `None` for points
    /// taken below zero): into a lot still pending as pending points, else as available ones.
    pub fn restore_clawed(&mut self, pieces: &[(Option<LotRow>, i64)], note: Note) {
        let pending: i64 = pieces
            .iter()
            .filter(|(lot, _)| lot.as_ref().is_some_and(|l| l.pending == 1))
            .map(|(_, n)| n)
            .sum();
        let total: i64 = pieces.iter().map(|(_, n)| n).sum();
        // One use per lot (its key), however many clawbacks took from it.
        let mut back: Vec<(String, i64)> = Vec::new();
        for (lot, n) in pieces {
            let Some(lot) = lot else { continue };
            match back.iter_mut().find(|(id, _)| *id == lot.id) {
                Some((_, given)) => *given -= n,
                None => back.push((lot.id.clone(), -n)),
            }
        }
        let uses = self.use_lots(&back);
        self.account.lifetime_earned += total;
        self.record(
            PtxType::Restore,
            &[
                Transfer {
                    from: rules::Book::Issued,
                    to: rules::Book::Pending,
                    points: pending,
                },
                Transfer {
                    from: rules::Book::Issued,
                    to: rules::Book::Available,
                    points: total - pending,
                },
            ],
            total,
            uses,
            note,
        );
    }
}
