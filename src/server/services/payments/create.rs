//! Creating a payment, authorised at once when it comes with a method.

use super::methods::{fit_to_connection, resolve_method};
use super::outcome::apply_outcome;
use super::validate::{check_amount, check_descriptor, check_text, check_url};
use super::*;
use crate::domain::lenient;
use crate::server::store::connected_accounts::ConnectedAccountRow;
use crate::server::store::row;
use serde::Deserialize;

/// Input of `create`, and the body of `POST /v1/payments` as sent (one list of a payment's
/// settable fields). Aliases accept the guides' names (`amountMinor`, `customerId`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
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
    /// The connection to use; the account's default one when absent.
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub routing: Option<Routing>,
    pub on_behalf_of: Option<String>,
    pub statement_descriptor: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub expires_in: Option<i64>,
    /// Which related objects the API's answer expands (not used here).
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub expand: Vec<String>,
    /// Set by `checkout::create_session`: the session this payment belongs to.
    #[serde(skip)]
    pub checkout_session: Option<String>,
    /// Set by billing: the invoice this payment attempts to pay.
    #[serde(skip)]
    pub invoice: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    pub preferred_acquirer: Option<String>,
}

/// What a payment takes from its account when its input names none.
pub struct Defaults<'a> {
    pub currency: &'a str,
    pub acquirer: &'a str,
}

/// Default time a payment waits for its customer.
pub const DEFAULT_EXPIRES_IN: i64 = 86_400;
pub const MAX_EXPIRES_IN: i64 = 30 * 86_400;

