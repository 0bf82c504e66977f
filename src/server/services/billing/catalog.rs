//! Products and prices.

use super::{Result, invalid, state};
use crate::domain::billing::{AggregateUsage, Interval, UsageType, max_interval_count};
use crate::domain::customer::check_text;
use crate::domain::ids::IdKind;
use crate::domain::lenient;
use crate::domain::metadata;
use crate::domain::money::{Currency, MAX_AMOUNT};
use crate::server::clock::Clock;
use crate::server::crypto::new_id;
use crate::server::services::Scope;
use crate::server::store::products::{self, PriceRow, ProductRow};
use crate::server::store::{Tx, is_unique_violation, row};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/products` and of its update.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProductParams)]
pub struct ProductFields {
    /// Create only: an id of the merchant's choosing (`prod_starter`), else a random one.
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// The body of `POST /v1/prices`. The guides' names (`productId`, `amount`) are accepted.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PriceParams)]
pub struct NewPrice {
    #[serde(alias = "product_id")]
    pub product: Option<String>,
    /// A product made with the price.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub product_data: Option<ProductData>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub unit_amount: Option<i64>,
    /// `unit_amount`, under the guides' name.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// Absent for a one-off price.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub recurring: Option<RecurringParams>,
    pub nickname: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductData {
    pub name: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurringParams {
    /// `day`, `week`, `month` or `year`.
    pub interval: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub interval_count: Option<i64>,
    /// `licensed` (default) or `metered`.
    pub usage_type: Option<String>,
    /// Metered prices: `sum` (default), `max` or `last`.
    pub aggregate_usage: Option<String>,
}

/// The body of a price's update: what may change once a price exists.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PriceUpdateParams)]
pub struct PriceUpdate {
    pub nickname: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
    /// Refused: a price's amount never changes (make a new price).
    #[serde(default, deserialize_with = "lenient::opt_int", alias = "amount")]
    pub unit_amount: Option<i64>,
    /// Refused, like `unit_amount`.
    pub currency: Option<String>,
}

const MAX_PRODUCT_ID_LEN: usize = 64;

fn check_product_id(id: &str) -> Result<()> {
    let ok = id.starts_with("prod_")
        && id.len() > "prod_".len()
        && id.len() <= MAX_PRODUCT_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "id",
            format!(
                "A product id starts with prod_, is at most {MAX_PRODUCT_ID_LEN} characters and holds letters, digits, _ and - only."
            ),
        ))
    }
}

pub async fn create_product(
    tx: &mut Tx,
    scope: &Scope,
    clock: &dyn Clock,
    fields: ProductFields,
) -> Result<ProductRow> {
    let id = match fields.id {
        Some(id) => {
            check_product_id(&id)?;
            id
        }
        None => new_id(IdKind::Product),
    };
    let name = check_text("name", fields.name, 256)?
        .ok_or_else(|| invalid("name", "Missing required param: name."))?;
    let now = clock.now_micros();
    let row = ProductRow {
        id,
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        name,
        description: check_text("description", fields.description, 1000)?,
        active: i64::from(fields.active.unwrap_or(true)),
        metadata: metadata::stored(fields.metadata)?,
        created: now.div_euclid(1_000_000),
        sort_key: now,
    };
    match row::insert_now(tx, &row).await {
        Err(e) if is_unique_violation(&e) => Err(state(
            "resource_already_exists",
            format!("A product with id {} already exists.", row.id),
        )),
        other => Ok(other.map(|_| row)?),
    }
}

pub async fn update_product(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    fields: ProductFields,
) -> Result<ProductRow> {
    // Refused whatever its value, so the document can say so (null or absent) exactly.
    if fields.id.is_some() {
        return Err(invalid(
            "id",
            "A product's id is chosen when it is created and cannot change.",
        ));
    }
    let mut row = find_product(tx.conn().await?, scope, id, None).await?;
    if fields.name.is_some() {
        row.name = check_text("name", fields.name, 256)?
            .ok_or_else(|| invalid("name", "A product's name cannot be empty."))?;
    }
    if fields.description.is_some() {
        row.description = check_text("description", fields.description, 1000)?;
    }
    if let Some(active) = fields.active {
        row.active = i64::from(active);
    }
    if let Some(update) = fields.metadata {
        row.metadata = metadata::merged(&row.metadata, update)?;
    }
    products::save_product(tx, &row).await?;
    Ok(row)
}

/// A product of the scope; `param` names the field that referred to it (404 when none).
pub async fn find_product<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
    param: Option<&str>,
) -> Result<ProductRow> {
    Ok(crate::server::services::find_in(ex, scope, "product", id, param).await?)
}

/// A price of the scope; `param` names the field that referred to it (404 when none).
pub async fn find_price<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
    param: Option<&str>,
) -> Result<PriceRow> {
    Ok(crate::server::services::find_in(ex, scope, "price", id, param).await?)
}

pub async fn create_price(
    tx: &mut Tx,
    scope: &Scope,
    clock: &dyn Clock,
    default_currency: &str,
    input: NewPrice,
) -> Result<PriceRow> {
    let amount = match (input.unit_amount, input.amount) {
        (Some(a), Some(b)) if a != b => {
            return Err(invalid(
                "unit_amount",
                "unit_amount and amount name the same thing: send one.",
            ));
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => {
            return Err(invalid(
                "unit_amount",
                "Missing required param: unit_amount.",
            ));
        }
    };
    if !(0..=MAX_AMOUNT).contains(&amount) {
        return Err(invalid(
            "unit_amount",
            format!("unit_amount must be between 0 and {MAX_AMOUNT} (minor units)."),
        ));
    }
    let code = input
        .currency
        .clone()
        .unwrap_or_else(|| default_currency.to_string());
    let currency = Currency::parse(&code).ok_or_else(|| {
        invalid(
            "currency",
            format!("Invalid currency: {code}. Use a three-letter ISO 4217 code."),
        )
    })?;
    let (interval, count, usage_type, aggregate) = match &input.recurring {
        None => (None, 1, UsageType::Licensed, None),
        Some(r) => {
            let text = r.interval.as_deref().ok_or_else(|| {
                invalid(
                    "recurring[interval]",
                    "Missing required param: recurring[interval].",
                )
            })?;
            let interval = Interval::parse(text).ok_or_else(|| {
                invalid(
                    "recurring[interval]",
                    format!(
                        "recurring[interval] must be {}, not {text}.",
                        Interval::names()
                    ),
                )
            })?;
            let count = r.interval_count.unwrap_or(1);
            let max = max_interval_count(interval);
            if !(1..=max).contains(&count) {
                return Err(invalid(
                    "recurring[interval_count]",
                    format!(
                        "recurring[interval_count] must be between 1 and {max} for {interval}s."
                    ),
                ));
            }
            let usage = match r.usage_type.as_deref() {
                None => UsageType::Licensed,
                Some(u) => UsageType::parse(u).ok_or_else(|| {
                    invalid(
                        "recurring[usage_type]",
                        format!(
                            "recurring[usage_type] must be {}, not {u}.",
                            UsageType::names()
                        ),
                    )
                })?,
            };
            let aggregate = match (usage, r.aggregate_usage.as_deref()) {
                (UsageType::Licensed, Some(_)) => {
                    return Err(invalid(
                        "recurring[aggregate_usage]",
                        "recurring[aggregate_usage] is for metered prices only.",
                    ));
                }
                (UsageType::Licensed, None) => None,
                (UsageType::Metered, None) => Some(AggregateUsage::Sum),
                (UsageType::Metered, Some(a)) => {
                    Some(AggregateUsage::parse(a).ok_or_else(|| {
                        invalid(
                            "recurring[aggregate_usage]",
                            format!(
                                "recurring[aggregate_usage] must be {}, not {a}.",
                                AggregateUsage::names()
                            ),
                        )
                    })?)
                }
            };
            (Some(interval), count, usage, aggregate)
        }
    };
    let now = clock.now_micros();
    let product = match (input.product, input.product_data) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "product_data",
                "Send product or product_data, not both.",
            ));
        }
        (Some(id), None) => {
            find_product(tx.conn().await?, scope, &id, Some("product"))
                .await?
                .id
        }
        (None, Some(data)) => {
            let fields = ProductFields {
                name: data.name,
                ..Default::default()
            };
            create_product(tx, scope, clock, fields).await?.id
        }
        (None, None) => return Err(invalid("product", "Missing required param: product.")),
    };
    let row = PriceRow {
        id: new_id(IdKind::Price),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        product,
        currency,
        unit_amount: amount,
        recurring_interval: interval,
        recurring_count: count,
        usage_type,
        aggregate_usage: aggregate,
        active: i64::from(input.active.unwrap_or(true)),
        nickname: check_text("nickname", input.nickname, 256)?,
        metadata: metadata::stored(input.metadata)?,
        created: now.div_euclid(1_000_000),
        sort_key: now,
    };
    tx.defer(row::insert(&row));
    Ok(row)
}

pub async fn update_price(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    input: PriceUpdate,
) -> Result<PriceRow> {
    if input.unit_amount.is_some() {
        return Err(invalid(
            "unit_amount",
            "A price's amount cannot change once created: create a new price and move subscriptions to it.",
        ));
    }
    if input.currency.is_some() {
        return Err(invalid(
            "currency",
            "A price's currency cannot change once created: create a new price.",
        ));
    }
    let mut row = find_price(tx.conn().await?, scope, id, None).await?;
    if let Some(active) = input.active {
        row.active = i64::from(active);
    }
    if input.nickname.is_some() {
        row.nickname = check_text("nickname", input.nickname, 256)?;
    }
    if let Some(update) = input.metadata {
        row.metadata = metadata::merged(&row.metadata, update)?;
    }
    row::update(tx, &row).await?;
    Ok(row)
}
