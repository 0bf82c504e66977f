//! A loyalty program's settings as the API states them: earn rules, the pending and expiry
//! windows, the refund policy; and the names of points transactions and redemptions.

use super::EarnRule;
use crate::domain::named::named;
use serde::{Deserialize, Serialize};

named! {
    /// What an earn rule reacts to.
    pub enum EarnEvent { PaymentCompleted = "payment.completed", InvoicePaid = "invoice.paid" }
}

named! {
    /// What a points transaction did.
    pub enum PtxType {
        Earn = "earn",
        Clawback = "clawback",
        Adjust = "adjust",
        Reserve = "reserve",
        Release = "release",
        Redeem = "redeem",
        Restore = "restore",
        Activate = "activate",
        Expire = "expire",
    }
}

named! {
    /// What a refund does to the points its payment earned.
    pub enum EarnedPolicy { Clawback = "clawback", Keep = "keep" }
}

named! {
    /// What a full refund does to the points redeemed on its payment.
    pub enum RedeemedPolicy { RestoreOnFullRefund = "restore_on_full_refund", Keep = "keep" }
}

named! {
    /// Where a redemption stands.
    pub enum RedemptionStatus { Reserved = "reserved", Completed = "completed", Canceled = "canceled" }
}

/// The most points one rule may give for one whole `per_amount`, or in all.
pub const MAX_POINTS: i64 = 1_000_000_000;
/// The longest pending or expiry window, in days (ten years).
pub const MAX_DAYS: i64 = 3_650;

/// An earn rule as the API shows and stores it. `multiplier` is a decimal string ("1.5").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarnRuleSpec {
    pub event: EarnEvent,
    pub points: i64,
    pub per_amount: i64,
    /// Upper-case ISO code.
    pub currency: String,
    pub min_amount: i64,
    pub max_points: Option<i64>,
    pub multiplier: String,
}

impl EarnRuleSpec {
    /// The rule, checked: what is wrong with it otherwise (a message naming the field).
    pub fn rule(&self) -> Result<EarnRule, String> {
        if !(1..=MAX_POINTS).contains(&self.points) {
            return Err(format!("points must be 1 to {MAX_POINTS}."));
        }
        if !(1..=99_999_999).contains(&self.per_amount) {
            return Err("per_amount must be 1 to 99999999 (minor units).".into());
        }
        if !(0..=99_999_999).contains(&self.min_amount) {
            return Err("min_amount must be 0 to 99999999 (minor units).".into());
        }
        if let Some(max) = self.max_points
            && !(1..=MAX_POINTS).contains(&max)
        {
            return Err(format!("max_points must be 1 to {MAX_POINTS}."));
        }
        let multiplier_milli = parse_multiplier(&self.multiplier)
            .ok_or("multiplier is a decimal from 0.001 to 100 with at most 3 decimals (1.5).")?;
        Ok(EarnRule {
            points: self.points,
            per_amount: self.per_amount,
            min_amount: self.min_amount,
            max_points: self.max_points,
            multiplier_milli,
        })
    }
}

/// "1.5" → 1500 thousandths; at most three decimals, 0.001 ..= 100.
pub fn parse_multiplier(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 3
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 3
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<3}").parse().ok()?;
    let milli = whole * 1000 + frac;
    (1..=100_000).contains(&milli).then_some(milli)
}

/// The rule of `rules` that applies to `event` in `currency`: the first that names both.
pub fn rule_for<'a>(
    rules: &'a [EarnRuleSpec],
    event: EarnEvent,
    currency: &str,
) -> Option<&'a EarnRuleSpec> {
    rules
        .iter()
        .find(|r| r.event == event && r.currency.eq_ignore_ascii_case(currency))
}

/// Checks a whole list of rules: each valid, at most one per event and currency.
pub fn check_rules(rules: &[EarnRuleSpec]) -> Result<(), (usize, String)> {
    for (i, spec) in rules.iter().enumerate() {
        spec.rule().map_err(|m| (i, m))?;
        if rules[..i]
            .iter()
            .any(|r| r.event == spec.event && r.currency.eq_ignore_ascii_case(&spec.currency))
        {
            return Err((
                i,
                format!(
                    "There is already a rule for {} in {}.",
                    spec.event, spec.currency
                ),
            ));
        }
    }
    Ok(())
}

/// Seconds in a day, for the pending and expiry windows.
pub const DAY_SECS: i64 = 86_400;

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(event: EarnEvent, currency: &str) -> EarnRuleSpec {
        EarnRuleSpec {
            event,
            points: 1,
            per_amount: 100,
            currency: currency.into(),
            min_amount: 0,
            max_points: None,
            multiplier: "1".into(),
        }
    }

    #[test]
    fn multipliers_are_decimals_in_thousandths() {
        assert_eq!(parse_multiplier("1"), Some(1000));
        assert_eq!(parse_multiplier("1.5"), Some(1500));
        assert_eq!(parse_multiplier("0.125"), Some(125));
        assert_eq!(parse_multiplier(".5"), Some(500));
        assert_eq!(parse_multiplier("100"), Some(100_000));
        for bad in ["", ".", "0", "1.2345", "-1", "101", "1e3", "abc", "1,5"] {
            assert_eq!(parse_multiplier(bad), None, "{bad}");
        }
    }

    #[test]
    fn one_rule_per_event_and_currency() {
        let rules = vec![
            spec(EarnEvent::PaymentCompleted, "EUR"),
            spec(EarnEvent::InvoicePaid, "EUR"),
            spec(EarnEvent::PaymentCompleted, "USD"),
        ];
        assert!(check_rules(&rules).is_ok());
        assert_eq!(
            rule_for(&rules, EarnEvent::PaymentCompleted, "usd").map(|r| r.currency.as_str()),
            Some("USD")
        );
        assert!(rule_for(&rules, EarnEvent::InvoicePaid, "USD").is_none());
        let mut twice = rules.clone();
        twice.push(spec(EarnEvent::InvoicePaid, "eur"));
        assert_eq!(check_rules(&twice).unwrap_err().0, 3);
        let mut bad = rules;
        bad[1].per_amount = 0;
        assert_eq!(check_rules(&bad).unwrap_err().0, 1);
    }
}
