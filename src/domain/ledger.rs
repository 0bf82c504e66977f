//! Ledger rules: the fee on a charge, and the balanced entries each money movement posts.
//!
//! Books, per merchant account, mode and currency (the merchant books also per connected
//! account, for payments made `on_behalf_of` one):
//! - `acquirer_receivable` (asset): what the acquirer owes for captured card money;
//! - `merchant_pending` (liability): the merchant's money not yet settled;
//! - `merchant_available` (liability): settled, the merchant's to pay out;
//! - `fees` (revenue): what the gateway kept.
//!
//! A liability's balance is credits minus debits; an asset's is debits minus credits.

/// The fee taken on each captured charge: a percentage (in basis points) plus a fixed part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeSchedule {
    /// 140 = 1.4 %.
    pub basis_points: i64,
    /// Minor units added to every charge.
    pub fixed: i64,
}

impl Default for FeeSchedule {
    /// 1.4 % + 25 minor units.
    fn default() -> Self {
        FeeSchedule {
            basis_points: 140,
            fixed: 25,
        }
    }
}

impl FeeSchedule {
    /// The fee on `amount` minor units, the percentage rounded half up; never more than the
    /// amount itself (a tiny charge does not leave the merchant owing).
    pub fn fee(&self, amount: i64) -> i64 {
        if amount <= 0 {
            return 0;
        }
        let percent = (i128::from(amount) * i128::from(self.basis_points) + 5_000) / 10_000;
        let fee = i64::try_from(percent)
            .unwrap_or(i64::MAX)
            .saturating_add(self.fixed);
        fee.clamp(0, amount)
    }

    /// Reads `1.4%+25` (percent, then fixed minor units; either part may be left out).
    pub fn parse(text: &str) -> Option<FeeSchedule> {
        let mut schedule = FeeSchedule {
            basis_points: 0,
            fixed: 0,
        };
        for part in text.split('+').map(str::trim).filter(|p| !p.is_empty()) {
            if let Some(percent) = part.strip_suffix('%') {
                let (whole, frac) = percent
                    .trim()
                    .split_once('.')
                    .unwrap_or((percent.trim(), ""));
                if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let whole: i64 = whole.parse().ok()?;
                let frac: i64 = format!("{frac:0<2}").parse().ok()?;
                schedule.basis_points = whole.checked_mul(100)?.checked_add(frac)?;
            } else {
                schedule.fixed = part.parse().ok()?;
            }
        }
        (schedule.basis_points >= 0 && schedule.basis_points <= 10_000 && schedule.fixed >= 0)
            .then_some(schedule)
    }
}

/// The books of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    AcquirerReceivable,
    MerchantPending,
    MerchantAvailable,
    Fees,
}

impl Book {
    pub fn as_str(self) -> &'static str {
        match self {
            Book::AcquirerReceivable => "acquirer_receivable",
            Book::MerchantPending => "merchant_pending",
            Book::MerchantAvailable => "merchant_available",
            Book::Fees => "fees",
        }
    }

    /// The book a stored name stands for.
    pub fn parse(name: &str) -> Option<Book> {
        [
            Book::AcquirerReceivable,
            Book::MerchantPending,
            Book::MerchantAvailable,
            Book::Fees,
        ]
        .into_iter()
        .find(|b| b.as_str() == name)
    }

    /// +1 when debits raise the balance (assets), -1 when credits do.
    pub fn debit_sign(self) -> i64 {
        match self {
            Book::AcquirerReceivable => 1,
            _ => -1,
        }
    }
}

/// One line of a transaction: exactly one of `debit` and `credit` is non-zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub book: Book,
    /// The merchant account, or the connected account the money is for.
    pub owner: String,
    pub debit: i64,
    pub credit: i64,
}

impl Entry {
    fn debit(book: Book, owner: &str, amount: i64) -> Entry {
        Entry {
            book,
            owner: owner.to_string(),
            debit: amount,
            credit: 0,
        }
    }

    fn credit(book: Book, owner: &str, amount: i64) -> Entry {
        Entry {
            book,
            owner: owner.to_string(),
            debit: 0,
            credit: amount,
        }
    }

