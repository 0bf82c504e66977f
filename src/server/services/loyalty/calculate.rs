//! "You'll earn N": what a payment of an amount would earn by a program's rules.

use super::programs::{self, rules_of};
use super::{Result, invalid, required};
use crate::domain::lenient;
use crate::domain::loyalty::{EarnEvent, rule_for};
use crate::domain::money::Currency;
use crate::server::services::Scope;
use crate::server::store::Store;
use serde::Deserialize;

/// The body of `POST /v1/loyalty/points/calculate`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CalculateParams)]
pub struct CalculateInput {
    #[serde(alias = "program_id")]
    pub program: Option<String>,
    /// A payment's amount, in minor units.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(required = true, minimum = 0, maximum = 99999999)]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// `payment.completed` (default) or `invoice.paid`.
    #[schema(value_type = Option<crate::domain::loyalty::EarnEvent>)]
    pub event: Option<String>,
}

/// What `calculate` answers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = PointsCalculation)]
pub struct Calculation {
    /// Always `loyalty.points_calculation`.
    pub object: &'static str,
    pub program: String,
    pub event: String,
    pub amount: i64,
    pub currency: String,
    /// What a payment of `amount` would earn (0 when no rule applies).
    pub points: i64,
}

/// What a payment of `amount` would earn in a program.
pub async fn calculate(
    store: &Store,
    scope: &Scope,
    default_currency: Currency,
    input: CalculateInput,
) -> Result<Calculation> {
    let program = programs::named(store.reader(), scope, input.program.as_deref()).await?;
    let amount = input.amount.ok_or_else(|| required("amount"))?;
    if !(0..=crate::domain::money::MAX_AMOUNT).contains(&amount) {
        return Err(invalid("amount", "amount is 0 to 99999999 (minor units)."));
    }
    let currency = match input.currency.as_deref() {
        Some(code) => Currency::parse(code)
            .ok_or_else(|| invalid("currency", format!("Unknown currency: {code}.")))?,
        None => default_currency,
    };
    let event = match input.event.as_deref() {
        Some(e) => EarnEvent::parse(e)
            .ok_or_else(|| invalid("event", format!("event is {}.", EarnEvent::names())))?,
        None => EarnEvent::PaymentCompleted,
    };
    let rules = rules_of(&program);
    let points = rule_for(&rules, event, currency.code())
        .and_then(|spec| spec.rule().ok())
        .map(|rule| rule.points_for(amount))
        .unwrap_or(0);
    Ok(Calculation {
        object: "loyalty.points_calculation",
        program: program.id,
        event: event.to_string(),
        amount,
        currency: currency.code().to_string(),
        points,
    })
}
