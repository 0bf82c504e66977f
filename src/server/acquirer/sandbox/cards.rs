//! The contract's test cards and tokens (§6) and the scenario each stands for.

use crate::domain::card::Brand;
use crate::server::acquirer::Decline;

/// What a test card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Success,
    GenericDecline,
    InsufficientFunds,
    IncorrectCvc,
    ExpiredCard,
    ProcessingError,
    /// Challenge, then success if the customer completes it.
    ChallengeThenSuccess,
    /// Challenge, then declined whatever the customer does.
    ChallengeThenDecline,
    /// Pays, but every refund of it fails (Stripe's 4000 0000 0000 5126).
    RefundFails,
}

impl Scenario {
    pub const ALL: [Scenario; 9] = [
        Scenario::Success,
        Scenario::GenericDecline,
        Scenario::InsufficientFunds,
        Scenario::IncorrectCvc,
        Scenario::ExpiredCard,
        Scenario::ProcessingError,
        Scenario::ChallengeThenSuccess,
        Scenario::ChallengeThenDecline,
        Scenario::RefundFails,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Success => "success",
            Scenario::GenericDecline => "generic_decline",
            Scenario::InsufficientFunds => "insufficient_funds",
            Scenario::IncorrectCvc => "incorrect_cvc",
            Scenario::ExpiredCard => "expired_card",
            Scenario::ProcessingError => "processing_error",
            Scenario::ChallengeThenSuccess => "challenge_then_success",
            Scenario::ChallengeThenDecline => "challenge_then_decline",
            Scenario::RefundFails => "refund_fails",
        }
    }

    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The scenario of a card number; any other valid number succeeds.
    pub fn for_number(digits: &str) -> Scenario {
        match digits {
            "4000000000000002" => Scenario::GenericDecline,
            "4000000000009995" => Scenario::InsufficientFunds,
            "4000000000000127" => Scenario::IncorrectCvc,
            "4000000000000069" => Scenario::ExpiredCard,
            "4000000000000119" => Scenario::ProcessingError,
            "4000000000003220" => Scenario::ChallengeThenSuccess,
            "4000008400001629" => Scenario::ChallengeThenDecline,
            "4000000000005126" => Scenario::RefundFails,
            _ => Scenario::Success,
        }
    }

    /// The decline this scenario ends in, if it ends in one.
    pub fn decline(self) -> Option<Decline> {
        match self {
            Scenario::GenericDecline | Scenario::ChallengeThenDecline => Some(GENERIC_DECLINE),
            Scenario::InsufficientFunds => Some(Decline {
                code: "card_declined",
                decline_code: "insufficient_funds",
                message: "Your card has insufficient funds.",
            }),
            Scenario::IncorrectCvc => Some(Decline {
                code: "incorrect_cvc",
                decline_code: "incorrect_cvc",
                message: "Your card's security code is incorrect.",
            }),
            Scenario::ExpiredCard => Some(Decline {
                code: "expired_card",
                decline_code: "expired_card",
                message: "Your card has expired.",
            }),
            Scenario::ProcessingError => Some(Decline {
                code: "processing_error",
                decline_code: "processing_error",
                message: "An error occurred while processing your card. Try again in a little bit.",
            }),
            Scenario::Success | Scenario::ChallengeThenSuccess | Scenario::RefundFails => None,
        }
    }
}

const GENERIC_DECLINE: Decline = Decline {
    code: "card_declined",
    decline_code: "generic_decline",
    message: "Your card was declined.",
};

/// The contract's test card numbers (§6), which live mode refuses: they stand for sandbox
/// scenarios and must never reach a real processor as a live payment.
pub const TEST_CARD_NUMBERS: [&str; 11] = [
    "4242424242424242",
    "5555555555554444",
    "378282246310005",
    "4000000000000002",
    "4000000000009995",
    "4000000000000127",
    "4000000000000069",
    "4000000000000119",
    "4000000000003220",
    "4000008400001629",
    "4000000000005126",
];

/// Whether `digits` is one of the contract's test cards.
pub fn is_test_card(digits: &str) -> bool {
    TEST_CARD_NUMBERS.contains(&digits)
}

/// A test token (`pm_card_visa`…) and the card it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestToken {
    pub token: &'static str,
    pub brand: Brand,
    pub last4: &'static str,
    pub scenario: Scenario,
}

pub const TEST_TOKENS: [TestToken; 7] = [
    TestToken {
        token: "pm_card_visa",
        brand: Brand::Visa,
        last4: "4242",
        scenario: Scenario::Success,
    },
    TestToken {
        token: "pm_card_mastercard",
        brand: Brand::Mastercard,
        last4: "4444",
        scenario: Scenario::Success,
    },
    TestToken {
        token: "pm_card_amex",
        brand: Brand::Amex,
        last4: "0005",
        scenario: Scenario::Success,
    },
    TestToken {
        token: "pm_card_chargeDeclined",
        brand: Brand::Visa,
        last4: "0002",
        scenario: Scenario::GenericDecline,
    },
    TestToken {
        token: "pm_card_insufficientFunds",
        brand: Brand::Visa,
        last4: "9995",
        scenario: Scenario::InsufficientFunds,
    },
    TestToken {
        token: "pm_card_threeDSecure2Required",
        brand: Brand::Visa,
        last4: "3220",
        scenario: Scenario::ChallengeThenSuccess,
    },
    TestToken {
        token: "pm_card_refundFail",
        brand: Brand::Visa,
        last4: "5126",
        scenario: Scenario::RefundFails,
    },
];

/// The test card a token names.
pub fn test_token(token: &str) -> Option<TestToken> {
    TEST_TOKENS.into_iter().find(|t| t.token == token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_scenarios_are_consistent() {
        for t in TEST_TOKENS {
            assert_eq!(test_token(t.token), Some(t));
            assert_eq!(t.last4.len(), 4);
        }
        assert_eq!(test_token("pm_card_unknown"), None);
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.as_str()), Some(s));
        }
    }
}
