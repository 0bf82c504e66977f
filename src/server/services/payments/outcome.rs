//! What an acquirer's answer does to a payment in `processing`.

use super::*;

/// Applies an acquirer outcome to a payment in `processing`: status, charge, next action,
/// error, and the events to emit. Returns the new charge (if the attempt ended) and a decline.
pub(super) fn apply_outcome(
    deps: &Deps<'_>,
    row: &mut PaymentRow,
    from: PaymentStatus,
    outcome: AuthOutcome,
    method: &PaymentMethodRow,
    channel: Channel,
    kinds: &mut Vec<&'static str>,
) -> Result<(Option<ChargeRow>, Option<Decline>)> {
    let manual = row.capture_method == "manual";
    let (command, decline) = match &outcome {
        AuthOutcome::Authorized { processor_ref } => {
            if processor_ref.is_some() {
                row.processor_ref = processor_ref.clone();
            }
            (
                Command::Authorized {
                    manual_capture: manual,
                },
                None,
            )
        }
        AuthOutcome::ChallengeRequired { processor_ref, .. } => {
            row.processor_ref = processor_ref.clone();
            (Command::ActionRequired, None)
        }
        AuthOutcome::Declined(d) => (
            Command::Declined {
                retryable: channel.retryable(),
            },
            Some(*d),
        ),
        // `record_outcome` leaves the payment `processing` instead.
        AuthOutcome::Unavailable => return Err(PaymentError::Conflict),
    };
    let next = transition(from, command)?;
    row.status = next;
    row.next_action = None;
    let now_micros = deps.clock.now_micros();
    let mut charge = ChargeRow {
        // The attempt's id, chosen before the acquirer was asked (its idempotency key).
        id: row
            .attempt
            .clone()
            .unwrap_or_else(|| new_id(IdKind::Charge)),
        account_id: row.account_id.clone(),
        mode: row.mode,
        payment_id: row.id.clone(),
        amount: row.amount,
        amount_captured: 0,
        currency: row.currency,
        status: String::new(),
        payment_method: method.id.clone(),
        card_brand: method.card_brand.clone(),
        card_last4: method.card_last4.clone(),
        card_exp_month: method.card_exp_month,
        card_exp_year: method.card_exp_year,
        card_funding: method.card_funding.clone(),
        card_country: method.card_country.clone(),
        acquirer: row.acquirer.clone(),
        failure_code: None,
        failure_message: None,
        fee: 0,
        created: now_micros.div_euclid(1_000_000),
        sort_key: now_micros,
        processor_id: row.processor_ref.clone(),
    };
    match next {
        PaymentStatus::Succeeded => {
            row.amount_received = row.amount;
            row.amount_capturable = 0;
            row.last_payment_error = None;
            charge.status = "succeeded".into();
            charge.amount_captured = row.amount;
            charge.fee = deps.fees.fee(row.amount);
            kinds.extend(["payment.succeeded", "payment.completed"]);
        }
        PaymentStatus::RequiresCapture => {
            row.amount_capturable = row.amount;
            row.last_payment_error = None;
            charge.status = "authorized".into();
        }
        PaymentStatus::RequiresAction => {
            // The processor's challenge page, or the sandbox's simulated issuer.
            let url = match &outcome {
                AuthOutcome::ChallengeRequired { url: Some(url), .. } => url.clone(),
                _ => format!("{}/sandbox/3ds/{}", deps.public_url, row.id),
            };
            let back = channel.challenge_return(deps.public_url, row);
            row.next_action = Some(
                json!({"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": back}})
                    .to_string(),
            );
            kinds.push("payment.requires_action");
            return Ok((None, None));
        }
        PaymentStatus::Failed | PaymentStatus::RequiresPaymentMethod => {
            let d = decline.expect("declined outcome");
            charge.status = "failed".into();
            charge.failure_code = Some(d.decline_code.to_string());
            charge.failure_message = Some(d.message.to_string());
            row.last_payment_error = Some(
                json!({"type": "card_error", "code": d.code, "decline_code": d.decline_code, "message": d.message,
                       "charge": charge.id, "payment_method": method.id})
                .to_string(),
            );
            if next == PaymentStatus::Failed {
                kinds.push("payment.failed");
            }
        }
        other => unreachable!("an acquirer outcome never leads to {other}"),
    }
    row.latest_charge = Some(charge.id.clone());
    Ok((Some(charge), decline))
}

/// Records an acquirer's answer to a payment in `processing` (a confirm's step 2, or the
/// reconciler's lookup): status, charge and events in one transaction, handed back
/// uncommitted.
pub(super) async fn record_outcome(
    deps: &Deps<'_>,
    mut row: PaymentRow,
    outcome: AuthOutcome,
    method: &PaymentMethodRow,
    channel: Channel,
) -> Result<Staged> {
    let processing = PaymentStatus::Processing;
    // No answer: the payment stays `processing` (its call deadline running) and the
    // reconciler looks the attempt up by its reference once the deadline passes.
    if outcome == AuthOutcome::Unavailable {
        return Ok(Staged {
            tx: deps.store.begin().await?,
            payment: row,
            decline: None,
        });
    }
    let mut kinds = Vec::new();
    let (charge, decline) = apply_outcome(
        deps, &mut row, processing, outcome, method, channel, &mut kinds,
    )?;
    // Read before the transaction: nothing in it waits on a read while it holds the writer.
    let endpoints = crate::server::store::webhook_endpoints::enabled(
        deps.store,
        &row.account_id,
        row.mode.as_str(),
    )
    .await?;
    let mut tx = deps.store.begin().await?;
    save(deps, &mut tx, &row, processing).await?;
    if let Some(charge) = &charge {
        tx.defer(row::insert(charge));
    }
    emit_to(deps, &mut tx, &row, &kinds, Some(&endpoints)).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline,
    })
}
