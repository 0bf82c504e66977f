//! Metered usage: how a period's usage records make its billed quantity.

use super::{AggregateUsage, UsageAction};

/// One usage record, as aggregation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub timestamp: i64,
    pub action: UsageAction,
    pub quantity: i64,
}

/// The quantity a period's usage records bill. Records are taken in the order given (the
/// order they were made): at each timestamp an `increment` adds and a `set` replaces; then
/// `sum` adds the timestamps up, `max` takes the largest and `last` the latest one's.
pub fn aggregate(records: &[Usage], how: AggregateUsage) -> i64 {
    let mut at: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for r in records {
        let slot = at.entry(r.timestamp).or_insert(0);
        *slot = match r.action {
            UsageAction::Increment => slot.saturating_add(r.quantity),
            UsageAction::Set => r.quantity,
        };
    }
    match how {
        AggregateUsage::Sum => at.values().fold(0i64, |a, v| a.saturating_add(*v)),
        AggregateUsage::Max => at.values().copied().max().unwrap_or(0),
        AggregateUsage::Last => at.values().next_back().copied().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn usage_adds_up_per_timestamp_then_per_period() {
        use UsageAction::*;
        let r = |timestamp, action, quantity| Usage {
            timestamp,
            action,
            quantity,
        };
        let records = [
            r(10, Increment, 5),
            r(10, Increment, 2),
            r(20, Set, 4),
            r(30, Increment, 1),
            r(20, Set, 3),
        ];
        assert_eq!(aggregate(&records, AggregateUsage::Sum), 7 + 3 + 1);
        assert_eq!(aggregate(&records, AggregateUsage::Max), 7);
        assert_eq!(aggregate(&records, AggregateUsage::Last), 1);
        assert_eq!(aggregate(&[], AggregateUsage::Max), 0);
    }
}
