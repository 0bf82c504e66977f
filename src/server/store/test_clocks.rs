//! Test clocks (`clock_…`): a time of their own that a merchant moves forward by hand.

use super::page::{Filter, Listing};
use super::row::row;
use super::statement::writes;
use crate::domain::mode::Mode;

row! {
    #[derive(Debug, Clone, serde::Deserialize)]
    pub struct TestClockRow in "test_clocks" {
        pub id: String,
        pub account_id: String,
        pub mode: Mode,
        pub name: Option<String>,
        pub frozen_time: i64,
        /// `ready`, or `advancing` while an advance runs.
        pub status: String,
        /// While advancing: when another instance may take the clock over.
        pub advancing_until: i64,
        pub created: i64,
        pub sort_key: i64,
    }
}

/// Every clock of the account and mode.
#[derive(Debug, Default, Clone)]
pub struct AllClocks;

impl Listing for AllClocks {
    type Row = TestClockRow;
    fn conditions(&self, _f: &mut Filter) {}
}

writes! {
    /// Takes the clock for an advance: it is ready, or the instance advancing it stopped, and
    /// its time is still `frozen_time` (the time the advance's target was checked against).
    pub fn claim(id: &str, now: i64, until: i64, frozen_time: i64) =
        "UPDATE test_clocks SET status = 'advancing', advancing_until = $3
         WHERE id = $1 AND (status = 'ready' OR advancing_until <= $2) AND frozen_time = $4";

    /// Moves the clock's time on (an advance's steps, each a due time of its objects).
    pub fn set_time(id: &str, frozen_time: i64) =
        "UPDATE test_clocks SET frozen_time = $2 WHERE id = $1 AND frozen_time <= $2";

    /// Ends an advance at its target time.
    pub fn finish(id: &str, frozen_time: i64) =
        "UPDATE test_clocks SET status = 'ready', advancing_until = 0, frozen_time = $2 WHERE id = $1";

    pub fn delete(id: &str) = "DELETE FROM test_clocks WHERE id = $1";
}
