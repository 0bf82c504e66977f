//! Every lookup and filtered list by one column (a customer, a payment, a source, an object…)
//! is planned on that column's index, not on the merchant's list index (which reads every row
//! of the merchant) nor a scan. SQLite plans without statistics, so this is decided by the
//! indexes and the queries alone (migrations `loyalty_lookups`, `list_filter_indexes`,
//! `usage_lookups`).

use super::loyalty::*;
use super::page::{Cursor, Listing, list_statement};
use super::row::{self, Table};
use super::{Statement, Store};
use super::{
    customers, events, invoices, ledger, payment_methods, payments, products, refunds,
    subscriptions,
};

/// SQLite's plan of `statement`, its steps' details one per line.
async fn plan(store: &Store, statement: Statement) -> String {
    let (sql, args) = statement.into_parts();
    let explain = args.into_iter().fold(
        Statement::new(format!("EXPLAIN QUERY PLAN {sql}")),
        Statement::bind,
    );
    let steps: Vec<(i64, i64, i64, String)> = explain.fetch_all(store.reader()).await.unwrap();
    steps
        .into_iter()
        .map(|(_, _, _, detail)| detail)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A lookup of `T` by `condition`, its `$n` bound to `args`.
fn lookup<T: Table>(condition: &str, args: &[&str]) -> Statement {
    args.iter()
        .fold(Statement::new(row::select::<T>(condition)), |s, a| {
            s.bind(a.to_string())
        })
}

/// A list's first page (and one after a cursor) of `listing`.
fn pages<L: Listing>(listing: &L) -> [Statement; 2] {
    let after = Cursor::After {
        sort_key: 5,
        id: "x".into(),
    };
    [
        list_statement("acct_a", "test", listing, &Cursor::Start, 10).0,
        list_statement("acct_a", "test", listing, &after, 10).0,
    ]
}

#[tokio::test]
async fn lookups_by_one_column_use_that_columns_index() {
    let (store, dir) = crate::server::store::temp_sqlite("plans").await;
    store.migrate().await.unwrap();
    let scoped = ["acct_a", "test", "x"];
    let mut cases: Vec<(&str, Statement)> = vec![
        (
            "points_transactions_by_source",
            lookup::<PtxRow>(EARNS_FOR_SOURCE, &scoped),
        ),
        (
            "points_transactions_by_source",
            lookup::<PtxRow>(OF_SOURCE, &scoped),
        ),
        (
            "points_transactions_of_redemption",
            lookup::<PtxRow>(OF_REDEMPTION, &["x"]),
        ),
        (
            "points_lots_of_account",
            lookup::<LotRow>(LIVE_LOTS, &["x"]),
        ),
        (
            "loyalty_redemptions_of_payment",
            lookup::<RedemptionRow>(REDEMPTIONS_OF_PAYMENT, &["x", "completed"]),
        ),
        (
            "loyalty_redemptions_of_payment",
            lookup::<RedemptionRow>(REDEMPTIONS_ON, &scoped),
        ),
        (
            "loyalty_redemptions_of_payment",
            lookup::<RedemptionRow>(RESERVED_FOR, &["x"]),
        ),
        (
            "usage_records_of_item",
            lookup::<invoices::UsageRow>(invoices::USAGE_BETWEEN, &["si_x", "1", "2"]),
        ),
    ];
    let lists: Vec<(&str, [Statement; 2])> = vec![
        (
            "points_transactions_of_customer",
            pages(&PtxFilter {
                loyalty_account: Some("loy_x".into()),
                ..PtxFilter::default()
            }),
        ),
        (
            "points_transactions_of_customer",
            pages(&PtxFilter {
                customer: Some("cust_x".into()),
                ..PtxFilter::default()
            }),
        ),
        (
            "points_transactions_by_source",
            pages(&PtxFilter {
                source: Some("pay_x".into()),
                ..PtxFilter::default()
            }),
        ),
        (
            "loyalty_accounts_of_customer",
            pages(&AccountFilter {
                customer: Some("cust_x".into()),
                ..AccountFilter::default()
            }),
        ),
        (
            "loyalty_redemptions_of_payment",
            pages(&RedemptionFilter {
                payment: Some("pay_x".into()),
                ..RedemptionFilter::default()
            }),
        ),
        (
            "loyalty_redemptions_of_customer",
            pages(&RedemptionFilter {
                customer: Some("cust_x".into()),
                ..RedemptionFilter::default()
            }),
        ),
    ];
    let lists = lists.into_iter().chain([
        (
            "payments_by_customer",
            pages(&payments::PaymentFilter {
                customer: Some("cust_x".into()),
                ..Default::default()
            }),
        ),
        (
            "payments_by_reference",
            pages(&payments::PaymentFilter {
                customer_reference: Some("order-1".into()),
                ..Default::default()
            }),
        ),
        (
            "payments_by_status",
            pages(&payments::PaymentFilter {
                status: Some("succeeded".into()),
                ..Default::default()
            }),
        ),
        (
            "payments_by_email",
            pages(&payments::PaymentFilter {
                customer_email: Some("a@b.c".into()),
                ..Default::default()
            }),
        ),
        (
            "refunds_by_payment",
            pages(&refunds::RefundFilter {
                payment: Some("pay_x".into()),
            }),
        ),
        (
            "ledger_transactions_by_payment",
            pages(&ledger::TransactionFilter {
                payment: Some("pay_x".into()),
            }),
        ),
        (
            "events_by_object",
            pages(&events::EventFilter {
                object_id: Some("pay_x".into()),
                ..Default::default()
            }),
        ),
        (
            "payment_methods_by_customer",
            pages(&payment_methods::OfCustomer("cust_x".into())),
        ),
        (
            "customers_by_email",
            pages(&customers::CustomerFilter {
                email: Some("a@b.c".into()),
            }),
        ),
        (
            "prices_by_product",
            pages(&products::PriceFilter {
                product: Some("prod_x".into()),
                ..Default::default()
            }),
        ),
        (
            "subscriptions_by_customer",
            pages(&subscriptions::SubscriptionFilter {
                customer: Some("cust_x".into()),
                ..Default::default()
            }),
        ),
        (
            "subscriptions_by_clock",
            pages(&subscriptions::SubscriptionFilter {
                test_clock: Some("clock_x".into()),
                ..Default::default()
            }),
        ),
        (
            "invoices_by_customer",
            pages(&invoices::InvoiceFilter {
                customer: Some("cust_x".into()),
                ..Default::default()
            }),
        ),
        (
            "invoices_by_subscription",
            pages(&invoices::InvoiceFilter {
                subscription: Some("sub_x".into()),
                ..Default::default()
            }),
        ),
        (
            "usage_records_by_item",
            pages(&invoices::UsageFilter {
                subscription_item: Some("si_x".into()),
                ..Default::default()
            }),
        ),
        (
            "usage_records_by_subscription",
            pages(&invoices::UsageFilter {
                subscription: Some("sub_x".into()),
                ..Default::default()
            }),
        ),
    ]);
    for (index, [first, next]) in lists {
        cases.push((index, first));
        cases.push((index, next));
    }
    for (index, statement) in cases {
        let sql = statement.sql().to_string();
        let plan = plan(&store, statement).await;
        let main = plan.lines().next().unwrap_or_default();
        assert!(
            main.contains(&format!("INDEX {index} (")),
            "expected {index} for\n{sql}\nplanned:\n{plan}"
        );
    }
    // A points transaction's insert finds its customer's latest (its sort_key follows it) by
    // a seek on the same index (the one-row table of that maximum is all it scans).
    let ptx = PtxRow {
        id: "ptx_x".into(),
        account_id: "acct_a".into(),
        mode: crate::domain::mode::Mode::Test,
        program: "prog_default".into(),
        loyalty_account: "loy_x".into(),
        customer: "cust_x".into(),
        kind: crate::domain::loyalty::PtxType::Earn,
        points: 1,
        balance_after: 1,
        source_type: None,
        source_id: None,
        reverses: None,
        redemption: None,
        reason: None,
        metadata: "{}".into(),
        created: 1,
        sort_key: 1,
    };
    for balance_read_back in [false, true] {
        let plan = plan(&store, inserting(&ptx, balance_read_back)).await;
        assert!(
            plan.contains(
                "INDEX points_transactions_of_customer (customer=? AND account_id=? AND mode=?)"
            ) && !plan.contains("SCAN points_transactions"),
            "planned:\n{plan}"
        );
    }
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}
