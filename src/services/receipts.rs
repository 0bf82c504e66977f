//! Receipts of settled payments: what the customer paid whom, when, with which card, and what
//! was refunded. The JSON (`GET /v1/payments/{id}/receipt`) and the public page
//! (`/receipts/{id}`) show the same `Receipt`.

use crate::domain::money::Currency;
use crate::domain::payment::PaymentStatus;
use crate::store::payments::PaymentRow;
use crate::store::{Store, accounts, charges, refunds};
use serde_json::{Value, json};

/// One refund line.
#[derive(Debug, Clone)]
pub struct ReceiptRefund {
    pub id: String,
    pub amount: i64,
    pub created: i64,
}

/// Everything a receipt shows.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub payment_id: String,
    pub url: String,
    pub merchant: String,
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub status: String,
    pub description: Option<String>,
    /// When the payment was captured (its charge).
    pub paid_at: i64,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub refunds: Vec<ReceiptRefund>,
    pub livemode: bool,
}

/// The public page of a payment's receipt.
pub fn receipt_url(public_url: &str, payment_id: &str) -> String {
    format!("{public_url}/receipts/{payment_id}")
}

/// True for payments that have a receipt: money was taken (refunds may have followed).
pub fn has_receipt(row: &PaymentRow) -> bool {
    matches!(
        PaymentStatus::parse(&row.status),
        Some(PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded)
    )
}

/// The receipt of a settled payment (`None` when it has none).
pub async fn load(
    store: &Store,
    public_url: &str,
    row: &PaymentRow,
) -> Result<Option<Receipt>, sqlx::Error> {
    if !has_receipt(row) {
        return Ok(None);
    }
    let merchant = accounts::find(store.reader(), &row.account_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let charge = match &row.latest_charge {
        Some(id) => charges::find(store.reader(), &row.account_id, &row.mode, id).await?,
        None => None,
    };
    let refunds = refunds::of_payment(store.reader(), &row.id)
        .await?
        .into_iter()
        .filter(|r| r.status == "succeeded")
        .map(|r| ReceiptRefund {
            id: r.id,
            amount: r.amount,
            created: r.created,
        })
        .collect();
    Ok(Some(Receipt {
        payment_id: row.id.clone(),
        url: receipt_url(public_url, &row.id),
        merchant,
        amount: row.amount_received,
        amount_refunded: row.amount_refunded,
        currency: row.currency.clone(),
        status: row.status.clone(),
        description: row.description.clone().or(row.product_name.clone()),
        paid_at: charge.as_ref().map_or(row.created, |c| c.created),
        card_brand: charge.as_ref().map(|c| c.card_brand.clone()),
        card_last4: charge.as_ref().map(|c| c.card_last4.clone()),
        refunds,
        livemode: row.mode == "live",
    }))
}

impl Receipt {
    /// An amount of this receipt's currency as shoppers read it (`€49.99`).
    pub fn money(&self, minor: i64) -> String {
        Currency::parse(&self.currency)
            .map(|c| c.display(minor))
            .unwrap_or_else(|| format!("{minor} {}", self.currency))
    }

    pub fn json(&self) -> Value {
        json!({
            "object": "receipt",
            "payment": self.payment_id,
            "url": self.url,
            "merchant": {"name": self.merchant},
            "amount": self.amount,
            "amount_refunded": self.amount_refunded,
            "currency": self.currency,
            "status": self.status,
            "description": self.description,
            "paid_at": self.paid_at,
            "card": {"brand": self.card_brand, "last4": self.card_last4},
            "refunds": self.refunds.iter().map(|r| json!({"id": r.id, "amount": r.amount, "created": r.created})).collect::<Vec<_>>(),
            "livemode": self.livemode,
        })
    }
}
