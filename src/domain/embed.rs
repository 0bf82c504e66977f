//! The sites a merchant allows to frame our card fields (their `frame-ancestors`), as typed in
//! the dashboard's settings: one origin per line.

/// At most this many origins per account.
pub const MAX_ORIGINS: usize = 20;

/// Reads the typed lines into normalised origins (`https://shop.example`, lower case, no path,
/// no trailing slash, duplicates dropped). Plain `http` is allowed for local development only.
pub fn parse_origins(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let origin = parse_origin(line)?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    if out.len() > MAX_ORIGINS {
        return Err(format!("At most {MAX_ORIGINS} embed origins."));
    }
    Ok(out)
}

fn parse_origin(line: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "{line} is not an origin: write it as https://shop.example (scheme and host, \
             optionally a port, nothing after)."
        )
    };
    let lower = line.to_ascii_lowercase();
    let lower = lower.strip_suffix('/').unwrap_or(&lower);
    let (scheme, rest) = lower.split_once("://").ok_or_else(bad)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h, Some(p))
        }
        Some(_) => return Err(bad()),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !host_ok {
        return Err(bad());
    }
    let local = matches!(host, "localhost" | "127.0.0.1");
    match scheme {
        "https" => {}
        "http" if local => {}
        "http" => {
            return Err(format!(
                "{line}: card fields may only be embedded in https pages (http is allowed for \
                 localhost and 127.0.0.1)."
            ));
        }
        _ => return Err(bad()),
    }
    Ok(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// A brand colour as the checkout uses it: `#rrggbb`, lower case.
pub fn parse_brand_color(text: &str) -> Result<String, String> {
    let t = text.trim().to_ascii_lowercase();
    let ok = t.len() == 7 && t.starts_with('#') && t[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(t)
    } else {
        Err(format!(
            "{text} is not a colour: write it as #rrggbb, e.g. #4f46e5."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_checked() {
        let parsed = parse_origins(
            "https://Shop.Example/\n\n  http://localhost:8080 \nhttps://shop.example\nhttps://a.b:443",
        )
        .unwrap();
        assert_eq!(
            parsed,
            vec![
                "https://shop.example",
                "http://localhost:8080",
                "https://a.b:443"
            ]
        );
        assert!(parse_origins("").unwrap().is_empty());
        assert!(
            parse_origins("http://shop.example")
                .unwrap_err()
                .contains("https")
        );
        assert!(parse_origins("https://shop.example/checkout").is_err());
        assert!(parse_origins("shop.example").is_err());
        assert!(parse_origins("https://*.example").is_err());
        assert!(parse_origins("javascript://x").is_err());
        assert!(parse_origins("https://a b").is_err());
        assert!(parse_origins("https://x:99999999").is_err());
        let many: String = (0..21).map(|i| format!("https://s{i}.example\n")).collect();
        assert!(parse_origins(&many).unwrap_err().contains("20"));
    }

    #[test]
    fn brand_colours_are_hex_triplets() {
        assert_eq!(parse_brand_color(" #4F46E5 ").unwrap(), "#4f46e5");
        assert!(parse_brand_color("red").is_err());
        assert!(parse_brand_color("#fff").is_err());
        assert!(parse_brand_color("#12345g").is_err());
    }
}
