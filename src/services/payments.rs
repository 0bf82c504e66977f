//! Payments: create (optionally confirming), confirm, capture, cancel, adjust, reverse.
//!
//! Each use case validates, asks the acquirer (outside any transaction: a SQLite write lock must
//! not wait on the network), then writes the change, its charge and its events in one
//! transaction, applying the state machine with a compare-and-set. The transaction is handed
//! back uncommitted (`Staged`) so the caller can add its idempotency record before committing.

use super::{Scope, ServiceError};
use crate::acquirer::sandbox::{Scenario, test_token};
use crate::acquirer::{AuthOutcome, CardProfile, Decline, Registry};
use crate::clock::Clock;
use crate::crypto::{Secret, hmac_sha256, new_id};
use crate::domain::ids::{self, IdKind};
use crate::domain::metadata::Metadata;
use crate::domain::money::{Amount, AmountError, Currency};
use crate::domain::payment::{Command, PaymentStatus, TransitionError, transition};
use crate::store::charges::{self, ChargeRow};
use crate::store::events::{self, EventRow};
use crate::store::payment_methods::{self, PaymentMethodRow};
use crate::store::payments::{self, PaymentRow};
use crate::store::{Store, Tx, customers};
use serde_json::json;
use std::collections::BTreeMap;

/// What the payment use cases need from the server.
pub struct Deps<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub acquirers: &'a Registry,
    pub secret: &'a Secret,
    pub public_url: &'a str,
}

/// A change written but not yet committed, and what it produced.
pub struct Staged {
    pub tx: Tx,
    pub payment: PaymentRow,
    /// Set when the acquirer declined: the API answers 402 with the payment.
    pub decline: Option<Decline>,
}

/// Why a payment use case refused.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The status does not allow the command (409).
    #[error(transparent)]
    State(#[from] TransitionError),
    /// Another request changed the payment first (409).
    #[error(
        "The payment was changed by another request at the same time; retrieve it and try again."
    )]
    Conflict,
    /// The issuer declined an adjustment (402); nothing changed.
    #[error("{}", .0.message)]
    AdjustDeclined(Decline, Box<PaymentRow>),
}

impl From<sqlx::Error> for PaymentError {
    fn from(e: sqlx::Error) -> Self {
        PaymentError::Service(ServiceError::Database(e))
    }
}

type Result<T> = std::result::Result<T, PaymentError>;

fn invalid(param: &str, message: impl Into<String>) -> PaymentError {
    ServiceError::invalid(param, message).into()
}

/// Input of `create`.
#[derive(Debug, Default, Clone)]
pub struct NewPayment {
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub payment_method: Option<String>,
    pub confirm: Option<bool>,
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
    pub preferred_acquirer: Option<String>,
    pub on_behalf_of: Option<String>,
    pub statement_descriptor: Option<String>,
    pub expires_in: Option<i64>,
}

/// Default time a payment waits for its customer.
pub const DEFAULT_EXPIRES_IN: i64 = 86_400;
const MAX_EXPIRES_IN: i64 = 30 * 86_400;

/// The client secret of a payment: derived, never stored; it lets a browser confirm this one
/// payment with a publishable key.
pub fn client_secret(secret: &Secret, payment_id: &str) -> String {
    let mac = hmac_sha256(
        secret.expose().as_bytes(),
        format!("client_secret:{payment_id}").as_bytes(),
    );
    format!("{payment_id}_secret_{}", &hex::encode(mac)[..32])
}

fn check_amount(amount: Option<i64>, param: &str) -> Result<Amount> {
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

fn check_url(param: &str, value: Option<String>) -> Result<Option<String>> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    match url::Url::parse(value.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && value.len() <= 2048 => {
            Ok(Some(value.trim().to_string()))
        }
        _ => Err(invalid(
            param,
            format!("{param} must be an http or https URL."),
        )),
    }
}

