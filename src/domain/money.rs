//! Money: an amount in minor units and an ISO 4217 currency. Never a float.

use std::fmt;

/// Smallest and largest amount a payment may have, in minor units.
pub const MIN_AMOUNT: i64 = 1;
pub const MAX_AMOUNT: i64 = 99_999_999;

/// An ISO 4217 currency we accept, with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// Currencies and their exponents (ISO 4217). Upper-case out, any case in.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

/// Read from its code, as stored (rows read on the calling thread come through serde).
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown currency {code:?}")))
    }
}

impl Currency {
    /// Every supported code, upper-case.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|(code, _)| *code)
    }

    /// Parses a code in any case; `None` for codes we do not support.
    pub fn parse(code: &str) -> Option<Currency> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|(code, exponent)| Currency {
                code,
                exponent: *exponent,
            })
    }

    /// The upper-case code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for BHD.
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// Formats `minor` units for people: `49.99 EUR`, `5000 JPY`, `1.250 BHD`.
    pub fn format(self, minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        if self.exponent == 0 {
            return format!("{sign}{abs} {}", self.code);
        }
        let scale = 10u64.pow(u32::from(self.exponent));
        let width = usize::from(self.exponent);
        format!(
            "{sign}{}.{:0width$} {}",
            abs / scale,
            abs % scale,
            self.code
        )
    }

    /// Formats `minor` units the way a shopper reads a price: a symbol where one is
    /// unambiguous (`€1,234.50`, `$5.00`, `¥5,000`), else the code after (`1,250.000 BHD`).
    pub fn display(self, minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let scale = 10u64.pow(u32::from(self.exponent));
        let whole = group_thousands(abs / scale);
        let number = if self.exponent == 0 {
            whole
        } else {
            let width = usize::from(self.exponent);
            format!("{whole}.{:0width$}", abs % scale)
        };
        let symbol = match self.code {
            "EUR" => Some("€"),
            "USD" => Some("$"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            "INR" => Some("₹"),
            "BDT" => Some("৳"),
            _ => None,
        };
        match symbol {
            Some(symbol) => format!("{sign}{symbol}{number}"),
            None => format!("{sign}{number} {}", self.code),
        }
    }
}

impl Currency {
    /// Reads an amount as people type it (`12.5`, `1,234.50`, `5000` for JPY) into minor units.
    /// The message says what is wrong in words a merchant understands.
    pub fn parse_major(self, text: &str) -> Result<i64, String> {
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != ' ')
            .collect();
        let bad = || {
            format!(
                "Enter an amount like {}.",
                self.format_plain(1250 * 10i64.pow(u32::from(self.exponent)) / 100)
            )
        };
        if cleaned.is_empty() {
            return Err("Enter an amount.".into());
        }
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(bad());
        }
        if fraction.len() > usize::from(self.exponent) {
            return Err(match self.exponent {
                0 => format!("{} has no decimal places.", self.code),
                n => format!("{} has {n} decimal places at most.", self.code),
            });
        }
        let scale = 10i64.pow(u32::from(self.exponent));
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let padded = format!("{fraction:0<width$}", width = usize::from(self.exponent));
        let fraction: i64 = if padded.is_empty() {
            0
        } else {
            padded.parse().map_err(|_| bad())?
        };
        whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(fraction))
            .filter(|minor| *minor <= MAX_AMOUNT)
            .ok_or_else(|| {
                format!(
                    "The amount is too large (at most {}).",
                    self.format(MAX_AMOUNT)
                )
            })
    }

    /// The number alone, as an input field shows it: `12.50`, `5000`.
    pub fn format_plain(self, minor: i64) -> String {
        let full = self.format(minor);
        full.trim_end_matches(self.code).trim_end().to_string()
    }
}

/// `1234567` → `1,234,567`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// A payment amount: minor units within `MIN_AMOUNT..=MAX_AMOUNT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i64);

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Amount must be at least {MIN_AMOUNT} (in the currency's smallest unit).")]
    TooSmall,
    #[error("Amount must be at most {MAX_AMOUNT} (in the currency's smallest unit).")]
    TooLarge,
}

impl Amount {
    pub fn parse(minor: i64) -> Result<Amount, AmountError> {
        if minor < MIN_AMOUNT {
            Err(AmountError::TooSmall)
        } else if minor > MAX_AMOUNT {
            Err(AmountError::TooLarge)
        } else {
            Ok(Amount(minor))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_become_minor_units() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(eur.parse_major("12.5"), Ok(1250));
        assert_eq!(eur.parse_major(" 1,234.50 "), Ok(123_450));
        assert_eq!(eur.parse_major("30"), Ok(3000));
        assert_eq!(eur.parse_major(".5"), Ok(50));
        assert_eq!(eur.format_plain(1250), "12.50");
        assert!(
            eur.parse_major("12.345")
                .unwrap_err()
                .contains("2 decimal places")
        );
        assert!(eur.parse_major("").is_err());
        assert!(eur.parse_major("-5").is_err());
        assert!(eur.parse_major("1e5").is_err());
        assert!(eur.parse_major(".").is_err());
        assert!(eur.parse_major("99999999999999999999").is_err());
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(jpy.parse_major("5000"), Ok(5000));
        assert!(
            jpy.parse_major("50.5")
                .unwrap_err()
                .contains("no decimal places")
        );
        assert_eq!(jpy.format_plain(5000), "5000");
        let bhd = Currency::parse("BHD").unwrap();
        assert_eq!(bhd.parse_major("1.25"), Ok(1250));
    }

    #[test]
    fn currencies_parse_in_any_case_with_their_exponent() {
        assert_eq!(Currency::parse("eur").unwrap().code(), "EUR");
        assert_eq!(Currency::parse("Jpy").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("BHD").unwrap().exponent(), 3);
        assert_eq!(Currency::parse("BDT").unwrap().exponent(), 2);
        assert!(Currency::parse("XXX").is_none());
        assert!(Currency::parse("EU").is_none());
        assert!(Currency::parse("").is_none());
    }

    #[test]
    fn amounts_are_bounded() {
        assert_eq!(Amount::parse(0), Err(AmountError::TooSmall));
        assert_eq!(Amount::parse(-5), Err(AmountError::TooSmall));
        assert_eq!(Amount::parse(100_000_000), Err(AmountError::TooLarge));
        assert_eq!(Amount::parse(1).unwrap().get(), 1);
        assert_eq!(Amount::parse(MAX_AMOUNT).unwrap().get(), MAX_AMOUNT);
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(Currency::parse("EUR").unwrap().format(4999), "49.99 EUR");
        assert_eq!(Currency::parse("EUR").unwrap().format(5), "0.05 EUR");
        assert_eq!(Currency::parse("JPY").unwrap().format(5000), "5000 JPY");
        assert_eq!(Currency::parse("BHD").unwrap().format(1250), "1.250 BHD");
        assert_eq!(Currency::parse("USD").unwrap().format(-150), "-1.50 USD");
    }

    #[test]
    fn displays_prices_as_shoppers_read_them() {
        let c = |code| Currency::parse(code).unwrap();
        assert_eq!(c("EUR").display(4999), "€49.99");
        assert_eq!(c("USD").display(12_345_678), "$123,456.78");
        assert_eq!(c("JPY").display(5000), "¥5,000");
        assert_eq!(c("BHD").display(1_250_000), "1,250.000 BHD");
        assert_eq!(c("CHF").display(5), "0.05 CHF");
        assert_eq!(c("GBP").display(100_000_000), "£1,000,000.00");
    }
}
