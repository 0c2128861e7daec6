//! `flowgate check`: gate a pull request from a snapshot, a live PR (read-only) or the current
//! git branch, and print the verdict, or for a live PR the plan of what flowgate would post.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use flowgate::gate;
use flowgate::git::LocalPr;
use flowgate::report::{self, Format};
use flowgate::{State, UserError};

use crate::common::{Runtime, current_dir, print, usage_line};
use crate::connection::RemoteArgs;

/// Gate a pull request: a saved snapshot (--snapshot DIR) or the current git branch.
#[derive(clap::Args)]
pub struct Args {
    /// A directory of saved GitHub responses: pull.json, files.json, and optionally commits.json,
    /// reviews.json, events.json.
    #[arg(long, value_name = "DIR", conflicts_with = "repo")]
    snapshot: Option<PathBuf>,
    /// Gate a live PR (--repo OWNER/NAME --pr N), read-only: nothing is posted.
    #[command(flatten)]
    remote: RemoteArgs,
    /// With --repo and --pr: print what flowgate would post to the PR (check run, labels, review
    /// requests) instead of the verdict. Still read-only: nothing is posted.
    #[arg(long, requires = "repo", conflicts_with = "format")]
    plan: bool,
    /// The policy file. Default: .github/flowgate.yml (in local git mode, as it is on the base
    /// branch), else the bundled default policy.
    #[arg(long, value_name = "PATH")]
    policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Local git mode: the base branch (default: the remote's default branch, else main).
    #[arg(long, value_name = "REF", conflicts_with_all = ["snapshot", "repo"])]
    base: Option<String>,
    /// Local git mode: the PR title (default: the first commit's subject).
    #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["snapshot", "repo"])]
    title: Option<String>,
    /// Local git mode: the PR description (it may start with a dash: --body "- [x] No AI was used").
    #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["snapshot", "repo", "body_file"])]
    body: Option<String>,
    /// Local git mode: read the PR description from a file.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["snapshot", "repo"])]
    body_file: Option<PathBuf>,
    /// Local git mode: a label the PR will carry (repeatable).
    #[arg(long = "label", value_name = "NAME", allow_hyphen_values = true, conflicts_with_all = ["snapshot", "repo"])]
    labels: Vec<String>,
    /// Local git mode: your GitHub login (default: read from git's user.email or user.name).
    #[arg(long, value_name = "LOGIN", conflicts_with_all = ["snapshot", "repo"])]
    author: Option<String>,
    /// Local git mode: gate the working tree (staged and unstaged changes to tracked files)
    /// against the base, instead of the last commit.
    #[arg(long, conflicts_with_all = ["snapshot", "repo"])]
    include_uncommitted: bool,
}

/// `--format`: how the verdict is printed.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Markdown,
    Summary,
}

impl From<CheckFormat> for Format {
    fn from(format: CheckFormat) -> Format {
        match format {
            CheckFormat::Text => Format::Text,
            CheckFormat::Json => Format::Json,
            CheckFormat::Markdown => Format::Markdown,
            CheckFormat::Summary => Format::Summary,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let cwd = current_dir()?;
    let (verdict, enforcement) = match (&args.snapshot, args.remote.target()?) {
        (_, Some((repo, pr))) => {
            let (gated, usage) = rt.run(async {
                let gh = args.remote.connection.client(&repo).await?;
                let gated = gate::remote::gate(&gh, &repo, pr, args.policy.as_deref()).await?;
                Ok::<_, gate::Error>((gated, gh.usage()))
            })?;
            tracing::info!("policy: {}", gated.chosen.origin);
            tracing::info!("{}", usage_line(usage));
            if let Some(t) = gated.tracker_usage {
                tracing::info!(
                    "trackers: {} requests ({} answered 304), {} answers from the cache",
                    t.requests,
                    t.not_modified,
                    t.cache_hits
                );
            }
            // A queue tool's draft PR is judged as the merge group it holds.
            let state = match &gated.queue {
                Some(queue) if queue.report.conclusion == Some("success") => flowgate::State::Pass,
                Some(_) => flowgate::State::Fail,
                None => gated.verdict.state,
            };
            if args.plan {
                print(&gated.plan()?.describe());
                return Ok(exit_code(state));
            }
            if gated.queue.is_some() {
                let report = gated.plan()?.check_run.report;
                print(&format!("{}\n\n{}", report.title, report.summary));
                return Ok(exit_code(state));
            }
            let enforcement = gated.enforcement();
            (gated.verdict, enforcement)
        }
        (Some(dir), None) => {
            let chosen = gate::policy_from_disk(args.policy.as_deref(), &cwd)?;
            tracing::info!("policy: {}", chosen.origin);
            (gate::check_snapshot(dir, &chosen.policy)?.1, chosen.policy.enforcement)
        }
        (None, None) => {
            let body = match &args.body_file {
                Some(path) => Some(
                    std::fs::read_to_string(path).map_err(|e| UserError::input(path, format!("cannot read: {e}")))?,
                ),
                None => args.body.clone(),
            };
            let pr = LocalPr {
                base: args.base.clone(),
                title: args.title.clone(),
                body,
                labels: args.labels.clone(),
                author: args.author.clone(),
                include_uncommitted: args.include_uncommitted,
            };
            let (chosen, verdict) = gate::check_local(&cwd, &pr, args.policy.as_deref())?;
            tracing::info!("policy: {}", chosen.origin);
            let uncommitted = flowgate::git::Repo::discover(&cwd)?.uncommitted()?;
            if let Some(line) = uncommitted_line(uncommitted.len(), args.include_uncommitted) {
                tracing::info!("{line}");
            }
            (verdict, chosen.policy.enforcement)
        }
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    print(&report::render_enforced(&verdict, args.format.into(), color, enforcement));
    // In shadow mode too: `check` answers what the gate says (the report says it would not
    // block); the Action, which is what runs in CI, exits 0 in shadow mode.
    Ok(exit_code(verdict.state))
}

/// 1 when the PR fails the gate, as with every format.
fn exit_code(state: State) -> ExitCode {
    if state == State::Fail { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// What a local check says about changes that are not committed, if there are any.
fn uncommitted_line(files: usize, included: bool) -> Option<String> {
    flowgate::wording::cli::uncommitted_line(files, included)
}
