//! Receipts of settled payments: what the customer paid whom, when, with which card, and what
//! was refunded. The JSON and the public page show the same `ReceiptView`.

use crate::domain::money::Currency;
use serde::Serialize;
use utoipa::ToSchema;

/// One refund line.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ReceiptRefund)]
pub struct ReceiptRefund {
    pub id: String,
    pub amount: i64,
    pub created: i64,
}

/// The merchant on a receipt.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ReceiptMerchant)]
pub struct ReceiptMerchant {
    pub name: String,
}

/// The card on a receipt.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ReceiptCard)]
pub struct ReceiptCard {
    pub brand: Option<String>,
    pub last4: Option<String>,
}

/// A receipt of a settled payment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Receipt)]
pub struct ReceiptView {
    /// Always `receipt`.
    pub object: &'static str,
    pub payment: String,
    /// The public, printable receipt page.
    pub url: String,
    pub merchant: ReceiptMerchant,
    /// What was received.
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub status: String,
    pub description: Option<String>,
    /// When the money was taken (Unix seconds).
    pub paid_at: i64,
    pub card: ReceiptCard,
    /// Succeeded refunds only.
    pub refunds: Vec<ReceiptRefund>,
    pub livemode: bool,
}

impl ReceiptView {
    /// An amount of this receipt's currency as shoppers read it (`€49.99`).
    pub fn money(&self, minor: i64) -> String {
        Currency::parse(&self.currency)
            .map(|c| c.display(minor))
            .unwrap_or_else(|| format!("{minor} {}", self.currency))
    }
}
