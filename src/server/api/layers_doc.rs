//! What the layers every handler shares (key check, query and body parsing, idempotency,
//! paging) answer, written into each operation of the OpenAPI document they apply to, so the
//! document declares every status and constraint without each of ~90 annotations repeating
//! them (and drifting). `complete` applies it, `field_rules` and `body_rules` to the document's JSON once,
//! as it is built.

use super::body_rules::{apply_body_rules, component_rules, required_is_not_null};
use super::field_rules::{
    expand_names, field_constraints, metadata_limits, object_names, query_enum,
};
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

pub fn complete(doc: &mut Value) {
    metadata_limits(doc);
    expand_names(doc);
    object_names(doc);
    component_rules(doc);
    required_is_not_null(doc);
    field_constraints(doc);
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
    super::links_doc::response_links(doc);
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
    let needs_fields = requires_fields(schema, schemas);
    body.insert("required".into(), Value::Bool(needs_fields));
}

/// Whether every body `schema` takes names a field: one it requires, or one each of its
/// alternatives (`oneOf`, `anyOf`) requires.
fn requires_fields(schema: &Value, schemas: &Value) -> bool {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &schemas[r.rsplit('/').next().unwrap_or_default()],
        None => schema,
    };
    let listed = |key: &str| schema[key].as_array().filter(|a| !a.is_empty());
    listed("required").is_some()
        || listed("allOf").is_some_and(|all| all.iter().any(|s| requires_fields(s, schemas)))
        || ["oneOf", "anyOf"].iter().any(|key| {
            listed(key).is_some_and(|alts| alts.iter().all(|s| requires_fields(s, schemas)))
        })
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
