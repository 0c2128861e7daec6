//! `flowgate backfill`: import review history into the App's database, from GitHub or from saved
//! snapshots.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

use flowgate::github::RepoName;
use flowgate::serve::record;
use flowgate::{UserError, gate};

use crate::common::{Runtime, current_dir, print, usage_line};
use crate::connection::Connection;
use crate::database::DatabaseArg;
use crate::span::{parse_span, span_start};

/// Import review history into the App's database for the digest: the PRs of a repository
/// updated since a time (from GitHub's timelines), or saved snapshot directories.
#[derive(clap::Args)]
pub struct Args {
    /// The repository whose PRs to import, OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", required_unless_present = "from_snapshots")]
    repo: Option<String>,
    /// How far back: PRs updated within this span (e.g. 90d, 12w, 36h).
    #[arg(long, value_name = "SPAN", default_value = "90d", value_parser = parse_span)]
    since: chrono::TimeDelta,
    /// Import saved snapshots instead: DIR itself, or each directory in it holding a pull.json.
    #[arg(long, value_name = "DIR", conflicts_with = "repo")]
    from_snapshots: Option<PathBuf>,
    /// With --from-snapshots, the policy whose linkage finds story keys in titles and whose AI
    /// settings judge each PR's AI use [default: .github/flowgate.yml, else the bundled default].
    #[arg(long, value_name = "PATH", requires = "from_snapshots")]
    policy: Option<PathBuf>,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    db: DatabaseArg,
}

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    rt.run(async {
        let store = args.db.connect().await.context("opening the database")?;
        let (what, imported) = match (&args.from_snapshots, &args.repo) {
            (Some(dir), _) => {
                let cwd = current_dir()?;
                let chosen = gate::policy_from_disk(args.policy.as_deref(), &cwd)?;
                let history = record::snapshot_events(dir, &chosen.policy)?;
                for snapshot in &history.undated {
                    tracing::warn!("{}", flowgate::wording::cli::snapshot_end_undated(&snapshot.display().to_string()));
                }
                let added =
                    store.record_events(&history.events).await.context("recording the imported review events")?;
                let prs =
                    history.events.iter().map(|e| (&e.repo, e.pr)).collect::<std::collections::HashSet<_>>().len();
                let imported = record::Imported { prs, events: history.events.len(), added };
                (dir.display().to_string(), imported)
            }
            (None, Some(repo)) => {
                let repo = RepoName::parse(repo)?;
                let gh = args.connection.client(&repo).await?;
                let since = span_start(chrono::Utc::now(), args.since)?;
                let imported = record::backfill(&gh, &store, &repo, since).await?;
                tracing::info!("{}", usage_line(gh.usage()));
                (repo.to_string(), imported)
            }
            (None, None) => {
                return Err(UserError::Usage("give --repo OWNER/NAME or --from-snapshots DIR".into()).into());
            }
        };
        print(&flowgate::wording::cli::backfilled(&what, imported.prs, imported.events, imported.added));
        Ok(ExitCode::SUCCESS)
    })
}