fn check_text(param: &str, value: Option<String>, max: usize) -> Result<Option<String>> {
    match value {
        Some(v) if v.chars().count() > max => Err(invalid(
            param,
            format!("{param} can be at most {max} characters long."),
        )),
        Some(v) => Ok(Some(v.trim().to_string()).filter(|s| !s.is_empty())),
        None => Ok(None),
    }
}

/// A statement descriptor: ≤ 22 characters, at least one letter, none of `< > \ ' " *`.
fn check_descriptor(value: Option<String>) -> Result<Option<String>> {
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

/// A payment method resolved for use: an existing saved card, or a test token to save.
struct ResolvedMethod {
    /// The row to insert (test tokens become a new `pm_…`); None for an existing one.
    new_row: Option<PaymentMethodRow>,
    row: PaymentMethodRow,
}

impl ResolvedMethod {
    fn profile(&self) -> CardProfile {
        CardProfile {
            brand: self.row.card_brand.clone(),
            last4: self.row.card_last4.clone(),
            scenario: self.row.sandbox_scenario.clone(),
        }
    }
}

async fn resolve_method(
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
            mode: scope.mode.as_str().to_string(),
            customer_id: customer.map(str::to_string),
            card_brand: token.brand.as_str().to_string(),
            card_last4: token.last4.to_string(),
            card_exp_month: 12,
            card_exp_year: i64::from(year_of(deps.clock.now())) + 3,
            card_funding: "credit".into(),
            card_country: "US".into(),
            card_fingerprint: fingerprint,
            sandbox_scenario: token.scenario.as_str().to_string(),
            created: now.div_euclid(1_000_000),
            sort_key: now,
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
    let row = payment_methods::find(
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

/// The calendar year of a Unix time (for test-token expiry dates).
fn year_of(unix: i64) -> i32 {
    // 365.2425 days a year is exact enough for choosing an expiry a few years ahead.
    1970 + (unix / 31_556_952) as i32
}

/// Creates a payment; with a payment method (and `confirm`, the default then) it is
/// authorised at once.
pub async fn create(
    deps: &Deps<'_>,
    scope: &Scope,
    default_currency: &str,
    input: NewPayment,
) -> Result<Staged> {
    let amount = check_amount(input.amount, "amount")?;
    let currency_code = input
        .currency
        .clone()
        .unwrap_or_else(|| default_currency.to_string());
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
        .preferred_acquirer
        .clone()
        .unwrap_or_else(|| crate::acquirer::DEFAULT_CONNECTION.to_string());
    if deps.acquirers.get(&acquirer).is_none() {
        return Err(invalid(
            "routing[preferred_acquirer]",
            format!(
                "Unknown acquirer connection: {acquirer}. Available: {}.",
                deps.acquirers.ids().join(", ")
            ),
        ));
    }
    if let Some(customer) = &input.customer {
        let exists = ids::is_id(IdKind::Customer, customer)
            && customers::find(
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
        let exists = crate::store::connected_accounts::find(
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
        (None, Some(customer), Some(true)) => customers::find(
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
        Some(id) => Some(resolve_method(deps, scope, id, input.customer.as_deref()).await?),
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
        mode: scope.mode.as_str().to_string(),
        amount: amount.get(),
        amount_capturable: 0,
        amount_received: 0,
        amount_refunded: 0,
        currency: currency.code().to_string(),
        status: PaymentStatus::RequiresPaymentMethod.as_str().to_string(),
        capture_method: capture_method.to_string(),
        payment_method: method.as_ref().map(|m| m.row.id.clone()),
        customer: input.customer.clone(),
        customer_reference: check_text("customer_reference", input.customer_reference, 255)?,
        customer_email,
        customer_name: check_text("customer_name", input.customer_name, 256)?,
        customer_phone: check_text("customer_phone", input.customer_phone, 32)?,
        description: check_text("description", input.description, 1000)?,
        product_name: check_text("product_name", input.product_name, 256)?,
        metadata: serde_json::to_string(metadata.as_map()).expect("strings serialise"),
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
    };
    let mut kinds = vec!["payment.created"];
    let mut decline = None;
    let mut charge = None;
    if let (true, Some(method)) = (confirm, &method) {
        let acquirer = deps.acquirers.get(&row.acquirer).expect("checked above");
        let manual = row.capture_method == "manual";
        let outcome = acquirer
            .authorize(&method.profile(), row.amount, &row.currency, manual)
            .await;
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
            false,
            &mut kinds,
        )?;
        charge = c;
        decline = d;
    }
    let mut tx = deps.store.begin().await?;
    if let Some(new_row) = method.as_ref().and_then(|m| m.new_row.as_ref()) {
        payment_methods::insert(&mut tx, new_row).await?;
    }
    payments::insert(&mut tx, &row).await?;
    if let Some(charge) = &charge {
        charges::insert(&mut tx, charge).await?;
    }
    emit(deps, &mut tx, &row, &kinds).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline,
    })
}

/// Applies an acquirer outcome to a payment in `processing`: status, charge, next action,
/// error, and the events to emit. Returns the new charge (if the attempt ended) and a decline.
fn apply_outcome(
    deps: &Deps<'_>,
    row: &mut PaymentRow,
    from: PaymentStatus,
    outcome: AuthOutcome,
    method: &PaymentMethodRow,
    retryable: bool,
    kinds: &mut Vec<&'static str>,
) -> Result<(Option<ChargeRow>, Option<Decline>)> {
    let manual = row.capture_method == "manual";
    let (command, decline) = match &outcome {
        AuthOutcome::Authorized => (
            Command::Authorized {
                manual_capture: manual,
            },
            None,
        ),
        AuthOutcome::ChallengeRequired => (Command::ActionRequired, None),
        AuthOutcome::Declined(d) => (Command::Declined { retryable }, Some(*d)),
    };
    let next = transition(from, command)?;
    row.status = next.as_str().to_string();
    row.next_action = None;
    let now_micros = deps.clock.now_micros();
    let mut charge = ChargeRow {
        id: new_id(IdKind::Charge),
        account_id: row.account_id.clone(),
        mode: row.mode.clone(),
        payment_id: row.id.clone(),
        amount: row.amount,
        amount_captured: 0,
        currency: row.currency.clone(),
        status: String::new(),
        payment_method: method.id.clone(),
        card_brand: method.card_brand.clone(),
        card_last4: method.card_last4.clone(),
        card_exp_month: method.card_exp_month,
        card_exp_year: method.card_exp_year,
        card_funding: method.card_funding.clone(),
        card_country: method.card_country.clone(),
        acquirer: row.acquirer.clone(),
        failure_code: None,
        failure_message: None,
        created: now_micros.div_euclid(1_000_000),
        sort_key: now_micros,
    };
    match next {
        PaymentStatus::Succeeded => {
            row.amount_received = row.amount;
            row.amount_capturable = 0;
            row.last_payment_error = None;
            charge.status = "succeeded".into();
            charge.amount_captured = row.amount;
            kinds.extend(["payment.succeeded", "payment.completed"]);
        }
        PaymentStatus::RequiresCapture => {
            row.amount_capturable = row.amount;
            row.last_payment_error = None;
            charge.status = "authorized".into();
        }
        PaymentStatus::RequiresAction => {
            let url = format!("{}/sandbox/3ds/{}", deps.public_url, row.id);
            row.next_action = Some(
                json!({"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": row.return_url}})
                    .to_string(),
            );
            kinds.push("payment.requires_action");
            return Ok((None, None));
        }
        PaymentStatus::Failed | PaymentStatus::RequiresPaymentMethod => {
            let d = decline.expect("declined outcome");
            charge.status = "failed".into();
            charge.failure_code = Some(d.decline_code.to_string());
            charge.failure_message = Some(d.message.to_string());
            row.last_payment_error = Some(
                json!({"type": "card_error", "code": d.code, "decline_code": d.decline_code, "message": d.message,
                       "charge": charge.id, "payment_method": method.id})
                .to_string(),
            );
            if next == PaymentStatus::Failed {
                kinds.push("payment.failed");
            }
        }
        other => unreachable!("an acquirer outcome never leads to {other}"),
    }
    row.latest_charge = Some(charge.id.clone());
    Ok((Some(charge), decline))
}

/// Writes one event per kind, each carrying the payment as it is now.
async fn emit(deps: &Deps<'_>, tx: &mut Tx, row: &PaymentRow, kinds: &[&str]) -> Result<()> {
    let data = json!({ "object": crate::wire::payment(row, deps.public_url, None) }).to_string();
    for kind in kinds {
        let now = deps.clock.now_micros();
        events::insert(
            tx,
            &EventRow {
                id: new_id(IdKind::Event),
                account_id: row.account_id.clone(),
                mode: row.mode.clone(),
                kind: kind.to_string(),
                object_id: row.id.clone(),
                data: data.clone(),
                created: now.div_euclid(1_000_000),
                sort_key: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// A payment of this scope, or 404.
pub async fn find(
    store: &Store,
    scope: &Scope,
    id: &str,
) -> std::result::Result<PaymentRow, ServiceError> {
    let not_found = || ServiceError::NotFound {
        object: "payment",
        id: id.to_string(),
    };
    if !ids::is_id(IdKind::Payment, id) {
        return Err(not_found());
    }
    payments::find(store.reader(), &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(not_found)
}

fn status_of(row: &PaymentRow) -> PaymentStatus {
    PaymentStatus::parse(&row.status).unwrap_or(PaymentStatus::Failed)
}

/// Writes `row` if its status is still `from`, or reports the race.
async fn save(tx: &mut Tx, row: &PaymentRow, from: PaymentStatus) -> Result<()> {
    if payments::update_if_status(tx, row, from.as_str()).await? {
        Ok(())
    } else {
        Err(PaymentError::Conflict)
    }
}

/// Input of `confirm`.
#[derive(Debug, Default, Clone)]
pub struct ConfirmPayment {
    pub payment_method: Option<String>,
    /// After a 3-D Secure challenge: `challenge` = `completed` or `failed`.
    pub challenge_completed: Option<bool>,
}

/// Confirms a payment awaiting a method (with one) or a 3-D Secure result (with `details`).
/// `retryable`: a customer is present (checkout), so a decline lets them try another card.
pub async fn confirm(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    input: ConfirmPayment,
    retryable: bool,
) -> Result<Staged> {
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let processing = transition(from, Command::StartProcessing)?;
    let (method, outcome_of_challenge) = match from {
        PaymentStatus::RequiresAction => {
            let passed = input.challenge_completed.ok_or_else(|| {
                invalid(
                    "details[challenge]",
                    "Pass details[challenge] = completed or failed after the 3D Secure challenge.",
                )
            })?;
            let pm = row
                .payment_method
                .clone()
                .expect("a payment in requires_action has a method");
            (
                resolve_method(deps, scope, &pm, row.customer.as_deref()).await?,
                Some(passed),
            )
        }
        _ => {
            let pm = input
                .payment_method
                .clone()
                .or_else(|| row.payment_method.clone())
                .ok_or_else(|| {
                    PaymentError::from(ServiceError::invalid(
                        "payment_method",
                        "Missing required param: payment_method.",
                    ))
                })?;
            (
                resolve_method(deps, scope, &pm, row.customer.as_deref()).await?,
                None,
            )
        }
    };
    // Step 1, committed on its own: the payment is `processing`, so a second confirm racing
    // this one gets a 409 instead of a second authorisation.
    let mut claim = row.clone();
    claim.status = processing.as_str().to_string();
    let mut tx = deps.store.begin().await?;
    if let Some(new_row) = &method.new_row {
        payment_methods::insert(&mut tx, new_row).await?;
    }
    claim.payment_method = Some(method.row.id.clone());
    save(&mut tx, &claim, from).await?;
    tx.commit().await?;
    row = claim;

    // Step 2: ask the acquirer, then record what it said.
    let acquirer = deps.acquirers.get(&row.acquirer).ok_or_else(|| {
        invalid(
            "acquirer",
            "The payment's acquirer connection no longer exists.",
        )
    })?;
    let profile = method.profile();
    let outcome = match outcome_of_challenge {
        Some(passed) => acquirer.complete_challenge(&profile, passed).await,
        None => {
            acquirer
                .authorize(
                    &profile,
                    row.amount,
                    &row.currency,
                    row.capture_method == "manual",
                )
                .await
        }
    };
    let mut kinds = Vec::new();
    let (charge, decline) = apply_outcome(
        deps,
        &mut row,
        processing,
        outcome,
        &method.row,
        retryable,
        &mut kinds,
    )?;
    let mut tx = deps.store.begin().await?;
    save(&mut tx, &row, processing).await?;
    if let Some(charge) = &charge {
        charges::insert(&mut tx, charge).await?;
    }
    emit(deps, &mut tx, &row, &kinds).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline,
    })
}

/// Captures all or `amount_to_capture` of an authorisation; the rest is released.
pub async fn capture(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    amount_to_capture: Option<i64>,
) -> Result<Staged> {
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let next = transition(from, Command::Capture)?;
    let amount = match amount_to_capture {
        None => row.amount_capturable,
        Some(a) if a >= 1 && a <= row.amount_capturable => a,
        Some(_) => {
            return Err(invalid(
                "amount_to_capture",
                format!(
                    "amount_to_capture must be between 1 and the amount capturable ({}).",
                    row.amount_capturable
                ),
            ));
        }
    };
    let charge_id = row.latest_charge.clone().ok_or(PaymentError::Conflict)?;
    let charge = charges::find(
        deps.store.reader(),
        &scope.account_id,
        scope.mode.as_str(),
        &charge_id,
    )
    .await?
    .ok_or(PaymentError::Conflict)?;
    let profile = card_of(&charge);
    let acquirer = deps
        .acquirers
        .get(&row.acquirer)
        .ok_or(PaymentError::Conflict)?;
    acquirer
        .capture(&profile, amount)
        .await
        .map_err(|d| invalid("amount_to_capture", d.message))?;
    if amount < row.amount_capturable {
        let _ = acquirer
            .release(&profile, row.amount_capturable - amount)
            .await;
    }
    row.status = next.as_str().to_string();
    row.amount_received = amount;
    row.amount_capturable = 0;
    let mut tx = deps.store.begin().await?;
    save(&mut tx, &row, from).await?;
    charges::set_captured(&mut tx, &charge.id, charge.amount, amount, "succeeded").await?;
    emit(
        deps,
        &mut tx,
        &row,
        &["payment.captured", "payment.succeeded", "payment.completed"],
    )
    .await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

fn card_of(charge: &ChargeRow) -> CardProfile {
    CardProfile {
        brand: charge.card_brand.clone(),
        last4: charge.card_last4.clone(),
        scenario: Scenario::Success.as_str().into(),
    }
}

async fn card_of_payment(deps: &Deps<'_>, scope: &Scope, row: &PaymentRow) -> Result<CardProfile> {
    let pm = row
        .payment_method
        .as_deref()
        .ok_or(PaymentError::Conflict)?;
    Ok(resolve_method(deps, scope, pm, None).await?.profile())
}

const CANCELLATION_REASONS: [&str; 4] = [
    "duplicate",
    "fraudulent",
    "requested_by_customer",
    "abandoned",
];

/// Cancels a payment that has not been captured; an authorisation hold is released.
pub async fn cancel(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    reason: Option<String>,
) -> Result<Staged> {
    if let Some(r) = &reason
        && !CANCELLATION_REASONS.contains(&r.as_str())
    {
        return Err(invalid(
            "cancellation_reason",
            format!(
                "cancellation_reason must be one of {}.",
                CANCELLATION_REASONS.join(", ")
            ),
        ));
    }
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let next = transition(from, Command::Cancel)?;
    if from == PaymentStatus::RequiresCapture {
        let profile = card_of_payment(deps, scope, &row).await?;
        if let Some(acquirer) = deps.acquirers.get(&row.acquirer) {
            let _ = acquirer.release(&profile, row.amount_capturable).await;
        }
    }
    row.status = next.as_str().to_string();
    row.amount_capturable = 0;
    row.next_action = None;
    row.cancellation_reason = reason;
    let mut tx = deps.store.begin().await?;
    save(&mut tx, &row, from).await?;
    emit(deps, &mut tx, &row, &["payment.canceled"]).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

/// Changes the authorised amount before capture. An increase may be declined by the issuer.
pub async fn adjust(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    amount: Option<i64>,
) -> Result<Staged> {
    let new_amount = check_amount(amount, "amount")?.get();
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let next = transition(from, Command::Adjust)?;
    if new_amount == row.amount_capturable {
        return Err(invalid(
            "amount",
            "The new amount must differ from the amount currently authorized.",
        ));
    }
    let profile = card_of_payment(deps, scope, &row).await?;
    let acquirer = deps
        .acquirers
        .get(&row.acquirer)
        .ok_or(PaymentError::Conflict)?;
    if let Err(decline) = acquirer
        .adjust(&profile, row.amount_capturable, new_amount)
        .await
    {
        return Err(PaymentError::AdjustDeclined(decline, Box::new(row)));
    }
    let previous = row.amount;
    row.status = next.as_str().to_string();
    row.amount = new_amount;
    row.amount_capturable = new_amount;
    row.adjustment =
        Some(json!({"previous_amount": previous, "adjusted_at": deps.clock.now()}).to_string());
    let mut tx = deps.store.begin().await?;
    save(&mut tx, &row, from).await?;
    emit(deps, &mut tx, &row, &["payment.adjusted"]).await?;
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

/// Releases all of an authorisation (the payment is canceled) or `amount` of it.
pub async fn reverse(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    amount: Option<i64>,
) -> Result<Staged> {
    let mut row = find(deps.store, scope, id).await?;
    let from = status_of(&row);
    let released = match amount {
        None => row.amount_capturable,
        Some(a) if a >= 1 && a <= row.amount_capturable => a,
        Some(_) => {
            transition(from, Command::Reverse { full: true })?;
            return Err(invalid(
                "amount",
                format!(
                    "amount must be between 1 and the amount capturable ({}).",
                    row.amount_capturable
                ),
            ));
        }
    };
    let full = released == row.amount_capturable;
    let next = transition(from, Command::Reverse { full })?;
    let profile = card_of_payment(deps, scope, &row).await?;
    if let Some(acquirer) = deps.acquirers.get(&row.acquirer) {
        acquirer
            .release(&profile, released)
            .await
            .map_err(|d| invalid("amount", d.message))?;
    }
    row.status = next.as_str().to_string();
    row.amount_capturable -= released;
    row.reversal = Some(
        json!({"id": new_id(IdKind::Reversal), "amount": released, "reversed_at": deps.clock.now()}).to_string(),
    );
    let mut tx = deps.store.begin().await?;
    save(&mut tx, &row, from).await?;
    emit(deps, &mut tx, &row, &["payment.reversed"]).await?;
    if full {
        emit(deps, &mut tx, &row, &["payment.canceled"]).await?;
    }
    Ok(Staged {
        tx,
        payment: row,
        decline: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_secrets_are_bound_to_their_payment() {
        let secret = Secret::new("s".repeat(48));
        let a = client_secret(&secret, "pay_a");
        assert!(a.starts_with("pay_a_secret_"));
        assert_eq!(a, client_secret(&secret, "pay_a"));
        assert_ne!(a, client_secret(&secret, "pay_b"));
    }

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

    #[test]
    fn years_are_close_enough() {
        assert_eq!(year_of(1_795_268_098), 2026);
        assert_eq!(year_of(0), 1970);
    }
}
