//! Object ids: a type prefix and 24 base62 characters (about 143 bits of randomness).
//!
//! Ids are what unauthenticated pages (checkout, receipts) are reached by, so they must be
//! unguessable. Generation lives on the server (`crypto::new_id`); parsing is shared.

/// Number of random characters after the prefix.
pub const ID_RANDOM_LEN: usize = 24;

/// The base62 alphabet used for ids and keys.
pub const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The kinds of object that carry an id, each with its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Account,
    ApiKey,
    Charge,
    CheckoutSession,
    Customer,
    Event,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    LedgerTransaction,
    LoyaltyAccount,
    Lot,
    Payment,
    PaymentMethod,
    PointsTransaction,
    Price,
    Product,
    Program,
    Redemption,
    Refund,
    Reward,
    Reversal,
    Subscription,
    SubscriptionItem,
    TestClock,
    UsageRecord,
    User,
    WebhookDelivery,
    WebhookEndpoint,
}

impl IdKind {
    /// The prefix, including the trailing underscore.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Account => "acct_",
            IdKind::ApiKey => "key_",
            IdKind::Charge => "ch_",
            IdKind::CheckoutSession => "cs_",
            IdKind::Customer => "cust_",
            IdKind::Event => "evt_",
            IdKind::Invoice => "inv_",
            IdKind::InvoiceLine => "il_",
            IdKind::LedgerEntry => "led_",
            IdKind::LedgerTransaction => "txn_",
            IdKind::LoyaltyAccount => "loy_",
            IdKind::Lot => "lot_",
            IdKind::Payment => "pay_",
            IdKind::PaymentMethod => "pm_",
            IdKind::PointsTransaction => "ptx_",
            IdKind::Price => "price_",
            IdKind::Product => "prod_",
            IdKind::Program => "prog_",
            IdKind::Redemption => "rdm_",
            IdKind::Refund => "re_",
            IdKind::Reversal => "rev_",
            IdKind::Reward => "rwd_",
            IdKind::Subscription => "sub_",
            IdKind::SubscriptionItem => "si_",
            IdKind::TestClock => "clock_",
            IdKind::UsageRecord => "mbu_",
            IdKind::User => "usr_",
            IdKind::WebhookDelivery => "whd_",
            IdKind::WebhookEndpoint => "we_",
        }
    }
}

/// True when `s` is shaped like an id of `kind`. Lookups of malformed ids can answer
/// "not found" without touching the database.
pub fn is_id(kind: IdKind, s: &str) -> bool {
    match s.strip_prefix(kind.prefix()) {
        Some(rest) => rest.len() == ID_RANDOM_LEN && rest.bytes().all(|b| BASE62.contains(&b)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_right_prefix_and_length() {
        let good = format!("cust_{}", "a".repeat(ID_RANDOM_LEN));
        assert!(is_id(IdKind::Customer, &good));
        assert!(!is_id(IdKind::Payment, &good));
        assert!(!is_id(IdKind::Customer, "cust_short"));
        assert!(!is_id(
            IdKind::Customer,
            &format!("cust_{}", "-".repeat(ID_RANDOM_LEN))
        ));
        assert!(!is_id(IdKind::Customer, ""));
    }
}
