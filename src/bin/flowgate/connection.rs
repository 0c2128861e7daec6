//! The arguments that say how to reach GitHub and as whom, and which live pull request to read.

use std::path::PathBuf;

use flowgate::UserError;
use flowgate::github::{GitHub, RepoName};

/// A live pull request on GitHub.
#[derive(clap::Args)]
pub struct RemoteArgs {
    /// The repository, OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", requires = "pr")]
    repo: Option<String>,
    /// The pull request number.
    #[arg(long, value_name = "N", requires = "repo")]
    pr: Option<u64>,
    #[command(flatten)]
    pub connection: Connection,
}

impl RemoteArgs {
    pub fn target(&self) -> Result<Option<(RepoName, u64)>, UserError> {
        match (&self.repo, self.pr) {
            (Some(repo), Some(pr)) => Ok(Some((RepoName::parse(repo)?, pr))),
            _ => Ok(None),
        }
    }
}

/// How to reach GitHub, and as whom.
#[derive(clap::Args)]
pub struct Connection {
    /// A token that can read the repository (default: $GITHUB_TOKEN).
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The REST API's base URL (GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(long, env = "GITHUB_API_URL", default_value = flowgate::github::DEFAULT_API_URL)]
    api_url: String,
    /// Authenticate as this GitHub App (with --app-key) instead of a token.
    #[arg(long, env = "FLOWGATE_APP_ID", requires = "app_key", conflicts_with = "token")]
    app_id: Option<u64>,
    /// The GitHub App's private key, a PEM file.
    #[arg(long, env = "FLOWGATE_APP_PRIVATE_KEY_PATH", value_name = "PATH", requires = "app_id")]
    app_key: Option<PathBuf>,
}

impl Connection {
    /// A client for `repo`: with App credentials, for the App's installation on that repository.
    pub async fn client(&self, repo: &RepoName) -> Result<GitHub, UserError> {
        let app = self.app_id.zip(self.app_key.as_deref());
        flowgate::github::auth::client_for(&self.api_url, repo, app, self.token.as_deref()).await
    }
}
