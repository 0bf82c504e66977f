//! The due work of billing, in time order: a period's end (renew, end a trial, or cancel at
//! period end), the notice before it (`invoice.upcoming`, `subscription.trial_will_end`), a
//! first invoice left unpaid (expiry), a renewal draft's finalization and charge, and a
//! failed renewal's retries. The worker runs what is due on the wall clock; a test clock's
//! advance runs what is due on that clock, step by step.
//!
//! Each step re-reads its object in its transaction and writes it with a compare-and-set on
//! the state it started from, so instances racing for the same step do it once.

use super::invoicing::{
    self, finalize_lines, licensed_lines, new_invoice, priced, recurrence, usage_lines,
};
use super::settle::{cancel_now, give_up, mark_paid};
use super::{Result, emit, invoice_view, scope_of, settings, subscription_view};
use crate::domain::billing::{
    BillingReason, FIRST_INVOICE_EXPIRES_SECS, InvoiceStatus, NOTICE_SECS, SubscriptionStatus,
};
use crate::server::services::payments::Deps;
use crate::server::store::invoices::{self, InvoiceRow};
use crate::server::store::payments::PaymentRow;
use crate::server::store::subscriptions::{self, SubscriptionRow};
use crate::server::store::{Store, row};

/// One piece of due work.
#[derive(Debug, Clone)]
pub enum Due {
    /// The period ended: renew, end the trial, or cancel at period end.
    PeriodEnd(SubscriptionRow),
    /// `NOTICE_SECS` before the period end.
    Notice(SubscriptionRow),
    /// A first invoice unpaid for `FIRST_INVOICE_EXPIRES_SECS`.
    Expire(SubscriptionRow),
    /// A renewal draft's window is over.
    Finalize(InvoiceRow),
    /// A retry, or the end of retries.
    Dunning(InvoiceRow),
}

impl Due {
    /// The subscription's or invoice's id.
    pub fn object_id(&self) -> &str {
        match self {
            Due::PeriodEnd(s) | Due::Notice(s) | Due::Expire(s) => &s.id,
            Due::Finalize(i) | Due::Dunning(i) => &i.id,
        }
    }

    /// When it is due.
    pub fn at(&self) -> i64 {
        match self {
            Due::PeriodEnd(s) => s.current_period_end,
            Due::Notice(s) => s.current_period_end - NOTICE_SECS,
            Due::Expire(s) => s.created + FIRST_INVOICE_EXPIRES_SECS,
            Due::Finalize(i) => i.finalize_at.unwrap_or(i.created),
            Due::Dunning(i) => i.dunning_at.unwrap_or(i.created),
        }
    }
}

fn sub_work(s: SubscriptionRow, until: i64, out: &mut Vec<Due>) {
    let notice_at = s.current_period_end - NOTICE_SECS;
    if matches!(
        s.status,
        SubscriptionStatus::Active | SubscriptionStatus::Trialing
    ) && s.notice_sent_for != s.current_period_end
        && notice_at <= until
        && notice_at > s.current_period_start
    {
        out.push(Due::Notice(s.clone()));
    }
    if s.status.renews() && s.current_period_end <= until {
        out.push(Due::PeriodEnd(s));
    } else if s.status == SubscriptionStatus::Incomplete
        && s.created + FIRST_INVOICE_EXPIRES_SECS <= until
    {
        out.push(Due::Expire(s));
    }
}

/// What is due by `until` on the wall clock (at most about `limit` of each kind).
pub async fn due_on_wall(store: &Store, until: i64, limit: i64) -> Result<Vec<Due>> {
    let ex = store.reader();
    let mut out = Vec::new();
    let mut subs = subscriptions::renewing(ex, until, limit).await?;
    subs.extend(subscriptions::due_notice(ex, until + NOTICE_SECS, NOTICE_SECS, limit).await?);
    subs.extend(
        subscriptions::incomplete_before(ex, until - FIRST_INVOICE_EXPIRES_SECS, limit).await?,
    );
    for s in subs {
        sub_work(s, until, &mut out);
    }
    out.extend(
        invoices::drafts_due(ex, until, limit)
            .await?
            .into_iter()
            .map(Due::Finalize),
    );
    out.extend(
        invoices::dunning_due(ex, until, limit)
            .await?
            .into_iter()
            .map(Due::Dunning),
    );
    dedupe(&mut out);
    Ok(out)
}

