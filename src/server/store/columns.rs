//! Domain types stored as text columns: read back parsed (a value the domain does not know is
//! an error, not a string passed along) and bound by their wire name.

use super::statement::Arg;
use crate::domain::billing::{
    AggregateUsage, BillingReason, Interval, InvoiceStatus, LineKind, SubscriptionStatus,
    UsageAction, UsageType,
};
use crate::domain::loyalty::{EarnedPolicy, PtxType, RedeemedPolicy, RedemptionStatus};
use crate::domain::mode::Mode;
use crate::domain::money::Currency;
use crate::domain::payment::PaymentStatus;
use crate::domain::refund::RefundStatus;
use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type};

/// Implements reading `$ty` from a text column (`$parse`) and binding it (`$name`).
macro_rules! text_column {
    ($ty:ty, $parse:path, $name:path) => {
        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <String as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $ty {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <String as Decode<'r, Any>>::decode(value)?;
                $parse(&text).ok_or_else(|| format!("{text:?} is not a {}", stringify!($ty)).into())
            }
        }

        impl From<&$ty> for Arg {
            fn from(value: &$ty) -> Arg {
                Arg::Text(Some($name(*value).to_string()))
            }
        }

        impl From<$ty> for Arg {
            fn from(value: $ty) -> Arg {
                Arg::from(&value)
            }
        }

        impl From<&Option<$ty>> for Arg {
            fn from(value: &Option<$ty>) -> Arg {
                Arg::Text(value.map(|v| $name(v).to_string()))
            }
        }

        impl From<Option<$ty>> for Arg {
            fn from(value: Option<$ty>) -> Arg {
                Arg::from(&value)
            }
        }
    };
}

text_column!(PaymentStatus, PaymentStatus::parse, PaymentStatus::as_str);
text_column!(Mode, Mode::parse, Mode::as_str);
text_column!(RefundStatus, RefundStatus::parse, RefundStatus::as_str);
text_column!(Currency, Currency::parse, Currency::code);
text_column!(Interval, Interval::parse, Interval::as_str);
text_column!(UsageType, UsageType::parse, UsageType::as_str);
text_column!(
    AggregateUsage,
    AggregateUsage::parse,
    AggregateUsage::as_str
);
text_column!(UsageAction, UsageAction::parse, UsageAction::as_str);
text_column!(
    SubscriptionStatus,
    SubscriptionStatus::parse,
    SubscriptionStatus::as_str
);
text_column!(InvoiceStatus, InvoiceStatus::parse, InvoiceStatus::as_str);
text_column!(PtxType, PtxType::parse, PtxType::as_str);
text_column!(EarnedPolicy, EarnedPolicy::parse, EarnedPolicy::as_str);
text_column!(
    RedeemedPolicy,
    RedeemedPolicy::parse,
    RedeemedPolicy::as_str
);
text_column!(
    RedemptionStatus,
    RedemptionStatus::parse,
    RedemptionStatus::as_str
);
text_column!(LineKind, LineKind::parse, LineKind::as_str);
text_column!(BillingReason, BillingReason::parse, BillingReason::as_str);
