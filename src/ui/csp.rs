//! Content Security Policies: what a page may load, where its forms may post, who may frame it.
//! Pages and the shell set theirs (with the hydration nonce); the router gives every other
//! response `DEFAULT_CSP`.

/// The CSP of responses that are not pages (JSON, files): nothing may run or frame them.
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The CSP of a server-rendered page: scripts only from us or with this response's nonce
/// (Leptos' hydration bootstrap), wasm allowed to compile, no framing.
pub fn page_csp(nonce: &str) -> String {
    page_csp_for(nonce, "", "'none'")
}

/// The page CSP with the origin a form post may end at (a merchant's `return_url`: browsers
/// apply `form-action` to the redirect too) and who may frame the page (`'none'`, or the
/// merchant's allowed origins for the card element and its challenge).
pub fn page_csp_for(nonce: &str, form_origin: &str, frame_ancestors: &str) -> String {
    let form_origin = if form_origin.is_empty() {
        String::new()
    } else {
        format!(" {form_origin}")
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'{form_origin}; frame-ancestors {frame_ancestors}"
    )
}
