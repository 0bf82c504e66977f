//! Charging invoices: one attempt is a payment written `processing` with the invoice's
//! change, then asked of the acquirer once that has committed
//! (`payments::start_off_session` / `finish_off_session`).

use super::{Result, Settings, scope_of};
use crate::server::services::payments::{self, Deps, OffSession};
use crate::server::store::customers::CustomerRow;
use crate::server::store::invoices::InvoiceRow;
use crate::server::store::payments::PaymentRow;
use crate::server::store::subscriptions::SubscriptionRow;
use crate::server::store::{Tx, accounts, row};
use crate::server::views::billing::hosted_invoice_url;

/// The saved card an invoice of `sub` is charged to: the subscription's, else its customer's.
pub async fn payment_method_of(
    store: &crate::server::store::Store,
    sub: &SubscriptionRow,
) -> Result<Option<String>> {
    if sub.default_payment_method.is_some() {
        return Ok(sub.default_payment_method.clone());
    }
    let customer =
        row::find_hot::<CustomerRow>(store, &sub.account_id, sub.mode.as_str(), &sub.customer)
            .await?;
    Ok(customer.and_then(|c| c.default_payment_method))
}

/// Counts one more attempt on the open `invoice` and writes its payment (`processing`) in
/// `tx`; None when there is no card to charge (the attempt fails at once, as a decline would).
pub async fn start_attempt(
    deps: &Deps<'_>,
    tx: &mut Tx,
    invoice: &mut InvoiceRow,
    method: Option<String>,
    now: i64,
) -> Result<Option<PaymentRow>> {
    invoice.attempt_count += 1;
    let Some(method) = method else {
        return Ok(None);
    };
    let scope = scope_of(&invoice.account_id, invoice.mode);
    let acquirer = default_connection(deps, &invoice.account_id, invoice.mode).await?;
    let charge = OffSession {
        customer: invoice.customer.clone(),
        payment_method: method,
        amount: invoice.amount_due,
        currency: invoice.currency,
        description: format!("Invoice {}", invoice.id),
        invoice: invoice.id.clone(),
        return_url: hosted_invoice_url(deps.public_url, &invoice.id),
        acquirer,
        created: now,
    };
    let payment = payments::start_off_session(deps, tx, &scope, charge).await?;
    invoice.payment = Some(payment.id.clone());
    Ok(Some(payment))
}

/// Asks the acquirer for an attempt `start_attempt` wrote (and whose transaction committed),
/// and commits the outcome with what it does to the invoice (`settle`).
pub async fn finish_attempt(deps: &Deps<'_>, payment: PaymentRow) -> Result<PaymentRow> {
    let scope = scope_of(&payment.account_id, payment.mode);
    let staged = payments::finish_off_session(deps, &scope, payment).await?;
    staged.tx.commit().await?;
    Ok(staged.payment)
}

/// What a failed attempt without any card does: as a decline, without a payment.
pub fn no_card(
    invoice: &mut InvoiceRow,
    sub: Option<&mut SubscriptionRow>,
    settings: &Settings,
    now: i64,
) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut invoice_kinds = vec!["invoice.payment_failed"];
    let mut sub_kinds = Vec::new();
    super::settle::failed_attempt(
        invoice,
        sub,
        settings,
        now,
        false,
        &mut invoice_kinds,
        &mut sub_kinds,
    );
    (invoice_kinds, sub_kinds)
}

/// The connection an invoice of `mode` is charged through: the mode's default (empty in live
/// mode until the merchant adds a processor, which the charge then reports).
pub async fn default_connection(
    deps: &Deps<'_>,
    account_id: &str,
    mode: crate::domain::mode::Mode,
) -> Result<String> {
    Ok(accounts::find_hot(deps.store, account_id)
        .await?
        .and_then(|a| a.default_connection(mode).map(str::to_string))
        .unwrap_or_default())
}
