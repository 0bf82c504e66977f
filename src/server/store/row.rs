//! Row structs that sqlx reads by column name, without sqlx's derive, and the description of a
//! table (`Table`) from which its insert, its scoped select by id and its list query are made.
//!
//! `#[derive(sqlx::FromRow)]` lives in sqlx's proc-macro crate, which compiles both database
//! drivers and the bundled SQLite a second time for the compiler: about four CPU-minutes of a
//! first build. `row!` writes the same `FromRow` (each field read from the column of its name)
//! around an ordinary struct definition; given a table name (`struct PaymentRow in "payments"`)
//! it also describes the table, so that a new object is its row type, its view and a migration.

use super::page;
use super::statement::{Arg, Statement};
use super::{Store, Tx};
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, FromRow};

/// A table whose every column is a field of its row type, in declaration order.
pub trait Table: for<'r> FromRow<'r, AnyRow> + Send + Unpin {
    /// The table's name.
    const TABLE: &'static str;
    /// The column names, in the order of the fields.
    const COLUMNS: &'static [&'static str];
    /// `COLUMNS` joined for a `SELECT` (made once per table).
    fn select_list() -> &'static str;
    /// `INSERT INTO table (columns) VALUES ($1, …)` (made once per table).
    fn insert_sql() -> &'static str;
    /// `UPDATE table SET <every other column> = $n, … WHERE id = $1` (made once per table; the
    /// first column is the id).
    fn update_sql() -> &'static str;
    /// The row's values, in the order of `COLUMNS`.
    fn args(&self) -> Vec<Arg>;
}

/// The insert of `row`, ready to queue (`Tx::defer`) or run (`Tx::execute`).
pub fn insert<T: Table>(row: &T) -> Statement {
    row.args()
        .into_iter()
        .fold(Statement::new(T::insert_sql()), Statement::bind)
}

/// The SQL of an insert of `T` in which some columns are computed as the insert runs:
/// `value(column, at)` is a column's SQL, or None for its argument as bound, where `at(c)` is
/// column `c`'s own placeholder (`$9`). Every placeholder must appear (Postgres counts them),
/// so a computed column uses its own. Arguments bound after the row's are `$n+1`, … (`n` =
/// `T::COLUMNS.len()`). Callers make it once and keep it.
pub fn insert_sql_computing<T: Table>(
    value: impl Fn(&str, &dyn Fn(&str) -> String) -> Option<String>,
) -> String {
    let at = |column: &str| match T::COLUMNS.iter().position(|c| *c == column) {
        Some(i) => format!("${}", i + 1),
        None => panic!("{} has no column {column}", T::TABLE),
    };
    let values: Vec<String> = T::COLUMNS
        .iter()
        .map(|c| value(c, &at).unwrap_or_else(|| at(c)))
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        T::TABLE,
        T::select_list(),
        values.join(", ")
    )
}

/// The update of every column of `row` by its id (the first column), in `tx`. A row is read,
/// changed and written back in the same transaction, so writing the columns it did not change
/// writes back what they hold.
pub async fn update<T: Table>(tx: &mut Tx, row: &T) -> Result<(), sqlx::Error> {
    tx.execute(updating(row)).await.map(|_| ())
}

/// The update of every column of `row` by its id, to queue (`Tx::defer`) where its row was
/// checked by a compare-and-set in the same transaction.
pub fn updating<T: Table>(row: &T) -> Statement {
    row.args()
        .into_iter()
        .fold(Statement::new(T::update_sql()), Statement::bind)
}

/// `SELECT <every column> FROM <table> WHERE <condition>`; `condition` numbers its own
/// placeholders from `$1`.
pub fn select<T: Table>(condition: &str) -> String {
    format!(
        "SELECT {} FROM {} WHERE {condition}",
        T::select_list(),
        T::TABLE
    )
}

/// The row `id` of one account and mode, with `ex` (a pool, or a transaction's connection).
pub async fn find<'e, T: Table>(
    ex: impl Executor<'e, Database = Any>,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<T>, sqlx::Error> {
    scoped::<T>(account_id, mode, id).fetch_optional(ex).await
}

