//! `GET /v1/openapi.json`: generated from the handlers, and checked against real responses so
//! that the documented objects and the JSON the API sends cannot drift apart.

use crate::helpers::{TestApp, send};
use serde_json::Value;
use std::collections::BTreeSet;

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn schema_keys(doc: &Value, name: &str) -> BTreeSet<String> {
    keys(&doc["components"]["schemas"][name]["properties"])
}

#[tokio::test]
async fn the_document_covers_every_route_and_matches_real_objects() {
    let app = TestApp::spawn().await;
    let (status, doc) = send(app.client.get(app.url("/v1/openapi.json"))).await;
    assert_eq!(status, 200, "the document is public");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = &doc["paths"];
    let expected: [(&str, &[&str]); 30] = [
        ("/v1/account", &["get"]),
        ("/v1/customers", &["get", "post"]),
        ("/v1/customers/{id}", &["get", "post", "delete"]),
        ("/v1/payments", &["get", "post"]),
        ("/v1/payments/{id}", &["get"]),
        ("/v1/payments/{id}/confirm", &["post"]),
        ("/v1/payments/{id}/capture", &["post"]),
        ("/v1/payments/{id}/cancel", &["post"]),
        ("/v1/payments/{id}/adjust", &["post"]),
        ("/v1/payments/{id}/reverse", &["post"]),
        ("/v1/payment_methods", &["get", "post"]),
        ("/v1/payment_methods/{id}", &["get"]),
        ("/v1/payment_methods/{id}/attach", &["post"]),
        ("/v1/accounts", &["get", "post"]),
        ("/v1/accounts/{id}", &["get"]),
        ("/v1/acquirer_connections", &["get", "post"]),
        ("/v1/events", &["get"]),
        ("/v1/checkout/{reference}", &["get"]),
        ("/v1/checkout/sessions", &["post"]),
        ("/v1/checkout/sessions/{id}", &["get"]),
        ("/v1/webhook_endpoints", &["get", "post"]),
        ("/v1/webhook_endpoints/{id}", &["get", "post", "delete"]),
        ("/v1/webhook_endpoints/{id}/rotate_secret", &["post"]),
        ("/v1/webhook_endpoints/{id}/deliveries", &["get"]),
        ("/v1/events/{id}/deliveries", &["get"]),
        ("/v1/balance", &["get"]),
        ("/v1/refunds", &["get", "post"]),
        ("/v1/refunds/{id}", &["get"]),
        ("/v1/payments/{id}/refunds", &["post"]),
        ("/v1/ledger/transactions", &["get"]),
    ];
    for (path, methods) in expected {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is not documented"
            );
        }
    }
    assert!(paths["/v1/events/{id}"]["get"].is_object());
    assert!(paths["/v1/events/{id}/resend"]["post"].is_object());
    let create = &paths["/v1/payments"]["post"]["requestBody"]["content"];
    // JSON bodies only: a form cannot say null or tell a number from a string (the info says
    // forms take the same fields).
    assert!(create["application/json"].is_object());
    assert!(create.get("application/x-www-form-urlencoded").is_none());
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("form-encoded")
    );
    let schemes = keys(&doc["components"]["securitySchemes"]);
    assert_eq!(
        schemes,
        ["api_key", "basic", "bearer"].map(String::from).into()
    );

    // Payments: one awaiting its customer (client secret, checkout URL), one adjusted and
    // partly reversed; together they show every documented field, and nothing else.
    let (_, waiting) = send(app.post_form("/v1/payments", &[("amount", "100")])).await;
    let (_, held) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "5000"),
            ("payment_method", "pm_card_visa"),
            ("capture_method", "manual"),
        ],
    ))
    .await;
    let id = held["id"].as_str().unwrap();
    send(app.post_form(&format!("/v1/payments/{id}/adjust"), &[("amount", "6000")])).await;
    let (_, reversed) =
        send(app.post_form(&format!("/v1/payments/{id}/reverse"), &[("amount", "1000")])).await;
    // `loyalty` shows only when expanded.
    let (_, with_points) = send(app.get(&format!("/v1/payments/{id}?expand[]=loyalty"))).await;
    let mut seen: BTreeSet<String> = keys(&waiting)
        .union(&keys(&reversed))
        .chain(keys(&with_points).iter())
        .cloned()
        .collect();
    // `dispute` shows once a processor reports one (processor.rs sees it in the JSON).
    seen.insert("dispute".into());
    assert_eq!(
        seen,
        schema_keys(&doc, "Payment"),
        "Payment schema and payment JSON differ"
    );
    assert_eq!(
        keys(&with_points["loyalty"]),
        schema_keys(&doc, "PaymentLoyalty")
    );

    let (_, expanded) = send(app.get(&format!("/v1/payments/{id}?expand[]=latest_charge"))).await;
    assert_eq!(
        keys(&expanded["latest_charge"]),
        schema_keys(&doc, "Charge")
    );
    let pm = held["payment_method"].as_str().unwrap();
    let (_, method) = send(app.get(&format!("/v1/payment_methods/{pm}"))).await;
    assert_eq!(keys(&method), schema_keys(&doc, "PaymentMethod"));
    let (_, events) = send(app.get("/v1/events?limit=1")).await;
    assert_eq!(keys(&events["data"][0]), schema_keys(&doc, "Event"));
    assert_eq!(keys(&events), schema_keys(&doc, "List"));
    let (_, acct) = send(app.post_form("/v1/accounts", &[("business_name", "Sub")])).await;
    assert_eq!(keys(&acct), schema_keys(&doc, "ConnectedAccount"));
    let (_, conns) = send(app.get("/v1/acquirer_connections")).await;
    assert_eq!(
        keys(&conns["data"][0]),
        schema_keys(&doc, "AcquirerConnection")
    );
    let (_, declined) = send(app.post_form(
        "/v1/payments",
        &[
            ("amount", "100"),
            ("payment_method", "pm_card_chargeDeclined"),
        ],
    ))
    .await;
    let (_, missing) = send(app.post_form("/v1/payments", &[("amount", "0")])).await;
    let error_keys: BTreeSet<String> = keys(&declined["error"])
        .union(&keys(&missing["error"]))
        .cloned()
        .collect();
    assert_eq!(error_keys, schema_keys(&doc, "ErrorBody"));
    let (_, endpoint) = send(app.post_form(
        "/v1/webhook_endpoints",
        &[("url", "http://127.0.0.1:9/hooks")],
    ))
    .await;
    assert_eq!(keys(&endpoint), schema_keys(&doc, "WebhookEndpoint"));
    let event = events["data"][0]["id"].as_str().unwrap();
    let (_, resent) = send(app.post_form(&format!("/v1/events/{event}/resend"), &[])).await;
    assert_eq!(
        keys(&resent["data"][0]),
        schema_keys(&doc, "WebhookDelivery")
    );
    let (_, balance) = send(app.get("/v1/balance")).await;
    assert_eq!(keys(&balance), schema_keys(&doc, "Balance"));
    send(app.post_form(
        "/v1/payments",
        &[("amount", "100"), ("payment_method", "pm_card_visa")],
    ))
    .await;
    let (_, paid) = send(app.post_form(
        "/v1/payments",
        &[("amount", "300"), ("payment_method", "pm_card_visa")],
    ))
    .await;
    let (_, refund) = send(app.post_form(
        "/v1/refunds",
        &[("payment", paid["id"].as_str().unwrap()), ("amount", "100")],
    ))
    .await;
    assert_eq!(keys(&refund), schema_keys(&doc, "Refund"));
    let (_, ledger) = send(app.get("/v1/ledger/transactions?limit=1")).await;
    assert_eq!(
        keys(&ledger["data"][0]),
        schema_keys(&doc, "LedgerTransaction")
    );
    let (_, customer) = send(app.post_form("/v1/customers", &[("email", "a@b.co")])).await;
    assert_eq!(keys(&customer), schema_keys(&doc, "Customer"));
}

