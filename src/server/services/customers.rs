//! Creating, changing, deleting and listing customers.

use super::{Scope, ServiceError};
use crate::domain::customer::{self, Customer, MAX_DESCRIPTION_LEN, MAX_NAME_LEN, MAX_PHONE_LEN};
use crate::domain::ids::IdKind;
use crate::domain::metadata::Metadata;
use crate::server::clock::Clock;
use crate::server::crypto::new_id;
use crate::server::store::Tx;
use crate::server::store::customers::CustomerRow;
use crate::server::store::payment_methods::PaymentMethodRow;
use crate::server::store::row;
use std::collections::BTreeMap;

/// The fields a merchant may set on a customer: the body of create and update.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CustomerParams)]
pub struct CustomerFields {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
    /// `pm_…` attached to this customer; an empty string clears it.
    pub default_payment_method: Option<String>,
    /// Create only, test mode: the test clock (`clock_…`) the customer's billing runs on.
    pub test_clock: Option<String>,
}

pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    clock: &dyn Clock,
    fields: CustomerFields,
) -> Result<Customer, ServiceError> {
    if fields
        .default_payment_method
        .as_deref()
        .is_some_and(|pm| !pm.trim().is_empty())
    {
        return Err(ServiceError::invalid(
            "default_payment_method",
            "A new customer has no payment methods yet: attach one, then set it as the default.",
        ));
    }
    let email = fields
        .email
        .filter(|e| !e.trim().is_empty())
        .map(|e| customer::check_email(&e))
        .transpose()?;
    let metadata = Metadata::parse(fields.metadata.unwrap_or_default())?;
    let now = clock.now_micros();
    // On a test clock, the customer lives at the clock's time.
    let created = match &fields.test_clock {
        Some(id) => {
            let found = row::find::<crate::server::store::test_clocks::TestClockRow>(
                tx.conn().await?,
                &scope.account_id,
                scope.mode.as_str(),
                id,
            )
            .await?;
            match found {
                Some(c) if !scope.mode.is_live() => c.frozen_time,
                _ => {
                    return Err(ServiceError::Coded {
                        param: "test_clock".into(),
                        code: "resource_missing",
                        message: format!("No such test clock: '{id}'"),
                    });
                }
            }
        }
        None => now.div_euclid(1_000_000),
    };
    let row = CustomerRow {
        id: new_id(IdKind::Customer),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        email,
        name: customer::check_text("name", fields.name, MAX_NAME_LEN)?,
        phone: customer::check_text("phone", fields.phone, MAX_PHONE_LEN)?,
        description: customer::check_text("description", fields.description, MAX_DESCRIPTION_LEN)?,
        metadata: metadata.to_json(),
        default_payment_method: None,
        deleted: 0,
        created,
        sort_key: now,
        test_clock: fields.test_clock,
    };
    row::insert_now(tx, &row).await?;
    to_domain(row)
}

/// Applies the fields given (absent ones are left alone; an empty string clears a field).
pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    fields: CustomerFields,
) -> Result<Customer, ServiceError> {
    let mut row = find_row(tx, scope, id).await?;
    if fields.test_clock.is_some() {
        return Err(ServiceError::invalid(
            "test_clock",
            "A customer's test clock is chosen when it is created.",
        ));
    }
    if let Some(email) = fields.email {
        row.email = if email.trim().is_empty() {
            None
        } else {
            Some(customer::check_email(&email)?)
        };
    }
    if fields.name.is_some() {
        row.name = customer::check_text("name", fields.name, MAX_NAME_LEN)?;
    }
    if fields.phone.is_some() {
        row.phone = customer::check_text("phone", fields.phone, MAX_PHONE_LEN)?;
    }
    if fields.description.is_some() {
        row.description =
            customer::check_text("description", fields.description, MAX_DESCRIPTION_LEN)?;
    }
    if let Some(pm) = fields.default_payment_method {
        row.default_payment_method = if pm.trim().is_empty() {
            None
        } else {
            let attached = row::find::<PaymentMethodRow>(
                tx.conn().await?,
                &scope.account_id,
                scope.mode.as_str(),
                &pm,
            )
            .await?
            .is_some_and(|m| m.customer_id.as_deref() == Some(row.id.as_str()));
            // An unknown id and another customer's card alike: no such card here (404).
            if !attached {
                return Err(ServiceError::Coded {
                    param: "default_payment_method".into(),
                    code: "resource_missing",
                    message: format!("No such payment method attached to this customer: '{pm}'"),
                });
            }
            Some(pm)
        };
    }
    if let Some(update) = fields.metadata {
        let merged = parse_metadata(&row.metadata)?.merge(update)?;
        row.metadata = merged.to_json();
    }
    row::update(tx, &row).await?;
    to_domain(row)
}

/// Marks the customer deleted: past payments keep pointing at it, new ones cannot.
pub async fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<String, ServiceError> {
    let mut row = find_row(tx, scope, id).await?;
    row.deleted = 1;
    row::update(tx, &row).await?;
    Ok(row.id)
}

/// A live (not deleted) customer of this scope.
pub async fn find<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    scope: &Scope,
    id: &str,
) -> Result<Customer, ServiceError> {
    to_domain(find_live(ex, scope, id).await?)
}

async fn find_row(tx: &mut Tx, scope: &Scope, id: &str) -> Result<CustomerRow, ServiceError> {
    find_live(tx.conn().await?, scope, id).await
}

async fn find_live<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    scope: &Scope,
    id: &str,
) -> Result<CustomerRow, ServiceError> {
    let not_found = || ServiceError::NotFound {
        object: "customer",
        id: id.to_string(),
    };
    if !crate::domain::ids::is_id(IdKind::Customer, id) {
        return Err(not_found());
    }
    row::find::<CustomerRow>(ex, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .filter(|row| row.deleted == 0)
        .ok_or_else(not_found)
}

fn parse_metadata(stored: &str) -> Result<Metadata, ServiceError> {
    let map: BTreeMap<String, String> = serde_json::from_str(stored)
        .map_err(|e| ServiceError::Database(sqlx::Error::Decode(Box::new(e))))?;
    Ok(Metadata::parse(map)?)
}

/// Turns a stored row into the domain value.
pub fn to_domain(row: CustomerRow) -> Result<Customer, ServiceError> {
    let mode = row.mode;
    Ok(Customer {
        metadata: parse_metadata(&row.metadata)?,
        id: row.id,
        mode,
        email: row.email,
        name: row.name,
        phone: row.phone,
        description: row.description,
        default_payment_method: row.default_payment_method,
        created: row.created,
        test_clock: row.test_clock,
    })
}
