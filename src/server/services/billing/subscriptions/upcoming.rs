//! The preview of a subscription's next invoice.

use super::*;
use crate::server::services::billing::invoicing::renewal;

/// The invoice a subscription's next renewal would make, as of `now`: the next period's
/// licensed items, the usage reported so far in this one, and the pending prorations. Not
/// written anywhere (its id is empty).
pub async fn upcoming(
    ex: &mut sqlx::AnyConnection,
    sub: &SubscriptionRow,
    now: i64,
) -> Result<(InvoiceRow, Vec<LineRow>)> {
    if !sub.status.renews() || sub.cancel_at_period_end != 0 {
        return Err(state(
            "invoice_upcoming_none",
            format!(
                "The subscription {} will not renew: there is no upcoming invoice.",
                sub.id
            ),
        ));
    }
    let items = subscriptions::items_of(&mut *ex, &sub.id).await?;
    let items = priced(&mut *ex, items).await?;
    let (mut invoice, lines, _) = renewal(ex, sub, &items, now, 0).await?;
    invoice.id = String::new();
    Ok((invoice, lines))
}
