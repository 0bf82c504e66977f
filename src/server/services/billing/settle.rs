//! What an invoice's payment attempt does to the invoice and its subscription, written in the
//! transaction that records the payment's outcome (whoever records it: the charge itself, the
//! issuer challenge's return, the reconciler).

use super::{Settings, emit_to, scope_of, settings_hot, subscription_view, time_on_hot};
use crate::domain::billing::{
    BillingReason, Dunning, DunningEnd, InvoiceStatus, SubscriptionStatus, after_failure,
    is_hard_decline,
};
use crate::domain::payment::PaymentStatus;
use crate::server::clock::Clock;
use crate::server::services::payments::PaymentError;
use crate::server::store::invoices::InvoiceRow;
use crate::server::store::payments::PaymentRow;
use crate::server::store::subscriptions::SubscriptionRow;
use crate::server::store::{Store, Tx, invoices, row, subscriptions};

/// What a payment's new status does to its invoice and subscription, read and worked out
/// before the payment's change takes the writer (`prepare`), then written in it (`write`)
/// with a compare-and-set on the state they were read in: should either have changed in
/// between, the payment's change fails as a whole and its outcome is recorded again (by the
/// reconciler, for a charge) against what they have become.
pub struct Settlement {
    scope: crate::server::services::Scope,
    invoice: InvoiceRow,
    /// The attempt count the invoice was read with.
    attempts: i64,
    invoice_view: crate::server::views::InvoiceView,
    invoice_kinds: Vec<&'static str>,
    /// What becomes of the subscription; None when it does not change.
    sub: Option<SubChange>,
    endpoints: Vec<crate::server::store::webhook_endpoints::EndpointRow>,
}

/// Works out what `payment` (an attempt to pay its invoice, in its new status) does; None
/// when it does nothing (no invoice, an invoice no longer open, a status that ends nothing).
pub async fn prepare(
    store: &Store,
    wall: &dyn Clock,
    public_url: &str,
    payment: &PaymentRow,
) -> Result<Option<Settlement>, PaymentError> {
    let Some(invoice_id) = &payment.invoice else {
        return Ok(None);
    };
    let scope = scope_of(&payment.account_id, payment.mode);
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let Some(mut invoice) = row::find_hot::<InvoiceRow>(store, account, mode, invoice_id).await?
    else {
        return Ok(None);
    };
    // Paid, voided or written off meanwhile: the payment stands on its own (refund it).
    if invoice.status != InvoiceStatus::Open {
        return Ok(None);
    }
    let mut sub = match &invoice.subscription {
        Some(id) => row::find_hot::<SubscriptionRow>(store, account, mode, id).await?,
        None => None,
    };
    let now = time_on_hot(store, &scope, invoice.test_clock.as_deref(), wall).await?;
    // Only a failure needs the account's retry schedule.
    let settings = if payment.status == PaymentStatus::Succeeded {
        Settings::default()
    } else {
        settings_hot(store, account).await?
    };
    let sub_before = sub.as_ref().map(|s| (s.status, s.current_period_end));
    let hard = payment
        .last_error()
        .is_some_and(|e| is_hard_decline(e["code"].as_str().unwrap_or_default()));
    let attempts = invoice.attempt_count;
    invoice.payment = Some(payment.id.clone());
    let Some((invoice_kinds, mut sub_kinds)) = apply_outcome(
        &mut invoice,
        sub.as_mut(),
        payment.status,
        hard,
        &settings,
        now,
    ) else {
        return Ok(None);
    };
    let lines = invoices::lines_of_hot(store, &invoice.id).await?;
    let invoice_view = crate::server::views::InvoiceView::new(&invoice, &lines, public_url);
    let sub = match (sub, sub_before) {
        (Some(sub), Some((status, end))) if status != sub.status || !sub_kinds.is_empty() => {
            if status != sub.status && !sub_kinds.contains(&"subscription.deleted") {
                sub_kinds.insert(0, "subscription.updated");
            }
            let mut conn = store.reader().acquire().await?;
            let view = subscription_view(&mut conn, &sub).await?;
            Some(SubChange {
                sub,
                read_as: (status, end),
                view,
                kinds: sub_kinds,
            })
        }
        _ => None,
    };
    let endpoints = crate::server::store::webhook_endpoints::enabled(store, account, mode).await?;
    Ok(Some(Settlement {
        scope,
        invoice,
        attempts,
        invoice_view,
        invoice_kinds,
        sub,
        endpoints,
    }))
}

/// The subscription as it will be, the status and period end it was read with, its view and
/// events.
struct SubChange {
    sub: SubscriptionRow,
    read_as: (SubscriptionStatus, i64),
    view: crate::server::views::SubscriptionView,
    kinds: Vec<&'static str>,
}

impl Settlement {
    /// Writes the settlement in the payment's transaction.
    pub async fn write(self, tx: &mut Tx, wall: &dyn Clock) -> Result<(), PaymentError> {
        if !invoices::save_if(tx, &self.invoice, InvoiceStatus::Open, self.attempts).await? {
            return Err(PaymentError::Conflict);
        }
        let endpoints = Some(&self.endpoints[..]);
        let scope = &self.scope;
        emit_to(
            tx,
            wall,
            scope,
            &self.invoice_view,
            &self.invoice_kinds,
            endpoints,
        )
        .await?;
        if let Some(change) = &self.sub {
            let (status, end) = change.read_as;
            if !subscriptions::save_if(tx, &change.sub, status, end).await? {
                return Err(PaymentError::Conflict);
            }
            emit_to(tx, wall, scope, &change.view, &change.kinds, endpoints).await?;
        }
        Ok(())
    }
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