/// What is due by `until` on test clock `clock`.
pub async fn due_on_clock(store: &Store, clock: &str, until: i64, limit: i64) -> Result<Vec<Due>> {
    let ex = store.reader();
    let mut out = Vec::new();
    let mut subs =
        subscriptions::clock_renewing(ex, clock, until, until + NOTICE_SECS, NOTICE_SECS, limit)
            .await?;
    subs.extend(
        subscriptions::clock_incomplete(ex, clock, until - FIRST_INVOICE_EXPIRES_SECS, limit)
            .await?,
    );
    for s in subs {
        sub_work(s, until, &mut out);
    }
    out.extend(
        invoices::clock_drafts_due(ex, clock, until, limit)
            .await?
            .into_iter()
            .map(Due::Finalize),
    );
    out.extend(
        invoices::clock_dunning_due(ex, clock, until, limit)
            .await?
            .into_iter()
            .map(Due::Dunning),
    );
    dedupe(&mut out);
    Ok(out)
}

/// Sorted by due time; a subscription read by two queries counts once.
fn dedupe(out: &mut Vec<Due>) {
    out.sort_by_key(|d| (d.at(), key(d)));
    out.dedup_by(|a, b| key(a) == key(b));
    out.sort_by_key(Due::at);
}

fn key(d: &Due) -> (u8, String) {
    match d {
        Due::PeriodEnd(s) => (0, s.id.clone()),
        Due::Notice(s) => (1, s.id.clone()),
        Due::Expire(s) => (2, s.id.clone()),
        Due::Finalize(i) => (3, i.id.clone()),
        Due::Dunning(i) => (4, i.id.clone()),
    }
}

/// Does one piece of due work at `now` (the time of its clock). A step another instance did
/// first is skipped.
pub async fn run(deps: &Deps<'_>, due: Due, now: i64) -> Result<()> {
    let attempt = match due {
        Due::PeriodEnd(s) => period_end(deps, s, now).await?,
        Due::Notice(s) => notice(deps, s).await?,
        Due::Expire(s) => expire(deps, s, now).await?,
        Due::Finalize(i) => finalize(deps, i, now).await?,
        Due::Dunning(i) => dunning(deps, i, now).await?,
    };
    if let Some(payment) = attempt {
        invoicing::finish_attempt(deps, payment).await?;
    }
    Ok(())
}

/// A period's end: cancel at period end, or renew (a trial's end is a renewal too) with a
/// draft invoice that is finalized after the account's draft window. Read first; the
/// transaction only writes, its compare-and-set on the subscription deciding.
async fn period_end(
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
        let was_trial = sub.trial_end == Some(at);
        let old = (sub.current_period_start, at);
        let next = (
            at,
            recurrence(&sub).period_end(sub.billing_cycle_anchor, at),
        );
        let sort_key = deps.clock.now_micros();
        let mut invoice = new_invoice(&sub, BillingReason::SubscriptionCycle, next, now, sort_key);
        let mut lines = licensed_lines(&sub, &invoice.id, &items, next, false, now, sort_key);
        if !was_trial {
            lines.extend(
                usage_lines(&mut conn, &sub, &invoice.id, &items, old, now, sort_key).await?,
            );
        }
        let mut all = invoices::pending_lines(&mut *conn, &sub.id).await?;
        claimed = all.iter().map(|l| l.id.clone()).collect();
        for l in &mut all {
            l.invoice = Some(invoice.id.clone());
        }
        all.extend(lines.iter().cloned());
        let subtotal: i64 = all.iter().map(|l| l.amount).sum();
        invoice.subtotal = subtotal;
        invoice.total = subtotal;
        invoice.amount_due = subtotal.max(0);
        invoice.amount_remaining = invoice.amount_due;
        invoice.finalize_at = Some(now + settings.draft_secs);
        sub.current_period_start = next.0;
        sub.current_period_end = next.1;
        sub.latest_invoice = Some(invoice.id.clone());
        created = Some((invoice, all, lines));
    }
    drop(conn);
    let endpoints = super::endpoints_of(deps.store, &scope).await?;
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
        super::emit_to(
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
    super::emit_to(&mut tx, deps.clock, &scope, &view, &sub_kinds, endpoints).await?;
    tx.commit().await?;
    Ok(None)
}

