//! Test clocks: billing objects of the customers made on a clock live at its time, and an
//! advance runs everything due for them on the way, in time order.

use super::engine::{self, Due};
use super::{BillingError, Result, emit, invalid, state};
use crate::domain::calendar::add_months;
use crate::domain::ids::IdKind;
use crate::domain::lenient;
use crate::server::crypto::new_id;
use crate::server::services::Scope;
use crate::server::services::payments::Deps;
use crate::server::store::test_clocks::{self, TestClockRow};
use crate::server::store::{Tx, invoices, row};
use crate::server::views::TestClockView;
use serde::Deserialize;

/// The body of `POST /v1/test_clocks`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TestClockParams)]
pub struct NewClock {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    #[schema(required = true, minimum = 0, maximum = 7258118400_i64)]
    pub frozen_time: Option<i64>,
    pub name: Option<String>,
}

/// The body of `POST /v1/test_clocks/{id}/advance`: a time, or a span to move by.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AdvanceParams)]
pub struct Advance {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub frozen_time: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::lenient::opt_object")]
    pub advance_by: Option<AdvanceBy>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceBy {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub months: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub days: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub hours: Option<i64>,
}

/// Latest time a clock may reach (year 2200).
pub const MAX_TIME: i64 = 7_258_118_400;
/// An advance moves by at most 100 years in each of its units.
pub const MAX_ADVANCE_MONTHS: i64 = 1_200;
pub const MAX_ADVANCE_DAYS: i64 = 36_525;
/// How long an advance may hold its clock before another instance may take it over.
const ADVANCE_LEASE_SECS: i64 = 600;

/// Test clocks are for test mode.
pub fn test_mode_only(scope: &Scope) -> Result<()> {
    if scope.mode.is_live() {
        return Err(BillingError::Forbidden(
            "Test clocks exist in test mode only: use a test key.".into(),
        ));
    }
    Ok(())
}

pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    wall: &dyn crate::server::clock::Clock,
    input: NewClock,
) -> Result<TestClockRow> {
    test_mode_only(scope)?;
    let frozen = input
        .frozen_time
        .ok_or_else(|| invalid("frozen_time", "Missing required param: frozen_time."))?;
    if !(0..=MAX_TIME).contains(&frozen) {
        return Err(invalid(
            "frozen_time",
            "frozen_time is a Unix time in seconds, from 1970 to 2200.",
        ));
    }
    let name = crate::domain::customer::check_text("name", input.name, 300)?;
    let now = wall.now_micros();
    let row = TestClockRow {
        id: new_id(IdKind::TestClock),
        account_id: scope.account_id.clone(),
        mode: scope.mode,
        name,
        frozen_time: frozen,
        status: "ready".into(),
        advancing_until: 0,
        created: now.div_euclid(1_000_000),
        sort_key: now,
    };
    tx.defer(row::insert(&row));
    Ok(row)
}

pub async fn find<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    scope: &Scope,
    id: &str,
) -> Result<TestClockRow> {
    test_mode_only(scope)?;
    row::find::<TestClockRow>(ex, &scope.account_id, scope.mode.as_str(), id)
        .await?
        .ok_or_else(|| {
            crate::server::services::ServiceError::NotFound {
                object: "test_clock",
                id: id.to_string(),
            }
            .into()
        })
}

/// Deletes the clock and every billing object of its customers (the customers too).
pub async fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<String> {
    let clock = find(tx.conn().await?, scope, id).await?;
    invoices::delete_of_clock(tx, &clock.id).await?;
    test_clocks::delete(tx, &clock.id).await?;
    Ok(clock.id)
}

/// The time an advance goes to, checked: forward only.
pub fn target(clock: &TestClockRow, input: &Advance) -> Result<i64> {
    let to = match (&input.frozen_time, &input.advance_by) {
        (Some(t), None) if *t > MAX_TIME => {
            return Err(invalid(
                "frozen_time",
                "A test clock goes no further than the year 2200.",
            ));
        }
        (Some(t), None) => *t,
        (None, Some(by)) => {
            let months = by.months.unwrap_or(0);
            let days = by.days.unwrap_or(0);
            let hours = by.hours.unwrap_or(0);
            if !(0..=MAX_ADVANCE_MONTHS).contains(&months)
                || !(0..=MAX_ADVANCE_DAYS).contains(&days)
                || !(0..=MAX_ADVANCE_DAYS * 24).contains(&hours)
            {
                return Err(invalid(
                    "advance_by",
                    "advance_by moves forward only, by at most 100 years in each unit.",
                ));
            }
            add_months(clock.frozen_time, months) + days * 86_400 + hours * 3_600
        }
        _ => {
            return Err(invalid(
                "frozen_time",
                "Send frozen_time or advance_by (one of them).",
            ));
        }
    };
    // The clock's own time decides this, not the request's shape: a conflict (409).
    if to <= clock.frozen_time {
        return Err(state(
            "test_clock_not_forward",
            format!(
                "A test clock only moves forward: {to} is not after its time {}.",
                clock.frozen_time
            ),
        ));
    }
    if to > MAX_TIME {
        return Err(state(
            "test_clock_too_far",
            "A test clock goes no further than the year 2200.",
        ));
    }
    Ok(to)
}