    /// How this entry moves its book's balance.
    pub fn balance_change(&self) -> i64 {
        self.book.debit_sign() * (self.debit - self.credit)
    }
}

/// A capture of `amount` with `fee`: the acquirer owes the gross, the merchant is owed the net
/// (pending until settlement), the gateway keeps the fee. Zero lines are left out.
pub fn capture(merchant: &str, owner: &str, amount: i64, fee: i64) -> Vec<Entry> {
    let mut entries = vec![
        Entry::debit(Book::AcquirerReceivable, merchant, amount),
        Entry::credit(Book::MerchantPending, owner, amount - fee),
    ];
    if fee > 0 {
        entries.push(Entry::credit(Book::Fees, merchant, fee));
    }
    entries.retain(|e| e.debit != 0 || e.credit != 0);
    entries
}

/// A capture's net becoming available to the merchant after the settlement delay.
pub fn settlement(owner: &str, net: i64) -> Vec<Entry> {
    vec![
        Entry::debit(Book::MerchantPending, owner, net),
        Entry::credit(Book::MerchantAvailable, owner, net),
    ]
}

/// The part of a capture's `fee` that goes back once `refunded` of `received` has been
/// refunded (rounded half up): fees are returned pro rata, so a full refund returns all of it
/// and the merchant's balance never goes below zero for a refund.
pub fn fee_share(fee: i64, received: i64, refunded: i64) -> i64 {
    if received <= 0 {
        return 0;
    }
    let refunded = refunded.clamp(0, received);
    let share = (2 * i128::from(fee) * i128::from(refunded) + i128::from(received))
        / (2 * i128::from(received));
    i64::try_from(share).unwrap_or(fee)
}

/// A refund of `amount`, `fee_back` of it returned from fees: the acquirer receivable goes
/// down by the whole amount, the merchant's book `from` (pending before settlement,
/// available after) by the rest.
pub fn refund(merchant: &str, owner: &str, from: Book, amount: i64, fee_back: i64) -> Vec<Entry> {
    let mut entries = vec![
        Entry::credit(Book::AcquirerReceivable, merchant, amount),
        Entry::debit(from, owner, amount - fee_back),
    ];
    if fee_back > 0 {
        entries.push(Entry::debit(Book::Fees, merchant, fee_back));
    }
    entries.retain(|e| e.debit != 0 || e.credit != 0);
    entries
}

/// A refund turned back after it succeeded (the issuer returned the money): the receivable
/// is owed again, and the merchant gets the refund (less the fee share it got back) into its
/// available balance, whichever book the refund came from (pending money may have settled
/// since).
pub fn refund_reversal(merchant: &str, owner: &str, amount: i64, fee_back: i64) -> Vec<Entry> {
    let mut entries = vec![
        Entry::debit(Book::AcquirerReceivable, merchant, amount),
        Entry::credit(Book::MerchantAvailable, owner, amount - fee_back),
    ];
    if fee_back > 0 {
        entries.push(Entry::credit(Book::Fees, merchant, fee_back));
    }
    entries.retain(|e| e.debit != 0 || e.credit != 0);
    entries
}

