//! `flowgate policy`: check a policy file, print its JSON Schema, run policy test cases.

use std::path::PathBuf;
use std::process::ExitCode;

use flowgate::UserError;
use flowgate::gate::{self, cases};
use flowgate::policy::load;
use flowgate::wording::cli;

use crate::common::{current_dir, print};

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
    /// Run policy test cases: directories holding a snapshot and an expect.yml.
    Test {
        /// Default: .github/flowgate-tests
        dir: Option<PathBuf>,
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Validate { path, baseline } => validate(path, baseline),
        Command::Schema => {
            print(&load::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Test { dir, policy } => test(dir, policy),
    }
}

fn validate(path: Option<PathBuf>, baseline: Option<String>) -> anyhow::Result<ExitCode> {
    let path = path.unwrap_or_else(|| PathBuf::from(gate::POLICY_PATH));
    // Over a baseline the file need not be a whole policy: the baseline gives the rest, as in the App.
    let policy = match baseline {
        None => {
            let (policy, warnings) = load::load_file_with_warnings(&path).map_err(UserError::from)?;
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
