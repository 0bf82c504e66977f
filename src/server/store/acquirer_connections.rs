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
    /// Connections of `kind` named `id`, whichever merchant's: a processor's webhook names its
    /// connection by id, and its signature says which merchant's it is (a handful at most).
    pub fn of_id(id: &str, kind: &str) -> Vec<AcquirerConnectionRow> =
        fetch_all(row::select::<AcquirerConnectionRow>("id = $1 AND kind = $2 ORDER BY account_id, mode LIMIT 100"));

    /// All of a merchant's connections in one mode, by id (a merchant has a handful).
    pub fn list(account_id: &str, mode: &str) -> Vec<AcquirerConnectionRow> =
        fetch_all(row::select::<AcquirerConnectionRow>("account_id = $1 AND mode = $2 ORDER BY id"));
}