/// The SDKs are generated from `sdks/openapi.json`: it must be the document the server answers,
/// or they would describe another API.
#[tokio::test]
async fn the_sdks_copy_of_the_document_is_the_servers() {
    let app = TestApp::spawn().await;
    let (status, served) = send(app.client.get(app.url("/v1/openapi.json"))).await;
    assert_eq!(status, 200);
    let committed: Value = serde_json::from_str(include_str!("../../sdks/openapi.json"))
        .expect("sdks/openapi.json is JSON");
    if served != committed {
        let (ours, theirs) = (keys(&served["paths"]), keys(&committed["paths"]));
        let differing: BTreeSet<String> = ours
            .union(&theirs)
            .filter(|path| {
                served["paths"].get(path.as_str()) != committed["paths"].get(path.as_str())
            })
            .cloned()
            .collect();
        panic!(
            "sdks/openapi.json is not the server's document (paths that differ: {differing:?}; \
             components may too): run `make sdk-openapi` (the SDKs are generated from it)"
        );
    }
}

/// utoipa keys schemas by name, and a second struct of the same name silently replaces the
/// first: `POST /v1/payments` once documented the acquirer connection's body (`id`, `name`).
/// Each body below must carry a field only its own struct has.
#[tokio::test]
async fn each_request_body_is_its_own_structs() {
    let app = TestApp::spawn().await;
    let (_, doc) = send(app.client.get(app.url("/v1/openapi.json"))).await;
    let body_of = |path: &str| -> BTreeSet<String> {
        let schema =
            &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"];
        // An operation with rules of its own is `allOf` its struct and them.
        let schema = schema.get("allOf").map_or(schema, |all| &all[0]);
        let name = schema["$ref"]
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default();
        schema_keys(&doc, name)
    };
    for (path, field) in [
        ("/v1/payments", "payment_method"),
        ("/v1/payment_methods", "card"),
        ("/v1/accounts", "business_name"),
        ("/v1/acquirer_connections", "id"),
        ("/v1/subscriptions", "items"),
        ("/v1/checkout/sessions", "order"),
    ] {
        assert!(
            body_of(path).contains(field),
            "{path} documents {:?}",
            body_of(path)
        );
    }
    assert!(
        !body_of("/v1/payments").contains("name"),
        "the payment body is not another's"
    );
    let item = |name: &str| schema_keys(&doc, name);
    assert!(item("SubscriptionItemParams").contains("price"));
    assert!(item("OrderItemParams").contains("line_id"));
}
