//! `flowgate org status`: one table for an organisation, read with the GitHub App's credentials
//! from flowgate.toml.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use flowgate::doctor::org::LastEvaluation;
use flowgate::github::{Credentials, GitHub};
use flowgate::serve::config::ServeConfig;
use flowgate::serve::manifest;
use flowgate::{UserError, gate, report};

use crate::common::{Runtime, print, usage_line};

/// An organisation at a glance.
#[derive(clap::Subcommand)]
pub enum Command {
    Status(StatusArgs),
}

/// One row per repository of an organisation: whether the App is installed on it, where its policy
/// comes from (its file and what it extends), its enforcement mode, whether the flowgate check is
/// required (by a ruleset or branch protection), its merge queue and `flowgate doctor`'s answer,
/// and the App's last evaluation there (docs/app.md). Read-only; a repository that cannot be read
/// shows its error in its row.
#[derive(clap::Args)]
pub struct StatusArgs {
    /// The organization's login.
    #[arg(long, value_name = "ORG")]
    org: String,
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// The App's settings (default: $FLOWGATE_CONFIG, else ./flowgate.toml if present); FLOWGATE_*
    /// environment variables win over it, as for `flowgate serve`.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The App's database, for the last evaluations (default: the settings' database_url).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Markdown,
    Json,
}

pub fn run(cmd: Command, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let Command::Status(args) = cmd;
    let config = ServeConfig::load(args.config.as_deref(), std::env::vars().collect())?;
    let database = args.database.clone().unwrap_or_else(|| config.database_url.clone());
    let (status, database_problem) = rt.run(async {
        let (evaluations, problem) = match last_evaluations(&database).await {
            Ok(found) => (Some(found), None),
            Err(why) => (None, Some(why)),
        };
        let api = config.github_api_url.as_str();
        let app = GitHub::new(api, Credentials::App(config.app_key.clone()))?;
        let install = |installation_id| {
            GitHub::new(api, Credentials::Installation { app: config.app_key.clone(), installation_id })
        };
        let status = gate::org_status::status(
            &app,
            install,
            &args.org,
            &manifest::needs(),
            evaluations.as_ref(),
            &config.baselines,
        )
        .await?;
        tracing::info!("{}", usage_line(app.usage()));
        Ok::<_, UserError>((status, problem))
    })?;
    print(&match args.format {
        Format::Markdown => report::org_status::markdown(&status, database_problem.as_deref()),
        Format::Json => report::org_status::json(&status),
    });
    Ok(ExitCode::SUCCESS)
}

/// Each repository's last evaluation from the App's database, or why it could not be read. The
/// database is only read: a file that is not there is not created.
async fn last_evaluations(url: &str) -> Result<std::collections::BTreeMap<String, LastEvaluation>, String> {
    if let Some(path) = url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p))
        && !std::path::Path::new(path).exists()
    {
        return Err(format!("{path} does not exist"));
    }
    let store = flowgate::store::Store::connect(url).await.map_err(|e| e.to_string())?;
    let rows = store.last_evaluation_by_repo().await.map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .map(|(repo, (pr, at_ms, state, enforcement))| {
            let at = chrono::DateTime::from_timestamp_millis(at_ms)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            (repo, LastEvaluation { pr, at, state, enforcement })
        })
        .collect())
}
