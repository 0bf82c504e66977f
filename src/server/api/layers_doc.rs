//! What the layers every handler shares (key check, query and body parsing, idempotency,
//! paging) answer, written into each operation of the OpenAPI document they apply to, so the
//! document declares every status and constraint without each of ~90 annotations repeating
//! them (and drifting). Applied to the document's JSON once, as it is built.

use crate::domain::billing::{InvoiceStatus, SubscriptionStatus};
use crate::domain::loyalty::{EarnEvent, MAX_DAYS, MAX_POINTS};
use crate::domain::loyalty::{PtxType, RedemptionStatus};
use crate::domain::metadata::{MAX_KEY_LEN, MAX_KEYS, MAX_VALUE_LEN};
use crate::domain::money::{Currency, MAX_AMOUNT};
use crate::domain::payment::PaymentStatus;
use crate::server::services::payments::{CANCELLATION_REASONS, MAX_EXPIRES_IN};
use crate::server::services::refunds::REASONS as REFUND_REASONS;
use serde_json::{Map, Value, json};

/// `POST`s that do not go through the idempotency layer (`idempotency::Post`): advancing a test
/// clock and paying an invoice are themselves safe to repeat (the clock only moves forward; a
/// paid invoice is not paid again).
const NOT_IDEMPOTENT: [&str; 2] = ["/v1/test_clocks/{id}/advance", "/v1/invoices/{id}/pay"];

/// Operations anyone may call, without a key.
const PUBLIC: [&str; 2] = ["/v1/checkout/{reference}", "/v1/elements.js"];

/// What `idempotency::IdempotencyKey` accepts: 1 to 255 visible ASCII characters, inner
/// spaces allowed (HTTP strips a header value's outer whitespace before the server sees it).
const KEY_PATTERN: &str = "^[!-~]([ -~]*[!-~])?$";

/// The list filters the server checks against a domain enum: the document lists its names.
fn query_enum(path: &str, name: &str) -> Option<Vec<&'static str>> {
    fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Option<Vec<&'static str>> {
        Some(all.iter().map(|v| as_str(*v)).collect())
    }
    match (path, name) {
        ("/v1/payments", "status") => names(&PaymentStatus::ALL, PaymentStatus::as_str),
        ("/v1/invoices", "status") => names(InvoiceStatus::ALL, InvoiceStatus::as_str),
        ("/v1/subscriptions", "status") => {
            names(SubscriptionStatus::ALL, SubscriptionStatus::as_str)
        }
        ("/v1/loyalty/redemptions", "status") => {
            names(RedemptionStatus::ALL, RedemptionStatus::as_str)
        }
        ("/v1/loyalty/points/transactions", "type") => names(PtxType::ALL, PtxType::as_str),
        _ => None,
    }
}

pub fn complete(doc: &mut Value) {
    metadata_limits(doc);
    expand_names(doc);
    field_constraints(doc);
    required_is_not_null(doc);
    let schemas = doc["components"]["schemas"].clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (verb, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            complete_operation(path, verb, op);
            apply_body_rules(path, verb, op);
            body_required_as_its_fields(op, &schemas);
        }
    }
}

