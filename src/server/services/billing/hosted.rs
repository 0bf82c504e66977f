//! The hosted invoice page (`/invoices/{inv}`): what it shows about a finalized invoice, and
//! paying it with a card typed there: after a decline ("update your card and pay") or for
//! an invoice nobody could charge. A challenge pending on the latest attempt is finished
//! rather than charged again. Reached without a key, by the invoice's unguessable id, like
//! the checkout by its payment's.

use super::{BillingError, Result, emit, invoices, scope_of, subscription_view};
use crate::domain::billing::InvoiceStatus;
use crate::domain::checkout::{PayOutcome, customer_decline_message};
use crate::domain::ids::{self, IdKind};
use crate::domain::payment::PaymentStatus;
use crate::server::services::ServiceError;
use crate::server::services::card_entry::{InvalidField, TypedCard, typed_method};
use crate::server::services::checkout::safe_color;
use crate::server::services::payments::{Deps, challenge_url, find_by_reference, status_of};
use crate::server::store::invoices::{InvoiceRow, LineRow, find_by_id, lines_of};
use crate::server::store::payments::PaymentRow;
use crate::server::store::subscriptions::SubscriptionRow;
use crate::server::store::{accounts, row};

/// Everything the page shows about one invoice.
#[derive(Debug, Clone)]
pub struct HostedInvoice {
    pub invoice: InvoiceRow,
    pub lines: Vec<LineRow>,
    /// The latest attempt to pay it.
    pub payment: Option<PaymentRow>,
    pub merchant_name: String,
    pub brand_color: String,
    /// Where the processor charging it may send the customer for a challenge (the page's
    /// form post may end in a redirect there); empty for the sandbox.
    pub challenge_origins: Vec<String>,
}

/// Where an invoice stands for the customer looking at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Paid,
    Void,
    Uncollectible,
    /// The bank has not answered the latest attempt yet.
    Confirming,
    /// The latest attempt waits for the customer at the issuer's challenge.
    Challenge(String),
    /// Waiting for a card: the form is shown.
    Payable,
}

impl HostedInvoice {
    pub fn livemode(&self) -> bool {
        self.invoice.mode.is_live()
    }

    pub fn stage(&self) -> Stage {
        match self.invoice.status {
            InvoiceStatus::Paid => return Stage::Paid,
            InvoiceStatus::Void => return Stage::Void,
            InvoiceStatus::Uncollectible => return Stage::Uncollectible,
            InvoiceStatus::Draft | InvoiceStatus::Open => {}
        }
        match self.payment.as_ref().map(|p| (status_of(p), p)) {
            Some((PaymentStatus::Processing, _)) => Stage::Confirming,
            Some((PaymentStatus::RequiresAction, p)) => {
                challenge_url(p).map_or(Stage::Payable, Stage::Challenge)
            }
            _ => Stage::Payable,
        }
    }

    /// What to tell the customer about the latest attempt when it was declined.
    pub fn decline_message(&self) -> Option<&'static str> {
        if self.stage() != Stage::Payable {
            return None;
        }
        let payment = self.payment.as_ref()?;
        decline_code(payment).map(|code| customer_decline_message(&code))
    }
}

