//! Charging a saved card with nobody at the checkout (an invoice's payment), in two steps so
//! that a crash between the acquirer's answer and its record is recovered by the reconciler:
//! `start_off_session` writes the payment already `processing`, with its call deadline, in
//! the caller's transaction; after that commits, `finish_off_session` asks the acquirer and
//! records the answer as a server-side confirm would.

use super::methods::resolve_method;
use super::outcome::record_outcome;
use super::*;

/// What an off-session charge is for.
#[derive(Debug, Clone)]
pub struct OffSession {
    pub customer: String,
    pub payment_method: String,
    pub amount: i64,
    pub currency: Currency,
    pub description: String,
    pub invoice: String,
    /// Where an issuer challenge sends the customer back to (the hosted invoice page).
    pub return_url: String,
    pub acquirer: String,
    /// The payment's `created`: the time of the invoice's objects (a test clock's, when they
    /// run on one), as events and the ledger keep the wall clock's.
    pub created: i64,
}

/// Writes the payment of `charge`, `processing`, in `tx`, with its `payment.created` event.
/// The method must be a saved card of the customer.
pub async fn start_off_session(
    deps: &Deps<'_>,
    tx: &mut Tx,
    scope: &Scope,
    charge: OffSession,
) -> Result<PaymentRow> {
    let method =
        resolve_method(deps, scope, &charge.payment_method, Some(&charge.customer)).await?;
    if method.new_row.is_some() {
        return Err(invalid(
            "payment_method",
            "An invoice is charged to a saved card: attach the payment method to the customer first.",
        ));
    }
    let now_micros = deps.clock.now_micros();
    let now = now_micros.div_euclid(1_000_000);
    let row = PaymentRow {
        id: new_id(IdKind::Payment),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        amount: charge.amount,
        amount_capturable: 0,
        amount_received: 0,
        amount_refunded: 0,
        currency: charge.currency,
        status: PaymentStatus::Processing,
        capture_method: "automatic".into(),
        payment_method: Some(method.row.id.clone()),
        customer: Some(charge.customer),
        customer_reference: None,
        customer_email: None,
        customer_name: None,
        customer_phone: None,
        description: Some(charge.description),
        product_name: None,
        metadata: "{}".into(),
        return_url: Some(charge.return_url),
        statement_descriptor: None,
        on_behalf_of: None,
        acquirer: charge.acquirer,
        latest_charge: None,
        next_action: None,
        last_payment_error: None,
        adjustment: None,
        reversal: None,
        cancellation_reason: None,
        expires_at: now + DEFAULT_EXPIRES_IN,
        created: charge.created,
        sort_key: now_micros,
        checkout_session: None,
        invoice: Some(charge.invoice),
        // The id its charge will have: the processor's idempotency key for this attempt.
        attempt: Some(new_id(IdKind::Charge)),
        processor_ref: None,
        dispute: None,
    };
    let endpoints = crate::server::store::webhook_endpoints::enabled(
        deps.store,
        &scope.account_id,
        scope.mode.as_str(),
    )
    .await?;
    tx.defer(row::insert(&row));
    // The deadline after which the reconciler may take the attempt over.
    tx.defer(payments::set_call_until(&row.id, now + CONFIRM_CALL_SECS));
    emit_to(deps, tx, &row, &["payment.created"], Some(&endpoints)).await?;
    Ok(row)
}

/// Asks the acquirer for the payment written by `start_off_session` and records its answer
/// (handed back uncommitted).
pub async fn finish_off_session(deps: &Deps<'_>, scope: &Scope, row: PaymentRow) -> Result<Staged> {
    let pm = row.payment_method.clone().unwrap_or_default();
    let method = resolve_method(deps, scope, &pm, row.customer.as_deref()).await?;
    let acquirer = acquirer_of(deps, scope, &row).await?;
    let profile = method.profile();
    let outcome = acquirer
        .authorize(&attempt_of(&row, &profile, None, true))
        .await;
    record_outcome(deps, row, outcome, &method.row, Channel::Api).await
}
