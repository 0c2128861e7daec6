//! `flowgate policy`: check a policy file, print its JSON Schema, run policy test cases, pin a
//! remote `extends:` to the commit its ref names now.

use std::path::PathBuf;
use std::process::ExitCode;

use flowgate::UserError;
use flowgate::gate::{self, cases};
use flowgate::github::RepoName;
use flowgate::policy::{load, pin};
use flowgate::wording::{cli, pin as said};

use crate::common::{Runtime, current_dir, print};
use crate::connection::Connection;

/// Write, lint and test policies.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Check a policy file; errors name the file, line and column.
    Validate {
        /// Default: .github/flowgate.yml
        path: Option<PathBuf>,
        /// A baseline the policy may only tighten: a bundled pack (`strict`) or a policy file. The
        /// policy is laid over it, and a key that loosens it is an error at its line and column.
        #[arg(long, value_name = "PACK|PATH")]
        baseline: Option<String>,
    },
    /// Print the policy's JSON Schema, for editors and CI.
    Schema,
    /// Pin the policy's remote `extends:` (OWNER/REPO:PATH@REF) to the commit REF names now,
    /// editing that entry alone; the file's own `extends:` only (a remote file pins its own).
    Update {
        /// Default: .github/flowgate.yml
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
        /// Change nothing; exit 1 when the pin is not the commit its ref names now (for CI).
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        connection: Connection,
    },
    /// Run policy test cases: directories holding a snapshot and an expect.yml.
    Test {
        /// Default: .github/flowgate-tests
        dir: Option<PathBuf>,
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
    },
}

pub fn run(cmd: Command, rt: &Runtime) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Validate { path, baseline } => validate(path, baseline),
        Command::Schema => {
            print(&load::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Test { dir, policy } => test(dir, policy),
        Command::Update { policy, check, connection } => update(policy, check, &connection, rt),
    }
}

/// Exit 1 with `--check` when the pin is stale.
fn update(path: Option<PathBuf>, check: bool, connection: &Connection, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let path = path.unwrap_or_else(|| PathBuf::from(gate::POLICY_PATH));
    let shown = path.display().to_string();
    let policy_error = |message: String| UserError::Policy { file: shown.clone(), message };
    let text = load::read_text(&path)?;
    let Some(remote) = pin::remote_extends(&text).map_err(policy_error)? else {
        print(&said::nothing_to_pin(&shown));
        return Ok(ExitCode::SUCCESS);
    };
    let from = remote.from.to_string();
    let repo = RepoName::parse(&remote.from.repo)?;
    let resolved = rt.run(async {
        let gh = connection.client(&repo).await?;
        gh.commit_sha(&repo, &remote.from.reference)
            .await
            .map_err(|e| UserError::Usage(said::unreachable(&from, &e.to_string())))
    })?;
    let Some(commit) = resolved else {
        return Err(policy_error(said::unknown_ref(&from, &remote.from.repo, &remote.from.reference)).into());
    };
    if remote.commit.as_deref() == Some(commit.as_str()) {
        print(&said::current(&from, &commit));
        return Ok(ExitCode::SUCCESS);
    }
    if check {
        print(&said::changed(&from, remote.commit.as_deref(), &commit, false));
        return Ok(ExitCode::from(1));
    }
    let pinned = pin::pin(&text, &commit).map_err(policy_error)?;
    std::fs::write(&path, pinned).map_err(|e| UserError::input(&path, format!("cannot write: {e}")))?;
    print(&said::changed(&from, remote.commit.as_deref(), &commit, true));
    Ok(ExitCode::SUCCESS)
}

fn validate(path: Option<PathBuf>, baseline: Option<String>) -> anyhow::Result<ExitCode> {
    let path = path.unwrap_or_else(|| PathBuf::from(gate::POLICY_PATH));
    // Over a baseline the file need not be a whole policy: the baseline gives the rest, as in the App.
    let policy = match baseline {
        None => {
            let (policy, warnings) = gate::policy_with_warnings(&path)?;
            for warning in &warnings {
                tracing::warn!("{warning}");
            }
            policy
        }
        Some(spec) => {
            let baseline = gate::baseline::baseline_on_disk(&spec).map_err(UserError::from)?;
            gate::baseline::validate_over(&path, &baseline).map_err(UserError::from)?
        }
    };
    let (globs, default) = (policy.tiers.owners.len(), policy.tiers.default.to_string());
    print(&cli::policy_valid(&path.display().to_string(), globs, &default, &policy.origin));
    Ok(ExitCode::SUCCESS)
}

/// Exit 1 when a case fails.
fn test(dir: Option<PathBuf>, policy: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let cwd = current_dir()?;
    let chosen = gate::policy_from_disk(policy.as_deref(), &cwd)?;
    tracing::info!("policy: {}", chosen.origin);
    let dir = dir.unwrap_or_else(|| PathBuf::from(".github/flowgate-tests"));
    let results = cases::run(&dir, &chosen.policy)?;
    let mut out = String::new();
    let failed = results.iter().filter(|r| !r.mismatches.is_empty()).count();
    for r in &results {
        out.push_str(&cli::case_line(&r.name, r.description.as_deref(), &r.mismatches));
    }
    out.push_str(&cli::cases_summary(results.len() - failed, failed));
    print(&out);
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
