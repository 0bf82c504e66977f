//! `GET /v1/elements.js`: the loader a merchant's page includes to mount the card element.
//! Public and cacheable: browsers keep it an hour and then revalidate with its ETag, which
//! changes with every version of the file.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// The loader's source, as served.
pub const LOADER: &str = include_str!("elements.js");

/// The loader's protocol version, also in the file (`Vinr.version`) and in the frame's URL.
pub const VERSION: &str = "1";

/// A strong ETag: the first 16 hex digits of the file's SHA-256.
static ETAG: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\"{}\"",
        &crate::server::crypto::sha256_hex(LOADER.as_bytes())[..16]
    )
});

#[utoipa::path(get, path = "/elements.js", tag = "Elements", security(()),
    responses(
        (status = 200, description = "The card element loader (JavaScript, no dependencies)", content_type = "text/javascript"),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
    ))]
pub async fn elements_js(headers: HeaderMap) -> Response {
    let etag = ETAG.as_str();
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            )],
            LOADER,
        )
            .into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if let Ok(value) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, value);
    }
    h.insert("x-vinr-elements-version", HeaderValue::from_static(VERSION));
    // Any site may load it, also with `crossorigin` for subresource integrity.
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    response
}
