//! `flowgate serve`: run the GitHub App until SIGTERM or Ctrl-C, or check its configuration.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use flowgate::serve::config::{ServeConfig, redact_url};
use flowgate::wording::cli;

use crate::common::{Runtime, print};

/// Run the GitHub App: receive webhooks, gate every PR of every installed repository.
#[derive(clap::Args)]
pub struct Args {
    /// The configuration file (default: $FLOWGATE_CONFIG, else ./flowgate.toml if present).
    /// FLOWGATE_* environment variables win over it.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Check the settings, the private key and the database (and bring its tables up to date), then exit.
    #[arg(long)]
    check_config: bool,
}

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let config = ServeConfig::load(args.config.as_deref(), std::env::vars().collect())?;
    if args.check_config {
        return check_config(&config, rt);
    }
    rt.run(async {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: no new deliveries; finishing or giving back the ones in hand");
            let _ = stop.send(true);
        });
        tracing::info!("serving on {} ({} workers)", config.listen, config.workers);
        flowgate::serve::run(config, stopped).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `--check-config`: the database is reached (and migrated) before the settings are summed up.
fn check_config(config: &ServeConfig, rt: &Runtime) -> anyhow::Result<ExitCode> {
    rt.run(async {
        let store = flowgate::store::Store::connect(&config.database_url).await.context("FLOWGATE_DATABASE_URL")?;
        store.ping().await.context("FLOWGATE_DATABASE_URL")
    })?;
    print(&cli::config_ok(&cli::ConfigSummary {
        sources: &config.sources,
        app_id: config.app_id,
        webhook_secrets: config.webhook_secrets.len(),
        database: &redact_url(&config.database_url),
        github_api_url: &config.github_api_url,
        listen: config.listen,
        digest: config.digest.as_ref().map(|d| cli::DigestSummary {
            repo: d.repo.to_string(),
            weekday: d.weekday.to_string(),
            hour: d.hour,
            timezone: d.timezone.clone(),
            slack: d.slack_webhook_url.is_some(),
        }),
    }));
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM (what systemd and container runtimes send) or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