/// The `decline_code` of a failed attempt.
fn decline_code(payment: &PaymentRow) -> Option<String> {
    let error = payment.last_error()?;
    Some(
        error["decline_code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// The invoice `id` as its page shows it; None for no such invoice, or a draft (its amount
/// may still change: it is public once finalized).
pub async fn load(deps: &Deps<'_>, id: &str) -> Result<Option<HostedInvoice>> {
    if !ids::is_id(IdKind::Invoice, id) {
        return Ok(None);
    }
    let Some(invoice) = find_by_id(deps.store.reader(), id).await? else {
        return Ok(None);
    };
    if invoice.status == InvoiceStatus::Draft {
        return Ok(None);
    }
    let lines = lines_of(deps.store.reader(), id).await?;
    let payment = match &invoice.payment {
        Some(p) => find_by_reference(deps.store, p).await?,
        None => None,
    };
    let account = accounts::find(deps.store.reader(), &invoice.account_id).await?;
    let (merchant_name, brand_color) = account.map(|a| (a.name, a.brand_color)).unwrap_or_default();
    let connection = match &payment {
        Some(p) => p.acquirer.clone(),
        None => {
            super::charging::default_connection(deps, &invoice.account_id, invoice.mode).await?
        }
    };
    let challenge_origins = crate::server::services::acquirer_connections::challenge_origins(
        deps.store,
        deps.secret,
        &scope_of(&invoice.account_id, invoice.mode),
        &connection,
    )
    .await?;
    Ok(Some(HostedInvoice {
        challenge_origins,
        invoice,
        lines,
        payment,
        merchant_name,
        brand_color: safe_color(&brand_color).to_string(),
    }))
}

/// The page of invoice `id`.
pub fn page_of(id: &str) -> String {
    format!("/invoices/{id}")
}

/// Pays invoice `id` with a card typed on its page. The card is saved to the customer and
/// becomes the subscription's card (later renewals charge it) in one transaction; the
/// invoice is then charged as `POST /v1/invoices/{id}/pay` would charge it.
pub async fn pay(deps: &Deps<'_>, id: &str, card: TypedCard) -> Result<PayOutcome> {
    let page = page_of(id);
    let Some(hosted) = load(deps, id).await? else {
        return Err(ServiceError::NotFound {
            object: "invoice",
            id: id.to_string(),
        }
        .into());
    };
    match hosted.stage() {
        Stage::Payable => {}
        Stage::Challenge(url) => return Ok(PayOutcome::Redirect(url)),
        _ => return Ok(PayOutcome::Redirect(page)),
    }
    let invoice = hosted.invoice;
    let scope = scope_of(&invoice.account_id, invoice.mode);
    let connection =
        super::charging::default_connection(deps, &invoice.account_id, invoice.mode).await?;
    let mut method = match typed_method(deps, &scope, &card, &connection).await {
        Ok(method) => method,
        Err(InvalidField { field, message }) => {
            return Ok(PayOutcome::Invalid { field, message });
        }
    };
    method.customer_id = Some(invoice.customer.clone());
    save_card(deps, &invoice, &method).await?;
    match invoices::pay(deps, &scope, id, Some(method.id)).await {
        Ok(_) => Ok(PayOutcome::Redirect(page)),
        Err(BillingError::Declined { payment, .. }) => Ok(match status_of(&payment) {
            PaymentStatus::RequiresAction => {
                PayOutcome::Redirect(challenge_url(&payment).unwrap_or(page))
            }
            _ => PayOutcome::Declined(
                customer_decline_message(&decline_code(&payment).unwrap_or_default()).to_string(),
            ),
        }),
        // Paid, voided or charged by someone else meanwhile: the page says where it stands.
        Err(BillingError::State { .. }) => Ok(PayOutcome::Redirect(page)),
        Err(err) => Err(err),
    }
}

/// Saves `method` to the invoice's customer and makes it its subscription's card.
async fn save_card(
    deps: &Deps<'_>,
    invoice: &InvoiceRow,
    method: &crate::server::store::payment_methods::PaymentMethodRow,
) -> Result<()> {
    let scope = scope_of(&invoice.account_id, invoice.mode);
    let mut tx = deps.store.begin().await?;
    tx.defer(row::insert(method));
    if let Some(sub_id) = &invoice.subscription
        && let Some(mut sub) = row::find::<SubscriptionRow>(
            tx.conn().await?,
            &scope.account_id,
            scope.mode.as_str(),
            sub_id,
        )
        .await?
        && !sub.status.is_final()
    {
        sub.default_payment_method = Some(method.id.clone());
        row::update(&mut tx, &sub).await?;
        let view = subscription_view(tx.conn().await?, &sub).await?;
        emit(
            &mut tx,
            deps.clock,
            &scope,
            &view,
            &["subscription.updated"],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosted(status: InvoiceStatus, payment: Option<PaymentRow>) -> HostedInvoice {
        let mut invoice = crate::server::store::invoices::sample_invoice("inv_1");
        invoice.status = status;
        HostedInvoice {
            invoice,
            lines: Vec::new(),
            payment,
            merchant_name: "Shop".into(),
            brand_color: "#000000".into(),
            challenge_origins: Vec::new(),
        }
    }

    #[test]
    fn the_stage_follows_the_invoice_then_its_latest_attempt() {
        assert_eq!(hosted(InvoiceStatus::Paid, None).stage(), Stage::Paid);
        assert_eq!(hosted(InvoiceStatus::Void, None).stage(), Stage::Void);
        assert_eq!(hosted(InvoiceStatus::Open, None).stage(), Stage::Payable);
        let processing = crate::server::store::payments::sample_row("pay_1", "processing", None);
        assert_eq!(
            hosted(InvoiceStatus::Open, Some(processing)).stage(),
            Stage::Confirming
        );
        let mut declined = crate::server::store::payments::sample_row("pay_1", "failed", None);
        declined.last_payment_error =
            Some(r#"{"code":"card_declined","decline_code":"insufficient_funds"}"#.into());
        let open = hosted(InvoiceStatus::Open, Some(declined.clone()));
        assert_eq!(open.stage(), Stage::Payable);
        assert!(
            open.decline_message()
                .unwrap()
                .contains("insufficient funds")
        );
        // A paid invoice says nothing of the decline before it.
        assert_eq!(
            hosted(InvoiceStatus::Paid, Some(declined)).decline_message(),
            None
        );
    }
}
