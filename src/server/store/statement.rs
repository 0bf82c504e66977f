//! Statements as values: the one way the store runs SQL. A statement is its text (`$n`
//! placeholders, the same on both databases) and its arguments; it runs at once on a pool or a
//! transaction's connection (`fetch_all`, `execute`…), on the calling thread for hot reads
//! (`Store::fetch_all`), or queued in a transaction (`Tx::defer`) so that a transaction can
//! hold writes back and send several together.
//!
//! On SQLite every statement is a round trip to the connection's own thread, and the writer
//! connection is shared by every request in turn: a change made of ten statements held it for
//! ten thread hand-offs. Writes whose answer nobody reads (inserts of new rows, mostly) are
//! queued with `Tx::defer` and go with the transaction's next round trip, which is the next
//! statement whose answer is needed (`Tx::execute`, `Tx::fetch_all`) or the commit: a whole
//! change is usually one or two scripts. Postgres runs them one by one, as before.
//!
//! A script holds one request's change, never several requests' together: sending every
//! waiting change as one script was measured slower than a turn each (the bench, three pairs
//! of runs, 8–25 % fewer payments/s). The likely cause, not measured apart: each such text is
//! new to the statement cache, so all its statements are prepared again, which costs more
//! than the hand-offs it saves.

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Executor, FromRow};

/// A bound value. Nulls keep their type: Postgres wants to know what a parameter is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_string()))
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(v.clone()))
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}

impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Arg {
        Arg::Text(v.clone())
    }
}

impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_string))
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}

impl From<&i64> for Arg {
    fn from(v: &i64) -> Arg {
        Arg::Int(Some(*v))
    }
}

impl From<&Option<i64>> for Arg {
    fn from(v: &Option<i64>) -> Arg {
        Arg::Int(*v)
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}

/// One statement and its arguments (`$1`, `$2`, … in its own numbering).
#[derive(Debug, Clone)]
pub struct Statement {
    sql: String,
    args: Vec<Arg>,
}

impl Statement {
    pub fn new(sql: impl Into<String>) -> Statement {
        Statement {
            sql: sql.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next parameter.
    pub fn bind(mut self, value: impl Into<Arg>) -> Statement {
        self.args.push(value.into());
        self
    }

    pub(super) fn sql(&self) -> &str {
        &self.sql
    }

    pub(super) fn args(&self) -> &[Arg] {
        &self.args
    }

    pub(super) fn into_parts(self) -> (String, Vec<Arg>) {
        (self.sql, self.args)
    }

    /// The statement alone, ready to run.
    pub(super) fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        bind_all(sqlx::query(&self.sql), self.args.iter())
    }

    /// Runs it now on `ex` (a pool, or a transaction's connection) and returns its rows.
    pub async fn fetch_all<'e, T>(
        self,
        ex: impl Executor<'e, Database = Any>,
    ) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        self.query()
            .fetch_all(ex)
            .await?
            .iter()
            .map(T::from_row)
            .collect()
    }

    /// `fetch_all`, for a query of one row at most.
    pub async fn fetch_optional<'e, T>(
        self,
        ex: impl Executor<'e, Database = Any>,
    ) -> Result<Option<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        self.query()
            .fetch_optional(ex)
            .await?
            .as_ref()
            .map(T::from_row)
            .transpose()
    }

    /// `fetch_all`, for a query of exactly one row.
    pub async fn fetch_one<'e, T>(
        self,
        ex: impl Executor<'e, Database = Any>,
    ) -> Result<T, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        T::from_row(&self.query().fetch_one(ex).await?)
    }

    /// Runs a write now on `ex` and says how many rows it changed.
    pub async fn execute<'e>(
        self,
        ex: impl Executor<'e, Database = Any>,
    ) -> Result<AnyQueryResult, sqlx::Error> {
        self.query().execute(ex).await
    }
}

