//! Customers: who pays. Their fields are checked here, once.

use super::metadata::Metadata;
use super::mode::Mode;

/// A customer of a merchant.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: String,
    pub mode: Mode,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: Metadata,
    pub default_payment_method: Option<String>,
    pub created: i64,
    /// The test clock the customer's billing runs on.
    pub test_clock: Option<String>,
}

pub const MAX_NAME_LEN: usize = 256;
pub const MAX_PHONE_LEN: usize = 32;
pub const MAX_DESCRIPTION_LEN: usize = 1000;

/// A field that failed its check: which one and why, in words for the merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub param: &'static str,
    pub message: String,
}

/// Accepts an e-mail address that could be delivered to: one `@`, a local part, a dotted
/// domain, no spaces. Deliverability itself is the mail server's business.
pub fn check_email(email: &str) -> Result<String, FieldError> {
    let email = email.trim();
    let bad = || FieldError {
        param: "email",
        message: format!("Invalid email address: {email}"),
    };
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        // Characters, not bytes: the API document's maxLength counts characters.
        && email.chars().count() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(email.to_string())
    } else {
        Err(bad())
    }
}

/// Checks an optional free-text field's length; empty strings clear the field.
pub fn check_text(
    param: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value {
        None => Ok(None),
        Some(v) if v.chars().count() > max => Err(FieldError {
            param,
            message: format!("{param} can be at most {max} characters long."),
        }),
        Some(v) => Ok(Some(v.trim().to_string()).filter(|s| !s.is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked() {
        assert_eq!(
            check_email(" jenny@example.com ").unwrap(),
            "jenny@example.com"
        );
        for bad in [
            "",
            "jenny",
            "@example.com",
            "jenny@example",
            "jenny@.com",
            "je nny@example.com",
            "a@b@c.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_fields_are_bounded_and_trimmed() {
        assert_eq!(
            check_text("name", Some(" Jenny ".into()), 10).unwrap(),
            Some("Jenny".into())
        );
        assert_eq!(check_text("name", Some("".into()), 10).unwrap(), None);
        assert_eq!(check_text("name", None, 10).unwrap(), None);
        assert_eq!(
            check_text("name", Some("x".repeat(11)), 10)
                .unwrap_err()
                .param,
            "name"
        );
    }
}
