//! Actions on payments from the dashboard, and the test/live switch. Each calls the service
//! the REST API calls and commits its staged transaction; amounts are typed in major units
//! (`12.50`) and read with the payment's currency.

use super::actions::{Ctx, fail, internal, payment_error};
use crate::domain::mode::Mode;
use crate::domain::refund::RefundStatus;
use crate::server::services::payments as service;
use crate::server::services::refunds::{self, NewRefund};
use crate::server::store::payments::PaymentRow;
use leptos::prelude::*;

/// Shows test or live data from now on.
#[server(prefix = "/dashboard/do", endpoint = "mode")]
pub async fn set_mode(mode: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let mode = Mode::parse(&mode).ok_or_else(|| fail("Choose test or live mode."))?;
    let token = ctx
        .session_token()
        .ok_or_else(|| fail("Your session has ended. Sign in again."))?;
    crate::server::services::sessions::set_mode(&ctx.state.store, &token, mode)
        .await
        .map_err(internal)?;
    // The other mode's objects are not this page's: start from its home.
    ctx.go(&format!("/dashboard?notice=mode_{}", mode.as_str()));
    Ok(())
}

/// The payment in the signed-in scope, and the amount typed for it (empty = `None`).
async fn payment_and_amount(
    ctx: &Ctx,
    payment: &str,
    amount: &str,
) -> Result<(PaymentRow, Option<i64>), ServerFnError> {
    let row = service::find(&ctx.state.store, &ctx.scope, payment)
        .await
        .map_err(super::actions::service_error)?;
    let amount = if amount.trim().is_empty() {
        None
    } else {
        Some(row.currency.parse_major(amount).map_err(fail)?)
    };
    Ok((row, amount))
}

/// Captures the whole authorisation, or the amount typed (the rest is released).
#[server(prefix = "/dashboard/do", endpoint = "capture")]
pub async fn capture_payment(payment: String, amount: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let (row, amount) = payment_and_amount(&ctx, &payment, &amount).await?;
    let deps = ctx.state.payment_deps();
    let staged = service::capture(&deps, &ctx.scope, &row.id, amount)
        .await
        .map_err(payment_error)?;
    staged.tx.commit().await.map_err(internal)?;
    ctx.back("captured");
    Ok(())
}

/// Cancels a payment that has not taken money (an authorisation is released).
#[server(prefix = "/dashboard/do", endpoint = "cancel")]
pub async fn cancel_payment(payment: String, reason: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let reason = (!reason.is_empty()).then_some(reason);
    let deps = ctx.state.payment_deps();
    let staged = service::cancel(&deps, &ctx.scope, &payment, reason)
        .await
        .map_err(payment_error)?;
    staged.tx.commit().await.map_err(internal)?;
    ctx.back("canceled");
    Ok(())
}

/// Changes the authorised amount of a payment awaiting capture (an increase asks the issuer).
#[server(prefix = "/dashboard/do", endpoint = "adjust")]
pub async fn adjust_payment(payment: String, amount: String) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let (row, amount) = payment_and_amount(&ctx, &payment, &amount).await?;
    if amount.is_none() {
        return Err(fail("Enter the new amount."));
    }
    let deps = ctx.state.payment_deps();
    let staged = service::adjust(&deps, &ctx.scope, &row.id, amount)
        .await
        .map_err(payment_error)?;
    staged.tx.commit().await.map_err(internal)?;
    ctx.back("adjusted");
    Ok(())
}

/// Refunds the amount typed (or all that is left). `seen` is what the page showed as already
/// refunded or pending: if it changed (the form was sent twice, or someone else refunded
/// meanwhile), nothing is done and the merchant is asked to look again.
#[server(prefix = "/dashboard/do", endpoint = "refund")]
pub async fn refund_payment(
    payment: String,
    amount: String,
    reason: String,
    seen: String,
) -> Result<(), ServerFnError> {
    let ctx = Ctx::get()?;
    let (row, amount) = payment_and_amount(&ctx, &payment, &amount).await?;
    let pending = crate::server::store::refunds::pending_of(ctx.state.store.reader(), &row.id)
        .await
        .map_err(internal)?;
    let refundable = row.amount_received - row.amount_refunded - pending;
    if let Some(asked) = amount
        && asked > refundable
        && refundable > 0
    {
        return Err(fail(format!(
            "At most {} is left to refund.",
            row.currency.display(refundable)
        )));
    }
    if seen.parse::<i64>().ok() != Some(row.amount_refunded + pending) {
        return Err(fail(
            "This payment was refunded since the page was opened; nothing was done. Check its \
             refunds below before refunding again.",
        ));
    }
    let deps = ctx.state.payment_deps();
    let staged = refunds::create(
        &deps,
        &ctx.scope,
        NewRefund {
            payment: row.id.clone(),
            amount,
            reason: (!reason.is_empty()).then_some(reason),
            metadata: None,
        },
    )
    .await
    .map_err(payment_error)?;
    let failed = staged.refund.status == RefundStatus::Failed;
    staged.tx.commit().await.map_err(internal)?;
    ctx.back(if failed { "refund_failed" } else { "refunded" });
    Ok(())
}
