//! Rules of whole request bodies, stated in the OpenAPI document: fields an operation requires
//! or refuses where create and update share a struct, rules between fields (`oneOf`/`anyOf`:
//! which fields go together), fields a component requires although its struct has them
//! optional, and that a required field is never null. Applied by `layers_doc::complete`.

use crate::domain::billing::{Interval, UsageType, max_interval_count};
use crate::server::services::billing::subscriptions::MAX_ITEMS as MAX_SUBSCRIPTION_ITEMS;
use serde_json::{Map, Value, json};

/// Fields an operation requires, or refuses, where its body's struct is shared with another
/// operation that does not (create and update): stated on the operation as `allOf` the struct
/// and these. Refused means absent or null, as the server reads null as absent.
/// Also the rules between fields: one of two ways to name a thing (`oneOf` when the server
/// refuses both, `anyOf` when it takes both as long as they agree — which JSON Schema cannot
/// say, so two that disagree are still a 400 the document allows).
fn body_rules(path: &str, verb: &str) -> Option<Value> {
    let all = |parts: &[Value]| json!({"allOf": parts});
    match (path, verb) {
        ("/v1/usage_records", "post") => Some(json!({"oneOf": [
            all(&[required(&["subscription_item"]), refused("subscription"), refused("price")]),
            all(&[required(&["subscription", "price"]), refused("subscription_item")]),
        ]})),
        ("/v1/loyalty/rewards", "post") => Some(json!({"oneOf": [
            all(&[required(&["discount_amount"]), refused("discount_percent")]),
            all(&[required(&["discount_percent"]), refused("discount_amount")]),
        ]})),
        ("/v1/loyalty/points/earn", "post") => {
            Some(json!({"anyOf": [required(&["points"]), required(&["amount"])]}))
        }
        ("/v1/prices", "post") => Some(all(&[
            json!({"oneOf": [
                all(&[required(&["product"]), refused("product_data")]),
                all(&[required(&["product_data"]), refused("product")]),
            ]}),
            json!({"anyOf": [required(&["unit_amount"]), required(&["amount"])]}),
        ])),
        // Fixed once created: refused whatever their value.
        ("/v1/prices/{id}", "post") => Some(all(&[refused("unit_amount"), refused("currency")])),
        ("/v1/products/{id}", "post") => Some(refused("id")),
        ("/v1/loyalty/points/adjust", "post") => Some(required(&["reason"])),
        // One price with its quantity, or items, each naming a price only.
        ("/v1/subscriptions", "post") => Some(json!({"oneOf": [
            all(&[required(&["price"]), refused("items")]),
            all(&[
                required(&["items"]),
                refused("price"),
                refused("quantity"),
                json!({"properties": {"items": {
                    "minItems": 1,
                    "maxItems": MAX_SUBSCRIPTION_ITEMS,
                    "items": all(&[required(&["price"]), refused("id"), refused("deleted")]),
                }}}),
            ]),
        ]})),
        ("/v1/test_clocks/{id}/advance", "post") => Some(json!({"oneOf": [
            all(&[required(&["frozen_time"]), refused("advance_by")]),
            all(&[required(&["advance_by"]), refused("frozen_time")]),
        ]})),
        // A return URL is set when the payment is created.
        ("/v1/payments/{id}/confirm", "post") => Some(refused("return_url")),
        ("/v1/acquirer_connections", "post") => Some(json!({"oneOf": [
            {"properties": {"kind": {"enum": ["sandbox", null]}, "stripe": {"type": "null"}}},
            all(&[
                required(&["kind", "stripe"]),
                json!({"properties": {
                    "kind": {"const": "stripe"},
                    "stripe": {"required": ["secret_key"], "properties": {"secret_key": {"type": "string"}}},
                }}),
            ]),
        ]})),
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

/// The fields present and not null (the server reads null as absent).
fn required(fields: &[&str]) -> Value {
    let not_null: Map<String, Value> = fields
        .iter()
        .map(|f| (f.to_string(), json!({"not": {"type": "null"}})))
        .collect();
    json!({"required": fields, "properties": not_null})
}

/// The field absent or null.
fn refused(field: &str) -> Value {
    json!({"properties": {field: {"type": "null"}}})
}

/// Rules of a component that JSON Schema states on the object, not on one property: fields
/// the server requires although the struct has them optional (so it can name the missing one),
/// and rules between fields. Runs before `required_is_not_null`.
pub(super) fn component_rules(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let also_required: [(&str, &[&str]); 4] = [
        ("OrderParams", &["amount"]),
        ("OrderItemParams", &["line_id", "description", "amount"]),
        ("ProductData", &["name"]),
        ("RecurringParams", &["interval"]),
    ];
    for (name, fields) in also_required {
        if let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) {
            let required = schema.entry("required").or_insert_with(|| json!([]));
            if let Some(list) = required.as_array_mut() {
                list.extend(fields.iter().map(|f| json!(f)));
            }
        }
    }
    // How many intervals a price may span depends on the interval; aggregate_usage is for
    // metered prices only.
    let counts: Vec<Value> = Interval::ALL
        .iter()
        .map(|i| {
            json!({"properties": {
                "interval": {"const": i.as_str()},
                "interval_count": {"minimum": 1, "maximum": max_interval_count(*i)},
            }})
        })
        .collect();
    let metered = UsageType::Metered.as_str();
    add_all_of(
        schemas,
        "RecurringParams",
        json!([
            {"anyOf": counts},
            {"anyOf": [
                {"required": ["usage_type"], "properties": {"usage_type": {"const": metered}}},
                {"properties": {"aggregate_usage": {"type": "null"}}},
            ]},
        ]),
    );
    // An item to change names its id; a new one its price (and is not deleted). A new
    // subscription's items are all new (`body_rules`).
    add_all_of(
        schemas,
        "SubscriptionItemParams",
        json!([{"anyOf": [
            required(&["id"]),
            {"allOf": [required(&["price"]), refused("deleted")]},
        ]}]),
    );
    // The security code's length follows the brand (`domain::card::check_cvc`): American
    // Express numbers start 34 or 37 and take 4 digits, every other card 3.
    let amex = "^[^0-9]*3[^0-9]*[47]";
    add_all_of(
        schemas,
        "CardParams",
        json!([{"anyOf": [
            {"properties": {"number": {"pattern": amex}, "cvc": {"pattern": "^\\s*[0-9]{4}\\s*$"}}},
            {"properties": {"number": {"not": {"pattern": amex}}, "cvc": {"pattern": "^\\s*[0-9]{3}\\s*$"}}},
        ]}]),
    );
}

fn add_all_of(schemas: &mut Map<String, Value>, name: &str, rules: Value) {
    if let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) {
        schema.insert("allOf".into(), rules);
    }
}

pub(super) fn apply_body_rules(path: &str, verb: &str, op: &mut Map<String, Value>) {
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
pub(super) fn required_is_not_null(doc: &mut Value) {
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

#[cfg(test)]
mod tests {
    use super::super::layers_doc::complete;
    use serde_json::json;

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
}
