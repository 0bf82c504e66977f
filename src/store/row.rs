//! Row structs that sqlx reads by column name, without sqlx's derive.
//!
//! `#[derive(sqlx::FromRow)]` lives in sqlx's proc-macro crate, which compiles both database
//! drivers and the bundled SQLite a second time for the compiler: about four CPU-minutes of a
//! first build. `row!` writes the same `FromRow` (each field read from the column of its name)
//! around an ordinary struct definition.

/// Declares a struct and implements `sqlx::FromRow` for `AnyRow`, reading each field from the
/// column named like it, or from the one named after `as` (`pub kind as "type": String`).
macro_rules! row {
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
                    $($field: row.try_get($crate::store::row::row!(@column $field $($column)?))?),*
                })
            }
        }
    };
    (@column $field:ident $column:literal) => { $column };
    (@column $field:ident) => { stringify!($field) };
}
pub(crate) use row;
