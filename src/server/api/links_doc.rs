//! Response links of the OpenAPI document: what a collection's create (or list) answers names
//! the object every operation on `{id}` below it takes — a payment made by
//! `POST /v1/payments` is the `{id}` of `GET /v1/payments/{id}`, of `…/capture`, of
//! `…/refunds`. Clients and testers follow them from one call to the next (schemathesis's
//! stateful phase does). Links name their target by `operationRef`: operation ids repeat
//! across modules (`get_account`).

use serde_json::{Map, Value, json};

/// Adds the links to each collection's `200` answer of `POST` (its `id`) and `GET` (the first
/// listed object's `id`).
pub(super) fn response_links(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let targets = |collection: &str, paths: &Map<String, Value>| -> Vec<(String, Value)> {
        let below = format!("{collection}/{{id}}");
        let mut found = Vec::new();
        for (path, item) in paths {
            let Some(rest) = path.strip_prefix(&below) else {
                continue;
            };
            // `/{id}` itself or one more static segment (`/capture`), nothing deeper.
            if !(rest.is_empty() || (rest.starts_with('/') && !rest[1..].contains(['/', '{']))) {
                continue;
            }
            for verb in item.as_object().into_iter().flat_map(|i| i.keys()) {
                let name = format!("{verb}{}", rest.replace('/', "_"));
                let reference = format!("#/paths/{}/{verb}", pointer_escape(path));
                found.push((name, json!({"operationRef": reference})));
            }
        }
        found
    };
    let collections: Vec<String> = paths.keys().filter(|p| !p.contains('{')).cloned().collect();
    for collection in collections {
        let links = targets(&collection, paths);
        if links.is_empty() {
            continue;
        }
        let Some(item) = paths.get_mut(&collection).and_then(Value::as_object_mut) else {
            continue;
        };
        for (verb, id_at) in [("post", "/id"), ("get", "/data/0/id")] {
            let Some(answer) = item
                .get_mut(verb)
                .and_then(|op| op.pointer_mut("/responses/200"))
            else {
                continue;
            };
            let named: Map<String, Value> = links
                .iter()
                .map(|(name, link)| {
                    let mut link = link.clone();
                    link["parameters"] = json!({"id": format!("$response.body#{id_at}")});
                    (name.clone(), link)
                })
                .collect();
            answer["links"] = Value::Object(named);
        }
    }
}

/// A path as a JSON Pointer token (RFC 6901): `~` and `/` escaped.
fn pointer_escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_names_an_operation_that_takes_the_id_it_passes() {
        let doc = super::super::document();
        let mut linked = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (verb, op) in item.as_object().unwrap() {
                let Some(links) = op
                    .pointer("/responses/200/links")
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                for (name, link) in links {
                    let reference = link["operationRef"].as_str().unwrap();
                    linked.insert(reference.to_string());
                    let pointer = reference.strip_prefix('#').unwrap();
                    let target = doc.pointer(pointer).unwrap_or_else(|| {
                        panic!("{verb} {path} link {name}: {reference} names no operation")
                    });
                    let takes_id = target["parameters"].as_array().is_some_and(|ps| {
                        ps.iter().any(|p| p["in"] == "path" && p["name"] == "id")
                    });
                    assert!(
                        takes_id,
                        "{verb} {path} link {name}: the target takes no {{id}}"
                    );
                    let source = link["parameters"]["id"].as_str().unwrap();
                    assert!(source.starts_with("$response.body#/"), "{source}");
                }
            }
        }
        // Every operation on an object's `{id}` is reached from its collection.
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.contains("{id}") {
                continue;
            }
            for verb in item.as_object().unwrap().keys() {
                let reference = format!("#/paths/{}/{verb}", pointer_escape(path));
                assert!(
                    linked.contains(&reference),
                    "nothing links to {verb} {path}"
                );
            }
        }
        let payments = &doc["paths"]["/v1/payments"]["post"]["responses"]["200"]["links"];
        assert_eq!(
            payments["post_capture"]["operationRef"],
            "#/paths/~1v1~1payments~1{id}~1capture/post"
        );
        assert_eq!(payments["get"]["parameters"]["id"], "$response.body#/id");
    }
}
