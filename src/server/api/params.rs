//! Request parameters: form bodies with bracket nesting turned into JSON, and the guides'
//! camelCase names turned into the contract's snake_case. Pure functions, tested here.

use serde_json::{Map, Value};

/// Why a form body could not be read as parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub param: String,
    pub message: String,
}

/// Parses `application/x-www-form-urlencoded` with Stripe-style nesting:
/// `metadata[order_id]=42` → `{"metadata":{"order_id":"42"}}`, `expand[]=a&expand[]=b` → an
/// array, `items[0][amount]=5` → an array of objects. Values stay strings; the typed
/// deserialisation accepts numbers and booleans written as strings.
pub fn parse_form(body: &[u8]) -> Result<Value, FormError> {
    let mut root = Value::Object(Map::new());
    for (raw_key, value) in form_urlencoded::parse(body) {
        let path = split_key(&raw_key).ok_or_else(|| FormError {
            param: raw_key.to_string(),
            message: format!("Invalid parameter name: {raw_key}"),
        })?;
        insert(&mut root, &path, value.into_owned(), &raw_key)?;
    }
    Ok(indexed_objects_to_arrays(root))
}

/// One step of a bracketed key: a name, or `[]` (append to an array).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Name(String),
    Append,
}

fn split_key(key: &str) -> Option<Vec<Segment>> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut path = vec![Segment::Name(head.to_string())];
    while !rest.is_empty() {
        let inner_end = rest.strip_prefix('[')?.find(']')?;
        let inner = &rest[1..=inner_end];
        path.push(if inner.is_empty() {
            Segment::Append
        } else {
            Segment::Name(inner.to_string())
        });
        rest = &rest[inner_end + 2..];
    }
    Some(path)
}

fn insert(
    node: &mut Value,
    path: &[Segment],
    value: String,
    raw_key: &str,
) -> Result<(), FormError> {
    let conflict = || FormError {
        param: raw_key.to_string(),
        message: format!("Parameter {raw_key} is given more than once or with conflicting shapes."),
    };
    let (first, rest) = path
        .split_first()
        .expect("split_key never yields an empty path");
    match first {
        Segment::Name(name) => {
            let map = node.as_object_mut().ok_or_else(conflict)?;
            if rest.is_empty() {
                if map.contains_key(name) {
                    return Err(conflict());
                }
                map.insert(name.clone(), Value::String(value));
                return Ok(());
            }
            let child = map.entry(name.clone()).or_insert_with(|| match rest[0] {
                Segment::Append => Value::Array(Vec::new()),
                Segment::Name(_) => Value::Object(Map::new()),
            });
            insert(child, rest, value, raw_key)
        }
        Segment::Append => {
            let list = node.as_array_mut().ok_or_else(conflict)?;
            if !rest.is_empty() {
                // `a[][b]` is ambiguous (which element?); the numbered form says it plainly.
                return Err(FormError {
                    param: raw_key.to_string(),
                    message: format!("Use numbered indexes for lists of objects: {raw_key}"),
                });
            }
            list.push(Value::String(value));
            Ok(())
        }
    }
}

/// `{"0": …, "1": …}` (from `items[0][…]`) becomes a list, ordered by index.
fn indexed_objects_to_arrays(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let all_indexes = !map.is_empty()
                && map
                    .keys()
                    .all(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()));
            if all_indexes {
                let mut entries: Vec<(u64, Value)> = map
                    .into_iter()
                    .map(|(k, v)| (k.parse().unwrap_or(u64::MAX), indexed_objects_to_arrays(v)))
                    .collect();
                entries.sort_by_key(|(i, _)| *i);
                Value::Array(entries.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(
                    map.into_iter()
                        .map(|(k, v)| (k, indexed_objects_to_arrays(v)))
                        .collect(),
                )
            }
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(indexed_objects_to_arrays).collect())
        }
        other => other,
    }
}

/// Object keys a merchant owns: their names are data, never renamed.
const VERBATIM_KEYS: [&str; 1] = ["metadata"];

/// Renames camelCase keys (`returnUrl`, `captureMethod`) to snake_case at every level, except
/// inside `metadata`, whose keys are the merchant's own.
pub fn normalise_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = camel_to_snake(&k);
                    let v = if VERBATIM_KEYS.contains(&key.as_str()) {
                        v
                    } else {
                        normalise_keys(v)
                    };
                    (key, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise_keys).collect()),
        other => other,
    }
}

/// `returnUrl` → `return_url`; snake_case and digits pass through unchanged.
pub fn camel_to_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, ch) in key.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Turns a deserialisation path (`metadata.order_id`, `items[0].amount`) into the form-style
/// parameter name the merchant sent (`metadata[order_id]`, `items[0][amount]`).
pub fn param_name(path: &str) -> String {
    let mut parts = path.split('.').filter(|p| !p.is_empty() && *p != "?");
    let Some(first) = parts.next() else {
        return String::new();
    };
    let mut out = first.to_string();
    for part in parts {
        match part.find('[') {
            Some(i) => {
                out.push_str(&format!("[{}]", &part[..i]));
                out.push_str(&part[i..]);
            }
            None => out.push_str(&format!("[{part}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_flat_and_nested_forms() {
        let v = parse_form(
            b"amount=5000&currency=EUR&metadata[order_id]=42&routing[preferred_acquirer]=acq_eu_1",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"amount":"5000","currency":"EUR","metadata":{"order_id":"42"},
                   "routing":{"preferred_acquirer":"acq_eu_1"}})
        );
    }

    #[test]
    fn parses_lists_and_indexed_objects() {
        let v = parse_form(
            b"expand[]=customer&expand[]=latest_charge&items[1][amount]=2&items[0][amount]=1",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"expand":["customer","latest_charge"],"items":[{"amount":"1"},{"amount":"2"}]})
        );
        // Percent-encoded brackets, as curl --data-urlencode sends them.
        assert_eq!(
            parse_form(b"metadata%5Ba%5D=b").unwrap(),
            json!({"metadata":{"a":"b"}})
        );
    }

    #[test]
    fn rejects_conflicts_and_malformed_keys() {
        assert!(parse_form(b"a=1&a=2").is_err());
        assert!(parse_form(b"a=1&a[b]=2").is_err());
        assert!(parse_form(b"a[b]=1&a=2").is_err());
        assert!(parse_form(b"[x]=1").is_err());
        assert!(parse_form(b"a[b=1").is_err());
        assert!(parse_form(b"a[][b]=1").is_err());
        assert_eq!(parse_form(b"").unwrap(), json!({}));
    }

    #[test]
    fn renames_camel_case_but_not_metadata_keys() {
        let v = normalise_keys(json!({
            "returnUrl": "https://x", "captureMethod": "manual", "amount": 1,
            "metadata": {"orderId": "1234"},
            "order": {"merchantReference": "r", "items": [{"lineId": "1"}]}
        }));
        assert_eq!(
            v,
            json!({
                "return_url": "https://x", "capture_method": "manual", "amount": 1,
                "metadata": {"orderId": "1234"},
                "order": {"merchant_reference": "r", "items": [{"line_id": "1"}]}
            })
        );
        assert_eq!(camel_to_snake("already_snake"), "already_snake");
        assert_eq!(camel_to_snake("amountMinor"), "amount_minor");
    }

    #[test]
    fn names_params_the_way_they_were_sent() {
        assert_eq!(param_name("amount"), "amount");
        assert_eq!(param_name("metadata.order_id"), "metadata[order_id]");
        assert_eq!(
            param_name("order.items[0].amount"),
            "order[items][0][amount]"
        );
    }
}
