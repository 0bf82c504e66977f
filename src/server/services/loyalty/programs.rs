//! Loyalty programs: `prog_default` (made with every account, both modes) and any others a
//! merchant creates; their earn rules, pending and expiry windows and refund policy.

use super::{Result, invalid, required};
use crate::domain::customer::check_text;
use crate::domain::ids::IdKind;
use crate::domain::lenient;
use crate::domain::loyalty::{
    EarnEvent, EarnRuleSpec, EarnedPolicy, MAX_DAYS, RedeemedPolicy, check_rules, parse_multiplier,
};
use crate::domain::metadata;
use crate::domain::money::Currency;
use crate::server::clock::Clock;
use crate::server::crypto::new_id;
use crate::server::services::{Scope, find_in};
use crate::server::store::loyalty::{self, ProgramRow};
use crate::server::store::{Store, Tx, row};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/loyalty/programs` and of a program's update. Whatever is given
/// replaces what was there (`earn_rules` as a whole list).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LoyaltyProgramParams)]
pub struct ProgramFields {
    pub name: Option<String>,
    pub earn_rules: Option<Vec<EarnRuleInput>>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub pending_days: Option<i64>,
    /// Days points stay spendable; `0` or an empty value: they never expire.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub expiry_days: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub refund_policy: Option<RefundPolicyInput>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// An earn rule as sent. `per_amount` defaults to one unit of the currency (100 cents),
/// `currency` to the account's, `multiplier` to 1.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EarnRuleInput {
    /// `payment.completed` or `invoice.paid`.
    #[schema(value_type = Option<crate::domain::loyalty::EarnEvent>, required = true)]
    pub event: Option<String>,
    #[schema(required = true)]
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub points: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub per_amount: Option<i64>,
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub min_amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub max_points: Option<i64>,
    /// A decimal (`1.5`), as a number or a string.
    #[schema(value_type = Option<String>)]
    pub multiplier: Option<serde_json::Value>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundPolicyInput {
    /// `clawback` or `keep`.
    #[schema(value_type = Option<crate::domain::loyalty::EarnedPolicy>)]
    pub earned: Option<String>,
    /// `restore_on_full_refund` or `keep`.
    #[schema(value_type = Option<crate::domain::loyalty::RedeemedPolicy>)]
    pub redeemed: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub allow_negative: Option<bool>,
}

/// The rules of a program as stored.
pub fn rules_of(program: &ProgramRow) -> Vec<EarnRuleSpec> {
    serde_json::from_str(&program.earn_rules).unwrap_or_default()
}

/// A program of the scope (404 naming `param` otherwise).
pub async fn find<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
    param: Option<&str>,
) -> Result<ProgramRow> {
    Ok(find_in(ex, scope, "loyalty program", id, param).await?)
}

/// The program a request names (`prog_default` when it names none).
pub async fn named<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    program: Option<&str>,
) -> Result<ProgramRow> {
    find(
        ex,
        scope,
        program.unwrap_or(loyalty::DEFAULT_PROGRAM),
        Some("program"),
    )
    .await
}

/// Every program of the scope, as a hot read (a payment's success reads them before its
/// transaction).
pub async fn all_hot(
    store: &Store,
    scope: &Scope,
) -> std::result::Result<Vec<ProgramRow>, sqlx::Error> {
    loyalty::programs_hot(store, &scope.account_id, scope.mode).await
}

fn check_rule(i: usize, input: EarnRuleInput, currency: Currency) -> Result<EarnRuleSpec> {
    let param = |field: &str| format!("earn_rules[{i}][{field}]");
    let event = input
        .event
        .as_deref()
        .ok_or_else(|| required(&param("event")))?;
    let event = EarnEvent::parse(event).ok_or_else(|| {
        invalid(
            &param("event"),
            format!("An earn rule's event is {}.", EarnEvent::names()),
        )
    })?;
    let currency = match input.currency.as_deref() {
        Some(code) => Currency::parse(code)
            .ok_or_else(|| invalid(&param("currency"), format!("Unknown currency: {code}.")))?,
        None => currency,
    };
    let multiplier = match input.multiplier {
        None | Some(serde_json::Value::Null) => "1".to_string(),
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => {
            return Err(invalid(
                &param("multiplier"),
                "A multiplier is a decimal (1.5).",
            ));
        }
    };
    if parse_multiplier(&multiplier).is_none() {
        return Err(invalid(
            &param("multiplier"),
            "A multiplier is a decimal from 0.001 to 100 with at most 3 decimals (1.5).",
        ));
    }
    let spec = EarnRuleSpec {
        event,
        points: input.points.ok_or_else(|| required(&param("points")))?,
        per_amount: input
            .per_amount
            .unwrap_or(10_i64.pow(u32::from(currency.exponent()))),
        currency: currency.code().to_string(),
        min_amount: input.min_amount.unwrap_or(0),
        max_points: input.max_points,
        multiplier,
    };
    spec.rule()
        .map_err(|m| invalid(&format!("earn_rules[{i}]"), m))?;
    Ok(spec)
}

fn check_days(param: &str, days: i64) -> Result<i64> {
    if (0..=MAX_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(invalid(param, format!("{param} must be 0 to {MAX_DAYS}.")))
    }
}

/// Applies `fields` to `row` (a new program or one being updated).
fn apply(row: &mut ProgramRow, fields: ProgramFields, currency: Currency) -> Result<()> {
    if fields.name.is_some() {
        row.name = check_text("name", fields.name, 256)?
            .ok_or_else(|| invalid("name", "A program's name cannot be empty."))?;
    }
    if let Some(rules) = fields.earn_rules {
        let specs = rules
            .into_iter()
            .enumerate()
            .map(|(i, r)| check_rule(i, r, currency))
            .collect::<Result<Vec<_>>>()?;
        check_rules(&specs).map_err(|(i, m)| invalid(&format!("earn_rules[{i}]"), m))?;
        row.earn_rules = serde_json::to_string(&specs).expect("rules serialise");
    }
    if let Some(days) = fields.pending_days {
        row.pending_days = check_days("pending_days", days)?;
    }
    if let Some(days) = fields.expiry_days {
        row.expiry_days = match check_days("expiry_days", days)? {
            0 => None,
            d => Some(d),
        };
    }
    if let Some(policy) = fields.refund_policy {
        if let Some(earned) = policy.earned {
            row.refund_earned = EarnedPolicy::parse(&earned).ok_or_else(|| {
                invalid(
                    "refund_policy[earned]",
                    format!("refund_policy[earned] is {}.", EarnedPolicy::names()),
                )
            })?;
        }
        if let Some(redeemed) = policy.redeemed {
            row.refund_redeemed = RedeemedPolicy::parse(&redeemed).ok_or_else(|| {
                invalid(
                    "refund_policy[redeemed]",
                    format!("refund_policy[redeemed] is {}.", RedeemedPolicy::names()),
                )
            })?;
        }
        if let Some(allow) = policy.allow_negative {
            row.allow_negative = i64::from(allow);
        }
    }
    if let Some(update) = fields.metadata {
        row.metadata = metadata::merged(&row.metadata, update)?;
    }
    Ok(())
}

pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    clock: &dyn Clock,
    currency: Currency,
    fields: ProgramFields,
) -> Result<ProgramRow> {
    if fields.name.is_none() {
        return Err(required("name"));
    }
    let mut row = ProgramRow::default_for(&scope.account_id, scope.mode, clock.now_micros());
    row.id = new_id(IdKind::Program);
    row.metadata = metadata::stored(None)?;
    apply(&mut row, fields, currency)?;
    row::insert_now(tx, &row).await?;
    Ok(row)
}

pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    currency: Currency,
    fields: ProgramFields,
) -> Result<ProgramRow> {
    let mut row = find(tx.conn().await?, scope, id, None).await?;
    apply(&mut row, fields, currency)?;
    loyalty::save_program(tx, &row).await?;
    Ok(row)
}

/// The programs every new account has: `prog_default` in test and in live mode.
pub fn defaults_for(account_id: &str, now_micros: i64) -> [ProgramRow; 2] {
    use crate::domain::mode::Mode;
    [
        ProgramRow::default_for(account_id, Mode::Test, now_micros),
        ProgramRow::default_for(account_id, Mode::Live, now_micros),
    ]
}