/// Takes the clock for an advance to `to` (409 while another advance runs), and marks it
/// `advancing`. The caller then runs `run_advance`.
pub async fn start_advance(
    deps: &Deps<'_>,
    scope: &Scope,
    id: &str,
    input: &Advance,
) -> Result<(TestClockRow, i64)> {
    let clock = find(deps.store.reader(), scope, id).await?;
    let to = target(&clock, input)?;
    let now = deps.clock.now();
    let mut tx = deps.store.begin().await?;
    let until = now + ADVANCE_LEASE_SECS;
    if test_clocks::claim(&mut tx, &clock.id, now, until, clock.frozen_time).await? != 1 {
        // Advancing, or advanced since it was read: an advance that finished meanwhile may
        // have reached the target already (the same 409 a later request would get).
        let current = find(deps.store.reader(), scope, id).await?;
        if current.frozen_time != clock.frozen_time {
            target(&current, input)?;
        }
        return Err(state(
            "test_clock_advancing",
            "The test clock is advancing: wait for test_clock.ready.",
        ));
    }
    tx.commit().await?;
    Ok((
        TestClockRow {
            status: "advancing".into(),
            ..clock
        },
        to,
    ))
}

/// How many due steps an advance reads and starts at a time: each batch waits for its
/// slowest step before the next is read.
const STEPS_AT_ONCE: i64 = 4_000;

/// Starts one due step at the clock's time as a task of its own (the caller owns the server's
/// state, which a task needs), so that the steps of one moment run side by side.
pub type SpawnStep<'a> =
    &'a (dyn Fn(Due, i64) -> tokio::task::JoinHandle<Result<()>> + Send + Sync);

/// Runs every step due on the clock up to `to`, in time order (the clock's time moving to
/// each step's), then sets the clock at `to`, ready, with `test_clock.ready`.
pub async fn run_advance(
    deps: &Deps<'_>,
    clock: TestClockRow,
    to: i64,
    spawn: SpawnStep<'_>,
) -> Result<TestClockRow> {
    let scope = Scope {
        account_id: clock.account_id.clone(),
        mode: clock.mode,
    };
    loop {
        let due = engine::due_on_clock(deps.store, &clock.id, to, STEPS_AT_ONCE).await?;
        let Some(first) = due.first().map(Due::at) else {
            break;
        };
        let at = first.max(clock.frozen_time);
        let mut tx = deps.store.begin().await?;
        test_clocks::set_time(&mut tx, &clock.id, at).await?;
        tx.commit().await?;
        let now_due: Vec<Due> = due.into_iter().filter(|d| d.at() <= first).collect();
        let steps: Vec<_> = now_due.into_iter().map(|d| spawn(d, at)).collect();
        for step in steps {
            step.await.unwrap_or_else(|e| {
                tracing::error!(error = %e, "a test clock step's task failed");
                Err(state(
                    "test_clock_step_failed",
                    "A step of the advance failed; advance the clock again to run it.",
                ))
            })?;
        }
    }
    // The customers' points follow their clock: what is due by `to` activates or expires
    // once it shows `to`.
    let mut tx = deps.store.begin().await?;
    test_clocks::set_time(&mut tx, &clock.id, to).await?;
    tx.commit().await?;
    crate::server::services::loyalty::lots::run_on_clock(deps.store, deps.clock, &clock.id, to)
        .await
        .map_err(crate::server::services::payments::PaymentError::from)?;
    let mut tx = deps.store.begin().await?;
    test_clocks::finish(&mut tx, &clock.id, to).await?;
    let done = TestClockRow {
        frozen_time: to,
        status: "ready".into(),
        advancing_until: 0,
        ..clock
    };
    emit(
        &mut tx,
        deps.clock,
        &scope,
        &TestClockView::from(&done),
        &["test_clock.ready"],
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}
