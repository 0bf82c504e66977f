//! Card rules shared by the server and the checkout island: digits, brand, Luhn, spacing,
//! CVC length and expiry. Pure; the card number itself is never stored or logged.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Brand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Unknown,
}

impl Brand {
    pub fn as_str(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Amex => "amex",
            Brand::Discover => "discover",
            Brand::Unknown => "unknown",
        }
    }

    /// What a customer reads: "Visa", "American Express".
    pub fn display_name(self) -> &'static str {
        match self {
            Brand::Visa => "Visa",
            Brand::Mastercard => "Mastercard",
            Brand::Amex => "American Express",
            Brand::Discover => "Discover",
            Brand::Unknown => "Card",
        }
    }

    /// Digits of the security code on the card.
    pub fn cvc_len(self) -> usize {
        if self == Brand::Amex { 4 } else { 3 }
    }

    /// Digits of a complete number.
    pub fn number_len(self) -> usize {
        if self == Brand::Amex { 15 } else { 16 }
    }
}

/// The digits of what was typed, spaces and dashes dropped.
pub fn digits(input: &str) -> String {
    input.chars().filter(char::is_ascii_digit).collect()
}

/// The brand a number (or its first digits, as typed) belongs to.
pub fn detect_brand(digits: &str) -> Brand {
    let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
    if digits.starts_with('4') {
        Brand::Visa
    } else if prefix(2).is_some_and(|p| (51..=55).contains(&p))
        || prefix(4).is_some_and(|p| (2221..=2720).contains(&p))
    {
        Brand::Mastercard
    } else if digits.starts_with("34") || digits.starts_with("37") {
        Brand::Amex
    } else if digits.starts_with("6011") || digits.starts_with("65") {
        Brand::Discover
    } else {
        Brand::Unknown
    }
}

/// True when the digits pass the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Spaces the digits the way they are printed on the card: 4-4-4-4, or 4-6-5 for Amex.
pub fn format_number(digits: &str) -> String {
    let groups: &[usize] = if detect_brand(digits) == Brand::Amex {
        &[4, 6, 5]
    } else {
        &[4, 4, 4, 4, 3]
    };
    let mut out = String::with_capacity(digits.len() + 4);
    let mut rest = digits;
    for &size in groups {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at(size.min(rest.len()));
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(head);
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Splits an expiry typed in one field ("12 / 29", "1229", "12/2029") into month and year.
/// Anything else gives empty parts, which `check_card` reports as an invalid month.
pub fn split_expiry(input: &str) -> (String, String) {
    if let Some((month, year)) = input.split_once('/') {
        return (digits(month), digits(year));
    }
    let d = digits(input);
    match d.len() {
        4 | 6 => (d[..2].to_string(), d[2..].to_string()),
        _ => (String::new(), String::new()),
    }
}

/// Formats an expiry as it is typed: "12" stays "12", "122" → "12 / 2", and a leading digit
/// above 1 is a whole month ("4" → "04"). The separator appears only with a year digit, so
/// deleting backwards never gets stuck on it.
pub fn format_expiry(input: &str) -> String {
    let mut d = digits(input);
    if d.len() == 1 && d.as_bytes()[0] > b'1' {
        d.insert(0, '0');
    }
    d.truncate(4);
    if d.len() > 2 {
        format!("{} / {}", &d[..2], &d[2..])
    } else {
        d
    }
}

/// A card field that failed its check, with the contract's error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFieldError {
    pub param: &'static str,
    pub code: &'static str,
    pub message: &'static str,
}

/// A card that passed every check that can be made before asking the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCard {
    pub number: String,
    pub brand: Brand,
    pub exp_month: u32,
    pub exp_year: i32,
}

impl CheckedCard {
    pub fn last4(&self) -> &str {
        &self.number[self.number.len() - 4..]
    }
}

/// Checks number, expiry and CVC. `today` is (year, month); a card expiring this month is valid.
pub fn check_card(
    number: &str,
    exp_month: &str,
    exp_year: &str,
    cvc: &str,
    today: (i32, u32),
) -> Result<CheckedCard, CardFieldError> {
    let number = digits(number);
    let brand = check_number(&number)?;
    let (exp_month, exp_year) = check_expiry(exp_month, exp_year, today)?;
    check_cvc(cvc, brand)?;
    Ok(CheckedCard {
        number,
        brand,
        exp_month,
        exp_year,
    })
}

/// Checks the digits of a card number (length and Luhn); gives its brand.
pub fn check_number(digits: &str) -> Result<Brand, CardFieldError> {
    if digits.len() < 12 || digits.len() > 19 || !luhn_valid(digits) {
        return Err(CardFieldError {
            param: "number",
            code: "incorrect_number",
            message: "Your card number is incorrect.",
        });
    }
    Ok(detect_brand(digits))
}

/// Checks an expiry month and year (two or four digits) against `today` = (year, month).
pub fn check_expiry(
    exp_month: &str,
    exp_year: &str,
    today: (i32, u32),
) -> Result<(u32, i32), CardFieldError> {
    let (exp_month, exp_year) = parse_expiry(exp_month, exp_year)?;
    if (exp_year, exp_month) < today {
        return Err(CardFieldError {
            param: "exp_year",
            code: "invalid_expiry_year",
            message: "Your card's expiration date is in the past.",
        });
    }
    if exp_year > today.0 + 50 {
        return Err(CardFieldError {
            param: "exp_year",
            code: "invalid_expiry_year",
            message: "Your card's expiration year is invalid.",
        });
    }
    Ok((exp_month, exp_year))
}