fn complete_operation(path: &str, verb: &str, op: &mut Map<String, Value>) {
    let public = PUBLIC.contains(&path);
    if !public {
        respond(op, "401", "Missing or invalid API key");
        // Unknown or repeated query parameters, a malformed body.
        respond(op, "400", "Invalid parameters");
    }
    if verb == "post" {
        // A parameter naming an object that does not exist (§3: 404 resource_missing).
        respond(op, "404", "An object the request names does not exist");
    }
    if verb == "post" && !NOT_IDEMPOTENT.contains(&path) {
        idempotency_header(op);
        respond(
            op,
            "409",
            "An idempotent request with this key is in flight, or the object's state does not allow this",
        );
        respond(
            op,
            "422",
            "The Idempotency-Key was used with other parameters",
        );
    }
    // Form bodies take the same fields as JSON ones (the info says so), but a form cannot say
    // `null` or tell a number from a string, so the document describes JSON bodies only.
    if let Some(content) = op
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(Value::as_object_mut)
    {
        content.remove("application/x-www-form-urlencoded");
    }
    for param in parameters(op) {
        if param["in"] != "query" {
            continue;
        }
        let name = param["name"].as_str().unwrap_or_default().to_string();
        let schema = &mut param["schema"];
        if name == "limit" {
            schema["minimum"] = json!(1);
            schema["maximum"] = json!(100);
        }
        if name == "expand[]" && path.starts_with("/v1/payments") {
            schema["items"]["enum"] = json!(crate::server::api::payments::EXPANDABLE);
        }
        if let Some(values) = query_enum(path, &name) {
            schema["enum"] = json!(values);
        }
    }
}

/// Every object's `metadata` is checked by `domain::metadata` alike: the document says so
/// wherever a schema has it.
fn metadata_limits(doc: &mut Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for schema in schemas.values_mut() {
        // `get_mut`, not indexing: `value["key"]` on a mutable object inserts the key.
        let Some(metadata) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut("metadata"))
        else {
            continue;
        };
        if metadata
            .get("additionalProperties")
            .is_some_and(Value::is_object)
        {
            metadata["maxProperties"] = json!(MAX_KEYS);
            metadata["propertyNames"] =
                json!({"type": "string", "minLength": 1, "maxLength": MAX_KEY_LEN});
            metadata["additionalProperties"] =
                json!({"type": "string", "maxLength": MAX_VALUE_LEN});
        }
    }
}

/// `expand` in a body names related objects of the payment the answer is (one name, a list,
/// or null: `lenient::string_list`), checked against `payments::EXPANDABLE`.
fn expand_names(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let names = json!(crate::server::api::payments::EXPANDABLE);
    for schema in schemas.values_mut() {
        if let Some(expand) = schema.pointer_mut("/properties/expand") {
            let description = expand.get("description").cloned();
            *expand = json!({"anyOf": [
                {"type": "array", "items": {"enum": names}},
                {"enum": names},
                {"type": "null"},
            ]});
            if let Some(d) = description {
                expand["description"] = d;
            }
        }
    }
}

