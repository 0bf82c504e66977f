//! A merchant's acquirer connections (`acq_…`), per mode.

use super::row::{self, row};
use super::statement::reads;
use crate::domain::mode::Mode;

row! {
    #[derive(Debug, Clone)]
    pub struct AcquirerConnectionRow in "acquirer_connections" {
        pub account_id: String,
        pub mode: Mode,
        pub id: String,
        pub name: String,
        pub kind: String,
        pub created: i64,
        /// A processor's settings, sealed (`crypto::seal`); none for the sandbox.
        pub settings: Option<String>,
    }
}

reads! {
    /// All of a merchant's connections in one mode, by id (a merchant has a handful).
    pub fn list(account_id: &str, mode: &str) -> Vec<AcquirerConnectionRow> =
        fetch_all(row::select::<AcquirerConnectionRow>("account_id = $1 AND mode = $2 ORDER BY id"));
}