/// Creates a payment; with a payment method (and `confirm`, the default then) it is
/// authorised at once.
pub async fn create(
    deps: &Deps<'_>,
    scope: &Scope,
    defaults: Defaults<'_>,
    input: NewPayment,
) -> Result<Staged> {
    let amount = check_amount(input.amount, "amount")?;
    let currency_code = input
        .currency
        .clone()
        .unwrap_or_else(|| defaults.currency.to_string());
    let currency = Currency::parse(&currency_code).ok_or_else(|| {
        invalid(
            "currency",
            format!("Invalid currency: {currency_code}. Use a three-letter ISO 4217 code."),
        )
    })?;
    let capture_method = match input.capture_method.as_deref() {
        None | Some("automatic") => "automatic",
        Some("manual") => "manual",
        Some(other) => {
            return Err(invalid(
                "capture_method",
                format!("capture_method must be automatic or manual, not {other}."),
            ));
        }
    };
    let metadata =
        Metadata::parse(input.metadata.clone().unwrap_or_default()).map_err(ServiceError::from)?;
    let expires_in = input.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
    if !(60..=MAX_EXPIRES_IN).contains(&expires_in) {
        return Err(invalid(
            "expires_in",
            format!("expires_in must be between 60 and {MAX_EXPIRES_IN} seconds."),
        ));
    }
    let acquirer = input
        .routing
        .as_ref()
        .and_then(|r| r.preferred_acquirer.clone())
        .unwrap_or_else(|| defaults.acquirer.to_string());
    if acquirer.is_empty() {
        return Err(invalid(
            "routing[preferred_acquirer]",
            "Live mode has no processor connection yet: add one (POST /v1/acquirer_connections with kind=stripe and default=true, or in the dashboard's Settings).",
        ));
    }
    let Some(acquirer_impl) = acquirer_for(deps, scope, &acquirer).await? else {
        let known = crate::server::store::acquirer_connections::list(
            deps.store.reader(),
            &scope.account_id,
            scope.mode.as_str(),
        )
        .await?;
        let known: Vec<String> = known.into_iter().map(|c| c.id).collect();
        let why = match scope.mode.is_live() && known.contains(&acquirer) {
            true => format!(
                "{acquirer} is a sandbox connection, and live mode charges only through a processor."
            ),
            false => format!(
                "Unknown acquirer connection: {acquirer}. Available: {}.",
                known.join(", ")
            ),
        };
        return Err(invalid("routing[preferred_acquirer]", why));
    };
    if let Some(customer) = &input.customer {
        let exists = ids::is_id(IdKind::Customer, customer)
            && row::find::<customers::CustomerRow>(
                deps.store.reader(),
                &scope.account_id,
                scope.mode.as_str(),
                customer,
            )
            .await?
            .is_some_and(|c| c.deleted == 0);
        if !exists {
            return Err(PaymentError::Service(ServiceError::Coded {
                param: "customer".into(),
                code: "resource_missing",
                message: format!("No such customer: '{customer}'"),
            }));
        }
    }
    if let Some(acct) = &input.on_behalf_of {
        let exists = row::find::<ConnectedAccountRow>(
            deps.store.reader(),
            &scope.account_id,
            scope.mode.as_str(),
            acct,
        )
        .await?
        .is_some();
        if !exists {
            return Err(PaymentError::Service(ServiceError::Coded {
                param: "on_behalf_of".into(),
                code: "resource_missing",
                message: format!("No such connected account: '{acct}'"),
            }));
        }
    }
    let customer_email = match input
        .customer_email
        .clone()
        .filter(|e| !e.trim().is_empty())
    {
        Some(e) => Some(
            crate::domain::customer::check_email(&e)
                .map_err(|e| invalid("customer_email", e.message))?,
        ),
        None => None,
    };
    // A customer's default method is used when a confirm names none (seed: "the pm_ used
    // when none is specified"); without `confirm` the payment waits for the checkout instead.
    let method_id = match (&input.payment_method, &input.customer, input.confirm) {
        (Some(id), _, _) => Some(id.clone()),
        (None, Some(customer), Some(true)) => row::find::<customers::CustomerRow>(
            deps.store.reader(),
            &scope.account_id,
            scope.mode.as_str(),
            customer,
        )
        .await?
        .and_then(|c| c.default_payment_method),
        _ => None,
    };
    let method = match &method_id {
        Some(id) => {
            let mut method = resolve_method(deps, scope, id, input.customer.as_deref()).await?;
            fit_to_connection(&mut method, id, &acquirer, acquirer_impl.remote())?;
            Some(method)
        }
        None => None,
    };
    let confirm = input.confirm.unwrap_or(method.is_some());
    if confirm && method.is_none() {
        return Err(ServiceError::invalid(
            "payment_method",
            "Missing required param: payment_method (needed to confirm).",
        )
        .into());
    }

    let now_micros = deps.clock.now_micros();
    let now = now_micros.div_euclid(1_000_000);
    let mut row = PaymentRow {
        id: new_id(IdKind::Payment),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        amount: amount.get(),
        amount_capturable: 0,
        amount_received: 0,
        amount_refunded: 0,
        currency,
        status: PaymentStatus::RequiresPaymentMethod,
        capture_method: capture_method.to_string(),
        payment_method: method.as_ref().map(|m| m.row.id.clone()),
        customer: input.customer.clone(),
        customer_reference: check_text("customer_reference", input.customer_reference, 255)?,
        customer_email,
        customer_name: check_text("customer_name", input.customer_name, 256)?,
        customer_phone: check_text("customer_phone", input.customer_phone, 32)?,
        description: check_text("description", input.description, 1000)?,
        product_name: check_text("product_name", input.product_name, 256)?,
        metadata: metadata.to_json(),
        return_url: check_url("return_url", input.return_url)?,
        statement_descriptor: check_descriptor(input.statement_descriptor)?,
        on_behalf_of: input.on_behalf_of.clone(),
        acquirer,
        latest_charge: None,
        next_action: None,
        last_payment_error: None,
        adjustment: None,
        reversal: None,
        cancellation_reason: None,
        expires_at: now + expires_in,
        created: now,
        sort_key: now_micros,
        checkout_session: input.checkout_session.clone(),
        invoice: input.invoice.clone(),
        attempt: None,
        processor_ref: None,
        dispute: None,
    };
    let mut kinds = vec!["payment.created"];
    let mut decline = None;
    let mut charge = None;
    if let (true, Some(method), true) = (confirm, &method, acquirer_impl.remote()) {
        // A processor moves real money: the payment is written first and then confirmed as
        // any other, claimed `processing` with its attempt's reference before the call, so an
        // answer lost in a crash is looked up by the reconciler, never charged again.
        let endpoints =
            webhook_endpoints::enabled(deps.store, &scope.account_id, scope.mode.as_str()).await?;
        let mut tx = deps.store.begin().await?;
        if let Some(new_row) = &method.new_row {
            tx.defer(row::insert(new_row));
        }
        tx.defer(row::insert(&row));
        emit_to(deps, &mut tx, &row, &kinds, Some(&endpoints)).await?;
        tx.commit().await?;
        let input = super::ConfirmPayment {
            payment_method: Some(method.row.id.clone()),
            ..Default::default()
        };
        return super::confirm(deps, scope, &row.id, input, Channel::Api).await;
    }
    if let (true, Some(method)) = (confirm, &method) {
        let profile = method.profile();
        row.attempt = Some(new_id(IdKind::Charge));
        row.status = PaymentStatus::Processing;
        let outcome = acquirer_impl
            .authorize(&attempt_of(&row, &profile, None, false))
            .await;
        row.status = PaymentStatus::RequiresPaymentMethod;
        // The payment is new: nobody else can see it, so its steps are applied in memory.
        let status = transition(
            PaymentStatus::RequiresPaymentMethod,
            Command::StartProcessing,
        )?;
        let (c, d) = apply_outcome(
            deps,
            &mut row,
            status,
            outcome,
            &method.row,
            Channel::Api,
            &mut kinds,
        )?;
        charge = c;
        decline = d;
    }
    // Who gets the events, read before the transaction: then the whole change goes to the
    // shared SQLite writer in one round trip. (An endpoint changed at this very moment may or
    // may not get them, as with any change made at the same time.)
    let endpoints =
        webhook_endpoints::enabled(deps.store, &scope.account_id, scope.mode.as_str()).await?;
    // The points it earns, worked out before the transaction too.
    let points = super::points::PointsChange::for_new(deps, &row, &endpoints).await?;
    let mut tx = deps.store.begin().await?;
    if let Some(new_row) = method.as_ref().and_then(|m| m.new_row.as_ref()) {
        tx.defer(row::insert(new_row));
    }
    tx.defer(row::insert(&row));
    if let Some(charge) = &charge {
        tx.defer(row::insert(charge));
    }
    // Created already captured: `save` (which posts later captures) is not on this path.
    if row.status == PaymentStatus::Succeeded {
        crate::server::services::ledger::post_capture(&mut tx, deps, &row).await?;
    }
    emit_to(deps, &mut tx, &row, &kinds, Some(&endpoints)).await?;
    points.write(&mut tx, deps.clock).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline,
    })
}
