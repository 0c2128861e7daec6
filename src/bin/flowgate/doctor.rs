//! `flowgate doctor`: read a repository's branch protection, rulesets, workflows and the App's
//! installation, read-only, and say whether flowgate is ready to be a required check there.
//! Exit 0 ready, 1 not ready, 2 cannot tell (something could not be read, or an error).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use flowgate::doctor::{self, Outcome};
use flowgate::github::{AppKey, Credentials, GitHub, RepoName, auth};
use flowgate::serve::manifest;
use flowgate::{UserError, gate, report};

use crate::common::{Runtime, print, usage_line};

/// Whether flowgate is ready to be a required check on a repository: whether `flowgate` is
/// required on its default branch (and each --branch), whether a merge queue is used and each
/// required check runs on merge_group, and, with the App's credentials, whether the App's
/// installation has the permissions and events flowgate needs (docs/doctor.md). Read-only.
#[derive(clap::Args)]
pub struct Args {
    /// The repository, OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME")]
    repo: String,
    /// A branch to examine besides the default branch (repeatable).
    #[arg(long = "branch", value_name = "NAME")]
    branches: Vec<String>,
    #[arg(long, value_enum, default_value_t = DoctorFormat::Text)]
    format: DoctorFormat,
    /// A token that reads the repository: reading classic branch protection takes Administration:
    /// read, which a repository admin's token has (default: $GITHUB_TOKEN). With the App's
    /// credentials too, the token reads the repository and the App's JWT its installation.
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The REST API's base URL (GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(long, env = "GITHUB_API_URL", default_value = flowgate::github::DEFAULT_API_URL)]
    api_url: String,
    /// The GitHub App whose installation to check (with --app-key). Without --token, the
    /// repository is read as the installation too.
    #[arg(long, env = "FLOWGATE_APP_ID", requires = "app_key")]
    app_id: Option<u64>,
    /// The GitHub App's private key, a PEM file.
    #[arg(long, env = "FLOWGATE_APP_PRIVATE_KEY_PATH", value_name = "PATH", requires = "app_id")]
    app_key: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DoctorFormat {
    /// A headline, then one line per finding.
    Text,
    Json,
}

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let repo = RepoName::parse(&args.repo)?;
    let app = match (args.app_id, args.app_key.as_deref()) {
        (Some(id), Some(path)) => Some(AppKey::from_file(id, path)?),
        _ => None,
    };
    let token = args.token.as_deref().and_then(flowgate::github::Token::new);
    let facts = rt.run(async {
        let app_client = app.map(|key| GitHub::new(&args.api_url, Credentials::App(key))).transpose()?;
        let reads = match (token, &args.app_id, &args.app_key) {
            (Some(token), _, _) => GitHub::new(&args.api_url, Credentials::Token(token))?,
            (None, Some(id), Some(path)) => {
                auth::client_for(&args.api_url, &repo, Some((*id, path.as_path())), None).await?
            }
            _ => GitHub::new(&args.api_url, Credentials::Anonymous)?,
        };
        let request = gate::doctor::Request {
            repo: &repo,
            branches: &args.branches,
            needs: manifest::needs(),
            app: app_client.as_ref(),
        };
        let facts = gate::doctor::examine(&reads, request).await?;
        tracing::info!("{}", usage_line(reads.usage()));
        Ok::<_, UserError>(facts)
    })?;
    let findings = doctor::judge(&facts);
    let branches: Vec<String> = facts.branches.iter().map(|b| b.name.clone()).collect();
    let repo = repo.to_string();
    print(&match args.format {
        DoctorFormat::Text => report::doctor::text(&repo, &branches, &findings),
        DoctorFormat::Json => report::doctor::json(&repo, &branches, &findings),
    });
    Ok(ExitCode::from(match doctor::outcome(&findings) {
        Outcome::Ready => 0,
        Outcome::NotReady => 1,
        Outcome::CannotTell => 2,
    }))
}
