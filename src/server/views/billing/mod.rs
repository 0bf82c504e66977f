//! Billing's objects: products and prices here; subscriptions, invoices (with their lines and
//! usage records) and test clocks in modules of their own.

use super::{is_live, metadata};
use crate::server::store::products::{PriceRow, ProductRow};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

mod invoice;
mod subscription;
mod test_clock;

pub use invoice::*;
pub use subscription::*;
pub use test_clock::*;

/// A product: what a merchant sells, priced by its prices.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Product)]
pub struct ProductView {
    pub id: String,
    /// Always `product`.
    pub object: &'static str,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&ProductRow> for ProductView {
    fn from(r: &ProductRow) -> Self {
        ProductView {
            id: r.id.clone(),
            object: "product",
            name: r.name.clone(),
            description: r.description.clone(),
            active: r.active != 0,
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}

/// How a recurring price recurs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecurringView {
    /// `day`, `week`, `month` or `year`.
    pub interval: &'static str,
    pub interval_count: i64,
    /// `licensed` (billed for a quantity, in advance) or `metered` (billed for usage, in
    /// arrears).
    pub usage_type: &'static str,
    /// Metered prices: `sum`, `max` or `last`.
    pub aggregate_usage: Option<&'static str>,
}

/// A price of a product: an amount in a currency, once or every period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Price)]
pub struct PriceView {
    pub id: String,
    /// Always `price`.
    pub object: &'static str,
    pub product: String,
    pub currency: &'static str,
    /// Minor units per unit (never changes).
    pub unit_amount: i64,
    /// `unit_amount`, under the guides' name.
    pub amount: i64,
    /// `one_time` or `recurring`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: &'static str,
    pub recurring: Option<RecurringView>,
    pub active: bool,
    pub nickname: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&PriceRow> for PriceView {
    fn from(r: &PriceRow) -> Self {
        PriceView {
            id: r.id.clone(),
            object: "price",
            product: r.product.clone(),
            currency: r.currency.code(),
            unit_amount: r.unit_amount,
            amount: r.unit_amount,
            kind: if r.recurring_interval.is_some() {
                "recurring"
            } else {
                "one_time"
            },
            recurring: r.recurring_interval.map(|interval| RecurringView {
                interval: interval.as_str(),
                interval_count: r.recurring_count,
                usage_type: r.usage_type.as_str(),
                aggregate_usage: r.aggregate_usage.map(|a| a.as_str()),
            }),
            active: r.active != 0,
            nickname: r.nickname.clone(),
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}
