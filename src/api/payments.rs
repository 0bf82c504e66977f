//! `/v1/payments`: create, retrieve, list, confirm, capture, cancel, adjust, reverse.

use super::auth::{ApiAuth, SecretAuth};
use super::body::ApiBody;
use super::customers::{CustomerDto, scope_of};
use super::error::{ApiError, ApiResult, ErrorType};
use super::idempotency::{Idempotency, IdempotencyKey, Reply, Started};
use super::list::{ApiQuery, ListEnvelope, Paging};
use super::params::lenient;
use crate::services::payments::{
    self as service, ConfirmPayment, Deps, NewPayment, PaymentError, Staged,
};
use crate::services::{ServiceError, customers};
use crate::state::AppState;
use crate::store::charges;
use crate::store::payments::{self as rows, PaymentFilter, PaymentRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        store: &state.store,
        clock: state.clock.as_ref(),
        acquirers: &state.acquirers,
        secret: &state.config.secret,
        public_url: &state.config.public_url,
    }
}

impl From<PaymentError> for ApiError {
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::Service(e) => e.into(),
            PaymentError::State(e) => ApiError::new(
                StatusCode::CONFLICT,
                ErrorType::InvalidState,
                "payment_unexpected_state",
                e.to_string(),
            ),
            PaymentError::Conflict => ApiError::new(
                StatusCode::CONFLICT,
                ErrorType::InvalidState,
                "payment_unexpected_state",
                err.to_string(),
            ),
            PaymentError::AdjustDeclined(decline, _) => {
                let mut e = ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    ErrorType::CardError,
                    decline.code,
                    decline.message,
                );
                e.decline_code = Some(decline.decline_code.to_string());
                e
            }
        }
    }
}

/// The payment as this caller sees it (secret keys get the client secret).
fn payment_json(state: &AppState, auth: &ApiAuth, row: &PaymentRow) -> Value {
    let secret = (auth.kind == super::auth::KeyKind::Secret)
        .then(|| service::client_secret(&state.config.secret, &row.id));
    crate::wire::payment(row, &state.config.public_url, secret.as_deref())
}

/// Replaces ids by objects for each `expand[]` entry.
async fn expand(
    state: &AppState,
    auth: &ApiAuth,
    mut object: Value,
    expand: &[String],
) -> ApiResult<Value> {
    for field in expand {
        let field = field.strip_prefix("data.").unwrap_or(field);
        match field {
            "customer" => {
                if let Some(id) = object["customer"].as_str().map(str::to_string) {
                    let found = crate::store::customers::find(
                        state.store.reader(),
                        &auth.account_id,
                        auth.mode.as_str(),
                        &id,
                    )
                    .await?;
                    if let Some(row) = found {
                        let customer = customers::to_domain(row)?;
                        object["customer"] = serde_json::to_value(CustomerDto::from(customer))
                            .map_err(|e| ApiError::internal(&e))?;
                    }
                }
            }
            "latest_charge" => {
                if let Some(id) = object["latest_charge"].as_str().map(str::to_string)
                    && let Some(row) = charges::find(
                        state.store.reader(),
                        &auth.account_id,
                        auth.mode.as_str(),
                        &id,
                    )
                    .await?
                {
                    object["latest_charge"] = crate::wire::charge(&row);
                }
            }
            other => {
                return Err(ApiError::invalid_param(
                    "expand",
                    format!(
                        "This property cannot be expanded ({other}). Expandable: customer, latest_charge."
                    ),
                ));
            }
        }
    }
    Ok(object)
}

/// Commits a staged change with its idempotency record; a decline is a 402 whose body names
/// the failed payment, stored like any other answer.
async fn finish(
    state: &AppState,
    auth: &ApiAuth,
    idem: Idempotency,
    staged: Staged,
    expand_fields: &[String],
) -> ApiResult<Response> {
    let object = expand(
        state,
        auth,
        payment_json(state, auth, &staged.payment),
        expand_fields,
    )
    .await?;
    let reply = match staged.decline {
        None => Reply {
            status: StatusCode::OK,
            body: object,
        },
        Some(decline) => {
            let mut err = ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                ErrorType::CardError,
                decline.code,
                decline.message,
            );
            err.decline_code = Some(decline.decline_code.to_string());
            err.payment = Some(object);
            Reply {
                status: StatusCode::PAYMENT_REQUIRED,
                body: err.body(),
            }
        }
    };
    idem.commit(staged.tx, reply).await
}