/// Constraints the server checks in code, from the constants it checks them with: each is
/// merged into the property's schema (`schema` is the component's name in the document).
/// Answers the rules whose property the document does not have (a unit test keeps it empty).
fn field_constraints(doc: &mut Value) -> Vec<String> {
    let currencies: Vec<String> = Currency::codes()
        .flat_map(|c| [c.to_string(), c.to_ascii_lowercase()])
        .collect();
    // What the customer services take: blank (clears it), or what `check_email` accepts once
    // trimmed: no whitespace, one `@` after a non-empty local part, a domain with a dot
    // neither first nor last; 254 characters at most.
    let email = json!({
        "pattern": "^\\s*([^@\\s]+@[^@\\s.][^@\\s]*\\.[^@\\s]*[^@\\s.])?\\s*$",
        "maxLength": 254,
    });
    // Trimmed, then 1 to `max` characters.
    let text = |max: usize| json!({"pattern": "\\S", "maxLength": max});
    let amount = json!({"minimum": 1, "maximum": MAX_AMOUNT});
    let rules: Vec<(&str, &str, Value)> = vec![
        ("NewPayment", "amount", amount.clone()),
        ("NewPayment", "currency", json!({"enum": currencies})),
        ("AmountParams", "amount", amount.clone()),
        (
            "CancelParams",
            "cancellation_reason",
            json!({"enum": CANCELLATION_REASONS}),
        ),
        ("RefundParams", "reason", json!({"enum": REFUND_REASONS})),
        ("RefundParams", "amount", amount),
        ("CalculateParams", "currency", json!({"enum": currencies})),
        ("NewPaymentMethod", "type", json!({"enum": ["card"]})),
        (
            "NewAcquirerConnection",
            "id",
            json!({"pattern": "^acq_[a-z0-9_]{1,40}$"}),
        ),
        ("NewAcquirerConnection", "name", text(100)),
        ("NewConnectedAccount", "business_name", text(100)),
        ("CustomerParams", "email", email),
        (
            "NewPayment",
            "expires_in",
            json!({"minimum": 60, "maximum": MAX_EXPIRES_IN}),
        ),
        (
            "OrderParams",
            "amount",
            json!({"minimum": 1, "maximum": MAX_AMOUNT}),
        ),
        ("RewardUpdateParams", "name", text(256)),
        ("AdjustParams", "points", json!({"not": {"const": 0}})),
        (
            "EarnRuleInput",
            "points",
            json!({"required": true, "minimum": 1, "maximum": MAX_POINTS}),
        ),
        (
            "EarnRuleInput",
            "per_amount",
            json!({"minimum": 1, "maximum": MAX_AMOUNT}),
        ),
        (
            "EarnRuleInput",
            "min_amount",
            json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        ),
        (
            "EarnRuleInput",
            "max_points",
            json!({"minimum": 1, "maximum": MAX_POINTS}),
        ),
        ("EarnRuleInput", "currency", json!({"enum": currencies})),
        (
            "LoyaltyProgramParams",
            "pending_days",
            json!({"minimum": 0, "maximum": MAX_DAYS}),
        ),
        (
            "LoyaltyProgramParams",
            "expiry_days",
            json!({"minimum": 0, "maximum": MAX_DAYS}),
        ),
        (
            "EarnRuleInput",
            "event",
            json!({"required": true, "enum": EarnEvent::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>()}),
        ),
    ];
    let mut missing = Vec::new();
    let Some(schemas) = doc.pointer_mut("/components/schemas") else {
        return missing;
    };
    for (schema, property, mut constraint) in rules {
        // `"required": true` in a rule: the schema requires the property.
        if constraint.get("required") == Some(&Value::Bool(true)) {
            constraint.as_object_mut().map(|c| c.remove("required"));
            if let Some(list) = schemas.get_mut(schema).map(|s| &mut s["required"]) {
                if !list.is_array() {
                    *list = json!([]);
                }
                if let Some(list) = list.as_array_mut() {
                    list.push(json!(property));
                }
            }
        }
        let Some(target) = schemas
            .get_mut(schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut(property))
        else {
            missing.push(format!("{schema}.{property}"));
            continue;
        };
        if let (Some(target), Some(extra)) = (target.as_object_mut(), constraint.as_object()) {
            for (k, v) in extra {
                target.insert(k.clone(), v.clone());
            }
            // A nullable field's enum takes null too (the server reads it as absent).
            let nullable = target
                .get("type")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|t| t == "null"));
            if let (true, Some(values)) = (
                nullable,
                target.get_mut("enum").and_then(Value::as_array_mut),
            ) && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
        }
    }
    missing
}

/// Fields an operation requires, or refuses, where its body's struct is shared with another
/// operation that does not (create and update): stated on the operation as `allOf` the struct
/// and these. Refused means absent or null, as the server reads null as absent.
fn body_rules(path: &str, verb: &str) -> Option<Value> {
    let required = |fields: &[&str]| {
        let not_null: Map<String, Value> = fields
            .iter()
            .map(|f| (f.to_string(), json!({"not": {"type": "null"}})))
            .collect();
        json!({"required": fields, "properties": not_null})
    };
    let refused = |field: &str| json!({"properties": {field: {"type": "null"}}});
    match (path, verb) {
        ("/v1/loyalty/programs", "post") => Some(required(&["name"])),
        ("/v1/products", "post") => Some(required(&["name"])),
        ("/v1/refunds", "post") => Some(required(&["payment"])),
        ("/v1/webhook_endpoints", "post") => Some(required(&["url"])),
        ("/v1/payments/{id}/adjust", "post") => Some(required(&["amount"])),
        ("/v1/payments", "post") => Some(required(&["amount"])),
        ("/v1/payment_sessions", "post") => Some(required(&["amount"])),
        // The payment is the one in the path.
        ("/v1/payments/{id}/refunds", "post") => Some(refused("payment")),
        // A new customer has no cards yet; a customer's test clock is chosen at creation.
        ("/v1/customers", "post") => Some(refused("default_payment_method")),
        ("/v1/customers/{id}", "post") => Some(refused("test_clock")),
        _ => None,
    }
}