/// True when the entries balance: debits equal credits (one currency per transaction).
pub fn is_balanced(entries: &[Entry]) -> bool {
    let debits: i64 = entries.iter().map(|e| e.debit).sum();
    let credits: i64 = entries.iter().map(|e| e.credit).sum();
    debits == credits && entries.iter().all(|e| e.debit >= 0 && e.credit >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refund_reversal_mirrors_the_refund_and_balances() {
        let refund = refund("acct_1", "acct_1", Book::MerchantPending, 1_000, 14);
        let back = refund_reversal("acct_1", "acct_1", 1_000, 14);
        assert!(is_balanced(&refund) && is_balanced(&back));
        let net = |entries: &[Entry], book: Book| -> i64 {
            entries
                .iter()
                .filter(|e| e.book == book)
                .map(|e| e.debit - e.credit)
                .sum()
        };
        assert_eq!(net(&refund, Book::AcquirerReceivable), -1_000);
        assert_eq!(net(&back, Book::AcquirerReceivable), 1_000);
        assert_eq!(net(&back, Book::MerchantAvailable), -986);
        assert_eq!(net(&back, Book::Fees), -14);
        assert_eq!(net(&refund, Book::Fees), 14);
    }

    #[test]
    fn the_default_fee_is_1_4_percent_plus_25() {
        let f = FeeSchedule::default();
        assert_eq!(f.fee(10_000), 165);
        assert_eq!(f.fee(4_999), 95); // 69.986 → 70, + 25
        assert_eq!(f.fee(1), 1, "never more than the amount");
        assert_eq!(f.fee(0), 0);
        assert_eq!(f.fee(99_999_999), 1_400_025);
    }

    #[test]
    fn fee_schedules_parse() {
        assert_eq!(FeeSchedule::parse("1.4%+25"), Some(FeeSchedule::default()));
        assert_eq!(
            FeeSchedule::parse("2.9% + 30"),
            Some(FeeSchedule {
                basis_points: 290,
                fixed: 30
            })
        );
        assert_eq!(
            FeeSchedule::parse("0"),
            Some(FeeSchedule {
                basis_points: 0,
                fixed: 0
            })
        );
        assert_eq!(
            FeeSchedule::parse("3%"),
            Some(FeeSchedule {
                basis_points: 300,
                fixed: 0
            })
        );
        for bad in ["1.234%", "abc", "-1%", "101%", "1%+-5"] {
            assert_eq!(FeeSchedule::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_posting_balances() {
        for (amount, fee) in [(10_000, 165), (1, 1), (500, 0)] {
            let entries = capture("acct_m", "acct_c", amount, fee);
            assert!(is_balanced(&entries), "{entries:?}");
            let pending: i64 = entries
                .iter()
                .filter(|e| e.book == Book::MerchantPending)
                .map(Entry::balance_change)
                .sum();
            assert_eq!(pending, amount - fee);
        }
        assert!(is_balanced(&settlement("acct_m", 9_835)));
        let bad = vec![Entry::debit(Book::Fees, "m", 5)];
        assert!(!is_balanced(&bad));
    }

    #[test]
    fn fees_come_back_pro_rata_and_wholly_on_a_full_refund() {
        assert_eq!(fee_share(165, 10_000, 0), 0);
        assert_eq!(fee_share(165, 10_000, 10_000), 165);
        assert_eq!(fee_share(165, 10_000, 5_000), 83); // 82.5 rounds up
        // Three partial refunds return exactly the fee in total.
        let steps = [3_000, 3_000, 4_000];
        let mut refunded = 0;
        let mut returned = 0;
        for r in steps {
            let before = fee_share(165, 10_000, refunded);
            refunded += r;
            returned += fee_share(165, 10_000, refunded) - before;
        }
        assert_eq!(returned, 165);
        assert_eq!(fee_share(10, 0, 0), 0);
    }

    #[test]
    fn a_full_refund_undoes_the_capture() {
        let mut all = capture("m", "m", 10_000, 165);
        all.extend(refund("m", "m", Book::MerchantPending, 10_000, 165));
        assert!(is_balanced(&refund(
            "m",
            "m",
            Book::MerchantAvailable,
            3_000,
            50
        )));
        for book in [Book::AcquirerReceivable, Book::MerchantPending, Book::Fees] {
            let total: i64 = all
                .iter()
                .filter(|e| e.book == book)
                .map(Entry::balance_change)
                .sum();
            assert_eq!(total, 0, "{book:?}");
        }
    }

    #[test]
    fn balances_move_by_book_kind() {
        let entries = capture("m", "m", 10_000, 165);
        let change = |book| {
            entries
                .iter()
                .filter(|e| e.book == book)
                .map(Entry::balance_change)
                .sum::<i64>()
        };
        assert_eq!(change(Book::AcquirerReceivable), 10_000);
        assert_eq!(change(Book::MerchantPending), 9_835);
        assert_eq!(change(Book::Fees), 165);
    }
}
