//! Receipts of settled payments: what the customer paid whom, when, with which card, and what
//! was refunded. The JSON (`GET /v1/payments/{id}/receipt`) and the public page
//! (`/receipts/{id}`) show the same `ReceiptView`.

use crate::domain::payment::PaymentStatus;
use crate::domain::refund::RefundStatus;
use crate::server::store::charges::ChargeRow;
use crate::server::store::payments::PaymentRow;
use crate::server::store::row;
use crate::server::store::{Store, accounts, refunds};
pub use crate::server::views::receipt::{ReceiptCard, ReceiptMerchant, ReceiptRefund, ReceiptView};

/// The public page of a payment's receipt.
pub fn receipt_url(public_url: &str, payment_id: &str) -> String {
    format!("{public_url}/receipts/{payment_id}")
}

/// True for payments that have a receipt: money was taken (refunds may have followed).
pub fn has_receipt(row: &PaymentRow) -> bool {
    matches!(
        row.status,
        PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    )
}

/// The receipt of a settled payment (`None` when it has none).
pub async fn load(
    store: &Store,
    public_url: &str,
    row: &PaymentRow,
) -> Result<Option<ReceiptView>, sqlx::Error> {
    if !has_receipt(row) {
        return Ok(None);
    }
    let merchant = accounts::find(store.reader(), &row.account_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let charge = match &row.latest_charge {
        Some(id) => {
            row::find::<ChargeRow>(store.reader(), &row.account_id, row.mode.as_str(), id).await?
        }
        None => None,
    };
    let refunds = refunds::of_payment(store.reader(), &row.id)
        .await?
        .into_iter()
        .filter(|r| r.status == RefundStatus::Succeeded)
        .map(|r| ReceiptRefund {
            id: r.id,
            amount: r.amount,
            created: r.created,
        })
        .collect();
    Ok(Some(ReceiptView {
        object: "receipt",
        payment: row.id.clone(),
        url: receipt_url(public_url, &row.id),
        merchant: ReceiptMerchant { name: merchant },
        amount: row.amount_received,
        amount_refunded: row.amount_refunded,
        currency: row.currency.code().to_string(),
        status: row.status.as_str().to_string(),
        description: row.description.clone().or(row.product_name.clone()),
        paid_at: charge.as_ref().map_or(row.created, |c| c.created),
        card: ReceiptCard {
            brand: charge.as_ref().map(|c| c.card_brand.clone()),
            last4: charge.as_ref().map(|c| c.card_last4.clone()),
        },
        refunds,
        livemode: row.mode == crate::domain::mode::Mode::Live,
    }))
}
