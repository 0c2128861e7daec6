//! `flowgate app`: the GitHub App itself, for setting it up: its manifest, or the whole manifest
//! flow on a local page (`setup`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use flowgate::serve::setup::{self, Setup, files::Targets};

use crate::common::{Runtime, print};

/// The GitHub App itself.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Print the GitHub App manifest for GitHub's manifest flow.
    Manifest {
        /// The App's name on GitHub.
        #[arg(long, default_value = "flowgate")]
        name: String,
        /// Where the App is reached: webhooks go to URL/webhook.
        #[arg(long, value_name = "URL")]
        url: String,
    },
    Setup(SetupArgs),
}

/// Create the GitHub App in one step: serve a local page that sends GitHub the manifest, take
/// GitHub's answer, and write the App's private key and flowgate.toml (owner-only, 0600), ready
/// for `flowgate serve` (docs/app.md). Nothing is printed of the key or the webhook secret.
#[derive(clap::Args)]
pub struct SetupArgs {
    /// Where GitHub is to send the App's webhooks: the /webhook of where `flowgate serve` will run.
    #[arg(long, value_name = "URL")]
    webhook_url: String,
    /// The organization that is to own the App (default: the account that signs in).
    #[arg(long, value_name = "ORG")]
    org: Option<String>,
    /// The App's name on GitHub (unique on GitHub; it can be changed on GitHub's page).
    #[arg(long, default_value = "flowgate")]
    name: String,
    /// Where the setup page listens; GitHub sends the browser back here.
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// The settings file to write.
    #[arg(long, value_name = "PATH", default_value = "flowgate.toml")]
    config: PathBuf,
    /// The private key file to write (default: flowgate-app.pem beside the settings file).
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,
    /// Replace the settings and key files if they exist.
    #[arg(long)]
    force: bool,
    /// GitHub's web address (GitHub Enterprise Server: https://HOST).
    #[arg(long, value_name = "URL", default_value = "https://github.com")]
    github_url: String,
    /// The REST API's base URL, where GitHub's answer is traded for the App's credentials
    /// (GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(long, value_name = "URL", default_value = flowgate::github::DEFAULT_API_URL)]
    api_url: String,
    /// How long to wait for GitHub's answer before giving up with nothing written.
    #[arg(long, value_name = "MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=1440))]
    timeout_minutes: u64,
}

pub fn run(cmd: Command, rt: &Runtime) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Manifest { name, url } => {
            print(&format!("{:#}\n", flowgate::serve::manifest::manifest(&name, &url)));
        }
        Command::Setup(args) => {
            let key = args.key_file.unwrap_or_else(|| args.config.with_file_name("flowgate-app.pem"));
            let request = Setup {
                name: args.name,
                webhook_url: args.webhook_url,
                org: args.org,
                github_url: args.github_url,
                api_url: args.api_url,
                listen: args.listen,
                timeout: Duration::from_secs(args.timeout_minutes * 60),
                targets: Targets { config: args.config, key, force: args.force },
            };
            let done = rt.run(setup::run(request, |line| print(&line)))?;
            print(&format!("{}\n", done.summary.join("\n")));
        }
    }
    Ok(ExitCode::SUCCESS)
}
