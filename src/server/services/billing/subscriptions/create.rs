//! Creating a subscription: its items, trial and first period, and its first invoice,
//! charged at once (or, with `error_if_incomplete`, nothing at all when that fails).

use super::*;
use crate::server::services::billing::{catalog, charging, settle};

pub async fn create(
    deps: &Deps<'_>,
    scope: &Scope,
    defaults: Defaults<'_>,
    input: NewSubscription,
) -> Result<Changed> {
    let customer_id = input
        .customer
        .clone()
        .ok_or_else(|| invalid("customer", "Missing required param: customer."))?;
    let customer = customers::find(deps.store.reader(), scope, &customer_id)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound { .. } => missing("customer", "customer", &customer_id),
            other => other.into(),
        })?;
    let behavior = match input.payment_behavior.as_deref() {
        None => PaymentBehavior::AllowIncomplete,
        Some(b) => PaymentBehavior::parse(b).ok_or_else(|| {
            invalid(
                "payment_behavior",
                format!(
                    "payment_behavior must be {}, not {b}.",
                    PaymentBehavior::names()
                ),
            )
        })?,
    };
    let wanted: Vec<ItemParams> = match (&input.price, input.items.clone()) {
        (Some(_), Some(_)) => return Err(invalid("items", "Send price or items, not both.")),
        (Some(price), None) => vec![ItemParams {
            price: Some(price.clone()),
            quantity: input.quantity,
            ..Default::default()
        }],
        (None, Some(_)) if input.quantity.is_some() => {
            return Err(invalid(
                "quantity",
                "quantity goes with price; with items, each item has its own.",
            ));
        }
        (None, Some(items)) => items,
        (None, None) => {
            return Err(invalid(
                "items",
                "Missing required param: items (or price).",
            ));
        }
    };
    if wanted.is_empty() || wanted.len() > MAX_ITEMS {
        return Err(invalid(
            "items",
            format!("A subscription has 1 to {MAX_ITEMS} items."),
        ));
    }
    let mut chosen: Vec<(PriceRow, i64)> = Vec::new();
    for (i, item) in wanted.iter().enumerate() {
        let param = format!("items[{i}][price]");
        if item.id.is_some() || item.deleted.is_some() {
            return Err(invalid(
                &format!("items[{i}]"),
                "A new subscription's items name a price only.",
            ));
        }
        let price_id = item
            .price
            .clone()
            .ok_or_else(|| invalid(&param, format!("Missing required param: {param}.")))?;
        let price =
            catalog::find_price(deps.store.reader(), scope, &price_id, Some(&param)).await?;
        check_price(&price, chosen.first().map(|c| &c.0))?;
        if chosen.iter().any(|(p, _)| p.id == price.id) {
            return Err(invalid(
                &param,
                format!(
                    "The price {} is already an item: change its quantity instead.",
                    price.id
                ),
            ));
        }
        let quantity = check_quantity(&format!("items[{i}][quantity]"), item.quantity, &price)?;
        chosen.push((price, quantity));
    }
    let trial_days = input.trial_period_days.unwrap_or(0);
    if !(0..=MAX_TRIAL_DAYS).contains(&trial_days) {
        return Err(invalid(
            "trial_period_days",
            format!("trial_period_days must be between 0 and {MAX_TRIAL_DAYS}."),
        ));
    }
    let method = match input.default_payment_method.as_deref() {
        Some(pm) => Some(check_method(deps, scope, &customer_id, pm).await?),
        None => None,
    };
    let description =
        crate::domain::customer::check_text("description", input.description.clone(), 500)?;
    let metadata = crate::domain::metadata::stored(input.metadata.clone())?;
    let now = time_on(
        deps.store.reader(),
        scope,
        customer.test_clock.as_deref(),
        deps.clock,
    )
    .await?;
    let sort_key = deps.clock.now_micros();
    let first = &chosen[0].0;
    let interval = first.recurring_interval.expect("checked recurring");
    let trial_end = (trial_days > 0).then(|| now + trial_days * 86_400);
    let anchor = trial_end.unwrap_or(now);
    let mut sub = SubscriptionRow {
        id: new_id(IdKind::Subscription),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        customer: customer_id.clone(),
        test_clock: customer.test_clock.clone(),
        status: if trial_end.is_some() {
            SubscriptionStatus::Trialing
        } else {
            SubscriptionStatus::Incomplete
        },
        currency: first.currency,
        recurring_interval: interval,
        recurring_count: first.recurring_count,
        default_payment_method: method.clone(),
        billing_cycle_anchor: anchor,
        current_period_start: now,
        current_period_end: 0,
        trial_start: trial_end.map(|_| now),
        trial_end,
        cancel_at_period_end: i64::from(input.cancel_at_period_end.unwrap_or(false)),
        canceled_at: None,
        ended_at: None,
        latest_invoice: None,
        notice_sent_for: 0,
        description,
        metadata,
        created: now,
        sort_key,
    };
    sub.current_period_end = trial_end.unwrap_or_else(|| recurrence(&sub).period_end(anchor, now));
    let items: Vec<SubscriptionItemRow> = chosen
        .iter()
        .zip(0..)
        .map(|((price, quantity), i)| SubscriptionItemRow {
            id: new_id(IdKind::SubscriptionItem),
            account_id: scope.account_id.clone(),
            mode: scope.mode,
            subscription: sub.id.clone(),
            price: price.id.clone(),
            quantity: *quantity,
            created: now,
            sort_key: sort_key + i,
        })
        .collect();
    let priced_items: Vec<Priced> = {
        let mut conn = deps.store.reader().acquire().await?;
        priced(&mut conn, items.clone()).await?
    };
    let period = (sub.current_period_start, sub.current_period_end);
    let mut invoice = new_invoice(
        &sub,
        BillingReason::SubscriptionCreate,
        period,
        now,
        sort_key,
    );
    let mut lines = licensed_lines(
        &sub,
        &invoice.id,
        &priced_items,
        period,
        trial_end.is_some(),
        now,
        sort_key,
    );
    invoicing::total(&mut invoice, &mut lines, &sub, now, sort_key);
    invoice.status = InvoiceStatus::Open;
    invoice.finalized_at = Some(now);
    sub.latest_invoice = Some(invoice.id.clone());
    let settings = settings(deps.store.reader(), &scope.account_id).await?;

    // The first charge, made before anything is written: with `error_if_incomplete` a
    // payment that does not succeed leaves nothing behind.
    let charge_to = match &method {
        Some(pm) => Some(pm.clone()),
        None => customer.default_payment_method.clone(),
    };
    let mut invoice_kinds = vec!["invoice.created", "invoice.finalized"];
    let mut sub_kinds = vec!["subscription.created"];
    // Through a processor the charge moves real money: it is asked only after the
    // subscription, its invoice and the attempt are written (a lost answer is then looked up,
    // never charged again), so error_if_incomplete's "nothing written" cannot be kept there.
    let remote = invoice.amount_due > 0
        && charge_to.is_some()
        && payments::acquirer_for(deps, scope, defaults.acquirer)
            .await?
            .is_some_and(|a| a.remote());
    let mut attempt = None;
    let mut tx = if remote {
        if behavior == PaymentBehavior::ErrorIfIncomplete {
            return Err(invalid(
                "payment_behavior",
                "error_if_incomplete needs the first payment's answer before anything is written, and a processor is asked only after: use allow_incomplete (the subscription stays incomplete until its first invoice is paid).",
            ));
        }
        let mut tx = deps.store.begin().await?;
        attempt = charging::start_attempt(deps, &mut tx, &mut invoice, charge_to, now).await?;
        tx
    } else if invoice.amount_due == 0 {
        settle::mark_paid(&mut invoice, now);
        invoice_kinds.push("invoice.paid");
        if sub.status == SubscriptionStatus::Incomplete {
            sub.status = SubscriptionStatus::Active;
        }
        deps.store.begin().await?
    } else if let Some(pm) = charge_to {
        let staged = payments::create(
            deps,
            scope,
            defaults,
            NewPayment {
                amount: Some(invoice.amount_due),
                currency: Some(invoice.currency.code().to_string()),
                payment_method: Some(pm),
                confirm: Some(true),
                customer: Some(customer_id.clone()),
                description: Some(format!("Invoice {}", invoice.id)),
                return_url: Some(crate::server::views::billing::hosted_invoice_url(
                    deps.public_url,
                    &invoice.id,
                )),
                invoice: Some(invoice.id.clone()),
                ..Default::default()
            },
        )
        .await?;
        let paid = staged.payment.status == PaymentStatus::Succeeded;
        if behavior == PaymentBehavior::ErrorIfIncomplete && !paid {
            let decline = staged.decline.unwrap_or(Decline {
                code: "authentication_required",
                decline_code: "authentication_required",
                message: "The card needs the customer to complete 3D Secure: with error_if_incomplete, nothing was created.",
            });
            staged.tx.rollback().await?;
            return Err(BillingError::Declined {
                decline,
                payment: Box::new(staged.payment),
            });
        }
        invoice.attempt_count = 1;
        invoice.payment = Some(staged.payment.id.clone());
        let mut staged = staged;
        if sub.test_clock.is_some() {
            // Like the invoice it pays, the payment lives at the clock's time.
            staged.payment.created = now;
            staged.tx.defer(crate::server::store::payments::set_created(
                &staged.payment.id,
                now,
            ));
        }
        let hard = staged
            .decline
            .is_some_and(|d| crate::domain::billing::is_hard_decline(d.code));
        if let Some((ik, sk)) = apply_outcome(
            &mut invoice,
            Some(&mut sub),
            staged.payment.status,
            hard,
            &settings,
            now,
        ) {
            invoice_kinds.extend(ik);
            sub_kinds.extend(sk);
        }
        staged.tx
    } else if behavior == PaymentBehavior::ErrorIfIncomplete {
        return Err(invalid(
            "default_payment_method",
            "The customer has no default payment method to charge: attach one, or send default_payment_method.",
        ));
    } else {
        deps.store.begin().await?
    };
    tx.defer(row::insert(&sub));
    if let Some(insert) = row::insert_many(&items) {
        tx.defer(insert);
    }
    tx.defer(row::insert(&invoice));
    if let Some(insert) = row::insert_many(&lines) {
        tx.defer(insert);
    }
    let view = crate::server::views::InvoiceView::new(&invoice, &lines, deps.public_url);
    let sub_view = crate::server::views::SubscriptionView::new(
        &sub,
        &items,
        &chosen.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
    );
    // The subscription's events carry it as its first invoice left it (`active` when paid).
    emit(&mut tx, deps.clock, scope, &sub_view, &sub_kinds).await?;
    emit(&mut tx, deps.clock, scope, &view, &invoice_kinds).await?;
    Ok(Changed {
        subscription: sub,
        tx,
        attempt,
    })
}
