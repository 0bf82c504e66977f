//! SQLite through rusqlite, for the two places that use it instead of sqlx: the writer thread
//! (`writer`) and reads on the calling thread (`inline`). Both take the store's own statements
//! (`Statement`, `$n` placeholders) and report errors as sqlx's, so nothing above the store can
//! tell which driver ran a statement.

use crate::server::store::statement::{Arg, Statement};
use rusqlite::{CachedStatement, Connection, OpenFlags};
use std::borrow::Cow;
use std::path::Path;

/// Opens `path` with `flags` and applies `pragmas`.
pub(super) fn open(
    path: &Path,
    flags: OpenFlags,
    pragmas: &[&str],
) -> Result<Connection, sqlx::Error> {
    let conn = Connection::open_with_flags(path, flags).map_err(to_sqlx)?;
    for pragma in pragmas {
        // Some pragmas answer with a row (journal_mode); none of the answers is needed.
        conn.query_row(pragma, [], |_| Ok(()))
            .or_else(|err| match err {
                rusqlite::Error::QueryReturnedNoRows => Ok(()),
                other => Err(other),
            })
            .map_err(to_sqlx)?;
    }
    // A statement of each kind the store sends, prepared once and kept, as sqlx does.
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// `statement`, prepared (once per connection) and bound: each `$n` placeholder takes the
/// statement's n-th argument, wherever it appears.
pub(super) fn prepare<'c>(
    conn: &'c Connection,
    statement: &Statement,
) -> Result<CachedStatement<'c>, sqlx::Error> {
    let mut prepared = conn.prepare_cached(statement.sql()).map_err(to_sqlx)?;
    for index in 1..=prepared.parameter_count() {
        let arg = prepared
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| statement.args().get(n))
            .ok_or_else(|| sqlx::Error::Protocol(format!("placeholder {index} has no argument")))?;
        match arg {
            Arg::Text(v) => prepared.raw_bind_parameter(index, v.as_deref()),
            Arg::Int(v) => prepared.raw_bind_parameter(index, v),
        }
        .map_err(to_sqlx)?;
    }
    Ok(prepared)
}

/// A failed statement, as the rest of the store reports database errors: `is_unique_violation`
/// reads it as it reads sqlx's own.
#[derive(Debug)]
struct DbError {
    message: String,
    /// SQLite's extended result code.
    code: i32,
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbError {}

impl sqlx::error::DatabaseError for DbError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        match self.code {
            ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
                sqlx::error::ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => sqlx::error::ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => sqlx::error::ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => sqlx::error::ErrorKind::CheckViolation,
            _ => sqlx::error::ErrorKind::Other,
        }
    }
}

pub(super) fn to_sqlx(err: rusqlite::Error) -> sqlx::Error {
    match err {
        rusqlite::Error::SqliteFailure(failure, message) => {
            sqlx::Error::Database(Box::new(DbError {
                message: message.unwrap_or_else(|| failure.to_string()),
                code: failure.extended_code,
            }))
        }
        other => sqlx::Error::Protocol(other.to_string()),
    }
}
