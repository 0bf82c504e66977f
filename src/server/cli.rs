//! The `vinr` command line: serve, migrate, create merchants, roll keys.

use crate::domain::api_key::KeyKind;
use crate::domain::mode::Mode;
use crate::server::clock::{Clock, SystemClock};
use crate::server::config::Config;
use crate::server::crypto::Secret;
use crate::server::services::accounts::{self, DemoCredentials};
use crate::server::store::Store;
use crate::server::web::Application;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "vinr", version, about = "VINR, a self-hosted payment gateway")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API, checkout and dashboard (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage merchant accounts.
    Merchant {
        #[command(subcommand)]
        command: MerchantCommand,
    },
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Check the ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Print the API's OpenAPI document (what `GET /v1/openapi.json` answers) and exit; the
    /// SDKs are generated from it (`make sdk-openapi` writes `sdks/openapi.json`).
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Check every invariant (balanced transactions, balances equal to their entries, no
    /// negative available balance, each captured payment posted once); exits 1 naming what
    /// is wrong.
    Verify {
        /// Only this account (acct_…).
        #[arg(long)]
        account: Option<String>,
        /// Accept negative available balances.
        #[arg(long)]
        allow_negative: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MerchantCommand {
    /// Create a merchant account with test and live keys and a dashboard login; prints them once.
    Create {
        /// Business name shown to customers at checkout.
        #[arg(long)]
        name: String,
        /// E-mail of the dashboard login.
        #[arg(long)]
        email: String,
        /// Dashboard password (at least 10 characters); generated when omitted.
        #[arg(long, env = "VINR_MERCHANT_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    Test,
    Live,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Issue a new secret (or publishable) key; the old one keeps working for the grace period.
    Roll {
        /// The account's id (acct_…) or dashboard e-mail.
        #[arg(long)]
        account: String,
        #[arg(long, value_enum, default_value = "test")]
        mode: ModeArg,
        /// Roll the publishable key instead of the secret key.
        #[arg(long)]
        publishable: bool,
        /// Hours the replaced key keeps working (0 stops it at once).
        #[arg(long, default_value_t = 24)]
        grace_hours: i64,
    },
}

/// Runs the command line.
pub async fn run(cli: Cli) -> Result<()> {
    if let Some(Command::Openapi) = cli.command {
        // Needs no configuration, database or secret.
        let doc = crate::server::api::document();
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    let config = Config::from_env()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, clock).await,
        // Printed above, before the configuration (which makes the data folder) was read.
        Command::Openapi => Ok(()),
        Command::Ledger {
            command:
                LedgerCommand::Verify {
                    account,
                    allow_negative,
                },
        } => {
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            let options = crate::server::services::ledger::verify::Options {
                account_id: account,
                allow_negative,
            };
            let problems =
                crate::server::services::ledger::verify::verify(&store, &options).await?;
            if problems.is_empty() {
                println!("Ledger verified: every invariant holds.");
                return Ok(());
            }
            for problem in &problems {
                println!("FAIL: {problem}");
            }
            bail!("{} ledger invariant(s) broken", problems.len())
        }
        Command::Migrate => {
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            println!("Migrations applied ({}).", store.backend().name());
            Ok(())
        }
        Command::Merchant {
            command:
                MerchantCommand::Create {
                    name,
                    email,
                    password,
                },
        } => {
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            let created = accounts::create_account(
                &store,
                clock.as_ref(),
                &name,
                &email,
                password.as_deref(),
            )
            .await?;
            println!(
                "Created merchant {} ({})",
                created.account.name, created.account.id
            );
            println!("  Dashboard:        {}/login", config.public_url);
            println!("  Login:            {}", created.email);
            println!("  Password:         {}", created.password.expose());
            for key in &created.keys {
                println!(
                    "  {:<17} {}",
                    format!("{} {}:", key.mode, key.kind.as_str()),
                    key.key.expose()
                );
            }
            println!("Secret keys are shown only now; VINR keeps only their digests.");
            Ok(())
        }
        Command::Keys {
            command:
                KeysCommand::Roll {
                    account,
                    mode,
                    publishable,
                    grace_hours,
                },
        } => {
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            let Some(found) =
                crate::server::store::accounts::find_by_id_or_email(store.reader(), &account)
                    .await?
            else {
                bail!("no account with id or e-mail {account}");
            };
            let mode = match mode {
                ModeArg::Test => Mode::Test,
                ModeArg::Live => Mode::Live,
            };
            let kind = if publishable {
                KeyKind::Publishable
            } else {
                KeyKind::Secret
            };
            let issued = accounts::roll_key(
                &store,
                clock.as_ref(),
                &found.id,
                mode,
                kind,
                grace_hours * 3600,
            )
            .await
            .context("rolling the key")?;
            println!(
                "New {} {} key for {}: {}",
                mode,
                kind.as_str(),
                found.name,
                issued.key.expose()
            );
            if grace_hours > 0 {
                println!("The keys it replaces keep working for {grace_hours} hours.");
            } else {
                println!("The keys it replaces stopped working now.");
            }
            Ok(())
        }
    }
}

async fn serve(config: Config, clock: Arc<dyn Clock>) -> Result<()> {
    let public_url = config.public_url.clone();
    let secret = config.secret.clone();
    let shop_addr = config.demo_shop_addr;
    let app = Application::build(config, clock.clone()).await?;
    let demo = accounts::ensure_demo(&app.state().store, clock.as_ref(), &secret).await?;
    let shop = match (shop_addr, &demo.secret_key, &demo.publishable_key) {
        (Some(addr), Some(sk), Some(pk)) => {
            let origin = format!("http://{addr}");
            accounts::allow_embed_origin(&app.state().store, &demo.account_id, &origin).await?;
            let shop = crate::server::demo_shop::DemoShop::new(
                public_url.clone(),
                sk.expose().to_string(),
                pk.expose().to_string(),
            );
            let serving = crate::server::demo_shop::bind(addr, shop).await?;
            Some((origin, tokio::spawn(serving)))
        }
        (Some(_), _, _) => {
            tracing::warn!("the demo merchant's test keys were rolled: the demo shop is off");
            None
        }
        (None, _, _) => None,
    };
    print_banner(
        &public_url,
        app.local_addr(),
        app.state().store.backend().name(),
        &demo,
    );
    if let Some((origin, _)) = &shop {
        println!("  Demo shop:        {origin} (card fields embedded from VINR)");
        println!();
    }
    let mut background = crate::server::workers::spawn_all(app.state());
    background.extend(app.state().store.spawn_maintenance());
    let store = app.state().store.clone();
    let served = app.run_until(shutdown_signal()).await;
    if let Some((_, serving)) = shop {
        serving.abort();
    }
    // The workers stop before the store closes, so none of them finds it closed (and says so).
    for task in &background {
        task.abort();
    }
    for task in background {
        // Cancelled, as asked: nothing to report.
        let _ = task.await;
    }
    store.close().await;
    served
}

fn print_banner(
    public_url: &str,
    addr: std::net::SocketAddr,
    backend: &str,
    demo: &DemoCredentials,
) {
    let show = |value: &Option<Secret>, gone: &str| {
        value
            .as_ref()
            .map(|s| s.expose().to_string())
            .unwrap_or_else(|| gone.to_string())
    };
    println!();
    println!("VINR is serving on http://{addr} ({backend})");
    println!("  Dashboard:        {public_url}/login");
    println!("  Login:            {}", demo.email);
    println!(
        "  Password:         {}",
        show(&demo.password, "(changed since first start)")
    );
    println!(
        "  Secret key:       {}",
        show(
            &demo.secret_key,
            "(rolled; use the key `vinr keys roll` printed)"
        )
    );
    println!(
        "  Publishable key:  {}",
        show(&demo.publishable_key, "(rolled)")
    );
    println!("  Try:              curl {public_url}/v1/account -H \"X-Api-Key: <secret key>\"");
    if demo.created_now {
        println!("  (demo merchant {} created)", demo.account_id);
    }
    println!();
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
