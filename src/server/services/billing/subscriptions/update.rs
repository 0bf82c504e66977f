//! Changing a subscription: its items (with prorations under the behaviour asked for),
//! cancellation at the period end, its card, description and metadata.

use super::*;
use crate::server::services::billing::{catalog, engine};

/// Changes a subscription. Item changes bill the rest of the period as `proration_behavior`
/// says: pending lines for the next invoice, an invoice charged now, or nothing.
pub async fn update(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    input: SubscriptionUpdate,
) -> Result<Changed> {
    let stale = find(deps.store.reader(), scope, id).await?;
    if stale.status.is_final() {
        return Err(state(
            "subscription_unexpected_state",
            format!(
                "The subscription is {}: it can no longer change.",
                stale.status
            ),
        ));
    }
    let behavior = match input.proration_behavior.as_deref() {
        None => ProrationBehavior::CreateProrations,
        Some(b) => ProrationBehavior::parse(b).ok_or_else(|| {
            invalid(
                "proration_behavior",
                format!(
                    "proration_behavior must be {}, not {b}.",
                    ProrationBehavior::names()
                ),
            )
        })?,
    };
    let now = time_on(
        deps.store.reader(),
        scope,
        stale.test_clock.as_deref(),
        deps.clock,
    )
    .await?;
    let sort_key = deps.clock.now_micros();
    let mut sub = stale.clone();
    if let Some(cancel) = input.cancel_at_period_end {
        sub.cancel_at_period_end = i64::from(cancel);
        if !cancel {
            sub.canceled_at = None;
        } else {
            sub.canceled_at = Some(now);
        }
    }
    if let Some(pm) = input.default_payment_method.as_deref() {
        sub.default_payment_method = if pm.is_empty() {
            None
        } else {
            Some(check_method(deps, scope, &sub.customer, pm).await?)
        };
    }
    if input.description.is_some() {
        sub.description =
            crate::domain::customer::check_text("description", input.description.clone(), 500)?;
    }
    if let Some(update) = input.metadata.clone() {
        sub.metadata = crate::domain::metadata::merged(&sub.metadata, update)?;
    }
    let mut tx = deps.store.begin().await?;
    let current = subscriptions::items_of(tx.conn().await?, &sub.id).await?;
    let current = priced(tx.conn().await?, current).await?;
    let mut prorations: Vec<LineRow> = Vec::new();
    let mut invoice_parts = None;
    if let Some(changes) = &input.items {
        let mut after: Vec<Priced> = current.clone();
        let like = current.first().map(|p| p.price.clone());
        let period = (sub.current_period_start, sub.current_period_end);
        let prorate =
            sub.status != SubscriptionStatus::Trialing && behavior != ProrationBehavior::None;
        for (i, change) in changes.iter().enumerate() {
            let p = format!("items[{i}]");
            let existing = match &change.id {
                Some(item_id) => Some(
                    after
                        .iter()
                        .position(|x| &x.item.id == item_id)
                        .ok_or_else(|| {
                            crate::server::services::billing::missing(
                                &format!("{p}[id]"),
                                "item of this subscription",
                                item_id,
                            )
                        })?,
                ),
                None => None,
            };
            let new_price = match &change.price {
                Some(price_id) => {
                    let price = catalog::find_price(
                        tx.conn().await?,
                        scope,
                        price_id,
                        Some(&format!("{p}[price]")),
                    )
                    .await?;
                    check_price(&price, like.as_ref())?;
                    Some(price)
                }
                None => None,
            };
            let old = existing.map(|at| after[at].clone());
            let deleted = change.deleted.unwrap_or(false);
            if deleted && existing.is_none() {
                return Err(invalid(
                    &format!("{p}[deleted]"),
                    "deleted goes with the id of the item to remove.",
                ));
            }
            if existing.is_none() && new_price.is_none() {
                return Err(invalid(
                    &format!("{p}[price]"),
                    format!("Missing required param: {p}[price]."),
                ));
            }
            let next = if deleted {
                None
            } else {
                let price = new_price
                    .clone()
                    .or_else(|| old.as_ref().map(|o| o.price.clone()))
                    .expect("one of them");
                let quantity = match (change.quantity, &old) {
                    (None, Some(o))
                        if o.price.usage_type == price.usage_type
                            && price.usage_type == UsageType::Licensed =>
                    {
                        o.item.quantity
                    }
                    (q, _) => check_quantity(&format!("{p}[quantity]"), q, &price)?,
                };
                let product_name = match (&old, &new_price) {
                    (Some(o), None) => o.product_name.clone(),
                    _ => catalog::find_product(tx.conn().await?, scope, &price.product, None)
                        .await
                        .map(|x| x.name)
                        .unwrap_or_else(|_| price.product.clone()),
                };
                let item = match &old {
                    Some(o) => SubscriptionItemRow {
                        price: price.id.clone(),
                        quantity,
                        ..o.item.clone()
                    },
                    None => SubscriptionItemRow {
                        id: new_id(IdKind::SubscriptionItem),
                        account_id: scope.account_id.clone(),
                        mode: scope.mode,
                        subscription: sub.id.clone(),
                        price: price.id.clone(),
                        quantity,
                        created: now,
                        sort_key: sort_key + i as i64,
                    },
                };
                if after
                    .iter()
                    .enumerate()
                    .any(|(j, x)| x.price.id == price.id && Some(j) != existing)
                {
                    // What the subscription holds refuses these, not the request's shape (409).
                    return Err(crate::server::services::billing::state(
                        "subscription_item_exists",
                        format!(
                            "The price {} is already an item: change its quantity instead.",
                            price.id
                        ),
                    ));
                }
                Some(Priced {
                    item,
                    price,
                    product_name,
                })
            };
            if prorate {
                let total_of = |x: &Priced| {
                    (x.price.usage_type == UsageType::Licensed)
                        .then(|| x.price.unit_amount.saturating_mul(x.item.quantity))
                };
                let (credit, charge) = proration(
                    old.as_ref().and_then(total_of),
                    next.as_ref().and_then(total_of),
                    now,
                    period.0,
                    period.1,
                );
                let when = crate::server::clock::format_date(now);
                let span = (now.min(period.1), period.1);
                if let (Some(amount), Some(o)) = (credit, &old)
                    && amount != 0
                {
                    prorations.push(line(
                        &sub,
                        None,
                        Some(o),
                        LineKind::Proration,
                        format!(
                            "Unused time on {} × {} after {when}",
                            o.item.quantity, o.product_name
                        ),
                        o.item.quantity,
                        amount,
                        span,
                        now,
                        sort_key + 2 * i as i64,
                    ));
                }
                if let (Some(amount), Some(n)) = (charge, &next)
                    && amount != 0
                {
                    prorations.push(line(
                        &sub,
                        None,
                        Some(n),
                        LineKind::Proration,
                        format!(
                            "Remaining time on {} × {} after {when}",
                            n.item.quantity, n.product_name
                        ),
                        n.item.quantity,
                        amount,
                        span,
                        now,
                        sort_key + 2 * i as i64 + 1,
                    ));
                }
            }
            match (existing, next) {
                (Some(at), Some(n)) => after[at] = n,
                (Some(at), None) => {
                    after.remove(at);
                }
                (None, Some(n)) => after.push(n),
                (None, None) => {}
            }
        }
        if after.is_empty() {
            return Err(crate::server::services::billing::state(
                "subscription_items_empty",
                "A subscription keeps at least one item: cancel it instead.",
            ));
        }
        if after.len() > MAX_ITEMS {
            return Err(crate::server::services::billing::state(
                "subscription_items_too_many",
                format!("A subscription has 1 to {MAX_ITEMS} items."),
            ));
        }
        subscriptions::delete_items(&mut tx, &sub.id).await?;
        let rows: Vec<SubscriptionItemRow> = after.iter().map(|p| p.item.clone()).collect();
        if let Some(insert) = row::insert_many(&rows) {
            tx.defer(insert);
        }
        if behavior == ProrationBehavior::AlwaysInvoice && !prorations.is_empty() {
            let mut invoice = new_invoice(
                &sub,
                BillingReason::SubscriptionUpdate,
                (now, sub.current_period_end),
                now,
                sort_key,
            );
            invoices::claim_pending_lines(&mut tx, &sub.id, &invoice.id).await?;
            let mut lines = invoices::lines_of(tx.conn().await?, &invoice.id).await?;
            for l in &mut prorations {
                l.invoice = Some(invoice.id.clone());
            }
            lines.extend(prorations.iter().cloned());
            let before = lines.len();
            invoicing::total(&mut invoice, &mut lines, &sub, now, sort_key);
            prorations.extend(lines[before..].iter().cloned());
            invoice.status = InvoiceStatus::Open;
            invoice.finalized_at = Some(now);
            sub.latest_invoice = Some(invoice.id.clone());
            invoice_parts = Some((invoice, lines));
        }
    }
    if let Some(insert) = row::insert_many(&prorations) {
        tx.defer(insert);
    }
    let mut attempt = None;
    // The update itself; an invoice charged with no card to charge may end the subscription.
    let mut sub_kinds = vec!["subscription.updated"];
    if let Some((mut invoice, lines)) = invoice_parts {
        let settings = settings(tx.conn().await?, &scope.account_id).await?;
        let (payment, ik, sk) =
            engine::charge_open(deps, &mut tx, &mut invoice, &mut sub, &settings, now).await?;
        attempt = payment;
        let mut kinds = vec!["invoice.created", "invoice.finalized"];
        kinds.extend(ik);
        tx.defer(row::insert(&invoice));
        let view = crate::server::views::InvoiceView::new(&invoice, &lines, deps.public_url);
        emit(&mut tx, deps.clock, scope, &view, &kinds).await?;
        if sk.contains(&"subscription.deleted") {
            sub_kinds = sk;
        }
    }
    if !subscriptions::save_if(&mut tx, &sub, stale.status, stale.current_period_end).await? {
        return Err(state(
            "subscription_unexpected_state",
            "The subscription was changed by another request at the same time; retrieve it and try again.",
        ));
    }
    let view = subscription_view(tx.conn().await?, &sub).await?;
    emit(&mut tx, deps.clock, scope, &view, &sub_kinds).await?;
    Ok(Changed {
        subscription: sub,
        tx,
        attempt,
    })
}
