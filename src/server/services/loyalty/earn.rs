//! Giving points: by a program's earn rule when a payment succeeds or an invoice is paid (in
//! that change's own transaction), by the merchant's earn call for a payment, or by hand
//! (an adjustment). At most one earn per program and source payment, whichever comes first:
//! the seed's webhook handler and an automatic rule never both earn.

pub use super::plan::Plan;
use super::posting::Note;
use super::programs::{self, rules_of};
use super::{LoyaltyError, Result, check_customer, invalid, required, state};
use crate::domain::lenient;
use crate::domain::loyalty::{EarnEvent, MAX_POINTS, rule_for};
use crate::domain::metadata;

use crate::domain::payment::PaymentStatus;
use crate::server::clock::Clock;

use crate::server::services::{Scope, find_in};
use crate::server::store::loyalty::{self, ProgramRow, PtxRow};
use crate::server::store::payments::PaymentRow;
use crate::server::store::webhook_endpoints::{self, EndpointRow};
use crate::server::store::{Store, Tx, is_unique_violation};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/loyalty/points/earn`: the seed's names (`programId`, `customerId`,
/// `amount` meaning points, `sourcePaymentId`) or ours.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EarnParams)]
pub struct EarnInput {
    /// Default `prog_default`.
    #[serde(alias = "program_id")]
    pub program: Option<String>,
    /// The source payment's customer when absent.
    #[serde(alias = "customer_id")]
    #[schema(required = true)]
    pub customer: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(minimum = 1, maximum = 1000000000)]
    pub points: Option<i64>,
    /// `points`, under the seed's name.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(minimum = 1, maximum = 1000000000)]
    pub amount: Option<i64>,
    /// The payment the points are for: at most one earn per program and payment.
    #[serde(alias = "source_payment_id")]
    pub source_payment: Option<String>,
    pub reason: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// The earns a payment's success makes by the programs' rules, worked out before its
/// transaction: none without a customer (nothing is read then), nor without a rule for the
/// payment's currency. An invoice's payment earns by a program's `invoice.paid` rule when it
/// has one, else by its `payment.completed` rule; either way keyed by the payment.
/// `endpoints`: the scope's, when the caller read them already for its own events.
pub async fn for_payment(
    store: &Store,
    payment: &PaymentRow,
    endpoints: Option<&[EndpointRow]>,
) -> Result<Vec<Plan>> {
    let Some(customer) = &payment.customer else {
        return Ok(Vec::new());
    };
    let scope = Scope {
        account_id: payment.account_id.clone(),
        mode: payment.mode,
    };
    let mut plans = Vec::new();
    let mut endpoints = endpoints.map(<[EndpointRow]>::to_vec);
    for program in programs::all_hot(store, &scope).await? {
        let Some((event, points)) = earning(&program, payment, payment.amount_received) else {
            continue;
        };
        let reason = match (&payment.invoice, event) {
            (Some(invoice), EarnEvent::InvoicePaid) => format!("invoice.paid {invoice}"),
            _ => "payment.completed".to_string(),
        };
        let note = Note {
            source: Some(("payment".into(), payment.id.clone())),
            reason: Some(reason),
            ..Note::default()
        };
        let endpoints = match &endpoints {
            Some(read) => read,
            None => endpoints.insert(
                webhook_endpoints::enabled(store, &scope.account_id, scope.mode.as_str()).await?,
            ),
        };
        plans.push(Plan::new(store, program, customer, points, note, endpoints.clone()).await?);
    }
    Ok(plans)
}

/// The rule of `program` a payment of `payment`'s kind and currency earns by, and what it
/// gives for `amount` (None when no rule applies or it gives nothing). An invoice's payment
/// earns by the `invoice.paid` rule when there is one, else by the `payment.completed` rule.
pub fn earning(
    program: &ProgramRow,
    payment: &PaymentRow,
    amount: i64,
) -> Option<(EarnEvent, i64)> {
    let rules = rules_of(program);
    let currency = payment.currency.code();
    let by_invoice = payment
        .invoice
        .as_ref()
        .and_then(|_| rule_for(&rules, EarnEvent::InvoicePaid, currency));
    let spec = by_invoice.or_else(|| rule_for(&rules, EarnEvent::PaymentCompleted, currency))?;
    let points = spec.rule().map(|r| r.points_for(amount)).unwrap_or(0);
    (points > 0).then_some((spec.event, points))
}

/// The merchant's earn call. The same call again answers the first earn; other points for
/// the same program and payment are refused.
pub async fn earn(
    tx: &mut Tx,
    store: &Store,
    wall: &dyn Clock,
    scope: &Scope,
    input: EarnInput,
) -> Result<PtxRow> {
    let program = programs::named(store.reader(), scope, input.program.as_deref()).await?;
    let points = match (input.points, input.amount) {
        (Some(p), Some(a)) if p != a => {
            return Err(invalid(
                "points",
                "points and amount (its other name) differ.",
            ));
        }
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => {
            return Err(required("points"));
        }
    };
    check_points("points", points, false)?;
    let reason = crate::domain::customer::check_text("reason", input.reason, 500)?;
    let metadata = metadata::stored(input.metadata)?;
    let payment = match &input.source_payment {
        Some(id) => Some(source_payment(store, scope, id).await?),
        None => None,
    };
    let customer = match (
        &input.customer,
        payment.as_ref().and_then(|p| p.customer.clone()),
    ) {
        (Some(given), Some(paid_by)) if *given != paid_by => {
            return Err(invalid(
                "source_payment",
                format!(
                    "The payment {} is another customer's.",
                    payment.as_ref().map(|p| p.id.as_str()).unwrap_or_default()
                ),
            ));
        }
        (Some(given), _) => given.clone(),
        (None, Some(paid_by)) => paid_by,
        (None, None) => {
            return Err(required("customer"));
        }
    };
    check_customer(store.reader(), scope, &customer, "customer").await?;
    if let Some(payment) = &payment {
        if payment.customer.as_deref() != Some(customer.as_str()) {
            return Err(invalid(
                "source_payment",
                format!("The payment {} is not the customer's.", payment.id),
            ));
        }
        if let Some(first) = loyalty::earn_of(
            store.reader(),
            &scope.account_id,
            scope.mode,
            &program.id,
            "payment",
            &payment.id,
        )
        .await?
        {
            return same_or_conflict(first, points);
        }
    }
    let note = Note {
        source: payment
            .as_ref()
            .map(|p| ("payment".to_string(), p.id.clone())),
        reason,
        metadata,
        ..Note::default()
    };
    let endpoints =
        webhook_endpoints::enabled(store, &scope.account_id, scope.mode.as_str()).await?;
    let plan = Plan::new(store, program, &customer, points, note, endpoints).await?;
    let written = async {
        let mut ptx = plan.write(tx, wall).await?;
        // Sent now, so that another earn for the same source that got there first is known
        // here (the unique index), not at the commit; and the balance it made read back.
        if let Some((balance,)) = loyalty::balance_after_of(tx.conn().await?, &ptx.id).await? {
            ptx.balance_after = balance;
        }
        Ok::<_, LoyaltyError>(ptx)
    };
    written.await.map_err(|e| match e {
        LoyaltyError::Service(crate::server::services::ServiceError::Database(db))
            if is_unique_violation(&db) =>
        {
            state(
                "source_already_earned",
                "Points were earned for this payment already.",
            )
        }
        other => other,
    })
}

/// A repeat of the first earn for a source answers it; other points are a conflict.
fn same_or_conflict(first: PtxRow, points: i64) -> Result<PtxRow> {
    if first.points == points {
        Ok(first)
    } else {
        Err(state(
            "source_already_earned",
            format!(
                "This payment earned {} points already ({}); a payment earns once per program.",
                first.points, first.id
            ),
        ))
    }
}

/// A succeeded payment of the scope, as an earn's source.
async fn source_payment(store: &Store, scope: &Scope, id: &str) -> Result<PaymentRow> {
    let payment: PaymentRow =
        find_in(store.reader(), scope, "payment", id, Some("source_payment")).await?;
    if payment.status != PaymentStatus::Succeeded || payment.amount_received <= 0 {
        return Err(invalid(
            "source_payment",
            format!(
                "The payment {id} has not succeeded (it is {}).",
                payment.status
            ),
        ));
    }
    Ok(payment)
}

/// `points` as an earn (1 ..= MAX_POINTS) or, `signed`, an adjustment (non-zero) takes it.
pub(super) fn check_points(param: &str, points: i64, signed: bool) -> Result<()> {
    let ok = if signed {
        // Not `points.abs()`: i64::MIN has no absolute value (schemathesis sent it).
        points != 0 && (-MAX_POINTS..=MAX_POINTS).contains(&points)
    } else {
        (1..=MAX_POINTS).contains(&points)
    };
    if ok {
        Ok(())
    } else if signed {
        Err(invalid(
            param,
            format!("points is a whole number from -{MAX_POINTS} to {MAX_POINTS}, not 0."),
        ))
    } else {
        Err(invalid(
            param,
            format!("points is a whole number from 1 to {MAX_POINTS}."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_bounded_both_ways_even_at_the_ends_of_i64() {
        assert!(check_points("points", MAX_POINTS, true).is_ok());
        assert!(check_points("points", -MAX_POINTS, true).is_ok());
        for bad in [0, MAX_POINTS + 1, -MAX_POINTS - 1, i64::MIN, i64::MAX] {
            assert!(check_points("points", bad, true).is_err(), "{bad}");
        }
        assert!(check_points("points", -1, false).is_err());
        assert!(check_points("points", i64::MIN, false).is_err());
    }
}
