//! The steps themselves. Each reads what it needs first, then writes in one transaction
//! whose compare-and-set on the state it read decides whether its work is the one that
//! counts: the writer is held for a round trip or two, not one per read.

use super::*;
use crate::server::services::billing;

/// A period's end: cancel at period end, or renew (a trial's end is a renewal too) with a
/// draft invoice that is finalized after the account's draft window. Read first; the
/// transaction only writes, its compare-and-set on the subscription deciding.
pub(super) async fn period_end(
    deps: &Deps<'_>,
    stale: SubscriptionRow,
    now: i64,
) -> Result<Option<PaymentRow>> {
    let scope = scope_of(&stale.account_id, stale.mode);
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let reader = deps.store.reader();
    let Some(mut sub) = row::find::<SubscriptionRow>(reader, account, mode, &stale.id).await?
    else {
        return Ok(None);
    };
    let (status, end) = (stale.status, stale.current_period_end);
    if sub.status != status || sub.current_period_end != end {
        return Ok(None);
    }
    let mut conn = reader.acquire().await?;
    let items = subscriptions::items_of(&mut *conn, &sub.id).await?;
    let items = priced(&mut conn, items).await?;
    let at = sub.current_period_end;
    let mut sub_kinds = vec!["subscription.updated"];
    let mut created = None;
    let mut claimed = Vec::new();
    if sub.cancel_at_period_end != 0 {
        cancel_now(&mut sub, at);
        sub_kinds = vec!["subscription.deleted"];
    } else {
        let settings = settings(&mut *conn, account).await?;
        if sub.status == SubscriptionStatus::Trialing {
            sub.status = SubscriptionStatus::Active;
        }
        let sort_key = deps.clock.now_micros();
        let (mut invoice, all, lines) =
            invoicing::renewal(&mut conn, &sub, &items, now, sort_key).await?;
        claimed = all
            .iter()
            .filter(|l| !lines.iter().any(|n| n.id == l.id))
            .map(|l| l.id.clone())
            .collect();
        invoice.finalize_at = Some(now + settings.draft_secs);
        sub.current_period_start = invoice.period_start;
        sub.current_period_end = invoice.period_end;
        sub.latest_invoice = Some(invoice.id.clone());
        created = Some((invoice, all, lines));
    }
    drop(conn);
    let endpoints = billing::endpoints_of(deps.store, &scope).await?;
    let prices: Vec<_> = items.iter().map(|p| p.price.clone()).collect();
    let item_rows: Vec<_> = items.iter().map(|p| p.item.clone()).collect();
    let mut tx = deps.store.begin().await?;
    if let Some((invoice, _, lines)) = &created {
        tx.defer(row::insert(invoice));
        for l in lines {
            tx.defer(row::insert(l));
        }
        if let Some(claim) = invoices::claiming_lines(&claimed, &invoice.id) {
            tx.defer(claim);
        }
    }
    if !subscriptions::save_if(&mut tx, &sub, status, end).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let endpoints = Some(&endpoints[..]);
    if let Some((invoice, all, _)) = &created {
        let view = crate::server::views::InvoiceView::new(invoice, all, deps.public_url);
        billing::emit_to(
            &mut tx,
            deps.clock,
            &scope,
            &view,
            &["invoice.created"],
            endpoints,
        )
        .await?;
    }
    let view = crate::server::views::SubscriptionView::new(&sub, &item_rows, &prices);
    billing::emit_to(&mut tx, deps.clock, &scope, &view, &sub_kinds, endpoints).await?;
    tx.commit().await?;
    Ok(None)
}

