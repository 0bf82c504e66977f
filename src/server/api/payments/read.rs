//! `GET /v1/payments/{id}` and `GET /v1/payments`.

use super::*;
use crate::server::api::read::Read;
use crate::server::views::ListView;

#[derive(Debug, Default, Deserialize)]
pub struct ExpandQuery {
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
}

#[utoipa::path(get, path = "/payments/{id}", tag = "Payments", params(("id" = String, Path, description = "Object id"), ("expand[]" = Option<Vec<String>>, Query, description = "customer, latest_charge, loyalty")), responses((status = 200, description = "The payment", body = crate::server::views::PaymentView), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope), (status = 404, description = "No such object for this account and mode", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn get_payment(
    Read { state, auth }: Read,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ExpandQuery>,
) -> ApiResult<Json<PaymentView>> {
    let row = service::find(&state.store, &scope_of(&auth), &id).await?;
    Ok(Json(expand(&state, &auth, &row, &query.expand).await?))
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

#[utoipa::path(get, path = "/payments", tag = "Payments", params(("limit" = Option<i64>, Query, description = "1 to 100, default 10"), ("starting_after" = Option<String>, Query, description = "Cursor: an object id"), ("ending_before" = Option<String>, Query, description = "Cursor: an object id"), ("customer" = Option<String>, Query), ("customer_reference" = Option<String>, Query), ("status" = Option<String>, Query), ("created[gte]" = Option<i64>, Query), ("created[lte]" = Option<i64>, Query), ("expand[]" = Option<Vec<String>>, Query)), responses((status = 200, description = "Payments, newest first", body = crate::server::views::list::List), (status = 400, description = "Invalid parameters", body = crate::server::api::error::ErrorEnvelope), (status = 401, description = "Missing or invalid API key", body = crate::server::api::error::ErrorEnvelope)))]
pub async fn list_payments(
    Read { state, auth }: Read,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<PaymentView>>> {
    // The limit is checked before the filters, as it always was.
    query.paging.limit()?;
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
        ..PaymentFilter::default()
    };
    let (found, has_more) = query.paging.page(&state, &auth, &filter).await?;
    let mut data = Vec::with_capacity(found.len());
    for row in &found {
        data.push(expand(&state, &auth, row, &query.expand).await?);
    }
    Ok(Json(ListView::new(data, has_more, "/v1/payments")))
}
