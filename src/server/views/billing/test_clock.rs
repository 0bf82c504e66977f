//! A test clock.

use crate::server::store::test_clocks::TestClockRow;
use crate::server::views::is_live;
use serde::Serialize;
use utoipa::ToSchema;

/// A test clock: a time of its own for the billing of the customers made on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TestClock)]
pub struct TestClockView {
    pub id: String,
    /// Always `test_clock`.
    pub object: &'static str,
    pub name: Option<String>,
    pub frozen_time: i64,
    /// `ready`, or `advancing` while an advance runs.
    pub status: String,
    pub created: i64,
    pub livemode: bool,
}

impl From<&TestClockRow> for TestClockView {
    fn from(c: &TestClockRow) -> Self {
        TestClockView {
            id: c.id.clone(),
            object: "test_clock",
            name: c.name.clone(),
            frozen_time: c.frozen_time,
            status: c.status.clone(),
            created: c.created,
            livemode: is_live(c.mode),
        }
    }
}
