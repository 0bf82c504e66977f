//! Newest-first cursor pagination shared by every list.
//!
//! Rows are ordered by `(sort_key, id)` descending: `sort_key` is the creation time in
//! microseconds and the id breaks ties, so the order is total and stable across pages. A list
//! is a table (`Table`), the account and mode it belongs to, and the conditions its filters
//! add (`Listing`).

use super::row::Table;
use super::statement::{Arg, Statement, renumber};
use sqlx::AnyPool;

/// `$first, $first+1, …` for `n` values: the placeholders of an `IN (…)` list or a row of a
/// multi-row `VALUES`.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a list shows of its table beyond the account and mode: the conditions of its filters.
pub trait Listing {
    type Row: Table;
    fn conditions(&self, f: &mut Filter);
}

/// A conjunction of `WHERE` clauses with their bound values.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    /// Scoped to one account and mode: every list starts here.
    pub fn scoped(account_id: &str, mode: &str) -> Filter {
        let mut f = Filter::default();
        f.push(
            "account_id = $1 AND mode = $2",
            [account_id.into(), mode.into()],
        );
        f
    }

    /// Adds a clause whose placeholders count from `$1` among its own `args`.
    pub fn push(&mut self, clause: &str, args: impl IntoIterator<Item = Arg>) {
        self.clauses.push(renumber(clause, self.args.len()));
        self.args.extend(args);
    }

    /// Adds `column = value` when there is a value.
    pub fn eq(&mut self, column: &str, value: Option<impl Into<Arg>>) {
        if let Some(value) = value {
            self.push(&format!("{column} = $1"), [value.into()]);
        }
    }

    fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            "TRUE".into()
        } else {
            self.clauses.join(" AND ")
        }
    }
}

/// Where a page starts.
#[derive(Debug, Clone)]
pub enum Cursor {
    /// The newest rows.
    Start,
    /// Rows older than this one (`starting_after`).
    After { sort_key: i64, id: String },
    /// Rows newer than this one (`ending_before`).
    Before { sort_key: i64, id: String },
}

/// One page of at most `limit` rows that `listing` shows of an account in a mode, newest
/// first, and whether more lie beyond it in the direction of travel.
pub async fn list<L: Listing>(
    pool: &AnyPool,
    account_id: &str,
    mode: &str,
    listing: &L,
    cursor: &Cursor,
    limit: i64,
) -> Result<(Vec<L::Row>, bool), sqlx::Error> {
    let (statement, ascending) = list_statement(account_id, mode, listing, cursor, limit);
    let mut rows: Vec<L::Row> = statement.fetch_all(pool).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if ascending {
        rows.reverse();
    }
    Ok((rows, has_more))
}

/// The query of `list` (one row more than `limit`, to tell whether there are more), and
/// whether it reads oldest first (a page before a cursor).
pub(super) fn list_statement<L: Listing>(
    account_id: &str,
    mode: &str,
    listing: &L,
    cursor: &Cursor,
    limit: i64,
) -> (Statement, bool) {
    let mut filter = Filter::scoped(account_id, mode);
    listing.conditions(&mut filter);
    let ascending = match cursor {
        Cursor::Start => false,
        Cursor::After { sort_key, id } => {
            filter.push(
                "(sort_key < $1 OR (sort_key = $1 AND id < $2))",
                [(*sort_key).into(), id.into()],
            );
            false
        }
        Cursor::Before { sort_key, id } => {
            filter.push(
                "(sort_key > $1 OR (sort_key = $1 AND id > $2))",
                [(*sort_key).into(), id.into()],
            );
            true
        }
    };
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY sort_key {order}, id {order} LIMIT {}",
        L::Row::select_list(),
        L::Row::TABLE,
        filter.where_sql(),
        limit + 1
    );
    let statement = filter
        .args
        .into_iter()
        .fold(Statement::new(sql), Statement::bind);
    (statement, ascending)
}

/// The `(sort_key, id)` of a row named as a cursor, if it exists in this scope.
pub async fn cursor_of(
    pool: &AnyPool,
    table: &str,
    account_id: &str,
    mode: &str,
    id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let sql =
        format!("SELECT sort_key FROM {table} WHERE id = $1 AND account_id = $2 AND mode = $3");
    let row: Option<(i64,)> = Statement::new(sql)
        .bind(id)
        .bind(account_id)
        .bind(mode)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_lists_start_where_asked() {
        assert_eq!(placeholders(1, 3), "$1, $2, $3");
        assert_eq!(placeholders(15, 2), "$15, $16");
    }

    #[test]
    fn clauses_are_numbered_after_those_before_them() {
        let mut f = Filter::scoped("acct_1", "test");
        f.eq("email", Some("a@b.c"));
        f.eq("name", None::<&str>);
        f.push(
            "(x < $1 OR (x = $1 AND id < $2))",
            [1i64.into(), "z".into()],
        );
        assert_eq!(
            f.where_sql(),
            "account_id = $1 AND mode = $2 AND email = $3 AND (x < $4 OR (x = $4 AND id < $5))"
        );
        assert_eq!(f.args.len(), 5);
    }
}
