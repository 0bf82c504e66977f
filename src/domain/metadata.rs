//! Merchant metadata: up to 50 string keys of ≤ 40 characters with string values of ≤ 500.

use std::collections::BTreeMap;

pub const MAX_KEYS: usize = 50;
pub const MAX_KEY_LEN: usize = 40;
pub const MAX_VALUE_LEN: usize = 500;

/// Validated metadata. Keys are kept sorted so the stored JSON is stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(BTreeMap<String, String>);

/// Why metadata was refused; the message is shown to the merchant as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("metadata can have at most {MAX_KEYS} keys")]
    TooManyKeys,
    #[error("metadata keys must be 1 to {MAX_KEY_LEN} characters long")]
    BadKey,
    #[error("metadata values can be at most {MAX_VALUE_LEN} characters long (key `{0}`)")]
    ValueTooLong(String),
}

impl Metadata {
    /// Validates a whole map.
    pub fn parse(map: BTreeMap<String, String>) -> Result<Metadata, MetadataError> {
        Metadata::default().merge(map)
    }

    /// Applies an update the way the API documents it: keys are set, and a key given an empty
    /// value is removed. The result is validated as a whole.
    pub fn merge(&self, update: BTreeMap<String, String>) -> Result<Metadata, MetadataError> {
        let mut merged = self.0.clone();
        for (key, value) in update {
            if key.is_empty() || key.chars().count() > MAX_KEY_LEN {
                return Err(MetadataError::BadKey);
            }
            if value.chars().count() > MAX_VALUE_LEN {
                return Err(MetadataError::ValueTooLong(key));
            }
            if value.is_empty() {
                merged.remove(&key);
            } else {
                merged.insert(key, value);
            }
        }
        if merged.len() > MAX_KEYS {
            return Err(MetadataError::TooManyKeys);
        }
        Ok(Metadata(merged))
    }

    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The stored form: a JSON object of strings.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("a map of strings serialises")
    }
}

/// New metadata as given (absent: none), checked, in its stored form.
pub fn stored(map: Option<BTreeMap<String, String>>) -> Result<String, MetadataError> {
    Ok(Metadata::parse(map.unwrap_or_default())?.to_json())
}

/// Stored metadata (`stored`, unreadable counting as none) with `update` applied as `merge`
/// does, checked, in its stored form.
pub fn merged(stored: &str, update: BTreeMap<String, String>) -> Result<String, MetadataError> {
    let current: BTreeMap<String, String> = serde_json::from_str(stored).unwrap_or_default();
    Ok(Metadata::parse(current)?.merge(update)?.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn enforces_the_limits() {
        assert!(Metadata::parse(map(&[("order_id", "42")])).is_ok());
        let long_key = "k".repeat(MAX_KEY_LEN + 1);
        assert_eq!(
            Metadata::parse(map(&[(&long_key, "v")])),
            Err(MetadataError::BadKey)
        );
        assert_eq!(
            Metadata::parse(map(&[("", "v")])),
            Err(MetadataError::BadKey)
        );
        let long_value = "v".repeat(MAX_VALUE_LEN + 1);
        assert_eq!(
            Metadata::parse(map(&[("k", &long_value)])),
            Err(MetadataError::ValueTooLong("k".into()))
        );
        let many: BTreeMap<String, String> = (0..=MAX_KEYS)
            .map(|i| (format!("k{i}"), "v".to_string()))
            .collect();
        assert_eq!(Metadata::parse(many), Err(MetadataError::TooManyKeys));
        let exactly: BTreeMap<String, String> = (0..MAX_KEYS)
            .map(|i| (format!("k{i}"), "v".to_string()))
            .collect();
        assert!(Metadata::parse(exactly).is_ok());
    }

    #[test]
    fn an_empty_value_removes_a_key() {
        let base = Metadata::parse(map(&[("a", "1"), ("b", "2")])).unwrap();
        let merged = base.merge(map(&[("a", ""), ("c", "3")])).unwrap();
        assert_eq!(merged.as_map(), &map(&[("b", "2"), ("c", "3")]));
    }

    #[test]
    fn the_stored_form_is_a_sorted_json_object() {
        assert_eq!(stored(None).unwrap(), "{}");
        let first = stored(Some(map(&[("b", "2"), ("a", "1")]))).unwrap();
        assert_eq!(first, r#"{"a":"1","b":"2"}"#);
        assert_eq!(
            merged(&first, map(&[("a", ""), ("c", "3")])).unwrap(),
            r#"{"b":"2","c":"3"}"#
        );
        assert_eq!(
            merged("not json", map(&[("k", "v")])).unwrap(),
            r#"{"k":"v"}"#
        );
        assert!(merged("{}", map(&[("", "v")])).is_err());
    }
}
