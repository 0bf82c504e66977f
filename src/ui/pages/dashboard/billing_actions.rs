//! Actions on subscriptions and invoices from the dashboard: cancel now, at the period end
//! (or resume), void, write off, and retry an invoice's payment. Each calls the billing
//! service the REST API calls and commits what it staged.

use super::actions::{Ctx, fail, internal, payment_error, service_error};
use crate::domain::billing::InvoiceStatus;
use crate::server::services::billing::{
    BillingError, invoices, subscriptions, subscriptions::SubscriptionUpdate,
};
use leptos::prelude::*;

/// A billing refusal in words.
fn billing_error(err: BillingError) -> ServerFnError {
    match err {
        BillingError::Service(e) => service_error(e),
        BillingError::Payment(e) => payment_error(e),
        other => fail(other.to_string()),
    }
}

/// Ends a subscription now (`when=now`), at its period end (`period_end`), or takes back a
/// cancellation at the period end (`resume`).
#[server(prefix = "/dashboard/do", endpoint = "subscription_cancel")]
pub async fn cancel_subscription(subscription: String, when: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let deps = ctx.state.payment_deps();
    let notice = match when.as_str() {
        "now" => {
            let (tx, _) = subscriptions::cancel(&deps, &ctx.scope, &subscription)
                .await
                .map_err(billing_error)?;
            tx.commit().await.map_err(internal)?;
            "subscription_canceled"
        }
        "period_end" | "resume" => {
            let at_end = when == "period_end";
            let input = SubscriptionUpdate {
                cancel_at_period_end: Some(at_end),
                ..SubscriptionUpdate::default()
            };
            let changed = subscriptions::update(&deps, &ctx.scope, &subscription, input)
                .await
                .map_err(billing_error)?;
            changed.tx.commit().await.map_err(internal)?;
            if at_end {
                "subscription_ends"
            } else {
                "subscription_resumed"
            }
        }
        _ => return Err(fail("Choose when the subscription ends.")),
    };
    ctx.back(notice);
    Ok(())
}

/// Voids (`void`) or writes off (`uncollectible`) an invoice.
#[server(prefix = "/dashboard/do", endpoint = "invoice_close")]
pub async fn close_invoice(invoice: String, to: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let (status, notice) = match to.as_str() {
        "void" => (InvoiceStatus::Void, "invoice_voided"),
        "uncollectible" => (InvoiceStatus::Uncollectible, "invoice_written_off"),
        _ => return Err(fail("Choose void or uncollectible.")),
    };
    let (tx, _) = invoices::close(&ctx.state.payment_deps(), &ctx.scope, &invoice, status)
        .await
        .map_err(billing_error)?;
    tx.commit().await.map_err(internal)?;
    ctx.back(notice);
    Ok(())
}

/// Charges an open invoice (a draft is finalized first) to the subscription's card now.
#[server(prefix = "/dashboard/do", endpoint = "invoice_retry")]
pub async fn retry_invoice(invoice: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let deps = ctx.state.payment_deps();
    match invoices::pay(&deps, &ctx.scope, &invoice, None).await {
        Ok(_) => {
            ctx.back("invoice_paid");
            Ok(())
        }
        Err(BillingError::Declined { payment, .. }) => Err(fail(format!(
            "The payment {} did not go through ({}): the invoice stays open.",
            payment.id,
            payment.status.as_str().replace('_', " ")
        ))),
        Err(err) => Err(billing_error(err)),
    }
}
