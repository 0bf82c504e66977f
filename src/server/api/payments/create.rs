//! `POST /v1/payments`.

use super::*;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    pub preferred_acquirer: Option<String>,
}

/// Body of `POST /v1/payments`. Aliases accept the guides' names (`amountMinor`, `customerId`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
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

#[utoipa::path(post, path = "/payments", tag = "Payments", params(("Idempotency-Key" = Option<String>, Header, description = "Makes the POST safe to retry (1 to 255 characters)")), request_body(content((CreateParams = "application/x-www-form-urlencoded"), (CreateParams = "application/json"))), responses((status = 200, description = "The payment", body = crate::server::views::PaymentView), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 402, description = "Card declined; the error names the payment", body = crate::server::api::error::ErrorEnvelope), (status = 409, description = "The status does not allow this, or an idempotent request is in flight", body = crate::server::api::error::ErrorEnvelope), (status = 422, description = "Idempotency key reused with other parameters", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn create_payment(post: Post<CreateParams>) -> ApiResult<Response> {
    post.run(async |state, auth, p| {
        let expand = p.expand.clone();
        let input = new_payment(p, auth);
        if input.amount.is_none() {
            return Err(ApiError::missing_param("amount"));
        }
        let staged = service::create(
            &state.payment_deps(),
            &scope_of(auth),
            &auth.default_currency,
            input,
        )
        .await?;
        staged_reply(state, auth, staged, &expand).await
    })
    .await
}

/// The use case's input from the request's parameters; payments naming no connection use
/// the merchant's default one.
pub(crate) fn new_payment(p: CreateParams, auth: &ApiAuth) -> NewPayment {
    NewPayment {
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
        preferred_acquirer: p
            .routing
            .and_then(|r| r.preferred_acquirer)
            .or_else(|| Some(auth.default_acquirer.clone())),
        on_behalf_of: p.on_behalf_of,
        statement_descriptor: p.statement_descriptor,
        expires_in: p.expires_in,
        checkout_session: None,
    }
}
