//! Loyalty rules: how many points a payment earns, what a refund claws back, which lots a
//! spend or an expiry takes, and how each points transaction moves points between the books
//! of the program's own double-entry ledger. Pure functions; the services apply them.

mod program;
pub mod redeemed;

pub use program::*;

use std::fmt;

/// A book of a program's points ledger. Points are issued out of `Issued` (its balance is
/// minus every point ever given) and move between the others; every transaction sums to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Book {
    Issued,
    Pending,
    Available,
    Reserved,
    Redeemed,
    Expired,
}

impl Book {
    pub const ALL: [Book; 6] = [
        Book::Issued,
        Book::Pending,
        Book::Available,
        Book::Reserved,
        Book::Redeemed,
        Book::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Book::Issued => "issued",
            Book::Pending => "pending",
            Book::Available => "available",
            Book::Reserved => "reserved",
            Book::Redeemed => "redeemed",
            Book::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Book> {
        Book::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

impl fmt::Display for Book {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Points moved from one book to another (always a positive count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub from: Book,
    pub to: Book,
    pub points: i64,
}

impl Transfer {
    /// The two entries of the transfer: minus on `from`, plus on `to`.
    pub fn entries(self) -> [(Book, i64); 2] {
        [(self.from, -self.points), (self.to, self.points)]
    }
}

/// The entries of a transaction made of `transfers`, which sum to zero by construction.
pub fn entries(transfers: &[Transfer]) -> Vec<(Book, i64)> {
    transfers
        .iter()
        .filter(|t| t.points != 0)
        .flat_map(|t| t.entries())
        .collect()
}

/// The balance of each book after `entries`, in `Book::ALL` order.
pub fn balances(entries: &[(Book, i64)]) -> [i64; 6] {
    let mut out = [0i64; 6];
    for (book, points) in entries {
        let i = Book::ALL
            .iter()
            .position(|b| b == book)
            .expect("every book is listed");
        out[i] = out[i].saturating_add(*points);
    }
    out
}

/// How a program earns points on an event: `points` for each whole `per_amount` of minor
/// units, nothing below `min_amount`, at most `max_points`, times `multiplier_milli` ÷ 1000
/// (1000 is ×1, 1500 is ×1.5). Always rounded down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarnRule {
    pub points: i64,
    pub per_amount: i64,
    pub min_amount: i64,
    pub max_points: Option<i64>,
    pub multiplier_milli: i64,
}

impl EarnRule {
    /// The points an amount (in the rule's currency, minor units) earns.
    pub fn points_for(&self, amount: i64) -> i64 {
        if self.per_amount <= 0 || amount <= 0 || amount < self.min_amount {
            return 0;
        }
        let base = i128::from(amount / self.per_amount) * i128::from(self.points);
        let scaled = base * i128::from(self.multiplier_milli) / 1000;
        let capped = match self.max_points {
            Some(max) => scaled.min(i128::from(max)),
            None => scaled,
        };
        capped.clamp(0, i128::from(i64::MAX)) as i64
    }
}

/// The points an earn of `earned` on a payment of `captured` still stands for once its net
/// (captured less refunded) is `net`: ⌊earned × net ÷ captured⌋.
pub fn still_owed(earned: i64, captured: i64, net: i64) -> i64 {
    if captured <= 0 {
        return 0;
    }
    let net = net.clamp(0, captured);
    (i128::from(earned) * i128::from(net) / i128::from(captured)) as i64
}

/// What a refund claws back now: the points earned, less what the payment's net still
/// stands for, less what was clawed back before. A full refund takes back exactly what was
/// earned however many partial refunds it took.
pub fn clawback_due(earned: i64, captured: i64, refunded: i64, clawed: i64) -> i64 {
    (earned - still_owed(earned, captured, captured - refunded) - clawed).max(0)
}

/// What comes back when a refund that clawed points back fails after all: `back` points of
/// what the clawbacks `taken` (in the order they took it: each piece a lot, or `None` for
/// points taken below zero), newest first, past the `restored` points earlier give-backs
/// already returned. Pieces in the order they come back.
pub fn restorable(
    taken: &[(Option<String>, i64)],
    restored: i64,
    back: i64,
) -> Vec<(Option<String>, i64)> {
    let (mut skip, mut left) = (restored.max(0), back.max(0));
    let mut out = Vec::new();
    for (lot, n) in taken.iter().rev() {
        let n = (*n).max(0);
        let skipped = n.min(skip);
        skip -= skipped;
        let give = (n - skipped).min(left);
        if give > 0 {
            out.push((lot.clone(), give));
            left -= give;
        }
        if left == 0 {
            break;
        }
    }
    out
}

/// A lot: points earned together, spent or expired together, soonest-expiring first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub id: String,
    pub remaining: i64,
    pub expires_at: Option<i64>,
    pub created: i64,
}

/// The order lots are spent in: soonest-expiring first, those that never expire last, oldest
/// first among equals.
fn spend_order(a: &Lot, b: &Lot) -> std::cmp::Ordering {
    let key = |l: &Lot| {
        (
            l.expires_at.is_none(),
            l.expires_at,
            l.created,
            l.id.clone(),
        )
    };
    key(a).cmp(&key(b))
}

/// Takes `points` from the lots still valid at `now`, soonest-expiring first: which lot gives
/// how many. None when they hold fewer.
pub fn take(lots: &[Lot], points: i64, now: i64) -> Option<Vec<(String, i64)>> {
    let taken = take_up_to(lots, points, now);
    let total: i64 = taken.iter().map(|(_, n)| n).sum();
    (total == points.max(0)).then_some(taken)
}

/// `take`, of as many of `points` as the valid lots hold (a clawback takes what there is).
pub fn take_up_to(lots: &[Lot], points: i64, now: i64) -> Vec<(String, i64)> {
    let mut usable: Vec<&Lot> = lots
        .iter()
        .filter(|l| l.remaining > 0 && l.expires_at.is_none_or(|at| at > now))
        .collect();
    usable.sort_by(|a, b| spend_order(a, b));
    let mut left = points.max(0);
    let mut out = Vec::new();
    for lot in usable {
        if left == 0 {
            break;
        }
        let n = lot.remaining.min(left);
        out.push((lot.id.clone(), n));
        left -= n;
    }
    out
}

/// The lots expired at `now` with points left: what an expiry takes.
pub fn expired(lots: &[Lot], now: i64) -> Vec<(String, i64)> {
    let mut out: Vec<&Lot> = lots
        .iter()
        .filter(|l| l.remaining > 0 && l.expires_at.is_some_and(|at| at <= now))
        .collect();
    out.sort_by(|a, b| spend_order(a, b));
    out.into_iter()
        .map(|l| (l.id.clone(), l.remaining))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euro_rule() -> EarnRule {
        EarnRule {
            points: 1,
            per_amount: 100,
            min_amount: 0,
            max_points: None,
            multiplier_milli: 1000,
        }
    }

    #[test]
    fn a_payment_earns_whole_units_only() {
        let rule = euro_rule();
        assert_eq!(rule.points_for(4999), 49, "€49.99 at a point per euro");
        assert_eq!(rule.points_for(99), 0);
        assert_eq!(rule.points_for(-500), 0);
        let rich = EarnRule {
            min_amount: 1000,
            max_points: Some(100),
            multiplier_milli: 1500,
            ..euro_rule()
        };
        assert_eq!(rich.points_for(999), 0, "below the minimum");
        assert_eq!(rich.points_for(1099), 15, "10 × 1.5");
        assert_eq!(rich.points_for(1199), 16, "11 × 1.5 = 16.5, rounded down");
        assert_eq!(rich.points_for(1_000_000), 100, "capped");
        let broken = EarnRule {
            per_amount: 0,
            ..euro_rule()
        };
        assert_eq!(broken.points_for(5000), 0);
    }

    #[test]
    fn partial_refunds_claw_back_what_a_full_refund_would_in_the_end() {
        // 49 points on 4999; refunds of 1000, 1999 and 2000.
        let (earned, captured) = (49, 4999);
        let first = clawback_due(earned, captured, 1000, 0);
        assert_eq!(still_owed(earned, captured, 3999), 39);
        assert_eq!(first, 10);
        let second = clawback_due(earned, captured, 2999, first);
        assert_eq!(second, 49 - 19 - 10);
        let third = clawback_due(earned, captured, 4999, first + second);
        assert_eq!(
            first + second + third,
            49,
            "a full refund removes exactly what was earned"
        );
        assert_eq!(clawback_due(earned, captured, 4999, 49), 0, "never twice");
        assert_eq!(
            clawback_due(earned, 0, 0, 0),
            49,
            "nothing captured: nothing owed"
        );
    }

    #[test]
    fn a_failed_refund_gives_back_the_newest_pieces_first() {
        let piece = |lot: Option<&str>, n: i64| (lot.map(str::to_string), n);
        // Two clawbacks: 5 from lot a, then 3 from lot b and 2 below zero.
        let taken = [piece(Some("a"), 5), piece(Some("b"), 3), piece(None, 2)];
        assert_eq!(
            restorable(&taken, 0, 4),
            vec![piece(None, 2), piece(Some("b"), 2)],
            "what went below zero comes back first"
        );
        assert_eq!(
            restorable(&taken, 4, 5),
            vec![piece(Some("b"), 1), piece(Some("a"), 4)],
            "past what an earlier give-back returned"
        );
        assert_eq!(
            restorable(&taken, 9, 5),
            vec![piece(Some("a"), 1)],
            "no more than was taken"
        );
        assert_eq!(restorable(&taken, 0, 0), vec![]);
        assert_eq!(
            restorable(&taken, 0, -3),
            vec![],
            "nothing back for a negative count"
        );
    }

    fn lot(id: &str, remaining: i64, expires_at: Option<i64>, created: i64) -> Lot {
        Lot {
            id: id.into(),
            remaining,
            expires_at,
            created,
        }
    }

    #[test]
    fn spends_take_the_soonest_expiring_lots_first() {
        let lots = [
            lot("forever", 100, None, 1),
            lot("late", 30, Some(500), 2),
            lot("soon", 20, Some(200), 3),
            lot("gone", 50, Some(90), 0),
        ];
        assert_eq!(
            take(&lots, 40, 100),
            Some(vec![("soon".into(), 20), ("late".into(), 20)])
        );
        assert_eq!(
            take(&lots, 150, 100),
            Some(vec![
                ("soon".into(), 20),
                ("late".into(), 30),
                ("forever".into(), 100)
            ])
        );
        assert_eq!(
            take(&lots, 151, 100),
            None,
            "the expired lot does not count"
        );
        assert_eq!(take(&lots, 0, 100), Some(vec![]));
        let some: i64 = take_up_to(&lots, 151, 100).iter().map(|(_, n)| n).sum();
        assert_eq!(some, 150, "a clawback takes what the valid lots hold");
        assert_eq!(expired(&lots, 100), vec![("gone".into(), 50)]);
        assert_eq!(
            expired(&lots, 500),
            vec![
                ("gone".into(), 50),
                ("soon".into(), 20),
                ("late".into(), 30)
            ]
        );
    }

    #[test]
    fn transactions_balance_and_books_add_up() {
        let earn = Transfer {
            from: Book::Issued,
            to: Book::Pending,
            points: 49,
        };
        let activate = Transfer {
            from: Book::Pending,
            to: Book::Available,
            points: 49,
        };
        let reserve = Transfer {
            from: Book::Available,
            to: Book::Reserved,
            points: 30,
        };
        let redeem = Transfer {
            from: Book::Reserved,
            to: Book::Redeemed,
            points: 30,
        };
        let all: Vec<(Book, i64)> = [earn, activate, reserve, redeem]
            .iter()
            .flat_map(|t| entries(&[*t]))
            .collect();
        assert_eq!(all.iter().map(|(_, p)| p).sum::<i64>(), 0);
        assert_eq!(balances(&all), [-49, 0, 19, 0, 30, 0]);
        assert!(entries(&[Transfer { points: 0, ..earn }]).is_empty());
        assert_eq!(Book::parse("reserved"), Some(Book::Reserved));
        assert_eq!(Book::parse("nope"), None);
    }
}