async fn start(
    state: &AppState,
    auth: &ApiAuth,
    key: IdempotencyKey,
    fingerprint: &str,
) -> ApiResult<Result<Idempotency, Response>> {
    Ok(
        match Idempotency::start(state, auth, key, fingerprint).await? {
            Started::Replay(response) => Err(response),
            Started::Fresh(idem) => Ok(idem),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    pub preferred_acquirer: Option<String>,
}

/// Body of `POST /v1/payments`. Aliases accept the guides' names (`amountMinor`, `customerId`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    #[serde(default, deserialize_with = "lenient::opt_int", alias = "amount_minor")]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub payment_method: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub confirm: Option<bool>,
    #[serde(alias = "customer_id")]
    pub customer: Option<String>,
    pub customer_reference: Option<String>,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub description: Option<String>,
    pub product_name: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
    pub return_url: Option<String>,
    pub capture_method: Option<String>,
    pub routing: Option<Routing>,
    pub on_behalf_of: Option<String>,
    pub statement_descriptor: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub expires_in: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

pub async fn create_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    key: IdempotencyKey,
    body: ApiBody<CreateParams>,
) -> ApiResult<Response> {
    let idem = match start(&state, &auth, key, &body.fingerprint).await? {
        Ok(idem) => idem,
        Err(replay) => return Ok(replay),
    };
    let p = body.value;
    let input = NewPayment {
        amount: p.amount,
        currency: p.currency,
        payment_method: p.payment_method,
        confirm: p.confirm,
        customer: p.customer,
        customer_reference: p.customer_reference,
        customer_email: p.customer_email,
        customer_name: p.customer_name,
        customer_phone: p.customer_phone,
        description: p.description,
        product_name: p.product_name,
        metadata: p.metadata,
        return_url: p.return_url,
        capture_method: p.capture_method,
        preferred_acquirer: p.routing.and_then(|r| r.preferred_acquirer),
        on_behalf_of: p.on_behalf_of,
        statement_descriptor: p.statement_descriptor,
        expires_in: p.expires_in,
    };
    if input.amount.is_none() {
        return Err(ApiError::missing_param("amount"));
    }
    let staged = service::create(
        &deps(&state),
        &scope_of(&auth),
        &auth.default_currency,
        input,
    )
    .await?;
    finish(&state, &auth, idem, staged, &p.expand).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ExpandQuery {
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

pub async fn get_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ExpandQuery>,
) -> ApiResult<Json<Value>> {
    let row = service::find(&state.store, &scope_of(&auth), &id).await?;
    Ok(Json(
        expand(
            &state,
            &auth,
            payment_json(&state, &auth, &row),
            &query.expand,
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct CreatedRange {
    pub gte: Option<String>,
    pub lte: Option<String>,
}

/// Query of the list (unknown parameters are ignored: serde cannot deny them next to flatten).
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub customer: Option<String>,
    pub customer_reference: Option<String>,
    pub status: Option<String>,
    pub created: Option<CreatedRange>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

fn parse_time(param: &str, value: Option<String>) -> ApiResult<Option<i64>> {
    value
        .map(|v| {
            v.trim().parse::<i64>().map_err(|_| {
                ApiError::invalid_param(
                    param,
                    format!("{param} must be a Unix timestamp in seconds."),
                )
            })
        })
        .transpose()
}

pub async fn list_payments(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListEnvelope<Value>>> {
    let limit = query.paging.limit()?;
    if let Some(status) = &query.status
        && crate::domain::payment::PaymentStatus::parse(status).is_none()
    {
        return Err(ApiError::invalid_param(
            "status",
            format!("Unknown status: {status}."),
        ));
    }
    let created = query.created.unwrap_or_default();
    let filter = PaymentFilter {
        customer: query.customer,
        customer_reference: query.customer_reference,
        status: query.status,
        created_gte: parse_time("created[gte]", created.gte)?,
        created_lte: parse_time("created[lte]", created.lte)?,
    };
    let pool = state.store.reader();
    let cursor = query.paging.cursor(pool, rows::TABLE, &auth).await?;
    let (found, has_more) = rows::list(
        pool,
        &auth.account_id,
        auth.mode.as_str(),
        &filter,
        &cursor,
        limit,
    )
    .await?;
    let mut data = Vec::with_capacity(found.len());
    for row in &found {
        data.push(
            expand(
                &state,
                &auth,
                payment_json(&state, &auth, row),
                &query.expand,
            )
            .await?,
        );
    }
    Ok(Json(ListEnvelope::new(data, has_more, "/v1/payments")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmDetails {
    pub challenge: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmParams {
    pub payment_method: Option<String>,
    pub details: Option<ConfirmDetails>,
    pub return_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

pub async fn confirm_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<ConfirmParams>,
) -> ApiResult<Response> {
    let idem = match start(&state, &auth, key, &body.fingerprint).await? {
        Ok(idem) => idem,
        Err(replay) => return Ok(replay),
    };
    let p = body.value;
    if p.return_url.is_some() {
        return Err(ApiError::invalid_param(
            "return_url",
            "Set return_url when creating the payment.",
        ));
    }
    let challenge_completed = match p.details.and_then(|d| d.challenge).as_deref() {
        None => None,
        Some("completed") => Some(true),
        Some("failed") => Some(false),
        Some(other) => {
            return Err(ApiError::invalid_param(
                "details[challenge]",
                format!("details[challenge] must be completed or failed, not {other}."),
            ));
        }
    };
    let input = ConfirmPayment {
        payment_method: p.payment_method,
        challenge_completed,
    };
    let staged = service::confirm(&deps(&state), &scope_of(&auth), &id, input, false).await?;
    finish(&state, &auth, idem, staged, &p.expand).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureParams {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount_to_capture: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

pub async fn capture_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<CaptureParams>,
) -> ApiResult<Response> {
    let idem = match start(&state, &auth, key, &body.fingerprint).await? {
        Ok(idem) => idem,
        Err(replay) => return Ok(replay),
    };
    let staged = service::capture(
        &deps(&state),
        &scope_of(&auth),
        &id,
        body.value.amount_to_capture,
    )
    .await?;
    finish(&state, &auth, idem, staged, &body.value.expand).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelParams {
    pub cancellation_reason: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

pub async fn cancel_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<CancelParams>,
) -> ApiResult<Response> {
    let idem = match start(&state, &auth, key, &body.fingerprint).await? {
        Ok(idem) => idem,
        Err(replay) => return Ok(replay),
    };
    let p = body.value;
    let staged =
        service::cancel(&deps(&state), &scope_of(&auth), &id, p.cancellation_reason).await?;
    finish(&state, &auth, idem, staged, &p.expand).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountParams {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

pub async fn adjust_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<AmountParams>,
) -> ApiResult<Response> {
    let idem = match start(&state, &auth, key, &body.fingerprint).await? {
        Ok(idem) => idem,
        Err(replay) => return Ok(replay),
    };
    if body.value.amount.is_none() {
        return Err(ApiError::missing_param("amount"));
    }
    let result = service::adjust(&deps(&state), &scope_of(&auth), &id, body.value.amount).await;
    match result {
        Ok(staged) => finish(&state, &auth, idem, staged, &body.value.expand).await,
        Err(PaymentError::AdjustDeclined(decline, row)) => {
            // Nothing changed: the 402 names the payment as it still is.
            let mut err: ApiError = PaymentError::AdjustDeclined(decline, row.clone()).into();
            err.payment = Some(payment_json(&state, &auth, &row));
            Err(err)
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn reverse_payment(
    State(state): State<AppState>,
    SecretAuth(auth): SecretAuth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiBody<AmountParams>,
) -> ApiResult<Response> {
    let idem = match start(&state, &auth, key, &body.fingerprint).await? {
        Ok(idem) => idem,
        Err(replay) => return Ok(replay),
    };
    let staged = service::reverse(&deps(&state), &scope_of(&auth), &id, body.value.amount).await?;
    finish(&state, &auth, idem, staged, &body.value.expand).await
}

/// Used by handlers that report a missing object of another kind.
pub fn not_found(object: &'static str, id: &str) -> ApiError {
    ServiceError::NotFound {
        object,
        id: id.to_string(),
    }
    .into()
}