/// The notice before a period's end: `subscription.trial_will_end` before a trial ends,
/// `invoice.upcoming` (with the preview) before a renewal. The preview is read first.
pub(super) async fn notice(deps: &Deps<'_>, stale: SubscriptionRow) -> Result<Option<PaymentRow>> {
    let scope = scope_of(&stale.account_id, stale.mode);
    let mut sub = stale.clone();
    sub.notice_sent_for = sub.current_period_end;
    let trial_ends =
        sub.status == SubscriptionStatus::Trialing && sub.trial_end == Some(sub.current_period_end);
    let mut conn = deps.store.reader().acquire().await?;
    let (view, kind) = if trial_ends {
        let view = subscription_view(&mut conn, &sub).await?;
        (
            crate::server::views::to_json(&view),
            "subscription.trial_will_end",
        )
    } else if sub.cancel_at_period_end == 0 {
        let preview =
            billing::subscriptions::upcoming(&mut conn, &sub, sub.current_period_end - NOTICE_SECS)
                .await?;
        let view = crate::server::views::InvoiceView::new(&preview.0, &preview.1, deps.public_url);
        (crate::server::views::to_json(&view), "invoice.upcoming")
    } else {
        (serde_json::Value::Null, "")
    };
    drop(conn);
    let endpoints = billing::endpoints_of(deps.store, &scope).await?;
    let mut tx = deps.store.begin().await?;
    if !subscriptions::save_if(&mut tx, &sub, stale.status, stale.current_period_end).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    if !kind.is_empty() {
        billing::emit_to(
            &mut tx,
            deps.clock,
            &scope,
            &view,
            &[kind],
            Some(&endpoints),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(None)
}

/// A first invoice left unpaid: the subscription is `incomplete_expired`, the invoice void.
pub(super) async fn expire(
    deps: &Deps<'_>,
    stale: SubscriptionRow,
    now: i64,
) -> Result<Option<PaymentRow>> {
    let scope = scope_of(&stale.account_id, stale.mode);
    let mut sub = stale.clone();
    sub.status = SubscriptionStatus::IncompleteExpired;
    sub.ended_at = Some(now);
    let mut tx = deps.store.begin().await?;
    if !subscriptions::save_if(&mut tx, &sub, stale.status, stale.current_period_end).await? {
        return Ok(None);
    }
    if let Some(id) = &sub.latest_invoice
        && let Some(mut invoice) =
            row::find::<InvoiceRow>(tx.conn().await?, &scope.account_id, scope.mode.as_str(), id)
                .await?
        && invoice.status == InvoiceStatus::Open
    {
        let attempts = invoice.attempt_count;
        invoice.status = InvoiceStatus::Void;
        invoice.voided_at = Some(now);
        invoice.amount_remaining = 0;
        invoice.dunning_at = None;
        invoice.next_payment_attempt = None;
        if invoices::save_if(&mut tx, &invoice, InvoiceStatus::Open, attempts).await? {
            let view = invoice_view(tx.conn().await?, &invoice, deps.public_url).await?;
            emit(&mut tx, deps.clock, &scope, &view, &["invoice.voided"]).await?;
        }
    }
    let view = subscription_view(tx.conn().await?, &sub).await?;
    emit(
        &mut tx,
        deps.clock,
        &scope,
        &view,
        &["subscription.updated"],
    )
    .await?;
    tx.commit().await?;
    Ok(None)
}

/// A renewal draft's window is over: finalize it and start its first attempt. Everything is
/// read before the transaction, which only writes: the compare-and-set on the draft decides
/// whether this instance's finalization is the one (so the writer is held for a round trip
/// or two, not one per read).
pub(super) async fn finalize(
    deps: &Deps<'_>,
    stale: InvoiceRow,
    now: i64,
) -> Result<Option<PaymentRow>> {
    let scope = scope_of(&stale.account_id, stale.mode);
    let Some(sub_id) = stale.subscription.clone() else {
        return Ok(None);
    };
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let store = deps.store;
    let Some(mut sub) = row::find_hot::<SubscriptionRow>(store, account, mode, &sub_id).await?
    else {
        return Ok(None);
    };
    let Some(mut invoice) = row::find_hot::<InvoiceRow>(store, account, mode, &stale.id).await?
    else {
        return Ok(None);
    };
    if invoice.status != InvoiceStatus::Draft {
        return Ok(None);
    }
    let settings = billing::settings_hot(store, account).await?;
    let endpoints = billing::endpoints_of(deps.store, &scope).await?;
    let sort_key = deps.clock.now_micros();
    let sub_before = sub.clone();
    let mut tx = deps.store.begin().await?;
    let lines = finalize_lines(deps.store, &mut tx, &mut invoice, &sub, now, sort_key).await?;
    let (payment, mut invoice_kinds, sub_kinds) =
        charge_open(deps, &mut tx, &mut invoice, &mut sub, &settings, now).await?;
    invoice_kinds.insert(0, "invoice.finalized");
    if !invoices::save_if(&mut tx, &invoice, InvoiceStatus::Draft, 0).await?
        || !write_sub(deps, &mut tx, &sub_before, &sub, &sub_kinds).await?
    {
        tx.rollback().await?;
        return Ok(None);
    }
    let view = crate::server::views::InvoiceView::new(&invoice, &lines, deps.public_url);
    billing::emit_to(
        &mut tx,
        deps.clock,
        &scope,
        &view,
        &invoice_kinds,
        Some(&endpoints),
    )
    .await?;
    tx.commit().await?;
    Ok(payment)
}

/// Starts an attempt on an open invoice: paid at once when nothing is due, a failed attempt
/// when there is no card, else a payment to finish once the transaction has committed.
pub async fn charge_open(
    deps: &Deps<'_>,
    tx: &mut crate::server::store::Tx,
    invoice: &mut InvoiceRow,
    sub: &mut SubscriptionRow,
    settings: &billing::Settings,
    now: i64,
) -> Result<(Option<PaymentRow>, Vec<&'static str>, Vec<&'static str>)> {
    if invoice.amount_due == 0 {
        mark_paid(invoice, now);
        return Ok((None, vec!["invoice.paid"], Vec::new()));
    }
    let method = charging::payment_method_of(deps.store, sub).await?;
    let payment = charging::start_attempt(deps, tx, invoice, method, now).await?;
    if payment.is_some() {
        return Ok((payment, Vec::new(), Vec::new()));
    }
    let before = sub.status;
    let (invoice_kinds, mut sub_kinds) = charging::no_card(invoice, Some(sub), settings, now);
    if before != sub.status && !sub_kinds.contains(&"subscription.deleted") {
        sub_kinds.insert(0, "subscription.updated");
    }
    Ok((None, invoice_kinds, sub_kinds))
}

/// Writes the subscription as a step left it, if the step changed it (compare-and-set on the
/// state it was read in); false when it changed meanwhile.
async fn write_sub(
    deps: &Deps<'_>,
    tx: &mut crate::server::store::Tx,
    before: &SubscriptionRow,
    sub: &SubscriptionRow,
    kinds: &[&str],
) -> Result<bool> {
    if kinds.is_empty() && before.status == sub.status {
        return Ok(true);
    }
    if !subscriptions::save_if(tx, sub, before.status, before.current_period_end).await? {
        return Ok(false);
    }
    if !kinds.is_empty() {
        let scope = scope_of(&sub.account_id, sub.mode);
        let mut conn = deps.store.reader().acquire().await?;
        let view = subscription_view(&mut conn, sub).await?;
        emit(tx, deps.clock, &scope, &view, kinds).await?;
    }
    Ok(true)
}

/// A failed renewal's retry, or the end of its retries. Read first, then written with a
/// compare-and-set on the invoice, like `finalize`.
pub(super) async fn dunning(
    deps: &Deps<'_>,
    stale: InvoiceRow,
    now: i64,
) -> Result<Option<PaymentRow>> {
    let scope = scope_of(&stale.account_id, stale.mode);
    let (account, mode) = (scope.account_id.as_str(), scope.mode.as_str());
    let reader = deps.store.reader();
    let Some(mut invoice) = row::find::<InvoiceRow>(reader, account, mode, &stale.id).await? else {
        return Ok(None);
    };
    if invoice.status != InvoiceStatus::Open || invoice.dunning_at != stale.dunning_at {
        return Ok(None);
    }
    let attempts = invoice.attempt_count;
    let mut sub = match &invoice.subscription {
        Some(id) => row::find::<SubscriptionRow>(reader, account, mode, id).await?,
        None => None,
    };
    let sub_before = sub.clone();
    let settings = settings(reader, account).await?;
    let mut invoice_kinds = Vec::new();
    let mut sub_kinds = Vec::new();
    let mut payment = None;
    let before = sub.as_ref().map(|s| s.status);
    let mut tx = deps.store.begin().await?;
    if invoice.next_payment_attempt.is_some() && sub.as_ref().is_some_and(|s| !s.status.is_final())
    {
        invoice.next_payment_attempt = None;
        invoice.dunning_at = None;
        let sub = sub.as_mut().expect("checked");
        let (p, ik, sk) = charge_open(deps, &mut tx, &mut invoice, sub, &settings, now).await?;
        payment = p;
        invoice_kinds = ik;
        sub_kinds = sk;
    } else {
        give_up(
            &mut invoice,
            sub.as_mut(),
            settings.dunning_end,
            now,
            &mut invoice_kinds,
            &mut sub_kinds,
        );
        if before != sub.as_ref().map(|s| s.status) && !sub_kinds.contains(&"subscription.deleted")
        {
            sub_kinds.insert(0, "subscription.updated");
        }
    }
    let sub_written = match (&sub_before, &sub) {
        (Some(b), Some(s)) => write_sub(deps, &mut tx, b, s, &sub_kinds).await?,
        _ => true,
    };
    if !sub_written || !invoices::save_if(&mut tx, &invoice, InvoiceStatus::Open, attempts).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let view = invoice_view(&mut *reader.acquire().await?, &invoice, deps.public_url).await?;
    emit(&mut tx, deps.clock, &scope, &view, &invoice_kinds).await?;
    tx.commit().await?;
    Ok(payment)
}
