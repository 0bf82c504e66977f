//! Customers.

use crate::domain::customer::Customer;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Customer)]
pub struct CustomerView {
    pub id: String,
    /// Always `customer`.
    pub object: &'static str,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// The saved card used when a confirm names none.
    pub default_payment_method: Option<String>,
    pub created: i64,
    pub livemode: bool,
    /// The test clock whose time the customer's billing runs on.
    pub test_clock: Option<String>,
}

impl From<Customer> for CustomerView {
    fn from(c: Customer) -> Self {
        CustomerView {
            id: c.id,
            object: "customer",
            livemode: c.mode.is_live(),
            metadata: c.metadata.as_map().clone(),
            email: c.email,
            name: c.name,
            phone: c.phone,
            description: c.description,
            default_payment_method: c.default_payment_method,
            created: c.created,
            test_clock: c.test_clock,
        }
    }
}
