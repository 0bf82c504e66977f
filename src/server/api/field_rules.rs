//! Constraints on request fields that the server checks in code, stated in the OpenAPI
//! document from the same constants and domain enums it checks with: enums of filters and
//! fields, metadata limits, bounds, patterns and formats, and what answers hold (an object's
//! name, its statuses). Rules of whole bodies are in `body_rules`. Applied by
//! `layers_doc::complete`.

use crate::domain::billing::{
    AggregateUsage, Interval, InvoiceStatus, MAX_TRIAL_DAYS, ProrationBehavior, SubscriptionStatus,
    UsageAction, UsageType,
};
use crate::domain::loyalty::{MAX_DAYS, MAX_POINTS, PtxType, RedemptionStatus};
use crate::domain::metadata::{MAX_KEY_LEN, MAX_KEYS, MAX_VALUE_LEN};
use crate::domain::money::{Currency, MAX_AMOUNT};
use crate::domain::payment::PaymentStatus;
use crate::domain::refund::RefundStatus;
use crate::domain::webhook::{EVENT_TYPES, WILDCARD};
use crate::server::services::billing::clocks::{
    MAX_ADVANCE_DAYS, MAX_ADVANCE_MONTHS, MAX_TIME as MAX_CLOCK_TIME,
};
use crate::server::services::payments::{CANCELLATION_REASONS, MAX_EXPIRES_IN};
use crate::server::services::refunds::REASONS as REFUND_REASONS;
use serde_json::{Value, json};

/// A multiplier as a string (`domain::loyalty::parse_multiplier`); a unit test holds them equal.
const MULTIPLIER_PATTERN: &str = "^\\s*(0{0,2}[1-9](\\.[0-9]{0,3})?|0?[1-9][0-9](\\.[0-9]{0,3})?|100(\\.0{0,3})?|0{0,3}\\.([1-9]|[1-9][0-9]|0[1-9]|[1-9][0-9]{2}|0[1-9][0-9]|00[1-9]))\\s*$";

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

