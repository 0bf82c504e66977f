//! Constraints on request fields that the server checks in code, stated in the OpenAPI
//! document from the same constants and domain enums it checks with: enums of filters and
//! fields, metadata limits, bounds and patterns, required fields that may not be null, and
//! rules of one operation where create and update share a struct. Applied by
//! `layers_doc::complete`.

use crate::domain::billing::{InvoiceStatus, SubscriptionStatus};
use crate::domain::loyalty::{MAX_DAYS, MAX_POINTS, PtxType, RedemptionStatus};
use crate::domain::metadata::{MAX_KEY_LEN, MAX_KEYS, MAX_VALUE_LEN};
use crate::domain::money::{Currency, MAX_AMOUNT};
use crate::domain::payment::PaymentStatus;
use crate::server::services::payments::{CANCELLATION_REASONS, MAX_EXPIRES_IN};
use crate::server::services::refunds::REASONS as REFUND_REASONS;
use serde_json::{Map, Value, json};

/// The list filters the server checks against a domain enum: the document lists its names.
pub(super) fn query_enum(path: &str, name: &str) -> Option<Vec<&'static str>> {
    match (path, name) {
        ("/v1/payments", "status") => Some(PaymentStatus::ALL.map(PaymentStatus::as_str).to_vec()),
        ("/v1/invoices", "status") => Some(InvoiceStatus::wire_names()),
        ("/v1/subscriptions", "status") => Some(SubscriptionStatus::wire_names()),
        ("/v1/loyalty/redemptions", "status") => Some(RedemptionStatus::wire_names()),
        ("/v1/loyalty/points/transactions", "type") => Some(PtxType::wire_names()),
        _ => None,
    }
}

/// Every object's `metadata` is checked by `domain::metadata` alike: the document says so
/// wherever a schema has it.
pub(super) fn metadata_limits(doc: &mut Value) {
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
pub(super) fn expand_names(doc: &mut Value) {
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
pub(super) fn field_constraints(doc: &mut Value) -> Vec<String> {
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
        ("RefundParams", "amount", amount.clone()),
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
        ("OrderParams", "amount", amount.clone()),
        ("RewardUpdateParams", "name", text(256)),
        ("AdjustParams", "points", json!({"not": {"const": 0}})),
        (
            "EarnRuleInput",
            "points",
            json!({"minimum": 1, "maximum": MAX_POINTS}),
        ),
        ("EarnRuleInput", "per_amount", amount.clone()),
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
    ];
    let mut missing = Vec::new();
    let Some(schemas) = doc.pointer_mut("/components/schemas") else {
        return missing;
    };
    for (schema, property, constraint) in rules {
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
            // A nullable field's enum takes null too (the server reads it as absent); a
            // required one is not nullable by now (`required_is_not_null` ran first).
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
    use super::*;

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
}
