//! Calls VINR makes to merchants' servers (webhooks, checkout callbacks).

/// Why an outgoing call (webhook, callback) failed, in words that never repeat the URL (it may
/// carry the merchant's secrets in its query).
pub fn describe_failed_call(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "could not connect".into()
    } else if err.is_redirect() {
        "too many redirects".into()
    } else if err.is_body() || err.is_decode() {
        "the response body could not be read".into()
    } else {
        "request failed".into()
    }
}
