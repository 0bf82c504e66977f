//! Subscriptions: create (with the first invoice, charged at once), update (items with
//! prorations, cancel at period end, the card), cancel now, and the preview of the next
//! invoice.

use super::invoicing::{
    self, Priced, licensed_lines, line, new_invoice, priced, recurrence, usage_lines,
};
use super::settle::{apply_outcome, cancel_now};
use super::{
    BillingError, Result, emit, invalid, invoice_view, missing, settings, state, subscription_view,
    time_on,
};
use crate::domain::billing::{
    BillingReason, InvoiceStatus, LineKind, MAX_TRIAL_DAYS, PaymentBehavior, ProrationBehavior,
    SubscriptionStatus, UsageType, proration,
};
use crate::domain::ids::IdKind;
use crate::domain::lenient;
use crate::domain::metadata::Metadata;
use crate::domain::payment::PaymentStatus;
use crate::server::acquirer::Decline;
use crate::server::crypto::new_id;
use crate::server::services::payments::{self, Defaults, Deps, NewPayment};
use crate::server::services::{Scope, ServiceError, customers};
use crate::server::store::invoices::{self, InvoiceRow, LineRow};
use crate::server::store::payment_methods::PaymentMethodRow;
use crate::server::store::payments::PaymentRow;
use crate::server::store::products::PriceRow;
use crate::server::store::subscriptions::{self, SubscriptionItemRow, SubscriptionRow};
use crate::server::store::{Tx, row};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/subscriptions`. The guides' `customerId` and `priceId` (one price)
/// are accepted beside `items`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SubscriptionParams)]
pub struct NewSubscription {
    #[serde(alias = "customer_id")]
    pub customer: Option<String>,
    /// One price, for a subscription of one item.
    #[serde(alias = "price_id")]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub quantity: Option<i64>,
    pub items: Option<Vec<ItemParams>>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub trial_period_days: Option<i64>,
    pub default_payment_method: Option<String>,
    /// `allow_incomplete` (default) or `error_if_incomplete`.
    pub payment_behavior: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub cancel_at_period_end: Option<bool>,
    pub description: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// An item of a subscription as sent: a new one (`price`), or a change to one (`id`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemParams {
    /// `si_…`: the item to change (updates only).
    pub id: Option<String>,
    #[serde(alias = "price_id")]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub quantity: Option<i64>,
    /// Updates only: removes the item.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub deleted: Option<bool>,
}

/// The body of `POST /v1/subscriptions/{id}`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SubscriptionUpdateParams)]
pub struct SubscriptionUpdate {
    pub items: Option<Vec<ItemParams>>,
    /// `create_prorations` (default), `always_invoice` or `none`.
    pub proration_behavior: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub cancel_at_period_end: Option<bool>,
    pub default_payment_method: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// What a create or update answers: the subscription, and the payment of an invoice it
/// charged at once, if any.
pub struct Changed {
    pub subscription: SubscriptionRow,
    pub tx: Tx,
    /// A payment still to be asked of the acquirer once `tx` has committed.
    pub attempt: Option<PaymentRow>,
}

const MAX_ITEMS: usize = 20;

fn check_quantity(param: &str, quantity: Option<i64>, price: &PriceRow) -> Result<i64> {
    match (price.usage_type, quantity) {
        (UsageType::Metered, Some(_)) => Err(invalid(
            param,
            "A metered price is billed for the usage reported: it takes no quantity.",
        )),
        (UsageType::Metered, None) => Ok(0),
        (UsageType::Licensed, None) => Ok(1),
        (UsageType::Licensed, Some(q)) if (1..=1_000_000).contains(&q) => Ok(q),
        (UsageType::Licensed, Some(_)) => {
            Err(invalid(param, "quantity must be between 1 and 1000000."))
        }
    }
}

/// Checks that `price` can join a subscription billed in `currency` every `like`.
fn check_price(param: &str, price: &PriceRow, like: Option<&PriceRow>) -> Result<()> {
    if price.active == 0 {
        return Err(invalid(
            param,
            format!("The price {} is not active.", price.id),
        ));
    }
    let Some(interval) = price.recurring_interval else {
        return Err(invalid(
            param,
            format!(
                "The price {} is one-off: a subscription needs a recurring price.",
                price.id
            ),
        ));
    };
    if let Some(like) = like {
        if like.currency != price.currency {
            return Err(invalid(
                param,
                format!(
                    "Every item of a subscription is billed in one currency: {} is in {}, not {}.",
                    price.id,
                    price.currency.code(),
                    like.currency.code()
                ),
            ));
        }
        if like.recurring_interval != Some(interval)
            || like.recurring_count != price.recurring_count
        {
            return Err(invalid(
                param,
                format!(
                    "Every item of a subscription recurs alike: {} does not recur like {}.",
                    price.id, like.id
                ),
            ));
        }
    }
    Ok(())
}

fn metadata_json(map: Option<BTreeMap<String, String>>) -> Result<String> {
    let metadata = Metadata::parse(map.unwrap_or_default())?;
    Ok(serde_json::to_string(metadata.as_map()).expect("strings serialise"))
}

/// A saved card of the customer, as a subscription's default.
async fn check_method(deps: &Deps<'_>, scope: &Scope, customer: &str, id: &str) -> Result<String> {
    let found = row::find::<PaymentMethodRow>(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        id,
    )
    .await?;
    match found {
        Some(pm) if pm.customer_id.as_deref() == Some(customer) => Ok(pm.id),
        Some(_) => Err(invalid(
            "default_payment_method",
            format!("{id} is not attached to the customer {customer}."),
        )),
        None => Err(missing("default_payment_method", "payment method", id)),
    }
}

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
            super::catalog::find_price(deps.store.reader(), scope, &price_id, Some(&param)).await?;
        check_price(&param, &price, chosen.first().map(|c| &c.0))?;
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
    let metadata = metadata_json(input.metadata.clone())?;
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
    let mut tx = if invoice.amount_due == 0 {
        super::settle::mark_paid(&mut invoice, now);
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
    emit(&mut tx, deps.clock, scope, &sub_view, &sub_kinds[..1]).await?;
    emit(&mut tx, deps.clock, scope, &view, &invoice_kinds).await?;
    if sub.status != SubscriptionStatus::Incomplete && sub.status != SubscriptionStatus::Trialing {
        emit(
            &mut tx,
            deps.clock,
            scope,
            &sub_view,
            &["subscription.updated"],
        )
        .await?;
    }
    Ok(Changed {
        subscription: sub,
        tx,
        attempt: None,
    })
}

/// A subscription of the scope, or 404.
pub async fn find<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
) -> Result<SubscriptionRow> {
    row::find::<SubscriptionRow>(ex, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound {
                object: "subscription",
                id: id.to_string(),
            }
            .into()
        })
}

/// Cancels now: the subscription ends, its drafts are voided and retries stop (an open
/// invoice may still be paid on its page).
pub async fn cancel(deps: &Deps<'_>, scope: &Scope, id: &str) -> Result<(Tx, SubscriptionRow)> {
    let stale = find(deps.store.reader(), scope, id).await?;
    if stale.status.is_final() {
        return Err(state(
            "subscription_unexpected_state",
            format!("The subscription is already {}.", stale.status),
        ));
    }
    let now = time_on(
        deps.store.reader(),
        scope,
        stale.test_clock.as_deref(),
        deps.clock,
    )
    .await?;
    let mut sub = stale.clone();
    cancel_now(&mut sub, now);
    let mut tx = deps.store.begin().await?;
    if !subscriptions::save_if(&mut tx, &sub, stale.status, stale.current_period_end).await? {
        return Err(state(
            "subscription_unexpected_state",
            "The subscription was changed by another request at the same time; retrieve it and try again.",
        ));
    }
    for mut invoice in invoices::of_subscription(tx.conn().await?, &sub.id).await? {
        let kinds: &[&str] = match invoice.status {
            InvoiceStatus::Draft => {
                invoice.status = InvoiceStatus::Void;
                invoice.voided_at = Some(now);
                invoice.amount_remaining = 0;
                &["invoice.voided"]
            }
            InvoiceStatus::Open if invoice.dunning_at.is_some() => {
                invoice.dunning_at = None;
                invoice.next_payment_attempt = None;
                &[]
            }
            _ => continue,
        };
        row::update(&mut tx, &invoice).await?;
        let view = invoice_view(tx.conn().await?, &invoice, deps.public_url).await?;
        emit(&mut tx, deps.clock, scope, &view, kinds).await?;
    }
    let view = subscription_view(tx.conn().await?, &sub).await?;
    emit(&mut tx, deps.clock, scope, &view, &["subscription.deleted"]).await?;
    Ok((tx, sub))
}

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
        let current: BTreeMap<String, String> =
            serde_json::from_str(&sub.metadata).unwrap_or_default();
        let merged = Metadata::parse(current).and_then(|m| m.merge(update))?;
        sub.metadata = serde_json::to_string(merged.as_map()).expect("strings serialise");
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
                            invalid(
                                &format!("{p}[id]"),
                                format!("{item_id} is not an item of this subscription."),
                            )
                        })?,
                ),
                None => None,
            };
            let new_price = match &change.price {
                Some(price_id) => {
                    let price = super::catalog::find_price(
                        tx.conn().await?,
                        scope,
                        price_id,
                        Some(&format!("{p}[price]")),
                    )
                    .await?;
                    check_price(&format!("{p}[price]"), &price, like.as_ref())?;
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
                    _ => {
                        super::catalog::find_product(tx.conn().await?, scope, &price.product, None)
                            .await
                            .map(|x| x.name)
                            .unwrap_or_else(|_| price.product.clone())
                    }
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
                    return Err(invalid(
                        &format!("{p}[price]"),
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
            return Err(invalid(
                "items",
                "A subscription keeps at least one item: cancel it instead.",
            ));
        }
        if after.len() > MAX_ITEMS {
            return Err(invalid(
                "items",
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
    if let Some((mut invoice, lines)) = invoice_parts {
        let settings = settings(tx.conn().await?, &scope.account_id).await?;
        let (payment, ik, sk) =
            super::engine::charge_open(deps, &mut tx, &mut invoice, &mut sub, &settings, now)
                .await?;
        attempt = payment;
        let mut kinds = vec!["invoice.created", "invoice.finalized"];
        kinds.extend(ik);
        tx.defer(row::insert(&invoice));
        let view = crate::server::views::InvoiceView::new(&invoice, &lines, deps.public_url);
        emit(&mut tx, deps.clock, scope, &view, &kinds).await?;
        let _ = sk;
    }
    if !subscriptions::save_if(&mut tx, &sub, stale.status, stale.current_period_end).await? {
        return Err(state(
            "subscription_unexpected_state",
            "The subscription was changed by another request at the same time; retrieve it and try again.",
        ));
    }
    let view = subscription_view(tx.conn().await?, &sub).await?;
    emit(&mut tx, deps.clock, scope, &view, &["subscription.updated"]).await?;
    Ok(Changed {
        subscription: sub,
        tx,
        attempt,
    })
}

/// The invoice a subscription's next renewal would make, as of `now`: the next period's
/// licensed items, the usage reported so far in this one, and the pending prorations. Not
/// written anywhere (its id is empty).
pub async fn upcoming(
    ex: &mut sqlx::AnyConnection,
    sub: &SubscriptionRow,
    now: i64,
) -> Result<(InvoiceRow, Vec<LineRow>)> {
    if !sub.status.renews() || sub.cancel_at_period_end != 0 {
        return Err(state(
            "invoice_upcoming_none",
            format!(
                "The subscription {} will not renew: there is no upcoming invoice.",
                sub.id
            ),
        ));
    }
    let at = sub.current_period_end;
    let next = (at, recurrence(sub).period_end(sub.billing_cycle_anchor, at));
    let mut invoice = new_invoice(sub, BillingReason::SubscriptionCycle, next, now, 0);
    invoice.id = String::new();
    let items = subscriptions::items_of(&mut *ex, &sub.id).await?;
    let items = priced(&mut *ex, items).await?;
    let mut lines = invoices::pending_lines(&mut *ex, &sub.id).await?;
    lines.extend(licensed_lines(sub, "", &items, next, false, now, 0));
    if sub.trial_end != Some(at) {
        lines.extend(
            usage_lines(
                &mut *ex,
                sub,
                "",
                &items,
                (sub.current_period_start, at),
                now,
                0,
            )
            .await?,
        );
    }
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    invoice.subtotal = subtotal;
    invoice.total = subtotal;
    invoice.amount_due = subtotal.max(0);
    invoice.amount_remaining = invoice.amount_due;
    Ok((invoice, lines))
}
