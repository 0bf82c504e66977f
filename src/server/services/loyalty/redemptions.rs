//! Redemptions: a reward bought with points, at once (`completed`), or reserved against a
//! payment awaiting its method, whose amount it lowers, until the payment succeeds
//! (`completed`) or ends unpaid (`canceled`, the points given back). Two redemptions racing
//! for the same points take the account's lock in turn: the second finds them gone.

use super::lots;
use super::posting::Note;
use super::rewards::{self, discount_on};
use super::{Result, check_customer, invalid, record, required, state};
use crate::domain::ids::IdKind;
use crate::domain::loyalty::{Book, PtxType, RedemptionStatus};
use crate::domain::metadata;
use crate::domain::payment::PaymentStatus;
use crate::server::clock::Clock;
use crate::server::crypto::new_id;
use crate::server::services::{Scope, find_in};
use crate::server::store::loyalty::{self, ProgramRow, RedemptionRow};
use crate::server::store::payments::{self as payment_rows, PaymentRow};
use crate::server::store::{Store, Tx, is_unique_violation, row};
use crate::server::views::loyalty::RedemptionView;
use crate::server::views::to_json;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/loyalty/redemptions`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RedemptionParams)]
pub struct NewRedemption {
    #[serde(alias = "customer_id")]
    #[schema(required = true)]
    pub customer: Option<String>,
    #[serde(alias = "reward_id")]
    #[schema(required = true)]
    pub reward: Option<String>,
    /// Default `prog_default`.
    #[serde(alias = "program_id")]
    pub program: Option<String>,
    /// A payment awaiting its method: the reward comes off its amount, and the points are
    /// reserved until it is paid.
    #[serde(alias = "payment_id")]
    pub payment: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

pub async fn create(
    tx: &mut Tx,
    store: &Store,
    wall: &dyn Clock,
    scope: &Scope,
    input: NewRedemption,
) -> Result<RedemptionRow> {
    let program = super::programs::named(store.reader(), scope, input.program.as_deref()).await?;
    let reward_id = input.reward.ok_or_else(|| required("reward"))?;
    let reward = rewards::find(store.reader(), scope, &reward_id, Some("reward")).await?;
    // Another program's reward is not one of this program's: as for an unknown id (404).
    if reward.program != program.id {
        return Err(super::missing(
            "reward",
            &format!("loyalty reward in {}", program.id),
            &reward.id,
        ));
    }
    if reward.active == 0 {
        return Err(state(
            "reward_inactive",
            format!("The reward {} is not active.", reward.id),
        ));
    }
    let customer = input.customer.ok_or_else(|| required("customer"))?;
    check_customer(store.reader(), scope, &customer, "customer").await?;
    let metadata = metadata::stored(input.metadata)?;
    let payment = match &input.payment {
        Some(id) => Some(payment_for(store, scope, id, &customer).await?),
        None => None,
    };
    let discount = match &payment {
        Some(p) => discount_on(&reward, p.amount, p.currency.code()).ok_or_else(|| {
            invalid(
                "payment",
                format!(
                    "The reward is in {} and the payment in {}.",
                    reward.currency.as_deref().unwrap_or("?"),
                    p.currency.code()
                ),
            )
        })?,
        None => 0,
    };
    if let Some(p) = &payment
        && !loyalty::redemptions_of_payment(store.reader(), &p.id, RedemptionStatus::Reserved)
            .await?
            .is_empty()
    {
        return Err(state(
            "payment_has_redemption",
            "The payment has a reward on it already.",
        ));
    }
    let now = wall.now_micros();
    let id = new_id(IdKind::Redemption);
    let mut locked = lots::lock(tx, wall, &program, &customer).await?;
    let (kind, to) = match payment {
        Some(_) => (PtxType::Reserve, Book::Reserved),
        None => (PtxType::Redeem, Book::Redeemed),
    };
    let note = Note {
        source: Some(("redemption".into(), id.clone())),
        redemption: Some(id.clone()),
        reason: Some(reward.name.clone()),
        ..Note::default()
    };
    if let Err(short) = locked.points.spend(kind, to, reward.cost_points, note) {
        // The balance, not the request's shape, refuses it: a conflict (409).
        return Err(super::LoyaltyError::State {
            code: "insufficient_points",
            message: format!(
                "The reward costs {} points; the customer has {} available.",
                reward.cost_points, short.available
            ),
        });
    }
    let status = match payment {
        Some(_) => RedemptionStatus::Reserved,
        None => RedemptionStatus::Completed,
    };
    let redemption = RedemptionRow {
        id,
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        program: program.id.clone(),
        loyalty_account: locked.points.account.id.clone(),
        customer,
        reward: reward.id.clone(),
        points: reward.cost_points,
        status,
        payment: payment.as_ref().map(|p| p.id.clone()),
        discount,
        restored: 0,
        metadata,
        created: now.div_euclid(1_000_000),
        sort_key: now,
    };
    // (A customer without an account has no points: the spend above refused.)
    locked.write(tx, wall, None).await?;
    if let Err(e) = row::insert_now(tx, &redemption).await {
        return Err(match is_unique_violation(&e) {
            true => state(
                "payment_has_redemption",
                "The payment has a reward on it already.",
            ),
            false => e.into(),
        });
    }
    if let Some(p) = &payment
        && payment_rows::reprice(tx, &p.id, p.amount, p.amount - discount).await? != 1
    {
        return Err(state(
            "payment_unexpected_state",
            "The payment changed meanwhile; try again.",
        ));
    }
    let mut kinds = vec!["loyalty.redemption.created"];
    if status == RedemptionStatus::Completed {
        kinds.push("loyalty.redemption.completed");
    }
    record(
        tx,
        wall,
        &program,
        &to_json(&RedemptionView::from(&redemption)),
        &kinds,
        None,
    )
    .await?;
    Ok(redemption)
}

/// A payment of the scope and the customer, still awaiting its method.
async fn payment_for(store: &Store, scope: &Scope, id: &str, customer: &str) -> Result<PaymentRow> {
    let payment: PaymentRow =
        find_in(store.reader(), scope, "payment", id, Some("payment")).await?;
    if payment.customer.as_deref() != Some(customer) {
        return Err(invalid(
            "payment",
            format!("The payment {id} is not the customer's."),
        ));
    }
    if payment.status != PaymentStatus::RequiresPaymentMethod {
        return Err(state(
            "payment_unexpected_state",
            format!(
                "A reward goes on a payment awaiting its method; {id} is {}.",
                payment.status
            ),
        ));
    }
    Ok(payment)
}

/// A redemption of the scope (404 otherwise).
pub async fn find<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
) -> Result<RedemptionRow> {
    Ok(find_in(ex, scope, "loyalty redemption", id, None).await?)
}

/// Cancels a reserved redemption: its points come back, its payment costs what it did.
pub async fn cancel(
    tx: &mut Tx,
    store: &Store,
    wall: &dyn Clock,
    scope: &Scope,
    id: &str,
) -> Result<RedemptionRow> {
    let redemption = find(store.reader(), scope, id).await?;
    if redemption.status != RedemptionStatus::Reserved {
        return Err(state(
            "redemption_unexpected_state",
            format!(
                "Only a reserved redemption can be canceled; {id} is {}.",
                redemption.status
            ),
        ));
    }
    let program = super::programs::find(store.reader(), scope, &redemption.program, None).await?;
    if let Some(payment_id) = &redemption.payment {
        let payment: PaymentRow = find_in(
            store.reader(),
            scope,
            "payment",
            payment_id,
            Some("payment"),
        )
        .await?;
        if payment.status != PaymentStatus::RequiresPaymentMethod
            || payment_rows::reprice(
                tx,
                payment_id,
                payment.amount,
                payment.amount + redemption.discount,
            )
            .await?
                != 1
        {
            return Err(state(
                "payment_unexpected_state",
                format!("The payment {payment_id} is being paid; its reward stays."),
            ));
        }
    }
    end(tx, wall, &program, redemption, RedemptionStatus::Canceled)
        .await?
        .ok_or_else(|| {
            state(
                "redemption_unexpected_state",
                format!("The redemption {id} ended meanwhile."),
            )
        })
}

/// Ends a reserved redemption: `completed` (its payment succeeded) or `canceled` (its points
/// given back). A redemption another request ended first is left as it is (None), so that a
/// payment's success is never refused for it.
pub async fn end(
    tx: &mut Tx,
    wall: &dyn Clock,
    program: &ProgramRow,
    mut redemption: RedemptionRow,
    to: RedemptionStatus,
) -> Result<Option<RedemptionRow>> {
    if loyalty::set_redemption_status(tx, &redemption.id, RedemptionStatus::Reserved, to).await?
        != 1
    {
        return Ok(None);
    }
    redemption.status = to;
    let mut locked = lots::lock(tx, wall, program, &redemption.customer).await?;
    let note = Note {
        source: Some(("redemption".into(), redemption.id.clone())),
        redemption: Some(redemption.id.clone()),
        ..Note::default()
    };
    let kind = match to {
        RedemptionStatus::Completed => {
            locked.points.redeem_reserved(redemption.points, note);
            "loyalty.redemption.completed"
        }
        _ => {
            let uses = taken_by(tx, &redemption.id).await?;
            locked.points.give_back(
                PtxType::Release,
                Book::Reserved,
                redemption.points,
                &uses,
                note,
            );
            "loyalty.redemption.canceled"
        }
    };
    locked.write(tx, wall, None).await?;
    record(
        tx,
        wall,
        program,
        &to_json(&RedemptionView::from(&redemption)),
        &[kind],
        None,
    )
    .await?;
    Ok(Some(redemption))
}

/// What the transaction that took a redemption's points took from each lot.
async fn taken_by(tx: &mut Tx, redemption: &str) -> Result<Vec<loyalty::LotUseRow>> {
    let first = loyalty::of_redemption(tx.conn().await?, redemption)
        .await?
        .into_iter()
        .next();
    match first {
        Some(ptx) => Ok(loyalty::uses_of(tx.conn().await?, &ptx.id).await?),
        None => Ok(Vec::new()),
    }
}

/// A payment's reserved redemption, read before the payment's change: what its success or
/// its end does to it.
pub async fn reserved_for(
    store: &Store,
    payment: &PaymentRow,
) -> Result<Option<(ProgramRow, RedemptionRow)>> {
    if payment.customer.is_none() {
        return Ok(None);
    }
    let Some(redemption) = loyalty::reserved_for_hot(store, &payment.id).await? else {
        return Ok(None);
    };
    let scope = Scope {
        account_id: payment.account_id.clone(),
        mode: payment.mode,
    };
    let program = super::programs::find(store.reader(), &scope, &redemption.program, None).await?;
    Ok(Some((program, redemption)))
}
