//! Manual adjustments: points given (at once, no pending days) or taken (available points,
//! soonest-expiring first, never below zero), with a reason.

use super::earn::check_points;
use super::posting::Note;
use super::{Result, check_customer, coded, programs, record, required};
use crate::domain::lenient;
use crate::domain::loyalty::{Book, PtxType};
use crate::domain::metadata;
use crate::server::clock::Clock;
use crate::server::services::Scope;
use crate::server::store::loyalty::PtxRow;
use crate::server::store::webhook_endpoints;
use crate::server::store::{Store, Tx};
use crate::server::views::loyalty::LoyaltyAccountView;
use crate::server::views::to_json;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /v1/loyalty/points/adjust`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AdjustParams)]
pub struct AdjustInput {
    #[serde(alias = "program_id")]
    pub program: Option<String>,
    #[serde(alias = "customer_id")]
    #[schema(required = true)]
    pub customer: Option<String>,
    /// Positive to give, negative to take (never below the available balance).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(required = true, minimum = -1000000000, maximum = 1000000000)]
    pub points: Option<i64>,
    pub reason: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A manual adjustment: positive gives points at once (no pending days), negative takes
/// available points (soonest-expiring first), never below zero.
pub async fn adjust(
    tx: &mut Tx,
    store: &Store,
    wall: &dyn Clock,
    scope: &Scope,
    input: AdjustInput,
) -> Result<PtxRow> {
    let program = programs::named(store.reader(), scope, input.program.as_deref()).await?;
    let points = input.points.ok_or_else(|| required("points"))?;
    check_points("points", points, true)?;
    let customer = input.customer.ok_or_else(|| required("customer"))?;
    check_customer(store.reader(), scope, &customer, "customer").await?;
    let reason =
        crate::domain::customer::check_text("reason", input.reason, 500)?.ok_or_else(|| {
            coded(
                "reason",
                "parameter_missing",
                "An adjustment needs a reason.",
            )
        })?;
    let note = Note {
        reason: Some(reason),
        metadata: metadata::stored(input.metadata)?,
        ..Note::default()
    };
    let endpoints =
        webhook_endpoints::enabled(store, &scope.account_id, scope.mode.as_str()).await?;
    let mut locked = super::lots::lock(tx, wall, &program, &customer).await?;
    let (created, points_book) = (&mut locked.created, &mut locked.points);
    if points > 0 {
        points_book.give(&program, PtxType::Adjust, points, false, note);
    } else if let Err(short) = points_book.spend(PtxType::Adjust, Book::Issued, -points, note) {
        // The balance, not the request's shape, refuses it: a conflict (409).
        return Err(super::LoyaltyError::State {
            code: "insufficient_points",
            message: format!(
                "The customer has {} points available; an adjustment cannot take more.",
                short.available
            ),
        });
    }
    let created = *created;
    locked.write(tx, wall, Some(&endpoints)).await?;
    if created {
        let view = LoyaltyAccountView::new(&locked.points.account, &locked.points.lots);
        record(
            tx,
            wall,
            &program,
            &to_json(&view),
            &["loyalty.account.created"],
            Some(&endpoints),
        )
        .await?;
    }
    locked
        .announce_last(tx, wall, "loyalty.points.adjusted", Some(&endpoints))
        .await
}