/// `find`, as a hot read: on SQLite it runs on the calling thread (`Store::fetch_optional`).
pub async fn find_hot<T: Table + DeserializeOwned>(
    store: &Store,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<T>, sqlx::Error> {
    store
        .fetch_optional(scoped::<T>(account_id, mode, id))
        .await
}

/// The select of the row `id` of one account and mode.
fn scoped<T: Table>(account_id: &str, mode: &str, id: &str) -> Statement {
    Statement::new(select::<T>("id = $1 AND account_id = $2 AND mode = $3"))
        .bind(id)
        .bind(account_id)
        .bind(mode)
}

/// One insert of all `rows` (none when there are none): a change often makes several.
pub fn insert_many<T: Table>(rows: &[T]) -> Option<Statement> {
    if rows.is_empty() {
        return None;
    }
    let n = T::COLUMNS.len();
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", page::placeholders(i * n + 1, n)))
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        T::TABLE,
        T::select_list(),
        values.join(", ")
    );
    let args = rows.iter().flat_map(Table::args);
    Some(args.fold(Statement::new(sql), Statement::bind))
}

/// The rows whose `column` is one of `ids`, then `rest` (an `ORDER BY`, or nothing).
pub async fn with_any_of<'e, T: Table>(
    ex: impl Executor<'e, Database = Any>,
    column: &str,
    ids: &[String],
    rest: &str,
) -> Result<Vec<T>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let condition = format!("{column} IN ({}) {rest}", page::placeholders(1, ids.len()));
    ids.iter()
        .fold(Statement::new(select::<T>(&condition)), Statement::bind)
        .fetch_all(ex)
        .await
}

/// Inserts `row` now, in `tx`, so that a failure (a taken id) is known at once.
pub async fn insert_now<T: Table>(tx: &mut Tx, row: &T) -> Result<(), sqlx::Error> {
    tx.execute(insert(row)).await.map(|_| ())
}

/// Declares a struct and implements `sqlx::FromRow` for `AnyRow`, reading each field from the
/// column named like it, or from the one named after `as` (`pub kind as "type": String`).
/// With `in "table"` after the name, it also implements `Table`: every field is a column.
macro_rules! row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident in $table:literal {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident $(as $column:literal)? : $ty:ty),* $(,)?
        }
    ) => {
        $crate::server::store::row::row! {
            $(#[$meta])*
            $vis struct $name {
                $($(#[$field_meta])* $field_vis $field $(as $column)? : $ty),*
            }
        }

        impl $crate::server::store::row::Table for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [&'static str] =
                &[$($crate::server::store::row::row!(@column $field $($column)?)),*];

            fn select_list() -> &'static str {
                static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                TEXT.get_or_init(|| Self::COLUMNS.join(", "))
            }

            fn insert_sql() -> &'static str {
                static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                TEXT.get_or_init(|| {
                    format!(
                        "INSERT INTO {} ({}) VALUES ({})",
                        $table,
                        Self::select_list(),
                        $crate::server::store::page::placeholders(1, Self::COLUMNS.len())
                    )
                })
            }

            fn update_sql() -> &'static str {
                static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                TEXT.get_or_init(|| {
                    let set: Vec<String> = Self::COLUMNS
                        .iter()
                        .enumerate()
                        .skip(1)
                        .map(|(i, column)| format!("{column} = ${}", i + 1))
                        .collect();
                    format!(
                        "UPDATE {} SET {} WHERE {} = $1",
                        $table,
                        set.join(", "),
                        Self::COLUMNS[0]
                    )
                })
            }

            fn args(&self) -> Vec<$crate::server::store::statement::Arg> {
                vec![$($crate::server::store::statement::Arg::from(&self.$field)),*]
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident $(as $column:literal)? : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty),*
        }

        impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for $name {
            fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                Ok(Self {
                    $($field: row.try_get($crate::server::store::row::row!(@column $field $($column)?))?),*
                })
            }
        }
    };
    (@column $field:ident $column:literal) => { $column };
    (@column $field:ident) => { stringify!($field) };
}
pub(crate) use row;