/// The notice before a period's end: `subscription.trial_will_end` before a trial ends,
/// `invoice.upcoming` (with the preview) before a renewal. The preview is read first.
async fn notice(deps: &Deps<'_>, stale: SubscriptionRow) -> Result<Option<PaymentRow>> {
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
            super::subscriptions::upcoming(&mut conn, &sub, sub.current_period_end - NOTICE_SECS)
                .await?;
        let view = crate::server::views::InvoiceView::new(&preview.0, &preview.1, deps.public_url);
        (crate::server::views::to_json(&view), "invoice.upcoming")
    } else {
        (serde_json::Value::Null, "")
    };
    drop(conn);
    let endpoints = super::endpoints_of(deps.store, &scope).await?;
    let mut tx = deps.store.begin().await?;
    if !subscriptions::save_if(&mut tx, &sub, stale.status, stale.current_period_end).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    if !kind.is_empty() {
        super::emit_to(
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
async fn expire(deps: &Deps<'_>, stale: SubscriptionRow, now: i64) -> Result<Option<PaymentRow>> {
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
async fn finalize(deps: &Deps<'_>, stale: InvoiceRow, now: i64) -> Result<Option<PaymentRow>> {
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
    let settings = super::settings_hot(store, account).await?;
    let endpoints = super::endpoints_of(deps.store, &scope).await?;
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
    super::emit_to(
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
    settings: &super::Settings,
    now: i64,
) -> Result<(Option<PaymentRow>, Vec<&'static str>, Vec<&'static str>)> {
    if invoice.amount_due == 0 {
        mark_paid(invoice, now);
        return Ok((None, vec!["invoice.paid"], Vec::new()));
    }
    let method = invoicing::payment_method_of(deps.store, sub).await?;
    let payment = invoicing::start_attempt(deps, tx, invoice, method).await?;
    if payment.is_some() {
        return Ok((payment, Vec::new(), Vec::new()));
    }
    let before = sub.status;
    let (invoice_kinds, mut sub_kinds) = invoicing::no_card(invoice, Some(sub), settings, now);
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
async fn dunning(deps: &Deps<'_>, stale: InvoiceRow, now: i64) -> Result<Option<PaymentRow>> {
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

/// Runs what is due on the wall clock now; how many steps ran.
pub async fn run_wall(deps: &Deps<'_>) -> Result<usize> {
    let now = deps.clock.now();
    let due = due_on_wall(deps.store, now, 200).await?;
    let mut ours = std::collections::HashSet::new();
    let mut n = 0;
    for d in due {
        let object = d.object_id().to_string();
        if !ours.contains(&object) {
            if !lease(deps.store, &d, now).await? {
                continue;
            }
            ours.insert(object);
        }
        n += 1;
        if let Err(e) = run(deps, d, now).await {
            tracing::warn!(error = %e, "billing step failed; it runs again on the next pass");
        }
    }
    Ok(n)
}

/// How long an instance holds the object of a step it took: past any one step's work,
/// acquirer call included.
pub const LEASE_SECS: i64 = 120;

/// Takes `due`'s object for this instance (false: another holds it). Committed at once, so
/// the others see it while the step runs.
async fn lease(store: &Store, due: &Due, now: i64) -> Result<bool> {
    let mut tx = store.begin().await?;
    let until = now + LEASE_SECS;
    let taken = match due {
        Due::PeriodEnd(s) | Due::Notice(s) | Due::Expire(s) => {
            subscriptions::lease(&mut tx, &s.id, now, until).await?
        }
        Due::Finalize(i) | Due::Dunning(i) => invoices::lease(&mut tx, &i.id, now, until).await?,
    };
    tx.commit().await?;
    Ok(taken == 1)
}
