//! Resolving a `payment_method`: a saved card, or a test token saved as a new `pm_…`.

use super::*;

/// A payment method resolved for use: an existing saved card, or a test token to save.
pub(super) struct ResolvedMethod {
    /// The row to insert (test tokens become a new `pm_…`); None for an existing one.
    pub(super) new_row: Option<PaymentMethodRow>,
    pub(super) row: PaymentMethodRow,
}

impl ResolvedMethod {
    pub(super) fn profile(&self) -> CardProfile {
        CardProfile {
            brand: self.row.card_brand.clone(),
            last4: self.row.card_last4.clone(),
            scenario: self.row.sandbox_scenario.clone(),
            token: self.row.processor_token.clone(),
        }
    }
}

pub(super) async fn resolve_method(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    customer: Option<&str>,
) -> Result<ResolvedMethod> {
    if let Some(token) = test_token(id) {
        if scope.mode.is_live() {
            return Err(invalid(
                "payment_method",
                "Test tokens cannot be used with live keys.",
            ));
        }
        let now = deps.clock.now_micros();
        let fingerprint =
            hex::encode(&hmac_sha256(deps.secret.expose().as_bytes(), token.token.as_bytes())[..8]);
        let row = PaymentMethodRow {
            id: new_id(IdKind::PaymentMethod),
            account_id: scope.account_id.clone(),
            mode: scope.mode,
            customer_id: customer.map(str::to_string),
            card_brand: token.brand.as_str().to_string(),
            card_last4: token.last4.to_string(),
            card_exp_month: 12,
            card_exp_year: i64::from(year_of(deps.clock.now())) + 3,
            card_funding: "credit".into(),
            card_country: "US".into(),
            card_fingerprint: fingerprint,
            sandbox_scenario: token.scenario.as_str().to_string(),
            billing_name: None,
            created: now.div_euclid(1_000_000),
            sort_key: now,
            processor: None,
            processor_token: None,
        };
        return Ok(ResolvedMethod {
            new_row: Some(row.clone()),
            row,
        });
    }
    let missing = || {
        PaymentError::Service(ServiceError::Coded {
            param: "payment_method".into(),
            code: "resource_missing",
            message: format!("No such payment method: '{id}'"),
        })
    };
    if !ids::is_id(IdKind::PaymentMethod, id) {
        return Err(missing());
    }
    let row = row::find::<PaymentMethodRow>(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        id,
    )
    .await?
    .ok_or_else(missing)?;
    if let (Some(owner), Some(customer)) = (&row.customer_id, customer)
        && owner != customer
    {
        return Err(invalid(
            "payment_method",
            "This payment method belongs to another customer.",
        ));
    }
    Ok(ResolvedMethod { new_row: None, row })
}

/// Checks that a method can be charged through `connection`: a sandbox card through the
/// sandbox, a processor's token through the connection that made it. A test token on a
/// test-mode processor connection is the processor's own test method of the same name
/// (Stripe's `pm_card_visa`), so the guides' code runs there too.
pub(super) fn fit_to_connection(
    method: &mut ResolvedMethod,
    asked: &str,
    connection: &str,
    remote: bool,
) -> Result<()> {
    let row = &method.row;
    match (&row.processor, remote) {
        (None, false) => Ok(()),
        (Some(p), true) if p == connection => Ok(()),
        (None, true) => match (&mut method.new_row, row.mode.is_live()) {
            (Some(new_row), false) => {
                new_row.processor = Some(connection.to_string());
                new_row.processor_token = test_token(asked).map(|t| t.token.to_string());
                method.row = new_row.clone();
                Ok(())
            }
            _ => Err(invalid(
                "payment_method",
                format!(
                    "{} is a sandbox card and {connection} charges through a processor: send the card to POST /v1/payment_methods (or the checkout) with {connection} as the default connection.",
                    row.id
                ),
            )),
        },
        (Some(p), _) => Err(invalid(
            "payment_method",
            format!(
                "{} was tokenised with connection {p}: it can only be charged through {p}.",
                row.id
            ),
        )),
    }
}

/// The calendar year of a Unix time (for test-token expiry dates).
fn year_of(unix: i64) -> i32 {
    // 365.2425 days a year is exact enough for choosing an expiry a few years ahead.
    1970 + (unix / 31_556_952) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_close_enough() {
        assert_eq!(year_of(1_795_268_098), 2026);
        assert_eq!(year_of(0), 1970);
    }
}