pub(super) fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    args: impl Iterator<Item = &'q Arg>,
) -> Query<'q, Any, AnyArguments<'q>> {
    for arg in args {
        query = match arg {
            Arg::Text(v) => query.bind(v.as_deref()),
            Arg::Int(v) => query.bind(*v),
        };
    }
    query
}

/// `sql` with every `$n` placeholder moved to `$(n + offset)`. Our statements hold no `$` but
/// in placeholders (no string literals with one), which the tests of the stores check.
pub(super) fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => {
                out.push('$');
                out.push_str(&(n + offset).to_string());
            }
            // Not a placeholder: kept as written.
            Err(_) => out.push('$'),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Store functions that run one statement, their arguments bound in order (`$1` is the first):
///
/// ```ignore
/// reads! {
///     /// Every charge of a payment, oldest first.
///     pub fn of_payment(payment_id: &str) -> Vec<ChargeRow> =
///         fetch_all(row::select::<ChargeRow>("payment_id = $1 ORDER BY sort_key, id"));
/// }
/// ```
///
/// is `pub async fn of_payment(ex, payment_id: &str) -> Result<Vec<ChargeRow>, sqlx::Error>`
/// on any executor (a pool, or a transaction's connection).
macro_rules! reads {
    ($(
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty = $fetch:ident($sql:expr);
    )*) => {$(
        $(#[$meta])*
        $vis async fn $name<'e>(
            ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
            $($arg: $ty),*
        ) -> Result<$out, sqlx::Error> {
            $crate::server::store::Statement::new($sql)$(.bind($arg))*.$fetch(ex).await
        }
    )*};
}
pub(crate) use reads;

/// `reads!` for hot reads: lookups of a few rows by an index that a request makes before its
/// transaction, run through `Store::fetch_all` / `Store::fetch_optional` (on SQLite on the
/// calling thread, without the reader pool's hand-off). `fetch_optional` yields the row
/// itself, so its output is `Option<Row>`:
///
/// ```ignore
/// hot_reads! {
///     /// A payment's reserved redemption.
///     pub fn reserved_for_hot(payment: &str) -> Option<RedemptionRow> =
///         fetch_optional(row::select::<RedemptionRow>(RESERVED_FOR));
/// }
/// ```
///
/// is `pub async fn reserved_for_hot(store: &Store, payment: &str) -> Result<Option<…>, _>`.
macro_rules! hot_reads {
    ($(
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty = $fetch:ident($sql:expr);
    )*) => {$(
        $(#[$meta])*
        $vis async fn $name(
            store: &$crate::server::store::Store,
            $($arg: $ty),*
        ) -> Result<$out, sqlx::Error> {
            store.$fetch($crate::server::store::Statement::new($sql)$(.bind($arg))*).await
        }
    )*};
}
pub(crate) use hot_reads;

/// Store functions that make one write in a transaction, their arguments bound in order:
/// `pub fn set_mode(digest: &str, mode: &str) = "UPDATE … WHERE digest = $1";` is
/// `pub async fn set_mode(tx: &mut Tx, digest: &str, mode: &str) -> Result<u64, sqlx::Error>`,
/// answering how many rows it changed.
macro_rules! writes {
    ($(
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) = $sql:expr;
    )*) => {$(
        $(#[$meta])*
        $vis async fn $name(
            tx: &mut $crate::server::store::Tx,
            $($arg: $ty),*
        ) -> Result<u64, sqlx::Error> {
            tx.execute($crate::server::store::Statement::new($sql)$(.bind($arg))*).await
        }
    )*};
}
pub(crate) use writes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renumbering_moves_every_placeholder_and_nothing_else() {
        assert_eq!(
            renumber("INSERT INTO t (a, b) VALUES ($1, $2)", 0),
            "INSERT INTO t (a, b) VALUES ($1, $2)"
        );
        assert_eq!(
            renumber("UPDATE t SET a = $2 WHERE id = $1 AND b = $10", 7),
            "UPDATE t SET a = $9 WHERE id = $8 AND b = $17"
        );
        assert_eq!(renumber("SELECT $ + $x", 3), "SELECT $ + $x");
    }
}
