//! Dunning: what follows a failed renewal payment, and the account's retry schedule.

/// What follows a failed renewal payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dunning {
    /// Try again at this time.
    RetryAt(i64),
    /// No retry, but the invoice stays open (the customer may still pay it) until this time,
    /// when retries would have run out.
    GiveUpAt(i64),
    /// Retries have run out.
    GiveUpNow,
}

/// The next step after attempt number `attempts` (1 is the first) failed at `failed_at`.
/// `retry_days[i]` is how many days after attempt `i + 1` the next one runs; a hard decline
/// (a card that cannot succeed) is not retried.
pub fn after_failure(retry_days: &[i64], attempts: i64, failed_at: i64, hard: bool) -> Dunning {
    let done = usize::try_from(attempts.max(1) - 1).unwrap_or(usize::MAX);
    let left = retry_days.get(done..).unwrap_or_default();
    match (left.first(), hard) {
        (None, _) => Dunning::GiveUpNow,
        (Some(days), false) => Dunning::RetryAt(failed_at + days * 86_400),
        (Some(_), true) => Dunning::GiveUpAt(failed_at + left.iter().sum::<i64>() * 86_400),
    }
}

/// Declines no retry can turn into a payment.
pub fn is_hard_decline(code: &str) -> bool {
    matches!(code, "expired_card" | "incorrect_number")
}

/// The longest a renewal may stay a draft before it is finalized and charged.
pub const MAX_DRAFT_SECS: i64 = 72 * 3_600;

/// Parses an account's retry schedule (`3,5,7`: days between attempts).
pub fn parse_retry_days(text: &str) -> Option<Vec<i64>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    let days: Option<Vec<i64>> = text.split(',').map(|d| d.trim().parse().ok()).collect();
    days.filter(|d| d.len() <= 8 && d.iter().all(|n| (1..=60).contains(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn dunning_retries_then_gives_up_and_never_retries_hard_declines() {
        let days = [3, 5, 7];
        assert_eq!(
            after_failure(&days, 1, 0, false),
            Dunning::RetryAt(3 * 86_400)
        );
        assert_eq!(
            after_failure(&days, 2, 100, false),
            Dunning::RetryAt(100 + 5 * 86_400)
        );
        assert_eq!(
            after_failure(&days, 3, 0, false),
            Dunning::RetryAt(7 * 86_400)
        );
        assert_eq!(after_failure(&days, 4, 0, false), Dunning::GiveUpNow);
        assert_eq!(
            after_failure(&days, 1, 0, true),
            Dunning::GiveUpAt(15 * 86_400)
        );
        assert_eq!(
            after_failure(&days, 3, 0, true),
            Dunning::GiveUpAt(7 * 86_400)
        );
        assert_eq!(after_failure(&[], 1, 0, false), Dunning::GiveUpNow);
        assert!(is_hard_decline("expired_card") && !is_hard_decline("card_declined"));
        assert_eq!(parse_retry_days("3, 5,7"), Some(vec![3, 5, 7]));
        assert_eq!(parse_retry_days(""), Some(vec![]));
        assert_eq!(parse_retry_days("3,0"), None);
        assert_eq!(parse_retry_days("x"), None);
    }
}
