//! Confirming an existing payment: with a method, or with a 3-D Secure result.

use super::methods::{ResolvedMethod, fit_to_connection, resolve_method};
use super::outcome::record_outcome;
use super::*;

/// Input of `confirm`.
#[derive(Debug, Default, Clone)]
pub struct ConfirmPayment {
    pub payment_method: Option<String>,
    /// After a 3-D Secure challenge: `challenge` = `completed` or `failed`.
    pub challenge_completed: Option<bool>,
    /// A card typed at the checkout, checked and ready to be saved (as a new `pm_…`) in the
    /// same transaction that claims the payment.
    pub new_card: Option<PaymentMethodRow>,
}

/// Confirms a payment awaiting a method (with one) or a 3-D Secure result (with `details`).
/// `channel`: where the card was entered (a customer at the checkout or the card element may
/// try another card after a decline).
pub async fn confirm(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    input: ConfirmPayment,
    channel: Channel,
) -> Result<Staged> {
    let mut row = expire_if_due(deps, find(deps.store, scope, id).await?).await?;
    let from = status_of(&row);
    let processing = transition(from, Command::StartProcessing)?;
    let (mut method, outcome_of_challenge) = match from {
        PaymentStatus::RequiresAction => {
            let passed = input.challenge_completed.ok_or_else(|| {
                invalid(
                    "details[challenge]",
                    "Pass details[challenge] = completed or failed after the 3D Secure challenge.",
                )
            })?;
            let pm = row
                .payment_method
                .clone()
                .expect("a payment in requires_action has a method");
            (
                resolve_method(deps, scope, &pm, row.customer.as_deref()).await?,
                Some(passed),
            )
        }
        _ if input.new_card.is_some() => {
            let card = input.new_card.clone().expect("checked by the guard");
            (
                ResolvedMethod {
                    new_row: Some(card.clone()),
                    row: card,
                },
                None,
            )
        }
        _ => {
            let pm = input
                .payment_method
                .clone()
                .or_else(|| row.payment_method.clone())
                .ok_or_else(|| {
                    PaymentError::from(ServiceError::invalid(
                        "payment_method",
                        "Missing required param: payment_method.",
                    ))
                })?;
            (
                resolve_method(deps, scope, &pm, row.customer.as_deref()).await?,
                None,
            )
        }
    };
    let acquirer = acquirer_of(deps, scope, &row).await?;
    if outcome_of_challenge.is_none() {
        let asked = input.payment_method.clone().unwrap_or_default();
        fit_to_connection(&mut method, &asked, &row.acquirer, acquirer.remote())?;
    }
    // Step 1, committed on its own: the payment is `processing`, so a second confirm racing
    // this one gets a 409 instead of a second authorisation.
    let mut claim = row.clone();
    claim.status = processing;
    let mut tx = deps.store.begin().await?;
    if let Some(new_row) = &method.new_row {
        tx.defer(row::insert(new_row));
    }
    claim.payment_method = Some(method.row.id.clone());
    // A new attempt gets the id its charge will have: the processor's idempotency key. The
    // end of a challenge belongs to the attempt that asked for it.
    if outcome_of_challenge.is_none() {
        claim.attempt = Some(new_id(IdKind::Charge));
        claim.processor_ref = None;
    }
    save(deps, &mut tx, &claim, from).await?;
    tx.commit().await?;
    row = claim;

    // Step 2: ask the acquirer, then record what it said.
    let profile = method.profile();
    let back = processor_return(deps.public_url, &row.id);
    let attempt = attempt_of(&row, &profile, Some(&back), false);
    let outcome = match outcome_of_challenge {
        Some(passed) => {
            acquirer
                .complete_challenge(&attempt, row.processor_ref.as_deref(), passed)
                .await
        }
        None => acquirer.authorize(&attempt).await,
    };
    record_outcome(deps, row, outcome, &method.row, channel).await
}