fn apply_body_rules(path: &str, verb: &str, op: &mut Map<String, Value>) {
    let Some(rules) = body_rules(path, verb) else {
        return;
    };
    let Some(schema) = op
        .get_mut("requestBody")
        .and_then(|b| b.pointer_mut("/content/application~1json/schema"))
    else {
        return;
    };
    let own = schema.take();
    *schema = json!({"allOf": [own, rules]});
}

/// A required field may not be null: the server reads a null as the field missing. (A field is
/// an `Option` in Rust so the server can say which one is missing; utoipa makes every `Option`
/// nullable.)
fn required_is_not_null(doc: &mut Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for schema in schemas.values_mut() {
        let required: Vec<String> = match schema.get("required").and_then(Value::as_array) {
            Some(r) => r
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            None => continue,
        };
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for name in required {
            let Some(property) = properties.get_mut(&name) else {
                continue;
            };
            if let Some(types) = property.get_mut("type").and_then(Value::as_array_mut) {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    property["type"] = only;
                }
            } else if let Some(one_of) = property.get_mut("oneOf").and_then(Value::as_array_mut) {
                one_of.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if one_of.len() == 1 {
                    let only = one_of[0].clone();
                    *property = only;
                }
            }
        }
    }
}

/// A body is required when its schema requires a field; one of optional fields only may be
/// left out (`POST /v1/customers` with nothing makes an empty customer).
fn body_required_as_its_fields(op: &mut Map<String, Value>, schemas: &Value) {
    let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(schema) = body
        .get("content")
        .map(|c| &c["application/json"]["schema"])
    else {
        return;
    };
    let parts: Vec<&Value> = match schema.get("allOf").and_then(Value::as_array) {
        Some(all) => all.iter().collect(),
        None => vec![schema],
    };
    let needs_fields = parts.into_iter().any(|part| {
        let resolved = match part["$ref"].as_str() {
            Some(r) => &schemas[r.rsplit('/').next().unwrap_or_default()],
            None => part,
        };
        resolved["required"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    });
    body.insert("required".into(), Value::Bool(needs_fields));
}

fn parameters(op: &mut Map<String, Value>) -> impl Iterator<Item = &mut Value> {
    op.get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

fn idempotency_header(op: &mut Map<String, Value>) {
    let header = json!({
        "name": "Idempotency-Key",
        "in": "header",
        "description": "Makes the POST safe to retry: a retry with the same key and parameters gets the first answer",
        "required": false,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
    });
    let params = op
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(params) = params.as_array_mut() else {
        return;
    };
    params.retain(|p| !(p["in"] == "header" && p["name"] == "Idempotency-Key"));
    params.push(header);
}

/// Declares `status` (with the error envelope) unless the operation already does.
fn respond(op: &mut Map<String, Value>, status: &str, description: &str) {
    let responses = op
        .entry("responses")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(responses) = responses.as_object_mut() {
        responses.entry(status).or_insert_with(|| {
            json!({
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({"paths": {
            "/v1/things": {
                "get": {"parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}], "responses": {"200": {}}},
                "post": {"parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}], "responses": {"200": {}, "400": {"description": "own"}}},
            },
            "/v1/test_clocks/{id}/advance": {"post": {"responses": {"200": {}}}},
            "/v1/checkout/{reference}": {"get": {"responses": {"200": {}}}},
        }})
    }

    #[test]
    fn every_operation_gets_the_shared_layers_answers_and_constraints() {
        let mut d = doc();
        complete(&mut d);
        let things = &d["paths"]["/v1/things"];
        assert_eq!(things["get"]["parameters"][0]["schema"]["maximum"], 100);
        assert!(things["get"]["responses"]["401"].is_object());
        assert!(things["get"]["responses"].get("422").is_none());
        let post = &things["post"];
        assert_eq!(
            post["responses"]["400"]["description"], "own",
            "an operation's own answer is kept"
        );
        assert!(post["responses"]["409"].is_object() && post["responses"]["422"].is_object());
        let headers: Vec<_> = post["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == "Idempotency-Key")
            .collect();
        assert_eq!(headers.len(), 1);
        assert_eq!(headers[0]["schema"]["pattern"], KEY_PATTERN);
        let advance = &d["paths"]["/v1/test_clocks/{id}/advance"]["post"];
        assert!(advance.get("parameters").is_none() && advance["responses"].get("422").is_none());
        assert!(
            d["paths"]["/v1/checkout/{reference}"]["get"]["responses"]
                .get("401")
                .is_none()
        );
    }

    #[test]
    fn metadata_limits_go_where_metadata_is_and_nowhere_else() {
        let mut d = json!({"paths": {}, "components": {"schemas": {
            "Thing": {"properties": {"metadata": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "Plain": {"properties": {"name": {"type": "string"}}},
            "Bare": {"type": "string"},
        }}});
        complete(&mut d);
        let schemas = &d["components"]["schemas"];
        assert_eq!(
            schemas["Thing"]["properties"]["metadata"]["maxProperties"],
            MAX_KEYS
        );
        assert_eq!(
            schemas["Plain"],
            json!({"properties": {"name": {"type": "string"}}})
        );
        assert_eq!(schemas["Bare"], json!({"type": "string"}));
    }

    #[test]
    fn every_field_constraint_finds_its_property_in_the_real_document() {
        let mut doc = super::super::document();
        assert_eq!(field_constraints(&mut doc), Vec::<String>::new());
    }

    #[test]
    fn a_required_field_is_not_nullable() {
        let mut d = json!({"paths": {}, "components": {"schemas": {"Body": {
            "required": ["a", "b"],
            "properties": {
                "a": {"type": ["integer", "null"]},
                "b": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/X"}]},
                "c": {"type": ["string", "null"]},
            },
        }}}});
        complete(&mut d);
        let p = &d["components"]["schemas"]["Body"]["properties"];
        assert_eq!(p["a"]["type"], "integer");
        assert_eq!(p["b"], json!({"$ref": "#/components/schemas/X"}));
        assert_eq!(
            p["c"]["type"],
            json!(["string", "null"]),
            "optional fields stay nullable"
        );
    }

    #[test]
    fn the_errors_the_pass_declares_refer_to_a_schema_the_document_has() {
        let doc = super::super::document();
        let schemas = &doc["components"]["schemas"];
        assert!(
            schemas["Error"].is_object(),
            "the error envelope's schema is named Error"
        );
        let post = &doc["paths"]["/v1/customers"]["post"];
        assert_eq!(
            post["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
    }

    #[test]
    fn the_key_pattern_is_what_the_server_accepts() {
        let pattern = regex::Regex::new(KEY_PATTERN).unwrap();
        let long = "k".repeat(255);
        // HTTP strips a header value's outer whitespace, so keys as the server sees them.
        for key in [
            "a",
            "order-42",
            "a b",
            "~!",
            long.as_str(),
            "",
            "é",
            "a\tb",
            "a\u{7f}",
        ] {
            let documented = pattern.is_match(key) && key.len() <= 255;
            assert_eq!(
                documented,
                super::super::idempotency::is_valid_key(key),
                "{key:?}"
            );
        }
        assert!(!super::super::idempotency::is_valid_key(&"k".repeat(256)));
    }
}
