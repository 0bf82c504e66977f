//! Configuration from the environment (`VINR_*`), with defaults that make `make run` work on a
//! fresh machine: SQLite under `./data`, serving on 127.0.0.1:3000.

use crate::server::crypto::{Secret, random_base62};
use anyhow::{Context, Result, bail};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Where the server listens.
    pub addr: SocketAddr,
    /// The origin customers and merchants reach us at, without a trailing slash.
    pub public_url: String,
    /// Signs derived values (demo credentials, card fingerprints). Never logged.
    pub secret: Secret,
    /// Where local state lives (the SQLite file, the generated secret).
    pub data_dir: PathBuf,
    /// How long the sandbox acquirer takes to answer (`VINR_SANDBOX_LATENCY_MS`; 0 for benchmarks).
    pub sandbox_latency: std::time::Duration,
    /// The fee on each captured charge (`VINR_FEE`, default `1.4%+25`).
    pub fees: crate::domain::ledger::FeeSchedule,
    /// Seconds before a capture's net becomes available (`VINR_SETTLEMENT_DELAY_SECS`, default
    /// two days).
    pub settlement_delay_secs: i64,
    /// Whether anyone reaching the server may create an account at `/signup` (`VINR_SIGNUP`,
    /// `on` by default; an operator who hands out accounts turns it `off`).
    pub allow_signup: bool,
    /// Where to serve the demo shop (`VINR_DEMO_SHOP_ADDR`); none by default.
    pub demo_shop_addr: Option<SocketAddr>,
    /// How long a processor may take to connect and to answer
    /// (`VINR_PROCESSOR_CONNECT_TIMEOUT_MS`, default 5000; `VINR_PROCESSOR_TIMEOUT_MS`, default
    /// 30000). A request that runs out is `processing` for the reconciler, never retried blind.
    pub processor_timeouts: crate::server::acquirer::stripe::Timeouts,
    /// The hosts a processor connection may name as its API base (`VINR_PROCESSOR_HOSTS`,
    /// comma-separated `host` or `host:port`; default `api.stripe.com`). Merchants choose the
    /// base, so without this list one could make the server call any host it can reach.
    pub processor_hosts: Vec<String>,
}

/// Reads an on/off setting.
pub fn parse_switch(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Two days, as card acquirers commonly settle.
pub const DEFAULT_SETTLEMENT_DELAY_SECS: i64 = 2 * 86_400;

impl Config {
    /// Reads the environment; generates and keeps the server secret under the data directory
    /// when `VINR_SECRET` is unset.
    pub fn from_env() -> Result<Config> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(var("VINR_DATA_DIR").unwrap_or_else(|| "data".into()));
        let addr: SocketAddr = var("VINR_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .context("VINR_ADDR must be an address like 127.0.0.1:3000")?;
        let public_url = normalise_public_url(
            &var("VINR_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}")),
        )?;
        let database_url = var("VINR_DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("vinr.db").display()));
        let secret = match var("VINR_SECRET") {
            Some(s) => Secret::new(s),
            None => load_or_create_secret(&data_dir)?,
        };
        let latency_ms: u64 = var("VINR_SANDBOX_LATENCY_MS")
            .unwrap_or_else(|| "20".into())
            .parse()
            .context("VINR_SANDBOX_LATENCY_MS must be a whole number of milliseconds")?;
        let fees = match var("VINR_FEE") {
            Some(text) => crate::domain::ledger::FeeSchedule::parse(&text)
                .context("VINR_FEE must look like 1.4%+25 (percent, then fixed minor units)")?,
            None => Default::default(),
        };
        let settlement_delay_secs = match var("VINR_SETTLEMENT_DELAY_SECS") {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|s| *s >= 0)
                .context("VINR_SETTLEMENT_DELAY_SECS must be a whole number of seconds")?,
            None => DEFAULT_SETTLEMENT_DELAY_SECS,
        };
        let allow_signup = match var("VINR_SIGNUP") {
            Some(v) => parse_switch(&v).context("VINR_SIGNUP must be on or off")?,
            None => true,
        };
        let demo_shop_addr = match var("VINR_DEMO_SHOP_ADDR") {
            Some(v) => Some(
                v.parse()
                    .context("VINR_DEMO_SHOP_ADDR must be an address like 127.0.0.1:4242")?,
            ),
            None => None,
        };
        let millis = |name: &str, default: u64| -> Result<std::time::Duration> {
            let ms = match var(name) {
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| (1..=600_000).contains(ms))
                    .with_context(|| format!("{name} must be 1 to 600000 milliseconds"))?,
                None => default,
            };
            Ok(std::time::Duration::from_millis(ms))
        };
        let processor_timeouts = crate::server::acquirer::stripe::Timeouts {
            connect: millis("VINR_PROCESSOR_CONNECT_TIMEOUT_MS", 5_000)?,
            total: millis("VINR_PROCESSOR_TIMEOUT_MS", 30_000)?,
        };
        let processor_hosts = var("VINR_PROCESSOR_HOSTS")
            .unwrap_or_else(|| "api.stripe.com".into())
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        Ok(Config {
            processor_hosts,
            processor_timeouts,
            demo_shop_addr,
            allow_signup,
            fees,
            settlement_delay_secs,
            database_url,
            addr,
            public_url,
            secret,
            data_dir,
            sandbox_latency: std::time::Duration::from_millis(latency_ms),
        })
    }

    /// True when pages are served over https, so cookies get the `Secure` flag.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Checks the public URL is an http(s) origin and drops any trailing slash.
pub fn normalise_public_url(raw: &str) -> Result<String> {
    let parsed = url::Url::parse(raw).context("VINR_PUBLIC_URL must be a URL")?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        bail!("VINR_PUBLIC_URL must be an http or https URL, got {raw}");
    }
    Ok(raw.trim_end_matches('/').to_string())
}

fn load_or_create_secret(data_dir: &Path) -> Result<Secret> {
    let path = data_dir.join("secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let trimmed = existing.trim();
        if trimmed.len() >= 32 {
            return Ok(Secret::new(trimmed));
        }
        bail!(
            "{} is shorter than 32 characters; delete it to generate a new one",
            path.display()
        );
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data directory {}", data_dir.display()))?;
    let secret = random_base62(48);
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    Ok(Secret::new(secret))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_read_on_and_off() {
        assert_eq!(parse_switch(" OFF "), Some(false));
        assert_eq!(parse_switch("on"), Some(true));
        assert_eq!(parse_switch("0"), Some(false));
        assert_eq!(parse_switch("maybe"), None);
    }

    #[test]
    fn public_url_is_checked_and_trimmed() {
        assert_eq!(
            normalise_public_url("http://127.0.0.1:3000/").unwrap(),
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            normalise_public_url("https://pay.example.com").unwrap(),
            "https://pay.example.com"
        );
        assert!(normalise_public_url("ftp://example.com").is_err());
        assert!(normalise_public_url("not a url").is_err());
    }

    #[test]
    fn the_secret_is_generated_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("vinr-config-{}", random_base62(8)));
        let first = load_or_create_secret(&dir).unwrap();
        let second = load_or_create_secret(&dir).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.expose().len(), 48);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
