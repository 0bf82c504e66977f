//! Refunds.

use super::{is_live, metadata};
use crate::server::store::refunds::RefundRow;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A refund.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Refund)]
pub struct RefundView {
    pub id: String,
    /// Always `refund`.
    pub object: &'static str,
    pub amount: i64,
    pub currency: String,
    pub payment: String,
    pub charge: Option<String>,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// `duplicate`, `fraudulent` or `requested_by_customer`.
    pub reason: Option<String>,
    /// Why the acquirer could not refund (failed refunds only).
    pub failure_reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<&RefundRow> for RefundView {
    fn from(r: &RefundRow) -> RefundView {
        RefundView {
            id: r.id.clone(),
            object: "refund",
            amount: r.amount,
            currency: r.currency.code().to_string(),
            payment: r.payment_id.clone(),
            charge: r.charge_id.clone(),
            status: r.status.as_str().to_string(),
            reason: r.reason.clone(),
            failure_reason: r.failure_reason.clone(),
            metadata: metadata(&r.metadata),
            created: r.created,
            livemode: is_live(r.mode),
        }
    }
}
