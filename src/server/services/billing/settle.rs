//! What an invoice's payment attempt does to the invoice and its subscription, written in the
//! transaction that records the payment's outcome (whoever records it: the charge itself, the
//! issuer challenge's return, the reconciler).

use super::{Settings, emit, invoice_view, scope_of, settings, subscription_view, time_on};
use crate::domain::billing::{
    BillingReason, Dunning, DunningEnd, InvoiceStatus, SubscriptionStatus, after_failure,
    is_hard_decline,
};
use crate::domain::payment::PaymentStatus;
use crate::server::clock::Clock;
use crate::server::services::ServiceError;
use crate::server::store::invoices::InvoiceRow;
use crate::server::store::payments::PaymentRow;
use crate::server::store::subscriptions::SubscriptionRow;
use crate::server::store::{Tx, row};

/// Applies the new status of `payment` (an attempt to pay its invoice) to the invoice and its
/// subscription, with their events.
pub async fn payment_changed(
    tx: &mut Tx,
    wall: &dyn Clock,
    public_url: &str,
    payment: &PaymentRow,
) -> Result<(), ServiceError> {
    let Some(invoice_id) = &payment.invoice else {
        return Ok(());
    };
    let scope = scope_of(&payment.account_id, payment.mode);
    let (account, mode) = (&scope.account_id, scope.mode.as_str());
    let Some(mut invoice) =
        row::find::<InvoiceRow>(tx.conn().await?, account, mode, invoice_id).await?
    else {
        return Ok(());
    };
    // Paid, voided or written off meanwhile: the payment stands on its own (refund it).
    if invoice.status != InvoiceStatus::Open {
        return Ok(());
    }
    let mut sub = match &invoice.subscription {
        Some(id) => row::find::<SubscriptionRow>(tx.conn().await?, account, mode, id).await?,
        None => None,
    };
    let now = time_on(
        tx.conn().await?,
        &scope,
        invoice.test_clock.as_deref(),
        wall,
    )
    .await?;
    let settings = settings(tx.conn().await?, account).await?;
    let sub_before = sub.as_ref().map(|s| s.status);
    let hard = payment_error_code(payment).is_some_and(|c| is_hard_decline(&c));
    invoice.payment = Some(payment.id.clone());
    let Some((invoice_kinds, mut sub_kinds)) = apply_outcome(
        &mut invoice,
        sub.as_mut(),
        payment.status,
        hard,
        &settings,
        now,
    ) else {
        return Ok(());
    };
    row::update(tx, &invoice).await?;
    let view = invoice_view(tx.conn().await?, &invoice, public_url).await?;
    emit(tx, wall, &scope, &view, &invoice_kinds).await?;
    if let Some(sub) = &sub {
        if sub_before != Some(sub.status) && !sub_kinds.contains(&"subscription.deleted") {
            sub_kinds.insert(0, "subscription.updated");
        }
        row::update(tx, sub).await?;
        let view = subscription_view(tx.conn().await?, sub).await?;
        emit(tx, wall, &scope, &view, &sub_kinds).await?;
    }
    Ok(())
}

/// What an attempt that ended in `status` does to its invoice and subscription, and the
/// events each emits; None when the status is not an attempt's end.
pub fn apply_outcome(
    invoice: &mut InvoiceRow,
    mut sub: Option<&mut SubscriptionRow>,
    status: PaymentStatus,
    hard: bool,
    settings: &Settings,
    now: i64,
) -> Option<(Vec<&'static str>, Vec<&'static str>)> {
    let mut invoice_kinds: Vec<&'static str> = Vec::new();
    let mut sub_kinds: Vec<&'static str> = Vec::new();
    match status {
        PaymentStatus::Succeeded => {
            mark_paid(invoice, now);
            invoice_kinds.push("invoice.paid");
            if let Some(sub) = sub.as_mut()
                && matches!(
                    sub.status,
                    SubscriptionStatus::Incomplete
                        | SubscriptionStatus::PastDue
                        | SubscriptionStatus::Unpaid
                )
            {
                sub.status = SubscriptionStatus::Active;
            }
        }
        PaymentStatus::Failed | PaymentStatus::RequiresPaymentMethod => {
            invoice_kinds.push("invoice.payment_failed");
            failed_attempt(
                invoice,
                sub,
                settings,
                now,
                hard,
                &mut invoice_kinds,
                &mut sub_kinds,
            );
        }
        PaymentStatus::RequiresAction => {
            invoice_kinds.push("invoice.payment_action_required");
            // No automatic retry can answer a challenge: the customer must, on the hosted
            // invoice page, before retries would have run out.
            failed_attempt(
                invoice,
                sub,
                settings,
                now,
                true,
                &mut invoice_kinds,
                &mut sub_kinds,
            );
        }
        _ => return None,
    }
    Some((invoice_kinds, sub_kinds))
}

