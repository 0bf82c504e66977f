//! `GET /dashboard/payments.csv`: the payments the payments page's filters select, as CSV,
//! streamed page by page (an account with a million payments does not build a file in memory).

use super::filters::PaymentQuery;
use crate::server::state::AppState;
use crate::server::store::page::{self, Cursor};
use crate::server::store::payments::{PaymentFilter, PaymentRow};
use crate::server::web::session::CurrentSession;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// Rows fetched per database round trip.
const BATCH: i64 = 500;

pub const HEADER: &str = "id,created,status,amount,currency,amount_received,amount_refunded,\
customer,customer_email,customer_reference,description\r\n";

pub async fn payments_csv(State(state): State<AppState>, req: Request) -> Response {
    let Some(CurrentSession(owner)) = req.extensions().get::<CurrentSession>().cloned() else {
        return Redirect::to("/login").into_response();
    };
    let query = req.uri().query().unwrap_or_default().to_string();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let parsed = PaymentQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let filter = match parsed.filter() {
        Ok(f) => f,
        Err(problems) => {
            return crate::server::api::error::ApiError::invalid_param(
                "filters",
                problems.join(" "),
            )
            .into_response();
        }
    };
    let filename = format!(
        "attachment; filename=\"payments-{}.csv\"",
        crate::server::clock::format_date(state.clock.now())
    );
    // Fused: the gzip layer polls once more after the end, which a bare `unfold` forbids.
    let stream =
        futures_util::StreamExt::fuse(rows_stream(state, owner.account_id, owner.mode, filter));
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The header, then one chunk per batch of rows, newest first, until the filter is exhausted.
fn rows_stream(
    state: AppState,
    account_id: String,
    mode: crate::domain::mode::Mode,
    filter: PaymentFilter,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    enum Next {
        Header,
        Page(Cursor),
        Done,
    }
    futures_util::stream::unfold(Next::Header, move |next| {
        let state = state.clone();
        let account_id = account_id.clone();
        let mode = mode;
        let filter = filter.clone();
        async move {
            match next {
                Next::Header => Some((
                    Ok(Bytes::from_static(HEADER.as_bytes())),
                    Next::Page(Cursor::Start),
                )),
                Next::Done => None,
                Next::Page(cursor) => {
                    let db = state.store.reader();
                    let page =
                        page::list(db, &account_id, mode.as_str(), &filter, &cursor, BATCH).await;
                    match page {
                        Ok((rows, has_more)) => {
                            let after = rows.last().map(|r| Cursor::After {
                                sort_key: r.sort_key,
                                id: r.id.clone(),
                            });
                            let chunk: String = rows.iter().map(csv_line).collect();
                            let next = match (has_more, after) {
                                (true, Some(cursor)) => Next::Page(cursor),
                                _ => Next::Done,
                            };
                            Some((Ok(Bytes::from(chunk)), next))
                        }
                        Err(err) => {
                            // The status line is gone; cutting the body short tells the client.
                            tracing::error!(error = %err, "exporting payments failed");
                            Some((Err(std::io::Error::other("export failed")), Next::Done))
                        }
                    }
                }
            }
        }
    })
}

/// One payment as a CSV line. Amounts are in minor units, as in the API.
pub fn csv_line(r: &PaymentRow) -> String {
    let fields = [
        r.id.clone(),
        crate::server::clock::format_iso(r.created),
        r.status.as_str().to_string(),
        r.amount.to_string(),
        r.currency.code().to_string(),
        r.amount_received.to_string(),
        r.amount_refunded.to_string(),
        r.customer.clone().unwrap_or_default(),
        r.customer_email.clone().unwrap_or_default(),
        r.customer_reference.clone().unwrap_or_default(),
        r.description.clone().unwrap_or_default(),
    ];
    let mut line = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A field quoted when it must be (RFC 4180), and text a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) defused with a leading apostrophe.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field(""), "");
    }

    #[test]
    fn a_payment_is_one_line_in_header_order() {
        let mut row = crate::server::store::payments::sample_row("pay_1", "succeeded", None);
        row.amount = 1250;
        row.amount_received = 1250;
        row.currency = crate::domain::money::Currency::parse("EUR").unwrap();
        row.created = 1_795_269_789;
        row.customer_email = Some("ada@example.com".into());
        row.description = Some("Tea, green".into());
        assert_eq!(
            csv_line(&row),
            "pay_1,2026-11-21T14:03:09Z,succeeded,1250,EUR,1250,0,,ada@example.com,,\"Tea, green\"\r\n"
        );
        assert_eq!(HEADER.split(',').count(), 11);
    }
}
