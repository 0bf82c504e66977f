//! The due work of billing, in time order: a period's end (renew, end a trial, or cancel at
//! period end), the notice before it (`invoice.upcoming`, `subscription.trial_will_end`), a
//! first invoice left unpaid (expiry), a renewal draft's finalization and charge, and a
//! failed renewal's retries. The worker runs what is due on the wall clock; a test clock's
//! advance runs what is due on that clock, step by step.
//!
//! Each step re-reads its object in its transaction and writes it with a compare-and-set on
//! the state it started from, so instances racing for the same step do it once.

mod steps;

pub use steps::charge_open;
use steps::{dunning, expire, finalize, notice, period_end};

use super::charging;
use super::invoicing::{self, finalize_lines, priced};
use super::settle::{cancel_now, give_up, mark_paid};
use super::{Result, emit, invoice_view, scope_of, settings, subscription_view};
use crate::domain::billing::{
    FIRST_INVOICE_EXPIRES_SECS, InvoiceStatus, NOTICE_SECS, SubscriptionStatus,
};
use crate::server::services::payments::Deps;
use crate::server::store::invoices::{self, InvoiceRow};
use crate::server::store::payments::PaymentRow;
use crate::server::store::subscriptions::{self, SubscriptionRow};
use crate::server::store::{Store, row};
use std::collections::HashSet;

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

/// Whose objects a wall-clock pass looks at: every account's, or one account's (tests sharing
/// a database, each on its own clock, keep to their own account as they do with the
/// reconciler).
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Account(&'a str),
}

impl<'a> Scope<'a> {
    /// The store's spelling: an empty account is every account.
    fn account(self) -> &'a str {
        match self {
            Scope::All => "",
            Scope::Account(id) => id,
        }
    }
}

/// What is due by `until` on the wall clock (at most about `limit` of each kind).
pub async fn due_on_wall(
    store: &Store,
    until: i64,
    limit: i64,
    scope: Scope<'_>,
) -> Result<Vec<Due>> {
    let ex = store.reader();
    let account = scope.account();
    let mut out = Vec::new();
    let mut subs = subscriptions::renewing(ex, until, limit, account).await?;
    subs.extend(
        subscriptions::due_notice(ex, until + NOTICE_SECS, NOTICE_SECS, limit, account).await?,
    );
    subs.extend(
        subscriptions::incomplete_before(ex, until - FIRST_INVOICE_EXPIRES_SECS, limit, account)
            .await?,
    );
    for s in subs {
        sub_work(s, until, &mut out);
    }
    out.extend(
        invoices::drafts_due(ex, until, limit, account)
            .await?
            .into_iter()
            .map(Due::Finalize),
    );
    out.extend(
        invoices::dunning_due(ex, until, limit, account)
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
        charging::finish_attempt(deps, payment).await?;
    }
    Ok(())
}

/// Steps a wall-clock pass reads at most.
pub const WALL_BATCH: i64 = 200;

/// Passes one drain makes at most before it leaves the rest to the worker's next turn.
const MAX_PASSES: usize = 100;

/// Runs what is due on the wall clock now, in `scope`; how many steps ran.
pub async fn run_wall(deps: &Deps<'_>, scope: Scope<'_>) -> Result<usize> {
    run_pass(deps, WALL_BATCH, scope, &mut HashSet::new()).await
}

/// Runs passes of `batch` steps until one finds less than a full batch to run, so that a
/// backlog (an instance stopped for a while, thousands of renewals at one moment) drains at
/// once rather than a batch per worker interval. How many steps ran.
pub async fn drain_wall(deps: &Deps<'_>, batch: i64, scope: Scope<'_>) -> Result<usize> {
    // The objects this instance leased in earlier passes stay its own.
    let mut ours = HashSet::new();
    let mut total = 0;
    for _ in 0..MAX_PASSES {
        let n = run_pass(deps, batch, scope, &mut ours).await?;
        total += n;
        if (n as i64) < batch {
            break;
        }
    }
    Ok(total)
}

/// One pass: the steps due now, at most `batch`, each on an object this instance holds.
async fn run_pass(
    deps: &Deps<'_>,
    batch: i64,
    scope: Scope<'_>,
    ours: &mut HashSet<String>,
) -> Result<usize> {
    let now = deps.clock.now();
    let due = due_on_wall(deps.store, now, batch, scope).await?;
    let due: Vec<Due> = due.into_iter().take(batch as usize).collect();
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