/// An answer's `object` is its type's one name, which each view's field documents as
/// "Always `payment`.": the document says so as an enum of that one value (schemathesis checks
/// every answer against it).
pub(super) fn object_names(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        let Some(object) = schema.pointer_mut("/properties/object") else {
            continue;
        };
        let name = object
            .get("description")
            .and_then(Value::as_str)
            .and_then(|d| d.strip_prefix("Always `"))
            .and_then(|d| d.strip_suffix("`."))
            .map(str::to_string);
        if let Some(name) = name {
            object["enum"] = json!([name]);
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
    let event_types: Vec<&str> = EVENT_TYPES.iter().copied().chain([WILDCARD]).collect();
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
        // The digits in it (anything else is ignored): 12 to 19 of them, passing the Luhn
        // check. A pattern cannot say Luhn; the format names the rule (`domain::card`).
        // What answers hold: the statuses an object can be in.
        (
            "Payment",
            "status",
            json!({"enum": PaymentStatus::ALL.map(PaymentStatus::as_str)}),
        ),
        (
            "Refund",
            "status",
            json!({"enum": RefundStatus::ALL.map(RefundStatus::as_str)}),
        ),
        (
            "Subscription",
            "status",
            json!({"enum": SubscriptionStatus::wire_names()}),
        ),
        (
            "Invoice",
            "status",
            json!({"enum": InvoiceStatus::wire_names()}),
        ),
        (
            "LoyaltyRedemption",
            "status",
            json!({"enum": RedemptionStatus::wire_names()}),
        ),
        ("CardParams", "number", json!({"format": "card-number"})),
        (
            "CardParams",
            "exp_year",
            json!({"description": "Two or four digits; this month or later, at most 50 years ahead."}),
        ),
        ("CaptureParams", "amount_to_capture", json!({"minimum": 1})),
        ("ProductParams", "name", text(256)),
        ("LoyaltyProgramParams", "name", text(256)),
        // `domain::loyalty::parse_multiplier` as a pattern: up to three digits, a point, up to
        // three decimals, from 0.001 to 100.
        (
            "EarnRuleInput",
            "multiplier",
            json!({"pattern": MULTIPLIER_PATTERN}),
        ),
        (
            "ProductParams",
            "id",
            json!({"pattern": "^prod_[A-Za-z0-9_-]{1,59}$"}),
        ),
        (
            "SubscriptionParams",
            "quantity",
            json!({"minimum": 1, "maximum": 1_000_000}),
        ),
        (
            "SubscriptionParams",
            "trial_period_days",
            json!({"minimum": 0, "maximum": MAX_TRIAL_DAYS}),
        ),
        (
            "SubscriptionItemParams",
            "quantity",
            json!({"minimum": 1, "maximum": 1_000_000}),
        ),
        ("AdjustParams", "reason", text(500)),
        (
            "SubscriptionUpdateParams",
            "proration_behavior",
            json!({"enum": ProrationBehavior::wire_names()}),
        ),
        (
            "ConfirmDetails",
            "challenge",
            json!({"enum": ["completed", "failed"]}),
        ),
        (
            "PriceParams",
            "unit_amount",
            json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        ),
        (
            "PriceParams",
            "amount",
            json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        ),
        ("PriceParams", "currency", json!({"enum": currencies})),
        ("PriceParams", "nickname", json!({"maxLength": 256})),
        ("ProductData", "name", text(256)),
        (
            "RecurringParams",
            "interval",
            json!({"enum": Interval::wire_names()}),
        ),
        (
            "RecurringParams",
            "usage_type",
            json!({"enum": UsageType::wire_names()}),
        ),
        (
            "RecurringParams",
            "aggregate_usage",
            json!({"enum": AggregateUsage::wire_names()}),
        ),
        ("OrderParams", "currency", json!({"enum": currencies})),
        ("OrderItemParams", "line_id", text(64)),
        ("OrderItemParams", "description", text(256)),
        (
            "OrderItemParams",
            "quantity",
            json!({"minimum": 1, "maximum": 1_000_000}),
        ),
        (
            "OrderItemParams",
            "amount",
            json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        ),
        (
            "OrderItemParams",
            "vat",
            json!({"minimum": 0, "maximum": 100}),
        ),
        (
            "OrderItemParams",
            "vat_amount",
            json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        ),
        (
            "EndpointParams",
            "url",
            json!({"format": "uri", "pattern": "^\\s*[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@:\\[\\]]", "maxLength": 2048}),
        ),
        (
            "EndpointParams",
            "enabled_events",
            json!({"minItems": 1, "items": {"enum": event_types}}),
        ),
        (
            "UsageRecordParams",
            "action",
            json!({"enum": UsageAction::wire_names()}),
        ),
        (
            "UsageRecordParams",
            "identifier",
            json!({"minLength": 1, "maxLength": 255}),
        ),
        ("RewardParams", "discount_amount", amount.clone()),
        ("RewardParams", "currency", json!({"enum": currencies})),
        (
            "AdvanceParams",
            "frozen_time",
            json!({"minimum": 0, "maximum": MAX_CLOCK_TIME}),
        ),
        (
            "AdvanceBy",
            "months",
            json!({"minimum": 0, "maximum": MAX_ADVANCE_MONTHS}),
        ),
        (
            "AdvanceBy",
            "days",
            json!({"minimum": 0, "maximum": MAX_ADVANCE_DAYS}),
        ),
        (
            "AdvanceBy",
            "hours",
            json!({"minimum": 0, "maximum": MAX_ADVANCE_DAYS * 24}),
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
    fn the_multiplier_pattern_is_what_parse_multiplier_takes() {
        let pattern = regex::Regex::new(MULTIPLIER_PATTERN).unwrap();
        let alphabet = ['0', '1', '9', '.', '5'];
        // Every string of up to six of these characters, and two with spaces around.
        let mut strings = vec![" 1.5 ".to_string(), " .".to_string()];
        let mut frontier = vec![String::new()];
        for _ in 0..6 {
            frontier = frontier
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(frontier.iter().cloned());
        }
        for s in &strings {
            assert_eq!(
                pattern.is_match(s),
                crate::domain::loyalty::parse_multiplier(s).is_some(),
                "{s:?}"
            );
        }
    }
}
