//! `flowgate snapshot`: save a live pull request as a directory that `check --snapshot` reads.

use std::path::PathBuf;
use std::process::ExitCode;

use flowgate::UserError;

use crate::common::{Runtime, usage_line};
use crate::connection::RemoteArgs;

/// Save a live pull request as a snapshot directory that `check --snapshot` reads.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    remote: RemoteArgs,
    /// The directory to write pull.json, files.json, commits.json, reviews.json, events.json to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let Args { remote, out } = args;
    let (repo, pr) = remote.target()?.ok_or_else(|| UserError::Usage("give --repo OWNER/NAME and --pr N".into()))?;
    let (raw, usage) = rt.run(async {
        let gh = remote.connection.client(&repo).await?;
        Ok::<_, UserError>((gh.pull_request(&repo, pr).await?, gh.usage()))
    })?;
    // Parse before saving, so that a snapshot that would not read back is never written.
    flowgate::snapshot::parse(&raw, &out)?;
    raw.write_dir(&out)?;
    tracing::info!("saved {repo}#{pr} to {} ({})", out.display(), usage_line(usage));
    Ok(ExitCode::SUCCESS)
}
