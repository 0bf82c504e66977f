//! Webhook rules: which event types exist, which endpoints want an event, and when a failed
//! delivery is tried again.

/// Every event type VINR emits (§9). `payment.completed` is sent with `payment.succeeded`
/// under the guides' name.
pub const EVENT_TYPES: [&str; 14] = [
    "payment.created",
    "payment.requires_action",
    "payment.succeeded",
    "payment.completed",
    "payment.captured",
    "payment.failed",
    "payment.canceled",
    "payment.expired",
    "payment.adjusted",
    "payment.reversed",
    "payment.disputed",
    "refund.created",
    "refund.succeeded",
    "refund.failed",
];

/// Subscribes to every type, present and future.
pub const WILDCARD: &str = "*";

/// Seconds to wait after the n-th failed attempt (n = 1 waits 5 s): the contract's schedule of
/// attempts at 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h. Ten attempts in all,
/// about three days.
pub const RETRY_DELAYS: [i64; 9] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];

/// Attempts made before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = RETRY_DELAYS.len() as i64 + 1;

/// The longest `Retry-After` honoured (a receiver cannot park a delivery for weeks).
pub const MAX_RETRY_AFTER: i64 = 24 * 3600;

/// Why a list of event types was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventsError {
    #[error("enabled_events must name at least one event type, or \"*\" for all.")]
    Empty,
    #[error("enabled_events contains unknown event type \"{0}\".")]
    Unknown(String),
}

/// Checks a subscription list: known types or `*`, trimmed, without duplicates, in the order
/// given. `*` alone stands for all.
pub fn check_enabled_events(list: &[String]) -> Result<Vec<String>, EventsError> {
    let mut out: Vec<String> = Vec::new();
    for raw in list {
        let kind = raw.trim();
        if kind != WILDCARD && !EVENT_TYPES.contains(&kind) {
            return Err(EventsError::Unknown(kind.to_string()));
        }
        if !out.iter().any(|k| k == kind) {
            out.push(kind.to_string());
        }
    }
    if out.is_empty() {
        return Err(EventsError::Empty);
    }
    if out.iter().any(|k| k == WILDCARD) {
        return Ok(vec![WILDCARD.to_string()]);
    }
    Ok(out)
}

/// True when an endpoint subscribed to `enabled` wants an event of type `kind`.
pub fn wants(enabled: &[String], kind: &str) -> bool {
    enabled.iter().any(|k| k == WILDCARD || k == kind)
}

/// When the next attempt is due after attempt number `attempts` failed at `now`, or `None`
/// when that was the last. A `Retry-After` from the receiver postpones it (never brings it
/// forward: the schedule protects a struggling receiver), up to `MAX_RETRY_AFTER`.
pub fn next_attempt_at(now: i64, attempts: i64, retry_after: Option<i64>) -> Option<i64> {
    let index = usize::try_from(attempts - 1).ok()?;
    let scheduled = *RETRY_DELAYS.get(index)?;
    let asked = retry_after.unwrap_or(0).clamp(0, MAX_RETRY_AFTER);
    Some(now + scheduled.max(asked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_schedule_is_the_contracts() {
        let t0 = 1_000_000;
        let mut at = t0;
        let mut offsets = vec![0];
        for attempt in 1..MAX_ATTEMPTS {
            at = next_attempt_at(at, attempt, None).unwrap();
            offsets.push(at - t0);
        }
        let hours = |h: i64| h * 3600;
        assert_eq!(
            offsets.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>(),
            vec![
                5,
                300,
                1800,
                hours(2),
                hours(5),
                hours(10),
                hours(14),
                hours(20),
                hours(24)
            ]
        );
        assert_eq!(next_attempt_at(at, MAX_ATTEMPTS, None), None);
        assert_eq!(MAX_ATTEMPTS, 10);
    }

    #[test]
    fn retry_after_postpones_but_never_hastens() {
        assert_eq!(next_attempt_at(100, 1, Some(60)), Some(160));
        assert_eq!(next_attempt_at(100, 2, Some(60)), Some(400));
        assert_eq!(
            next_attempt_at(100, 1, Some(10 * 86_400)),
            Some(100 + MAX_RETRY_AFTER)
        );
        assert_eq!(next_attempt_at(100, 1, Some(-5)), Some(105));
    }

    #[test]
    fn subscriptions_are_checked_and_matched() {
        assert_eq!(
            check_enabled_events(&strings(&["payment.completed", " payment.completed "])).unwrap(),
            strings(&["payment.completed"])
        );
        assert_eq!(
            check_enabled_events(&strings(&["payment.failed", "*"])).unwrap(),
            strings(&["*"])
        );
        assert_eq!(check_enabled_events(&[]), Err(EventsError::Empty));
        assert_eq!(
            check_enabled_events(&strings(&["payment.paid"])),
            Err(EventsError::Unknown("payment.paid".into()))
        );
        let only = strings(&["payment.completed"]);
        assert!(wants(&only, "payment.completed"));
        assert!(!wants(&only, "payment.succeeded"));
        assert!(wants(&strings(&["*"]), "refund.created"));
    }
}
