//! The payment state machine: one pure function from a status and a command to the next
//! status, or the reason the command is refused. The store applies its result with a
//! compare-and-set on the old status, so two racing requests cannot both win.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a payment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Created, waiting for a card (the hosted checkout is open).
    RequiresPaymentMethod,
    /// The issuer asked for a 3-D Secure challenge.
    RequiresAction,
    /// The acquirer is deciding.
    Processing,
    /// Authorised; waiting for the merchant to capture (manual capture).
    RequiresCapture,
    /// Captured: safe to fulfil.
    Succeeded,
    /// Declined for good (no customer present to try another card).
    Failed,
    Canceled,
    /// Not paid before `expires_at`.
    Expired,
    PartiallyRefunded,
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 10] = [
        PaymentStatus::RequiresPaymentMethod,
        PaymentStatus::RequiresAction,
        PaymentStatus::Processing,
        PaymentStatus::RequiresCapture,
        PaymentStatus::Succeeded,
        PaymentStatus::Failed,
        PaymentStatus::Canceled,
        PaymentStatus::Expired,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
    ];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::RequiresPaymentMethod => "requires_payment_method",
            PaymentStatus::RequiresAction => "requires_action",
            PaymentStatus::Processing => "processing",
            PaymentStatus::RequiresCapture => "requires_capture",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Canceled => "canceled",
            PaymentStatus::Expired => "expired",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// No command moves a payment out of these (refunds aside, which move money already
    /// received and are not status changes of an unpaid payment).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PaymentStatus::Failed
                | PaymentStatus::Canceled
                | PaymentStatus::Expired
                | PaymentStatus::Refunded
        )
    }

    /// A customer can still pay: the checkout shows a card form.
    pub fn awaits_customer(self) -> bool {
        matches!(
            self,
            PaymentStatus::RequiresPaymentMethod | PaymentStatus::RequiresAction
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that may happen to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// A confirm begins: the acquirer is asked (from awaiting a card or a 3DS result).
    StartProcessing,
    /// The acquirer authorised. With manual capture the payment waits for a capture.
    Authorized { manual_capture: bool },
    /// The issuer wants a 3-D Secure challenge first.
    ActionRequired,
    /// The acquirer declined. `retryable`: a customer is at the checkout and may try another
    /// card, so the payment goes back to awaiting one; otherwise it fails for good.
    Declined { retryable: bool },
    /// Capture (all or part) of an authorisation.
    Capture,
    /// Cancel before capture.
    Cancel,
    /// Change the authorised amount before capture.
    Adjust,
    /// Release the hold: all of it (the payment is canceled) or part (it stays capturable).
    Reverse { full: bool },
    /// Nobody paid in time.
    Expire,
    /// A refund of part or all of what was received.
    Refund { full: bool },
}

impl Command {
    /// The name used in error messages.
    pub fn verb(self) -> &'static str {
        match self {
            Command::StartProcessing => "confirm",
            Command::Authorized { .. } | Command::ActionRequired | Command::Declined { .. } => {
                "complete"
            }
            Command::Capture => "capture",
            Command::Cancel => "cancel",
            Command::Adjust => "adjust",
            Command::Reverse { .. } => "reverse",
            Command::Expire => "expire",
            Command::Refund { .. } => "refund",
        }
    }
}

/// A command the payment's status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("You cannot {verb} a payment whose status is {status}.", verb = .command.verb())]
pub struct TransitionError {
    pub status: PaymentStatus,
    pub command: Command,
}