/// The contract's `code` of a failed attempt's card error.
fn payment_error_code(payment: &PaymentRow) -> Option<String> {
    let error: serde_json::Value =
        serde_json::from_str(payment.last_payment_error.as_deref()?).ok()?;
    error["code"].as_str().map(str::to_string)
}

/// An invoice paid in full at `now`.
pub fn mark_paid(invoice: &mut InvoiceRow, now: i64) {
    invoice.status = InvoiceStatus::Paid;
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.paid_at = Some(now);
    invoice.next_payment_attempt = None;
    invoice.dunning_at = None;
}

/// A failed attempt: a first invoice waits for its customer (it expires with its
/// subscription); a renewal puts the subscription `past_due` and schedules the next retry, or
/// gives up when retries have run out.
pub fn failed_attempt(
    invoice: &mut InvoiceRow,
    sub: Option<&mut SubscriptionRow>,
    settings: &Settings,
    now: i64,
    hard: bool,
    invoice_kinds: &mut Vec<&'static str>,
    sub_kinds: &mut Vec<&'static str>,
) {
    if invoice.billing_reason == BillingReason::SubscriptionCreate {
        invoice.next_payment_attempt = None;
        invoice.dunning_at = None;
        return;
    }
    if let Some(sub) = sub {
        if sub.status == SubscriptionStatus::Active {
            sub.status = SubscriptionStatus::PastDue;
        }
        match after_failure(&settings.retry_days, invoice.attempt_count, now, hard) {
            Dunning::RetryAt(at) => {
                invoice.next_payment_attempt = Some(at);
                invoice.dunning_at = Some(at);
            }
            Dunning::GiveUpAt(at) => {
                invoice.next_payment_attempt = None;
                invoice.dunning_at = Some(at);
            }
            Dunning::GiveUpNow => {
                give_up(
                    invoice,
                    Some(sub),
                    settings.dunning_end,
                    now,
                    invoice_kinds,
                    sub_kinds,
                );
            }
        }
    }
}

/// Retries have run out: the invoice is written off and the subscription becomes what the
/// account chose.
pub fn give_up(
    invoice: &mut InvoiceRow,
    sub: Option<&mut SubscriptionRow>,
    end: DunningEnd,
    now: i64,
    invoice_kinds: &mut Vec<&'static str>,
    sub_kinds: &mut Vec<&'static str>,
) {
    invoice.status = InvoiceStatus::Uncollectible;
    invoice.marked_uncollectible_at = Some(now);
    invoice.next_payment_attempt = None;
    invoice.dunning_at = None;
    invoice_kinds.push("invoice.marked_uncollectible");
    let Some(sub) = sub else { return };
    if sub.status.is_final() {
        return;
    }
    match end {
        DunningEnd::Canceled => {
            cancel_now(sub, now);
            sub_kinds.push("subscription.deleted");
        }
        DunningEnd::Unpaid => sub.status = SubscriptionStatus::Unpaid,
        DunningEnd::PastDue => sub.status = SubscriptionStatus::PastDue,
    }
}

/// Ends a subscription at `now`.
pub fn cancel_now(sub: &mut SubscriptionRow, now: i64) {
    sub.status = SubscriptionStatus::Canceled;
    sub.canceled_at.get_or_insert(now);
    sub.ended_at = Some(now);
    sub.cancel_at_period_end = 0;
}
