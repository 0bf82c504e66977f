//! Acting on an invoice: pay it now, void it, write it off.

use super::charging;
use super::engine::charge_open;
use super::invoicing::{self, expect_status, finalize_lines};
use super::settle::mark_paid;
use super::{BillingError, Result, emit, invoice_view, settings, state, time_on};
use crate::domain::billing::InvoiceStatus;
use crate::domain::payment::PaymentStatus;
use crate::server::services::Scope;
use crate::server::services::payments::Deps;
use crate::server::store::invoices::{self, InvoiceRow};
use crate::server::store::row;
use crate::server::store::subscriptions::SubscriptionRow;

/// Pays an open invoice (a draft is finalized first) with the subscription's card, or the
/// `payment_method` given (a saved card of the customer). A payment that does not succeed is
/// a 402 naming it.
pub async fn pay(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    payment_method: Option<String>,
) -> Result<InvoiceRow> {
    let stale = invoicing::find(deps.store.reader(), scope, id).await?;
    expect_status(&stale, &[InvoiceStatus::Draft, InvoiceStatus::Open], "paid")?;
    let now = time_on(
        deps.store.reader(),
        scope,
        stale.test_clock.as_deref(),
        deps.clock,
    )
    .await?;
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let mut tx = deps.store.begin().await?;
    let mut invoice = invoicing::find(tx.conn().await?, scope, id).await?;
    let (status, attempts) = (invoice.status, invoice.attempt_count);
    let Some(sub_id) = invoice.subscription.clone() else {
        return Err(state(
            "invoice_unexpected_state",
            "This invoice has no subscription to charge.",
        ));
    };
    let mut sub = row::find::<SubscriptionRow>(tx.conn().await?, account, mode, &sub_id)
        .await?
        .ok_or_else(|| {
            state(
                "invoice_unexpected_state",
                "The invoice's subscription no longer exists.",
            )
        })?;
    let mut kinds = Vec::new();
    if invoice.status == InvoiceStatus::Draft {
        finalize_lines(
            deps.store,
            &mut tx,
            &mut invoice,
            &sub,
            now,
            deps.clock.now_micros(),
        )
        .await?;
        kinds.push("invoice.finalized");
    }
    if let Some(pm) = payment_method {
        let owned = row::find::<crate::server::store::payment_methods::PaymentMethodRow>(
            tx.conn().await?,
            account,
            mode,
            &pm,
        )
        .await?
        .is_some_and(|m| m.customer_id.as_deref() == Some(invoice.customer.as_str()));
        if !owned {
            // Among the cards it may name, there is no such one: as for an unknown id (404).
            return Err(super::missing(
                "payment_method",
                &format!("saved card of the customer {}", invoice.customer),
                &pm,
            ));
        }
        sub.default_payment_method = Some(pm);
    }
    let settings = settings(tx.conn().await?, account).await?;
    invoice.dunning_at = None;
    invoice.next_payment_attempt = None;
    let (payment, ik, _) = if invoice.amount_due == 0 {
        mark_paid(&mut invoice, now);
        (None, vec!["invoice.paid"], Vec::new())
    } else {
        let method = charging::payment_method_of(deps.store, &sub).await?;
        let Some(method) = method else {
            return Err(super::invalid(
                "payment_method",
                "The customer has no card to charge: send payment_method.",
            ));
        };
        let mut sub_for_charge = SubscriptionRow {
            default_payment_method: Some(method),
            ..sub.clone()
        };
        charge_open(
            deps,
            &mut tx,
            &mut invoice,
            &mut sub_for_charge,
            &settings,
            now,
        )
        .await?
    };
    kinds.extend(ik);
    if !invoices::save_if(&mut tx, &invoice, status, attempts).await? {
        return Err(state(
            "invoice_unexpected_state",
            "The invoice was changed at the same time; retrieve it and try again.",
        ));
    }
    let view = invoice_view(tx.conn().await?, &invoice, deps.public_url).await?;
    emit(&mut tx, deps.clock, scope, &view, &kinds).await?;
    tx.commit().await?;
    if let Some(payment) = payment {
        let payment = charging::finish_attempt(deps, payment).await?;
        if payment.status != PaymentStatus::Succeeded {
            let decline = crate::server::acquirer::Decline {
                code: if payment.status == PaymentStatus::RequiresAction {
                    "authentication_required"
                } else {
                    "card_declined"
                },
                decline_code: if payment.status == PaymentStatus::RequiresAction {
                    "authentication_required"
                } else {
                    "generic_decline"
                },
                message: if payment.status == PaymentStatus::RequiresAction {
                    "The card needs the customer to complete 3D Secure on the hosted invoice page."
                } else {
                    "The card was declined: the invoice stays open."
                },
            };
            return Err(BillingError::Declined {
                decline,
                payment: Box::new(payment),
            });
        }
    }
    invoicing::find(deps.store.reader(), scope, id).await
}

/// Voids a draft or open invoice (nothing more is owed), or writes an open one off
/// (`uncollectible`).
pub async fn close(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    to: InvoiceStatus,
) -> Result<(crate::server::store::Tx, InvoiceRow)> {
    let stale = invoicing::find(deps.store.reader(), scope, id).await?;
    let (allowed, kind, verb): (&[InvoiceStatus], &str, &str) = match to {
        InvoiceStatus::Void => (
            &[InvoiceStatus::Draft, InvoiceStatus::Open],
            "invoice.voided",
            "voided",
        ),
        _ => (
            &[InvoiceStatus::Open],
            "invoice.marked_uncollectible",
            "marked uncollectible",
        ),
    };
    expect_status(&stale, allowed, verb)?;
    let now = time_on(
        deps.store.reader(),
        scope,
        stale.test_clock.as_deref(),
        deps.clock,
    )
    .await?;
    let mut invoice = stale.clone();
    invoice.status = to;
    invoice.dunning_at = None;
    invoice.next_payment_attempt = None;
    if to == InvoiceStatus::Void {
        invoice.voided_at = Some(now);
        invoice.amount_remaining = 0;
    } else {
        invoice.marked_uncollectible_at = Some(now);
    }
    let mut tx = deps.store.begin().await?;
    if !invoices::save_if(&mut tx, &invoice, stale.status, stale.attempt_count).await? {
        return Err(state(
            "invoice_unexpected_state",
            "The invoice was changed at the same time; retrieve it and try again.",
        ));
    }
    let view = invoice_view(tx.conn().await?, &invoice, deps.public_url).await?;
    emit(&mut tx, deps.clock, scope, &view, &[kind]).await?;
    Ok((tx, invoice))
}
