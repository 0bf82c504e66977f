//! Several statements in one round trip to the writer connection (SQLite runs a script's
//! statements one after the other). Postgres runs them one by one instead.

use crate::server::store::statement::{Arg, Statement, bind_all, renumber};
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

/// Several statements sent as one SQLite script: the text of each, in order, with its
/// parameters renumbered after the arguments of those before it, and all the arguments.
/// SQLite runs a script's statements one after the other and stops at the first error.
pub(in crate::server::store) struct Script {
    sql: String,
    args: Vec<Arg>,
}

impl Script {
    /// `lead` (argument-free statements such as `SAVEPOINT`) first, then `writes`, then `tail`.
    pub(in crate::server::store) fn new(
        lead: Option<&str>,
        writes: Vec<Statement>,
        tail: Option<&str>,
    ) -> Script {
        let mut sql = String::new();
        let mut args = Vec::new();
        let mut push = |text: &str| {
            if !sql.is_empty() {
                sql.push_str(";\n");
            }
            sql.push_str(text);
        };
        if let Some(lead) = lead {
            push(lead);
        }
        for write in writes {
            let (text, write_args) = write.into_parts();
            push(&renumber(&text, args.len()));
            args.extend(write_args);
        }
        if let Some(tail) = tail {
            push(tail);
        }
        Script { sql, args }
    }

    pub(in crate::server::store) fn is_empty(&self) -> bool {
        self.sql.is_empty()
    }

    pub(in crate::server::store) fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        bind_all(sqlx::query(&self.sql), self.args.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_chains_statements_and_their_arguments_in_order() {
        let a = Statement::new("INSERT INTO a (x, y) VALUES ($1, $2)")
            .bind("one")
            .bind(2i64);
        let b = Statement::new("INSERT INTO b (x) VALUES ($1)").bind(None::<i64>);
        let c = Statement::new("UPDATE c SET x = $2 WHERE id = $1")
            .bind("c1")
            .bind(Some("v"));
        let script = Script::new(Some("SAVEPOINT turn"), vec![a, b, c], Some("RELEASE turn"));
        assert_eq!(
            script.sql,
            "SAVEPOINT turn;\nINSERT INTO a (x, y) VALUES ($1, $2);\n\
             INSERT INTO b (x) VALUES ($3);\nUPDATE c SET x = $5 WHERE id = $4;\nRELEASE turn"
        );
        assert_eq!(
            script.args,
            vec![
                Arg::Text(Some("one".into())),
                Arg::Int(Some(2)),
                Arg::Int(None),
                Arg::Text(Some("c1".into())),
                Arg::Text(Some("v".into())),
            ]
        );
        assert!(Script::new(None, vec![], None).is_empty());
    }
}
