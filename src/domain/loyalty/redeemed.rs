//! What a refund does to a completed redemption on its payment: a full refund gives its
//! points back (a restore), and a full refund turned back by the processor takes them again
//! (a redeem that reverses the restore). Both are worked out from the redemption's own
//! transactions, so any number of them in turn stays exact.

use super::PtxType;

/// One of a redemption's points transactions, oldest first, as far as this needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedemptionPtx {
    pub kind: PtxType,
    pub points: i64,
    /// It reverses another transaction (a redeem that takes a restore back).
    pub reverses: bool,
}

/// Where a redemption's points stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// What it holds in the redeemed book: what a restore gives back now.
    pub redeemed: i64,
    /// The transaction that last took its points from the customer's lots (the first, which
    /// reserved or redeemed them, or the latest take-back): whose lots a restore refills.
    pub taking: Option<usize>,
    /// The latest restore, which a take-back reverses.
    pub last_restore: Option<usize>,
}

/// Where a redemption's points stand after its transactions `ptxs`, oldest first. A redeem
/// moves points into the redeemed book (outright, from a reservation, or taking a restore
/// back) and a restore moves them out; a reservation and its release do not touch it.
pub fn standing(ptxs: &[RedemptionPtx]) -> Standing {
    let mut out = Standing {
        redeemed: 0,
        taking: None,
        last_restore: None,
    };
    for (i, p) in ptxs.iter().enumerate() {
        match p.kind {
            PtxType::Redeem => {
                out.redeemed -= p.points;
                if p.reverses {
                    out.taking = Some(i);
                }
            }
            PtxType::Restore => {
                out.redeemed -= p.points;
                out.last_restore = Some(i);
            }
            _ => {}
        }
        if i == 0 {
            out.taking = Some(0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ptx(kind: PtxType, points: i64, reverses: bool) -> RedemptionPtx {
        RedemptionPtx {
            kind,
            points,
            reverses,
        }
    }

    #[test]
    fn a_reserved_redemption_paid_restored_taken_back_and_restored_again() {
        let reserved = [
            ptx(PtxType::Reserve, -30, false),
            ptx(PtxType::Redeem, -30, false),
        ];
        let s = standing(&reserved);
        assert_eq!((s.redeemed, s.taking, s.last_restore), (30, Some(0), None));

        let restored = [&reserved[..], &[ptx(PtxType::Restore, 30, false)]].concat();
        let s = standing(&restored);
        assert_eq!(
            (s.redeemed, s.taking, s.last_restore),
            (0, Some(0), Some(2))
        );

        // Only 12 could be taken again: a later restore gives back those 12, to the lots
        // the take-back took them from.
        let taken = [&restored[..], &[ptx(PtxType::Redeem, -12, true)]].concat();
        let s = standing(&taken);
        assert_eq!(
            (s.redeemed, s.taking, s.last_restore),
            (12, Some(3), Some(2))
        );

        let again = [&taken[..], &[ptx(PtxType::Restore, 12, false)]].concat();
        let s = standing(&again);
        assert_eq!(
            (s.redeemed, s.taking, s.last_restore),
            (0, Some(3), Some(4))
        );
    }

    #[test]
    fn an_outright_redemption_holds_its_points_until_restored() {
        let s = standing(&[ptx(PtxType::Redeem, -50, false)]);
        assert_eq!((s.redeemed, s.taking), (50, Some(0)));
        let s = standing(&[
            ptx(PtxType::Redeem, -50, false),
            ptx(PtxType::Restore, 50, false),
        ]);
        assert_eq!(
            (s.redeemed, s.taking, s.last_restore),
            (0, Some(0), Some(1))
        );
        assert_eq!(standing(&[]).taking, None);
    }
}