/// Checks a security code's length for the card's brand (4 digits for Amex, else 3).
pub fn check_cvc(cvc: &str, brand: Brand) -> Result<(), CardFieldError> {
    let cvc = cvc.trim();
    if cvc.len() != brand.cvc_len() || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        let message = if brand == Brand::Amex {
            "Your card's security code is 4 digits (on the front of the card)."
        } else {
            "Your card's security code is 3 digits (on the back of the card)."
        };
        return Err(CardFieldError {
            param: "cvc",
            code: "invalid_cvc",
            message,
        });
    }
    Ok(())
}

fn parse_expiry(month: &str, year: &str) -> Result<(u32, i32), CardFieldError> {
    let month: u32 = month
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or(CardFieldError {
            param: "exp_month",
            code: "invalid_expiry_month",
            message: "Your card's expiration month is invalid.",
        })?;
    let year: i32 = year.trim().parse().map_err(|_| CardFieldError {
        param: "exp_year",
        code: "invalid_expiry_year",
        message: "Your card's expiration year is invalid.",
    })?;
    // Two-digit years as printed on cards: 29 means 2029.
    let year = if (0..100).contains(&year) {
        2000 + year
    } else {
        year
    };
    Ok((month, year))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i32, u32) = (2026, 11);

    #[test]
    fn detects_brands_from_their_prefixes() {
        assert_eq!(detect_brand("4242424242424242"), Brand::Visa);
        assert_eq!(detect_brand("5555555555554444"), Brand::Mastercard);
        assert_eq!(detect_brand("2223003122003222"), Brand::Mastercard);
        assert_eq!(detect_brand("378282246310005"), Brand::Amex);
        assert_eq!(detect_brand("6011111111111117"), Brand::Discover);
        assert_eq!(detect_brand("9999"), Brand::Unknown);
        assert_eq!(detect_brand(""), Brand::Unknown);
    }

    #[test]
    fn luhn_accepts_test_cards_and_rejects_typos() {
        for ok in [
            "4242424242424242",
            "5555555555554444",
            "378282246310005",
            "4000000000000002",
            "4000008400001629",
        ] {
            assert!(luhn_valid(ok), "{ok}");
        }
        assert!(!luhn_valid("4242424242424241"));
        assert!(!luhn_valid("42424242"));
        assert!(!luhn_valid("4242x24242424242"));
    }

    #[test]
    fn spaces_numbers_as_printed() {
        assert_eq!(format_number("4242424242424242"), "4242 4242 4242 4242");
        assert_eq!(format_number("378282246310005"), "3782 822463 10005");
        assert_eq!(format_number("42424"), "4242 4");
        assert_eq!(digits("4242 4242-4242 4242"), "4242424242424242");
    }

    #[test]
    fn checks_a_whole_card() {
        let card = check_card("4242 4242 4242 4242", "12", "2030", "123", TODAY).unwrap();
        assert_eq!(
            (card.brand, card.last4(), card.exp_year),
            (Brand::Visa, "4242", 2030)
        );
        assert_eq!(
            check_card("4242424242424242", "11", "26", "123", TODAY)
                .unwrap()
                .exp_year,
            2026
        );
        let err =
            |n: &str, m: &str, y: &str, c: &str| check_card(n, m, y, c, TODAY).unwrap_err().code;
        assert_eq!(
            err("4242424242424241", "12", "2030", "123"),
            "incorrect_number"
        );
        assert_eq!(
            err("4242424242424242", "13", "2030", "123"),
            "invalid_expiry_month"
        );
        assert_eq!(
            err("4242424242424242", "10", "2026", "123"),
            "invalid_expiry_year"
        );
        assert_eq!(
            err("4242424242424242", "12", "abc", "123"),
            "invalid_expiry_year"
        );
        assert_eq!(err("4242424242424242", "12", "2030", "1234"), "invalid_cvc");
        assert_eq!(err("378282246310005", "12", "2030", "123"), "invalid_cvc");
        assert!(check_card("378282246310005", "12", "2030", "1234", TODAY).is_ok());
    }

    #[test]
    fn splits_and_formats_expiry_as_typed() {
        assert_eq!(split_expiry("12 / 29"), ("12".into(), "29".into()));
        assert_eq!(split_expiry("1229"), ("12".into(), "29".into()));
        assert_eq!(split_expiry("12/2029"), ("12".into(), "2029".into()));
        assert_eq!(split_expiry("122"), (String::new(), String::new()));
        assert_eq!(format_expiry("1"), "1");
        assert_eq!(format_expiry("4"), "04");
        assert_eq!(format_expiry("12"), "12");
        assert_eq!(format_expiry("122"), "12 / 2");
        assert_eq!(format_expiry("12 / 29"), "12 / 29");
        assert_eq!(format_expiry("12 / 2999"), "12 / 29");
        // Deleting back over the separator leaves the month alone.
        assert_eq!(format_expiry("12 / "), "12");
    }
}
