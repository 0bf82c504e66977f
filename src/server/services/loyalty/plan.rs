//! An earn worked out before its transaction and written in it: to an existing points
//! account as queued increments, or as the account's creation.

use super::posting::{Note, Points};
use super::{Result, record, state};
use crate::domain::loyalty::PtxType;
use crate::server::clock::Clock;
use crate::server::store::loyalty::{self, LoyaltyAccountRow, ProgramRow, PtxRow};
use crate::server::store::webhook_endpoints::EndpointRow;
use crate::server::store::{Store, Tx};
use crate::server::views::loyalty::{LoyaltyAccountView, PtxView};
use crate::server::views::to_json;

/// An earn worked out before its transaction: the program, the customer's account as read
/// (hot), the points, and the endpoints its events go to.
#[derive(Debug, Clone)]
pub struct Plan {
    program: ProgramRow,
    customer: String,
    points: i64,
    note: Note,
    read: Option<LoyaltyAccountRow>,
    /// The customer's test clock time (microseconds), when they are on one.
    clock_now: Option<i64>,
    endpoints: Vec<EndpointRow>,
}

impl Plan {
    /// The plan, with the customer's account read now; `endpoints` are the scope's, read
    /// once by the caller however many programs earn.
    pub async fn new(
        store: &Store,
        program: ProgramRow,
        customer: &str,
        points: i64,
        note: Note,
        endpoints: Vec<EndpointRow>,
    ) -> Result<Plan> {
        let read = loyalty::account_of_hot(
            store,
            &program.account_id,
            program.mode,
            &program.id,
            customer,
        )
        .await?;
        let clock_now = super::lots::clock_now_hot(store, customer).await?;
        Ok(Plan {
            program,
            customer: customer.to_string(),
            points,
            note,
            read,
            clock_now,
            endpoints,
        })
    }

    /// Writes the earn in `tx` with its events. To an account that exists, as increments
    /// queued with the rest of the change (the returned `balance_after` is as read before
    /// the transaction; the stored one, and the event's, are the account's as it is
    /// written). A first earn creates the account, under its lock when another request
    /// created it meanwhile.
    pub async fn write(self, tx: &mut Tx, wall: &dyn Clock) -> Result<PtxRow> {
        let now = self.clock_now.unwrap_or_else(|| wall.now_micros());
        if let Some(read) = &self.read {
            let mut points = Points::new(read.clone(), Vec::new(), now);
            points.give(
                &self.program,
                PtxType::Earn,
                self.points,
                true,
                self.note.clone(),
            );
            points.write_adding(tx, read);
            let ptx = points.postings[0].ptx.clone();
            let pending = PtxRow {
                balance_after: loyalty::BALANCE_PENDING,
                ..ptx.clone()
            };
            // One event, its balance filled in by its own insert.
            let events = crate::server::services::events::rows(
                wall.now_micros(),
                &self.program.account_id,
                self.program.mode,
                &to_json(&PtxView::from(&pending)),
                &["loyalty.points.earned"],
            );
            for event in &events {
                tx.defer(loyalty::inserting_event_with_balance(
                    event,
                    &ptx.loyalty_account,
                ));
            }
            crate::server::services::events::deliver(tx, &events, Some(&self.endpoints)).await?;
            return Ok(ptx);
        }
        let give = |points: &mut Points| {
            points.give(
                &self.program,
                PtxType::Earn,
                self.points,
                true,
                self.note.clone(),
            )
        };
        let created = self.read.is_none();
        let mut points = match &self.read {
            Some(account) => Points::new(account.clone(), Vec::new(), now),
            None => Points::open(&self.program, &self.customer, now),
        };
        give(&mut points);
        let mut account_created = created;
        if !points.write_if_unchanged(tx, created).await? {
            account_created = false;
            let account = loyalty::lock_account_of(
                tx,
                &self.program.account_id,
                self.program.mode,
                &self.program.id,
                &self.customer,
            )
            .await?
            .ok_or_else(|| {
                state(
                    "loyalty_account_busy",
                    "The points account changed meanwhile; try again.",
                )
            })?;
            points = Points::new(account, Vec::new(), now);
            give(&mut points);
            points.write_locked(tx, false).await?;
        }
        let ptx = points.postings[0].ptx.clone();
        if account_created {
            let view = LoyaltyAccountView::new(&points.account, &points.lots);
            record(
                tx,
                wall,
                &self.program,
                &to_json(&view),
                &["loyalty.account.created"],
                Some(&self.endpoints),
            )
            .await?;
        }
        record(
            tx,
            wall,
            &self.program,
            &to_json(&PtxView::from(&ptx)),
            &["loyalty.points.earned"],
            Some(&self.endpoints),
        )
        .await?;
        Ok(ptx)
    }
}
