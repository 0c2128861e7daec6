//! `flowgate app`: the GitHub App itself, for setting it up.

use std::process::ExitCode;

use crate::common::print;

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
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let Command::Manifest { name, url } = cmd;
    print(&format!("{:#}\n", flowgate::serve::manifest::manifest(&name, &url)));
    Ok(ExitCode::SUCCESS)
}