/// The next status after `command`, or why it is not allowed.
pub fn transition(
    status: PaymentStatus,
    command: Command,
) -> Result<PaymentStatus, TransitionError> {
    use Command as C;
    use PaymentStatus as S;
    let next = match (status, command) {
        (S::RequiresPaymentMethod | S::RequiresAction, C::StartProcessing) => S::Processing,
        (
            S::Processing,
            C::Authorized {
                manual_capture: true,
            },
        ) => S::RequiresCapture,
        (
            S::Processing,
            C::Authorized {
                manual_capture: false,
            },
        ) => S::Succeeded,
        (S::Processing, C::ActionRequired) => S::RequiresAction,
        (S::Processing, C::Declined { retryable: true }) => S::RequiresPaymentMethod,
        (S::Processing, C::Declined { retryable: false }) => S::Failed,
        (S::RequiresCapture, C::Capture) => S::Succeeded,
        (S::RequiresPaymentMethod | S::RequiresAction | S::RequiresCapture, C::Cancel) => {
            S::Canceled
        }
        (S::RequiresCapture, C::Adjust) => S::RequiresCapture,
        (S::RequiresCapture, C::Reverse { full: true }) => S::Canceled,
        (S::RequiresCapture, C::Reverse { full: false }) => S::RequiresCapture,
        (S::RequiresPaymentMethod | S::RequiresAction, C::Expire) => S::Expired,
        (S::Succeeded | S::PartiallyRefunded, C::Refund { full: true }) => S::Refunded,
        (S::Succeeded | S::PartiallyRefunded, C::Refund { full: false }) => S::PartiallyRefunded,
        _ => return Err(TransitionError { status, command }),
    };
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Command as C;
    use PaymentStatus as S;

    const COMMANDS: [Command; 14] = [
        C::StartProcessing,
        C::Authorized {
            manual_capture: true,
        },
        C::Authorized {
            manual_capture: false,
        },
        C::ActionRequired,
        C::Declined { retryable: true },
        C::Declined { retryable: false },
        C::Capture,
        C::Cancel,
        C::Adjust,
        C::Reverse { full: true },
        C::Reverse { full: false },
        C::Expire,
        C::Refund { full: true },
        C::Refund { full: false },
    ];

    /// The whole table, written out independently of `transition`: every allowed pair.
    fn allowed() -> Vec<(PaymentStatus, Command, PaymentStatus)> {
        vec![
            (S::RequiresPaymentMethod, C::StartProcessing, S::Processing),
            (S::RequiresAction, C::StartProcessing, S::Processing),
            (
                S::Processing,
                C::Authorized {
                    manual_capture: true,
                },
                S::RequiresCapture,
            ),
            (
                S::Processing,
                C::Authorized {
                    manual_capture: false,
                },
                S::Succeeded,
            ),
            (S::Processing, C::ActionRequired, S::RequiresAction),
            (
                S::Processing,
                C::Declined { retryable: true },
                S::RequiresPaymentMethod,
            ),
            (S::Processing, C::Declined { retryable: false }, S::Failed),
            (S::RequiresCapture, C::Capture, S::Succeeded),
            (S::RequiresPaymentMethod, C::Cancel, S::Canceled),
            (S::RequiresAction, C::Cancel, S::Canceled),
            (S::RequiresCapture, C::Cancel, S::Canceled),
            (S::RequiresCapture, C::Adjust, S::RequiresCapture),
            (S::RequiresCapture, C::Reverse { full: true }, S::Canceled),
            (
                S::RequiresCapture,
                C::Reverse { full: false },
                S::RequiresCapture,
            ),
            (S::RequiresPaymentMethod, C::Expire, S::Expired),
            (S::RequiresAction, C::Expire, S::Expired),
            (S::Succeeded, C::Refund { full: true }, S::Refunded),
            (
                S::Succeeded,
                C::Refund { full: false },
                S::PartiallyRefunded,
            ),
            (S::PartiallyRefunded, C::Refund { full: true }, S::Refunded),
            (
                S::PartiallyRefunded,
                C::Refund { full: false },
                S::PartiallyRefunded,
            ),
        ]
    }

    #[test]
    fn every_status_and_command_pair_matches_the_table() {
        let table = allowed();
        for status in S::ALL {
            for command in COMMANDS {
                let expected = table
                    .iter()
                    .find(|(s, c, _)| *s == status && *c == command)
                    .map(|(_, _, n)| *n);
                match (transition(status, command), expected) {
                    (Ok(next), Some(want)) => assert_eq!(next, want, "{status} × {command:?}"),
                    (Err(err), None) => {
                        assert_eq!((err.status, err.command), (status, command));
                        assert!(err.to_string().contains(status.as_str()));
                    }
                    (got, want) => {
                        panic!("{status} × {command:?}: got {got:?}, table says {want:?}")
                    }
                }
            }
        }
    }

    #[test]
    fn final_statuses_accept_nothing_but_refunds_never_reopen() {
        for status in S::ALL.into_iter().filter(|s| s.is_final()) {
            for command in COMMANDS {
                assert!(
                    transition(status, command).is_err(),
                    "{status} accepted {command:?}"
                );
            }
        }
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in S::ALL {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(PaymentStatus::parse("completed"), None);
    }
}
