//! Newest-first cursor pagination shared by every list endpoint.
//!
//! Rows are ordered by `(sort_key, id)` descending: `sort_key` is the creation time in
//! microseconds and the id breaks ties, so the order is total and stable across pages.
//! Placeholders are written as `$n` by hand: sqlx's `QueryBuilder<Any>` writes `?`, which
//! Postgres does not accept.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, FromRow};

/// `$first, $first+1, …` for `n` values: the placeholders of an `IN (…)` list or a row of a
/// multi-row `VALUES`.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Val {
    Text(String),
    Int(i64),
}

/// A conjunction of `WHERE` clauses with their bound values.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    clauses: Vec<String>,
    vals: Vec<Val>,
}

impl Filter {
    /// Scoped to one account and mode: every list starts here.
    pub fn scoped(account_id: &str, mode: &str) -> Filter {
        let mut f = Filter::default();
        f.push("account_id = ?", [Val::Text(account_id.into())]);
        f.push("mode = ?", [Val::Text(mode.into())]);
        f
    }

    /// Adds a clause whose `?` marks are replaced, in order, by numbered placeholders.
    pub fn push(&mut self, clause: &str, vals: impl IntoIterator<Item = Val>) {
        let mut out = String::with_capacity(clause.len() + 8);
        let mut vals = vals.into_iter();
        for ch in clause.chars() {
            if ch == '?' {
                let v = vals.next().expect("one value per placeholder");
                self.vals.push(v);
                out.push_str(&format!("${}", self.vals.len()));
            } else {
                out.push(ch);
            }
        }
        assert!(
            vals.next().is_none(),
            "more values than placeholders in {clause}"
        );
        self.clauses.push(out);
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

/// Fetches one page of at most `limit` rows of `table`, newest first, and whether more rows lie
/// beyond it in the direction of travel.
pub async fn fetch_page<T>(
    pool: &AnyPool,
    table: &str,
    columns: &str,
    filter: &Filter,
    cursor: &Cursor,
    limit: i64,
) -> Result<(Vec<T>, bool), sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let mut filter = filter.clone();
    let ascending = match cursor {
        Cursor::Start => false,
        Cursor::After { sort_key, id } => {
            filter.push(
                "(sort_key < ? OR (sort_key = ? AND id < ?))",
                [
                    Val::Int(*sort_key),
                    Val::Int(*sort_key),
                    Val::Text(id.clone()),
                ],
            );
            false
        }
        Cursor::Before { sort_key, id } => {
            filter.push(
                "(sort_key > ? OR (sort_key = ? AND id > ?))",
                [
                    Val::Int(*sort_key),
                    Val::Int(*sort_key),
                    Val::Text(id.clone()),
                ],
            );
            true
        }
    };
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {columns} FROM {table} WHERE {} ORDER BY sort_key {order}, id {order} LIMIT {}",
        filter.where_sql(),
        limit + 1
    );
    let mut query = sqlx::query_as::<_, T>(&sql);
    for v in &filter.vals {
        query = match v {
            Val::Text(s) => query.bind(s.clone()),
            Val::Int(i) => query.bind(*i),
        };
    }
    let mut rows = query.fetch_all(pool).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if ascending {
        rows.reverse();
    }
    Ok((rows, has_more))
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
    let row: Option<(i64,)> = sqlx::query_as(&sql)
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
    fn placeholders_are_numbered_in_order() {
        let mut f = Filter::scoped("acct_1", "test");
        f.push("email = ?", [Val::Text("a@b.c".into())]);
        assert_eq!(
            f.where_sql(),
            "account_id = $1 AND mode = $2 AND email = $3"
        );
        assert_eq!(f.vals.len(), 3);
    }
}
