//! `/v1/payment_methods`: saved cards (brand, last four, expiry, fingerprint; never the number).

use super::auth::ApiAuth;
use super::auth::scope_of;
use super::error::{ApiError, ApiResult, ErrorType};
use super::idempotency::{Post, Reply};
use super::list::{ApiQuery, Paging};
use super::read::Read;
use crate::domain::ids::{IdKind, is_id};
use crate::server::state::AppState;
use crate::server::store::payment_methods::{self as rows, PaymentMethodRow};
use crate::server::store::row;
use crate::server::views::{ListView, PaymentMethodView};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

async fn find(
    state: &AppState,
    account_id: &str,
    mode: &str,
    id: &str,
) -> ApiResult<PaymentMethodRow> {
    if !is_id(IdKind::PaymentMethod, id) {
        return Err(ApiError::not_found("payment_method", id));
    }
    row::find::<PaymentMethodRow>(state.store.reader(), account_id, mode, id)
        .await?
        .ok_or_else(|| ApiError::not_found("payment_method", id))
}

#[utoipa::path(get, path = "/payment_methods/{id}", tag = "Payment methods", params(("id" = String, Path, description = "Object id")), responses((status = 200, description = "The saved card", body = crate::server::views::PaymentMethodView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_payment_method(
    Read { state, auth }: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentMethodView>> {
    let row = find(&state, &auth.account_id, auth.mode.as_str(), &id).await?;
    Ok(Json(PaymentMethodView::from(&row)))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: Paging,
    pub customer: Option<String>,
}

/// Saved methods of one customer (`customer` is required: methods exist per customer).
#[utoipa::path(get, path = "/payment_methods", tag = "Payment methods", params(("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id"), ("customer" = String, Query)), responses((status = 200, description = "Saved cards of one customer", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_payment_methods(
    read: Read,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<PaymentMethodView>>> {
    let customer = query
        .customer
        .ok_or_else(|| ApiError::missing_param("customer"))?;
    let of_customer = rows::OfCustomer(customer);
    read.list(&query.paging, &of_customer, "/v1/payment_methods")
        .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachParams {
    #[schema(required = true)]
    pub customer: Option<String>,
}

/// Attaches a saved card to a customer, so later payments can reuse it.
#[utoipa::path(post, path = "/payment_methods/{id}/attach", tag = "Payment methods", params(("id" = String, Path, description = "Object id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((AttachParams = "application/x-www-form-urlencoded"), (AttachParams = "application/json"))), responses((status = 200, description = "The attached card", body = crate::server::views::PaymentMethodView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn attach_payment_method(
    Path(id): Path<String>,
    post: Post<AttachParams>,
) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let customer = p
            .customer
            .ok_or_else(|| ApiError::missing_param("customer"))?;
        let mut row = find(state, &auth.account_id, auth.mode.as_str(), &id).await?;
        crate::server::services::customers::find(state.store.reader(), &scope_of(auth), &customer)
            .await
            .map_err(|e| match e {
                crate::server::services::ServiceError::NotFound { .. } => {
                    ApiError::missing_reference(
                        "customer",
                        format!("No such customer: '{customer}'"),
                    )
                }
                other => other.into(),
            })?;
        match &row.customer_id {
            Some(owner) if owner != &customer => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorType::InvalidState,
                    "payment_method_attached",
                    "This payment method is attached to another customer.",
                ));
            }
            _ => {}
        }
        let mut tx = state.store.begin().await?;
        rows::set_customer(&mut tx, &row.id, &customer).await?;
        row.customer_id = Some(customer);
        Ok((tx, Reply::ok(PaymentMethodView::from(&row))?))
    })
    .await
}

/// `card[…]` of a tokenise request. Number and CVC are `Secret`: never printed, never stored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardParams {
    #[schema(value_type = Option<String>, required = true)]
    pub number: Option<crate::server::crypto::Secret>,
    // Documented as numbers, as JSON clients send them; a form's "12" is taken too.
    #[schema(value_type = Option<i64>, required = true, minimum = 1, maximum = 12)]
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_string")]
    pub exp_month: Option<String>,
    #[schema(value_type = Option<i64>, required = true)]
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_string")]
    pub exp_year: Option<String>,
    #[schema(value_type = Option<String>, required = true)]
    pub cvc: Option<crate::server::crypto::Secret>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
// Its own name in the document: utoipa keys schemas by name, and same-named ones replace
// each other.
#[schema(as = NewPaymentMethod)]
pub struct CreateParams {
    /// Only `card`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[schema(required = true)]
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub card: Option<CardParams>,
}

/// Tokenises a card (API-direct integrations; publishable or secret key). The answer carries
/// brand and last four only.
#[utoipa::path(post, path = "/payment_methods", tag = "Payment methods",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry")),
    request_body(content((CreateParams = "application/x-www-form-urlencoded"), (CreateParams = "application/json"))),
    responses(
        (status = 200, description = "The new payment method", body = crate::server::views::PaymentMethodView),
        (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope),
        (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope),
        (status = 402, description = "The card is invalid (incorrect_number, invalid_expiry_year, invalid_cvc…)", body = crate::server::api::error::ErrorEnvelope),
    ))]
pub async fn create_payment_method(post: Post<CreateParams, ApiAuth>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        if p.kind.as_deref().is_some_and(|k| k != "card") {
            return Err(ApiError::invalid_param(
                "type",
                "Only card payment methods are supported.",
            ));
        }
        let card = p
            .card
            .ok_or_else(|| ApiError::missing_param("card[number]"))?;
        let input = crate::server::services::cards::CardInput {
            number: card
                .number
                .ok_or_else(|| ApiError::missing_param("card[number]"))?,
            exp_month: card
                .exp_month
                .ok_or_else(|| ApiError::missing_param("card[exp_month]"))?,
            exp_year: card
                .exp_year
                .ok_or_else(|| ApiError::missing_param("card[exp_year]"))?,
            cvc: card
                .cvc
                .ok_or_else(|| ApiError::missing_param("card[cvc]"))?,
        };
        // Tokenised with the mode's default connection's processor (outside the transaction:
        // the processor may be slow), then saved.
        let row = crate::server::services::cards::tokenize(
            &state.payment_deps(),
            &scope_of(auth),
            &auth.default_acquirer,
            &input,
        )
        .await
        .map_err(|e| match e {
            crate::server::services::cards::CardError::Field(f) => ApiError::new(
                axum::http::StatusCode::PAYMENT_REQUIRED,
                ErrorType::CardError,
                f.code,
                f.message,
            )
            .with_param(format!("card[{}]", f.param)),
            crate::server::services::cards::CardError::Declined(d) => ApiError::new(
                axum::http::StatusCode::PAYMENT_REQUIRED,
                ErrorType::CardError,
                d.code,
                d.message,
            )
            .with_decline_code(d.decline_code)
            .with_param("card[number]"),
            crate::server::services::cards::CardError::Service(s) => s.into(),
        })?;
        let mut tx = state.store.begin().await?;
        tx.defer(crate::server::store::row::insert(&row));
        Ok((tx, Reply::ok(PaymentMethodView::from(&row))?))
    })
    .await
}
