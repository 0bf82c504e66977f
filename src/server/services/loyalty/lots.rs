//! A customer's points under lock, brought up to date first: pending lots whose days are over
//! become spendable (`loyalty.points.available`), spendable lots past their expiry give up
//! what is left (`loyalty.points.expired`). The worker does the same for every account with
//! a lot due, so balances move on time even when nobody looks.

use super::posting::Points;
use super::programs;
use super::{Result, record};
use crate::domain::loyalty::PtxType;
use crate::server::clock::Clock;
use crate::server::services::Scope;
use crate::server::store::loyalty::{self, ProgramRow, PtxRow};
use crate::server::store::webhook_endpoints::EndpointRow;
use crate::server::store::{Store, Tx};
use crate::server::views::loyalty::PtxView;
use crate::server::views::to_json;

/// A customer's points account read under its lock in a transaction, with its lots, brought
/// up to date; or a new one (`created`) when the customer has none yet.
pub struct Locked {
    pub points: Points,
    pub created: bool,
    pub program: ProgramRow,
}

/// The time a customer's points live by, when it is not the wall's: their test clock's
/// (microseconds).
pub async fn clock_now<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    customer: &str,
) -> Result<Option<i64>> {
    Ok(loyalty::clock_time_of(ex, customer)
        .await?
        .map(|(secs,)| micros(secs)))
}

/// `clock_now` outside any transaction, as a hot read (an earn by a rule asks it of every
/// paying customer).
pub async fn clock_now_hot(store: &Store, customer: &str) -> Result<Option<i64>> {
    Ok(loyalty::clock_time_of_hot(store, customer)
        .await?
        .map(|(secs,)| micros(secs)))
}

/// A test clock's time (seconds) as points keep time.
fn micros(secs: i64) -> i64 {
    secs * 1_000_000
}

/// Takes the customer's account in `program` for `tx` and brings it up to date, at the
/// wall's time or, for a customer on a test clock, at the clock's.
pub async fn lock(
    tx: &mut Tx,
    wall: &dyn Clock,
    program: &ProgramRow,
    customer: &str,
) -> Result<Locked> {
    let now = match clock_now(tx.conn().await?, customer).await? {
        Some(at) => at,
        None => wall.now_micros(),
    };
    let read =
        loyalty::lock_account_of(tx, &program.account_id, program.mode, &program.id, customer)
            .await?;
    let (mut points, created) = match read {
        Some(account) => {
            let lots = loyalty::live_lots(tx.conn().await?, &account.id).await?;
            (Points::new(account, lots, now), false)
        }
        None => (Points::open(program, customer, now), true),
    };
    points.catch_up();
    Ok(Locked {
        points,
        created,
        program: program.clone(),
    })
}

impl Locked {
    /// Writes what was worked out, with the events of the catching up (the caller records
    /// those of its own transactions).
    pub async fn write(
        &mut self,
        tx: &mut Tx,
        wall: &dyn Clock,
        endpoints: Option<&[EndpointRow]>,
    ) -> Result<()> {
        self.points.write_locked(tx, self.created).await?;
        for posting in &self.points.postings {
            let kind = match posting.ptx.kind {
                PtxType::Activate => "loyalty.points.available",
                PtxType::Expire => "loyalty.points.expired",
                _ => continue,
            };
            record(
                tx,
                wall,
                &self.program,
                &to_json(&PtxView::from(&posting.ptx)),
                &[kind],
                endpoints,
            )
            .await?;
        }
        Ok(())
    }

    /// Announces the change worked out last (the request's own, after any catch-up) as
    /// `kind`, once written: its transaction.
    pub async fn announce_last(
        &self,
        tx: &mut Tx,
        wall: &dyn Clock,
        kind: &str,
        endpoints: Option<&[EndpointRow]>,
    ) -> Result<PtxRow> {
        let ptx = self
            .points
            .postings
            .last()
            .expect("a change was worked out")
            .ptx
            .clone();
        record(
            tx,
            wall,
            &self.program,
            &to_json(&PtxView::from(&ptx)),
            &[kind],
            endpoints,
        )
        .await?;
        Ok(ptx)
    }
}

/// How many accounts one pass brings up to date at most.
pub const BATCH: i64 = 200;

/// Brings up to date the accounts with a lot due at the clock's now (of one merchant, or of
/// all with None: tests sharing a database keep to their own). How many it did.
pub async fn run_once(store: &Store, wall: &dyn Clock, account: Option<&str>) -> Result<usize> {
    let now = wall.now();
    let due = loyalty::accounts_due(store.reader(), now, BATCH, account.unwrap_or("")).await?;
    bring_up_to_date(store, wall, due).await
}

/// What a test clock's advance does to its customers' points once it reaches `at`: pending
/// points whose days are over become spendable, expired ones go (every due account, however
/// many batches that takes). The clock must already show `at`.
pub async fn run_on_clock(
    store: &Store,
    wall: &dyn Clock,
    test_clock: &str,
    at: i64,
) -> Result<usize> {
    let mut done = 0;
    loop {
        let due = loyalty::accounts_due_on_clock(store.reader(), test_clock, at, BATCH).await?;
        let found = due.len();
        let did = bring_up_to_date(store, wall, due).await?;
        done += did;
        if (found as i64) < BATCH || did == 0 {
            return Ok(done);
        }
    }
}

async fn bring_up_to_date(
    store: &Store,
    wall: &dyn Clock,
    due: Vec<(String, String, String, String)>,
) -> Result<usize> {
    let mut done = 0;
    for (account_id, mode, program, customer) in due {
        let Some(mode) = crate::domain::mode::Mode::parse(&mode) else {
            continue;
        };
        let scope = Scope { account_id, mode };
        let program = programs::find(store.reader(), &scope, &program, None).await?;
        let mut tx = store.begin().await?;
        let mut locked = lock(&mut tx, wall, &program, &customer).await?;
        if locked.created || locked.points.postings.is_empty() {
            // Brought up to date by another instance meanwhile.
            tx.rollback().await?;
            continue;
        }
        locked.write(&mut tx, wall, None).await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}
