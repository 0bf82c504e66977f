//! The migrations under `migrations/`, embedded in the binary.
//!
//! sqlx's `migrate!` does the same, but lives in its proc-macro crate, which compiles both
//! database drivers and the bundled SQLite a second time (see `store::row`). Each migration is
//! built exactly as sqlx builds one from its file (version, description, SQL, checksum), so
//! databases migrated before keep matching. A new file is one more line below; the test fails
//! until it is there.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

/// Each migration file's version and name, its text embedded at compile time.
macro_rules! embed {
    ($($version:literal $name:literal),* $(,)?) => {
        &[$((
            $version,
            $name,
            include_str!(concat!("../../../migrations/", stringify!($version), "_", $name, ".sql")),
        )),*]
    };
}

const MIGRATIONS: &[(i64, &str, &str)] = embed![
    20261121000001 "foundation",
    20261121000002 "payments",
    20261121000003 "acquirer_connections",
    20261121000004 "acquirer_call_lease",
    20261121000005 "checkout",
    20261121000006 "webhooks",
    20261121000007 "ledger",
    20261121000008 "refunds",
    20261121000009 "dashboard",
    20261121000010 "reconcile",
    20261121000011 "sparse_indexes",
    20261121000012 "ledger_entries_by_transaction",
    20261205000013 "billing",
    20261205000014 "billing_leases",
    20261205000015 "loyalty",
    20261205000016 "loyalty_lean_indexes",
    20261205000017 "processors",
    20261205000018 "disputes",
    20261206000019 "loyalty_lookups",
    20261206000020 "list_filter_indexes",
    20261206000021 "usage_lookups",
];

/// The migrator `migrate!()` would build: description from the file name with `_` as spaces,
/// and `-- no-transaction` at the top opting out of the migration's transaction.
pub fn migrator() -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, name, sql)| {
            Migration::new(
                version,
                Cow::Owned(name.replace('_', " ")),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                sql.starts_with("-- no-transaction"),
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_under_migrations_is_embedded_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<String> = MIGRATIONS
            .iter()
            .map(|(version, name, _)| format!("{version}_{name}.sql"))
            .collect();
        assert_eq!(embedded, files);
        for (version, name, sql) in MIGRATIONS {
            let on_disk = std::fs::read_to_string(format!("{dir}/{version}_{name}.sql")).unwrap();
            assert_eq!(*sql, on_disk);
        }
    }

    /// What sqlx itself resolves from the folder (as `migrate!` does at compile time): the same
    /// versions, descriptions, checksums and transaction choice, so databases migrated by
    /// earlier builds are recognised.
    #[tokio::test]
    async fn matches_what_sqlx_reads_from_the_folder() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"));
        let from_folder = Migrator::new(dir).await.unwrap();
        let embedded = migrator();
        let key = |m: &Migration| {
            (
                m.version,
                m.description.to_string(),
                m.checksum.to_vec(),
                m.no_tx,
                m.migration_type,
            )
        };
        let expected: Vec<_> = from_folder.iter().map(key).collect();
        let actual: Vec<_> = embedded.iter().map(key).collect();
        assert_eq!(actual, expected);
        assert_eq!(embedded.locking, from_folder.locking);
        assert_eq!(embedded.ignore_missing, from_folder.ignore_missing);
    }
}
