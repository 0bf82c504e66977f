//! Rewards: what customers can spend points on, a fixed amount or a percentage off a payment.

use super::{Result, invalid, required};
use crate::domain::customer::check_text;
use crate::domain::ids::IdKind;
use crate::domain::lenient;
use crate::domain::loyalty::MAX_POINTS;
use crate::domain::metadata;
use crate::domain::money::{Currency, MAX_AMOUNT};
use crate::server::clock::Clock;
use crate::server::crypto::new_id;
use crate::server::services::{Scope, find_in};
use crate::server::store::loyalty::RewardRow;
use crate::server::store::{Tx, row};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/loyalty/rewards`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RewardParams)]
pub struct NewReward {
    /// Default `prog_default`.
    #[serde(alias = "program_id")]
    pub program: Option<String>,
    #[schema(required = true, min_length = 1, max_length = 256)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(required = true, minimum = 1, maximum = 1000000000)]
    pub cost_points: Option<i64>,
    /// A fixed amount off, in minor units of `currency`.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub discount_amount: Option<i64>,
    pub currency: Option<String>,
    /// A percentage off (1 to 100), instead of a fixed amount.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(minimum = 1, maximum = 100)]
    pub discount_percent: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// The body of a reward's update: its name, whether it can be redeemed, its metadata.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RewardUpdateParams)]
pub struct RewardUpdate {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
}

pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    clock: &dyn Clock,
    default_currency: Currency,
    input: NewReward,
) -> Result<RewardRow> {
    let program = super::programs::named(tx.conn().await?, scope, input.program.as_deref())
        .await?
        .id;
    let name = check_text("name", input.name, 256)?.ok_or_else(|| required("name"))?;
    let cost = input.cost_points.ok_or_else(|| required("cost_points"))?;
    if !(1..=MAX_POINTS).contains(&cost) {
        return Err(invalid(
            "cost_points",
            format!("cost_points is 1 to {MAX_POINTS}."),
        ));
    }
    let (discount_amount, currency, discount_percent) =
        match (input.discount_amount, input.discount_percent) {
            (Some(amount), None) => {
                if !(1..=MAX_AMOUNT).contains(&amount) {
                    return Err(invalid(
                        "discount_amount",
                        "discount_amount is 1 to 99999999 (minor units).",
                    ));
                }
                let currency = match input.currency.as_deref() {
                    Some(code) => Currency::parse(code)
                        .ok_or_else(|| invalid("currency", format!("Unknown currency: {code}.")))?,
                    None => default_currency,
                };
                (Some(amount), Some(currency.code().to_string()), None)
            }
            (None, Some(percent)) => {
                if !(1..=100).contains(&percent) {
                    return Err(invalid("discount_percent", "discount_percent is 1 to 100."));
                }
                (None, None, Some(percent))
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "discount_percent",
                    "A reward takes off a fixed amount or a percentage, not both.",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "discount_amount",
                    "A reward needs discount_amount (with currency) or discount_percent.",
                ));
            }
        };
    let now = clock.now_micros();
    let row = RewardRow {
        id: new_id(IdKind::Reward),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        program: program.to_string(),
        name,
        cost_points: cost,
        discount_amount,
        currency,
        discount_percent,
        active: i64::from(input.active.unwrap_or(true)),
        metadata: metadata::stored(input.metadata)?,
        created: now.div_euclid(1_000_000),
        sort_key: now,
    };
    tx.defer(row::insert(&row));
    Ok(row)
}

pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    input: RewardUpdate,
) -> Result<RewardRow> {
    let mut row = find(tx.conn().await?, scope, id, None).await?;
    if input.name.is_some() {
        row.name = check_text("name", input.name, 256)?
            .ok_or_else(|| invalid("name", "A reward's name cannot be empty."))?;
    }
    if let Some(active) = input.active {
        row.active = i64::from(active);
    }
    if let Some(update) = input.metadata {
        row.metadata = metadata::merged(&row.metadata, update)?;
    }
    row::update(tx, &row).await?;
    Ok(row)
}

/// A reward of the scope (404 naming `param` otherwise).
pub async fn find<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
    param: Option<&str>,
) -> Result<RewardRow> {
    Ok(find_in(ex, scope, "loyalty reward", id, param).await?)
}

/// What a reward takes off `amount` (minor units of `currency`): never all of it (a payment
/// costs at least one unit), None when the reward is in another currency.
pub fn discount_on(reward: &RewardRow, amount: i64, currency: &str) -> Option<i64> {
    let off = match (reward.discount_amount, reward.discount_percent) {
        (Some(fixed), _) => {
            if !reward
                .currency
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(currency))
            {
                return None;
            }
            fixed
        }
        (None, Some(percent)) => amount * percent / 100,
        (None, None) => 0,
    };
    Some(off.clamp(0, (amount - 1).max(0)))
}
