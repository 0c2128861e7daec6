//! The `flowgate` command: parse arguments, call the library, map outcomes to exit codes
//! (0 pass or pending, 1 fail, 2 bad input or a bad policy).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use flowgate::gate::{self, cases};
use flowgate::git::LocalPr;
use flowgate::policy::load;
use flowgate::report::{self, Format};
use flowgate::{State, UserError};

#[derive(Parser)]
#[command(
    name = "flowgate",
    version,
    about = "A review-flow gatekeeper for GitHub pull requests",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Gate a pull request: a saved snapshot (--snapshot DIR) or the current git branch.
    Check(CheckArgs),
    /// Write, lint and test policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Save a live pull request as a snapshot directory that `check --snapshot` reads.
    Snapshot {
        #[command(flatten)]
        remote: RemoteArgs,
        /// The directory to write pull.json, files.json, commits.json, reviews.json, events.json to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// A live pull request on GitHub.
#[derive(Args)]
struct RemoteArgs {
    /// The repository, OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", requires = "pr")]
    repo: Option<String>,
    /// The pull request number.
    #[arg(long, value_name = "N", requires = "repo")]
    pr: Option<u64>,
    /// A token that can read the repository (default: $GITHUB_TOKEN).
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The REST API's base URL (GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(long, env = "GITHUB_API_URL", default_value = flowgate::github::DEFAULT_API_URL)]
    api_url: String,
}

impl RemoteArgs {
    fn target(&self) -> Result<Option<(flowgate::github::RepoName, u64)>, UserError> {
        match (&self.repo, self.pr) {
            (Some(repo), Some(pr)) => Ok(Some((flowgate::github::RepoName::parse(repo)?, pr))),
            _ => Ok(None),
        }
    }

    fn client(&self) -> Result<flowgate::github::GitHub, UserError> {
        flowgate::github::GitHub::new(&self.api_url, self.token.clone().and_then(flowgate::github::Token::new))
    }
}

#[derive(Args)]
struct CheckArgs {
    /// A directory of saved GitHub responses: pull.json, files.json, and optionally commits.json,
    /// reviews.json, events.json.
    #[arg(long, value_name = "DIR", conflicts_with = "repo")]
    snapshot: Option<PathBuf>,
    /// Gate a live PR (--repo OWNER/NAME --pr N), read-only: nothing is posted.
    #[command(flatten)]
    remote: RemoteArgs,
    /// The policy file. Default: .github/flowgate.yml (in local git mode, as it is on the base
    /// branch), else the bundled default policy.
    #[arg(long, value_name = "PATH")]
    policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Local git mode: the base branch (default: the remote's default branch, else main).
    #[arg(long, value_name = "REF", conflicts_with_all = ["snapshot", "repo"])]
    base: Option<String>,
    /// Local git mode: the PR title (default: the first commit's subject).
    #[arg(long, conflicts_with_all = ["snapshot", "repo"])]
    title: Option<String>,
    /// Local git mode: the PR description.
    #[arg(long, conflicts_with_all = ["snapshot", "repo", "body_file"])]
    body: Option<String>,
    /// Local git mode: read the PR description from a file.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["snapshot", "repo"])]
    body_file: Option<PathBuf>,
    /// Local git mode: a label the PR will carry (repeatable).
    #[arg(long = "label", value_name = "NAME", conflicts_with_all = ["snapshot", "repo"])]
    labels: Vec<String>,
    /// Local git mode: your GitHub login (default: read from git's user.email or user.name).
    #[arg(long, value_name = "LOGIN", conflicts_with_all = ["snapshot", "repo"])]
    author: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Check a policy file; errors name the file, line and column.
    Validate {
        /// Default: .github/flowgate.yml
        path: Option<PathBuf>,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Policy(cmd) => policy(cmd),
        Command::Snapshot { remote, out } => snapshot(remote, out),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("flowgate: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> Result<ExitCode, UserError> {
    let cwd =
        std::env::current_dir().map_err(|e| UserError::Usage(format!("cannot read the current directory: {e}")))?;
    let verdict = match (&args.snapshot, args.remote.target()?) {
        (_, Some((repo, pr))) => {
            let gh = args.remote.client()?;
            let (chosen, verdict) = gate::check_remote(&gh, &repo, pr, args.policy.as_deref())?;
            eprintln!("flowgate: policy: {}", chosen.origin);
            eprintln!("flowgate: {} GitHub API request{}", gh.requests(), if gh.requests() == 1 { "" } else { "s" });
            verdict
        }
        (Some(dir), None) => {
            let chosen = gate::policy_from_disk(args.policy.as_deref(), &cwd)?;
            eprintln!("flowgate: policy: {}", chosen.origin);
            gate::check_snapshot(dir, &chosen.policy)?.1
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
            };
            let (chosen, verdict) = gate::check_local(&cwd, &pr, args.policy.as_deref())?;
            eprintln!("flowgate: policy: {}", chosen.origin);
            verdict
        }
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    print(&report::render(&verdict, args.format, color));
    Ok(if verdict.state == State::Fail { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn snapshot(remote: RemoteArgs, out: PathBuf) -> Result<ExitCode, UserError> {
    let (repo, pr) = remote.target()?.ok_or_else(|| UserError::Usage("give --repo OWNER/NAME and --pr N".into()))?;
    let gh = remote.client()?;
    let raw = gh.pull_request(&repo, pr)?;
    // Parse before saving, so that a snapshot that would not read back is never written.
    flowgate::snapshot::parse(&raw, &out)?;
    raw.write_dir(&out)?;
    eprintln!("flowgate: saved {repo}#{pr} to {} ({} GitHub API requests)", out.display(), gh.requests());
    Ok(ExitCode::SUCCESS)
}

fn policy(cmd: PolicyCommand) -> Result<ExitCode, UserError> {
    match cmd {
        PolicyCommand::Validate { path } => {
            let path = path.unwrap_or_else(|| PathBuf::from(gate::POLICY_PATH));
            let policy = load::load_file(&path)?;
            let globs = policy.tiers.owners.len();
            print(&format!(
                "{}: valid ({} tier glob{}, default tier {}, read from {})\n",
                path.display(),
                globs,
                if globs == 1 { "" } else { "s" },
                policy.tiers.default,
                policy.origin.join(" <- ")
            ));
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Schema => {
            print(&load::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Test { dir, policy } => {
            let cwd = std::env::current_dir()
                .map_err(|e| UserError::Usage(format!("cannot read the current directory: {e}")))?;
            let chosen = gate::policy_from_disk(policy.as_deref(), &cwd)?;
            eprintln!("flowgate: policy: {}", chosen.origin);
            let dir = dir.unwrap_or_else(|| PathBuf::from(".github/flowgate-tests"));
            let results = cases::run(&dir, &chosen.policy)?;
            let mut out = String::new();
            let failed = results.iter().filter(|r| !r.mismatches.is_empty()).count();
            for r in &results {
                if r.mismatches.is_empty() {
                    out.push_str(&format!("ok    {}\n", r.name));
                    continue;
                }
                out.push_str(&format!(
                    "FAIL  {}{}\n",
                    r.name,
                    r.description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
                ));
                for (what, expected, got) in &r.mismatches {
                    out.push_str(&format!("        {what}: expected {expected}, got {got}\n"));
                }
            }
            out.push_str(&format!("{} passed, {} failed\n", results.len() - failed, failed));
            print(&out);
            Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// Writes to stdout; a closed pipe (`flowgate check | head`) is not an error worth a panic.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
