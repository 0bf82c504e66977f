//! Field checks of payment input.

use super::*;

pub(super) fn check_amount(amount: Option<i64>, param: &str) -> Result<Amount> {
    let amount = amount.ok_or_else(|| {
        PaymentError::from(ServiceError::invalid(
            param,
            format!("Missing required param: {param}."),
        ))
    })?;
    Amount::parse(amount).map_err(|e| {
        let code = match e {
            AmountError::TooSmall => "amount_too_small",
            AmountError::TooLarge => "amount_too_large",
        };
        PaymentError::Service(ServiceError::Coded {
            param: param.to_string(),
            code,
            message: e.to_string(),
        })
    })
}

pub(super) fn check_url(param: &str, value: Option<String>) -> Result<Option<String>> {
    http_url(param, value).map_err(Into::into)
}

/// An optional http(s) URL of at most 2048 characters, trimmed (`return_url`, `callback_url`).
pub(crate) fn http_url(
    param: &str,
    value: Option<String>,
) -> std::result::Result<Option<String>, ServiceError> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    match url::Url::parse(value.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && value.len() <= 2048 => {
            Ok(Some(value.trim().to_string()))
        }
        _ => Err(ServiceError::invalid(
            param,
            format!("{param} must be an http or https URL."),
        )),
    }
}

/// The shared rule for free-text fields (`domain::customer::check_text`).
pub(super) fn check_text(
    param: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>> {
    crate::domain::customer::check_text(param, value, max).map_err(|e| ServiceError::from(e).into())
}

/// A statement descriptor: ≤ 22 characters, at least one letter, none of `< > \ ' " *`.
pub(super) fn check_descriptor(value: Option<String>) -> Result<Option<String>> {
    let Some(v) = check_text("statement_descriptor", value, 22)? else {
        return Ok(None);
    };
    if v.chars().any(|c| "<>\\'\"*".contains(c)) || !v.chars().any(char::is_alphabetic) {
        return Err(invalid(
            "statement_descriptor",
            "statement_descriptor needs at least one letter and cannot contain < > \\ ' \" or *.",
        ));
    }
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_are_checked() {
        assert_eq!(
            check_descriptor(Some("VINR SHOP".into()))
                .unwrap()
                .as_deref(),
            Some("VINR SHOP")
        );
        assert!(check_descriptor(Some("x".repeat(23))).is_err());
        assert!(check_descriptor(Some("SHOP*1".into())).is_err());
        assert!(check_descriptor(Some("12345".into())).is_err());
        assert_eq!(check_descriptor(None).unwrap(), None);
    }
}
