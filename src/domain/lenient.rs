//! Lenient field types for bodies that may be form-encoded, where every value is a string
//! (used by the request types of the API and of the use cases they deserialize into).

use serde::Deserialize;
use serde::de::{self, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum IntOrString {
    Int(i64),
    // JSON Schema counts 1477965643.0 as an integer, and so do clients that print numbers
    // as floats: a whole number in a float is taken, any fraction is not.
    Float(f64),
    Str(String),
}

fn parse_int<E: de::Error>(v: IntOrString) -> Result<i64, E> {
    match v {
        IntOrString::Int(i) => Ok(i),
        // Only where a float holds every integer exactly (|f| ≤ 2^53): beyond it, 2^63 + 1
        // reads as 2^63 and would pass for a number it is not (schemathesis sent one).
        IntOrString::Float(f) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => {
            Ok(f as i64)
        }
        IntOrString::Float(f) => Err(E::custom(format!("expected an integer, got {f}"))),
        IntOrString::Str(s) => s
            .trim()
            .parse()
            .map_err(|_| E::custom(format!("expected an integer, got \"{s}\""))),
    }
}

/// An integer given as a JSON number or as a string of digits.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    parse_int(IntOrString::deserialize(d).map_err(|_| de::Error::custom("expected an integer"))?)
}

/// An optional integer, lenient like [`int`].
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<IntOrString>::deserialize(d)
        .map_err(|_| de::Error::custom("expected an integer"))?
    {
        Some(v) => parse_int(v).map(Some),
        None => Ok(None),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(f64),
    Str(String),
}

/// An optional decimal number (a rate, never money) given as a JSON number or a string.
pub fn opt_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<NumberOrString>::deserialize(d)
        .map_err(|_| de::Error::custom("expected a number"))?
    {
        Some(NumberOrString::Number(n)) => Ok(Some(n)),
        Some(NumberOrString::Str(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected a number, got \"{s}\""))),
        None => Ok(None),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrString {
    Bool(bool),
    Str(String),
}

/// An optional boolean given as `true`/`false` or as those words in a string.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<BoolOrString>::deserialize(d)
        .map_err(|_| de::Error::custom("expected a boolean"))?
    {
        None => Ok(None),
        Some(BoolOrString::Bool(b)) => Ok(Some(b)),
        Some(BoolOrString::Str(s)) => match s.as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(de::Error::custom(format!(
                "expected true or false, got \"{s}\""
            ))),
        },
    }
}

/// An optional string given as a string or a number (`exp_month=12` in JSON).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<IntOrString>::deserialize(d)
        .map_err(|_| de::Error::custom("expected a string"))?
    {
        None => Ok(None),
        Some(IntOrString::Int(i)) => Ok(Some(i.to_string())),
        // 12.0 reads as "12", as JSON Schema counts it an integer; 12.5 stays "12.5".
        Some(IntOrString::Float(f)) => {
            Ok(Some(match parse_int::<D::Error>(IntOrString::Float(f)) {
                Ok(i) => i.to_string(),
                Err(_) => f.to_string(),
            }))
        }
        Some(IntOrString::Str(s)) => Ok(Some(s)),
    }
}

/// An optional nested object, given as an object only. (serde's derive would also take a
/// JSON array of the fields in order, `[null, null]`, which the API document does not allow.)
pub fn opt_object<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)
        .map_err(|_| de::Error::custom("expected an object"))?
    {
        None => Ok(None),
        Some(map) => serde_json::from_value(serde_json::Value::Object(map))
            .map(Some)
            .map_err(de::Error::custom),
    }
}

/// `string_list`, remembering whether the field was given at all.
/// As `string_list`, with null read as absent (like every other field), not as an empty list.
pub fn opt_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(Option::<OneOrMany>::deserialize(d)
        .map_err(|_| de::Error::custom("expected a list of strings"))?
        .map(OneOrMany::into_list))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_list(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A list given as a JSON array, a form list (`expand[]=a`), or a single string.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(opt_string_list(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[derive(serde::Deserialize, Debug)]
    struct Lenient {
        #[serde(deserialize_with = "super::int")]
        amount: i64,
        #[serde(default, deserialize_with = "super::opt_bool")]
        confirm: Option<bool>,
        #[serde(default, deserialize_with = "super::string_list")]
        expand: Vec<String>,
    }

    #[test]
    fn lenient_types_accept_strings_from_forms() {
        let a: Lenient =
            serde_json::from_value(json!({"amount":"5000","confirm":"true","expand":"customer"}))
                .unwrap();
        assert_eq!(
            (a.amount, a.confirm, a.expand),
            (5000, Some(true), vec!["customer".to_string()])
        );
        let b: Lenient =
            serde_json::from_value(json!({"amount":5000,"confirm":false,"expand":["a","b"]}))
                .unwrap();
        assert_eq!(
            (b.amount, b.confirm, b.expand.len()),
            (5000, Some(false), 2)
        );
        assert!(serde_json::from_value::<Lenient>(json!({"amount":"12.5"})).is_err());
        assert!(serde_json::from_value::<Lenient>(json!({"amount":1,"confirm":"yes"})).is_err());
    }

    #[test]
    fn a_whole_number_written_as_a_float_is_an_integer_and_a_fraction_is_not() {
        let amount = |v: serde_json::Value| {
            serde_json::from_value::<Lenient>(json!({ "amount": v })).map(|l| l.amount)
        };
        assert_eq!(amount(json!(1477965643.0)).unwrap(), 1477965643);
        assert_eq!(amount(json!(-3.0)).unwrap(), -3);
        assert!(amount(json!(12.5)).is_err());
        assert!(amount(json!(1e19)).is_err(), "beyond i64");
        assert!(amount(json!(-1e19)).is_err());
        // -9223372036854775809 parses as the float -2^63: not taken for i64::MIN.
        assert!(serde_json::from_str::<Lenient>(r#"{"amount": -9223372036854775809}"#).is_err());
    }
}
