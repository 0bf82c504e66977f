//! `/v1/customers`: create, retrieve, update, delete, list.

use super::auth::{ApiAuth, SecretAuth};
use super::body::ApiBody;
use super::error::ApiResult;
use super::idempotency::{Idempotency, IdempotencyKey, Reply, Started};
use super::list::{ApiQuery, ListEnvelope, Paging};
use crate::domain::customer::Customer;
use crate::services::Scope;
use crate::services::customers::{self, CustomerFields};
use crate::state::AppState;
use crate::store::customers::{self as rows, CustomerFilter};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A customer as the API shows it.
#[derive(Debug, Serialize)]
pub struct CustomerDto {
    pub id: String,
    pub object: &'static str,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub default_payment_method: Option<String>,
    pub created: i64,
    pub livemode: bool,
}

impl From<Customer> for CustomerDto {
    fn from(c: Customer) -> Self {
        CustomerDto {
            id: c.id,
            object: "customer",
            livemode: c.mode.is_live(),
            metadata: c.metadata.as_map().clone(),
            email: c.email,
            name: c.name,
            phone: c.phone,
            description: c.description,
            default_payment_method: c.default_payment_method,
            created: c.created,
        }
    }
}

/// Body of create and update.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerParams {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
    /// A saved card attached to this customer, used when a confirm names none.
    pub default_payment_method: Option<String>,
}

impl From<CustomerParams> for CustomerFields {
    fn from(p: CustomerParams) -> Self {
        CustomerFields {
            email: p.email,
            name: p.name,
            phone: p.phone,
            description: p.description,
            metadata: p.metadata,
            default_payment_method: p.default_payment_method,
        }
    }
}

pub fn scope_of(auth: &ApiAuth) -> Scope {
    Scope {
        account_id: auth.account_id.clone(),
        mode: auth.mode,
    }
}

pub async fn create_customer(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    key: IdempotencyKey,
    body: ApiBody<CustomerParams>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(&state, &auth, key, &body.fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let mut tx = state.store.begin().await?;
    let customer = customers::create(
        &mut tx,
        &scope_of(&auth),
        state.clock.as_ref(),
        body.value.into(),
    )
    .await?;
    idem.commit(tx, Reply::ok(CustomerDto::from(customer))?)
        .await
}

pub async fn get_customer(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<CustomerDto>> {
    let customer = customers::find(state.store.reader(), &scope_of(&auth), &id).await?;
    Ok(Json(customer.into()))
}

pub async fn update_customer(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<CustomerParams>,
) -> ApiResult<Response> {
    let idem = match Idempotency::start(&state, &auth, key, &body.fingerprint).await? {
        Started::Replay(response) => return Ok(response),
        Started::Fresh(idem) => idem,
    };
    let mut tx = state.store.begin().await?;
    let customer = customers::update(&mut tx, &scope_of(&auth), &id, body.value.into()).await?;
    idem.commit(tx, Reply::ok(CustomerDto::from(customer))?)
        .await
}

#[derive(Debug, Serialize)]
pub struct DeletedDto {
    pub id: String,
    pub object: &'static str,
    pub deleted: bool,
}

pub async fn delete_customer(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedDto>> {
    let mut tx = state.store.begin().await?;
    let id = customers::delete(&mut tx, &scope_of(&auth), &id).await?;
    tx.commit().await?;
    Ok(Json(DeletedDto {
        id,
        object: "customer",
        deleted: true,
    }))
}

/// Query of the list. (serde cannot deny unknown fields next to `flatten`, so unknown query
/// parameters are ignored rather than refused.)
#[derive(Debug, Deserialize)]
pub struct ListCustomersQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub email: Option<String>,
}

pub async fn list_customers(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    ApiQuery(query): ApiQuery<ListCustomersQuery>,
) -> ApiResult<Json<ListEnvelope<CustomerDto>>> {
    let limit = query.paging.limit()?;
    let pool = state.store.reader();
    let cursor = query.paging.cursor(pool, rows::TABLE, &auth).await?;
    let filter = CustomerFilter { email: query.email };
    let (found, has_more) = rows::list(
        pool,
        &auth.account_id,
        auth.mode.as_str(),
        &filter,
        &cursor,
        limit,
    )
    .await?;
    let data = found
        .into_iter()
        .map(|row| customers::to_domain(row).map(CustomerDto::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(ListEnvelope::new(data, has_more, "/v1/customers")))
}
