//! The `appearance` a merchant's page sends the card element (`appearance.variables`, as
//! Stripe's), reduced to CSS custom properties whose values are plain colours, font lists
//! or lengths, so a page cannot inject CSS into ours.

use serde::Deserialize;

/// What the merchant asked the fields to look like (`appearance.variables`, as Stripe's).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Appearance {
    #[serde(default)]
    pub variables: Variables,
}

/// The variables we honour (others are ignored), each a plain value or refused.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variables {
    pub color_primary: Option<VariableValue>,
    pub color_background: Option<VariableValue>,
    pub color_text: Option<VariableValue>,
    pub color_danger: Option<VariableValue>,
    pub color_border: Option<VariableValue>,
    pub font_family: Option<VariableValue>,
    pub font_size_base: Option<VariableValue>,
    pub border_radius: Option<VariableValue>,
}

/// One variable's value as the page sent it: text, a number, or something we ignore.
#[derive(Debug, Clone, PartialEq)]
pub enum VariableValue {
    Text(String),
    Number(f64),
    Other,
}

impl<'de> Deserialize<'de> for VariableValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = VariableValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E>(self, v: &str) -> Result<VariableValue, E> {
                Ok(VariableValue::Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<VariableValue, E> {
                Ok(VariableValue::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<VariableValue, E> {
                Ok(VariableValue::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<VariableValue, E> {
                Ok(VariableValue::Number(v as f64))
            }
            fn visit_bool<E>(self, _: bool) -> Result<VariableValue, E> {
                Ok(VariableValue::Other)
            }
            fn visit_unit<E>(self) -> Result<VariableValue, E> {
                Ok(VariableValue::Other)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<VariableValue, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(VariableValue::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<VariableValue, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(VariableValue::Other)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Color,
    Font,
    Length,
}

impl Appearance {
    /// The CSS custom properties to set, and the names of variables refused (a value that is
    /// not a plain colour, font list or length). Only plain values pass, so a merchant's page
    /// cannot inject CSS into ours.
    pub fn css_variables(&self) -> (Vec<(&'static str, String)>, Vec<&'static str>) {
        let v = &self.variables;
        let all = [
            (
                "colorPrimary",
                "--el-primary",
                ValueKind::Color,
                &v.color_primary,
            ),
            (
                "colorBackground",
                "--el-background",
                ValueKind::Color,
                &v.color_background,
            ),
            ("colorText", "--el-text", ValueKind::Color, &v.color_text),
            (
                "colorDanger",
                "--el-danger",
                ValueKind::Color,
                &v.color_danger,
            ),
            (
                "colorBorder",
                "--el-border",
                ValueKind::Color,
                &v.color_border,
            ),
            ("fontFamily", "--el-font", ValueKind::Font, &v.font_family),
            (
                "fontSizeBase",
                "--el-font-size",
                ValueKind::Length,
                &v.font_size_base,
            ),
            (
                "borderRadius",
                "--el-radius",
                ValueKind::Length,
                &v.border_radius,
            ),
        ];
        let mut set = Vec::new();
        let mut refused = Vec::new();
        for (name, property, kind, value) in all {
            let text = match value {
                None => continue,
                Some(VariableValue::Text(s)) => Some(s.trim().to_string()),
                // A bare number is pixels, as in Stripe's `borderRadius: 8`.
                Some(VariableValue::Number(n)) => Some(format!("{n}px")),
                Some(VariableValue::Other) => None,
            };
            match text {
                Some(text) if valid(kind, &text) => set.push((property, text)),
                _ => refused.push(name),
            }
        }
        (set, refused)
    }
}

fn valid(kind: ValueKind, text: &str) -> bool {
    match kind {
        ValueKind::Color => is_color(text),
        ValueKind::Font => {
            !text.is_empty()
                && text.len() <= 200
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " ,-_'\"".contains(c))
        }
        ValueKind::Length => is_length(text),
    }
}

/// `#rgb`, `#rrggbb` (and with alpha), `rgb()/rgba()/hsl()/hsla()` of numbers, or a colour name.
fn is_color(text: &str) -> bool {
    if let Some(hex) = text.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    for function in ["rgb(", "rgba(", "hsl(", "hsla("] {
        if let Some(args) = text.strip_prefix(function) {
            return args.len() <= 60
                && args.strip_suffix(')').is_some_and(|inner| {
                    // Numbers, separators and `deg` for hues.
                    inner
                        .chars()
                        .all(|c| c.is_ascii_digit() || " ,.%/deg".contains(c))
                });
        }
    }
    !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_alphabetic())
}

/// A number with `px`, `rem` or `em` (or a bare `0`), within sensible bounds.
fn is_length(text: &str) -> bool {
    if text == "0" {
        return true;
    }
    let number = ["px", "rem", "em"]
        .iter()
        .find_map(|unit| text.strip_suffix(unit));
    number.is_some_and(|n| {
        !n.is_empty()
            && n.len() <= 6
            && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && n.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn appearance(variables: serde_json::Value) -> Appearance {
        serde_json::from_value(json!({ "variables": variables })).unwrap()
    }

    #[test]
    fn plain_appearance_values_become_css_variables() {
        let (set, refused) = appearance(json!({
            "colorPrimary": "#0a7cff",
            "colorText": "rgb(20, 20, 20)",
            "colorBackground": "white",
            "fontFamily": "'Inter', system-ui, sans-serif",
            "borderRadius": 8,
            "fontSizeBase": "1.1rem",
        }))
        .css_variables();
        assert!(refused.is_empty(), "{refused:?}");
        assert!(set.contains(&("--el-primary", "#0a7cff".into())));
        assert!(set.contains(&("--el-text", "rgb(20, 20, 20)".into())));
        assert!(set.contains(&("--el-radius", "8px".into())));
        assert!(set.contains(&("--el-font", "'Inter', system-ui, sans-serif".into())));
        assert!(set.contains(&("--el-font-size", "1.1rem".into())));
    }

    #[test]
    fn anything_that_could_carry_css_is_refused() {
        let (set, mut refused) = appearance(json!({
            "colorPrimary": "red;}body{display:none",
            "colorText": "url(https://evil.example/x)",
            "fontFamily": "x; background: url(//evil)",
            "borderRadius": "8px; color: red",
            "fontSizeBase": "1000px",
            "colorDanger": "expression(alert(1))",
            "spacingUnit": "4px",
            "colorBorder": true,
        }))
        .css_variables();
        assert!(set.is_empty(), "{set:?}");
        refused.sort();
        assert_eq!(
            refused,
            [
                "borderRadius",
                "colorBorder",
                "colorDanger",
                "colorPrimary",
                "colorText",
                "fontFamily",
                "fontSizeBase",
            ]
        );
    }
}
