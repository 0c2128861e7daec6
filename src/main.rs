//! The `flowgate` command: parse arguments, call the library, map outcomes to exit codes
//! (0 pass or pending, 1 fail, 2 bad input or a bad policy).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use flowgate::action::{self, ActionEnv, FailOn};
use flowgate::assign::cli::{self as simulate, SimFormat};
use flowgate::gate::{self, cases};
use flowgate::git::LocalPr;
use flowgate::github::{AppKey, Credentials, GitHub, RepoName, Token, Usage};
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
    /// Set flowgate up in this repository: a policy guessed from its layout and history, the
    /// Action workflow and the pull request template; then gate the current branch.
    Init(InitArgs),
    /// Write, lint and test policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run as a GitHub Actions step: gate the event's pull request, post the check run and tier
    /// label, write the job summary and step outputs.
    Action(ActionArgs),
    /// Run the GitHub App: receive webhooks, gate every PR of every installed repository.
    Serve {
        /// The configuration file (default: $FLOWGATE_CONFIG, else ./flowgate.toml if present).
        /// FLOWGATE_* environment variables win over it.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Check the settings, the private key and the database (and bring its tables up to date), then exit.
        #[arg(long)]
        check_config: bool,
    },
    /// The App's stored deliveries: list those parked after failing, or queue them again.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// The GitHub App itself.
    #[command(subcommand)]
    App(AppCommand),
    /// Compare flowgate's reviewer choices with round-robin, random and GitHub's load balance by
    /// replaying a history of PRs and reviews (docs/assign.md).
    SimulateAssign(SimulateArgs),
    /// Import review history into the App's database for the digest: the PRs of a repository
    /// updated since a time (from GitHub's timelines), or saved snapshot directories.
    Backfill(BackfillArgs),
    /// The review-bottleneck digest of a span, from the review events in the App's database.
    Digest(DigestArgs),
    /// The traceability audit: which PRs merged in a span trace Story -> Epic -> PRD -> OKR,
    /// which are orphaned, where chains break, and merged work per OKR (docs/audit.md).
    Audit(AuditArgs),
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
    #[command(flatten)]
    connection: Connection,
}

/// How to reach GitHub, and as whom.
#[derive(Args)]
struct Connection {
    /// A token that can read the repository (default: $GITHUB_TOKEN).
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true)]
    token: Option<String>,
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
    async fn client(&self, repo: &RepoName) -> Result<GitHub, UserError> {
        let (Some(app_id), Some(key_path)) = (self.app_id, &self.app_key) else {
            let credentials = match self.token.clone().and_then(Token::new) {
                Some(token) => Credentials::Token(token),
                None => Credentials::Anonymous,
            };
            return GitHub::new(&self.api_url, credentials);
        };
        let pem = std::fs::read(key_path).map_err(|e| UserError::input(key_path, format!("cannot read: {e}")))?;
        let app = AppKey::from_pem(app_id, &pem)?;
        // The installation is looked up as the App, then the client acts as that installation.
        let lookup = GitHub::new(&self.api_url, Credentials::App(app.clone()))?;
        let installation_id = lookup.installation_for(repo).await?;
        GitHub::new(&self.api_url, Credentials::Installation { app, installation_id })
    }
}

impl RemoteArgs {
    fn target(&self) -> Result<Option<(RepoName, u64)>, UserError> {
        match (&self.repo, self.pr) {
            (Some(repo), Some(pr)) => Ok(Some((RepoName::parse(repo)?, pr))),
            _ => Ok(None),
        }
    }
}

#[derive(Args)]
struct InitArgs {
    /// The bundled pack the policy starts from: default or strict.
    #[arg(long, default_value = "default", value_name = "NAME")]
    pack: String,
    /// Print what would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Replace files that exist (the template keeps its own text; only flowgate's section is rewritten).
    #[arg(long)]
    force: bool,
    /// The action to pin in the workflow, OWNER/NAME@<40-character commit> (default: a placeholder
    /// to replace, see docs/action.md).
    #[arg(long, value_name = "OWNER/NAME@SHA")]
    action: Option<String>,
}

#[derive(Args)]
struct ActionArgs {
    /// The policy file. Default: .github/flowgate.yml on the PR's base branch, else the bundled default.
    #[arg(long, value_name = "PATH")]
    policy: Option<PathBuf>,
    /// When the job fails: on a failing verdict, also on a pending one, or never.
    #[arg(long, value_enum, default_value_t = FailOn::Fail)]
    fail_on: FailOn,
    #[command(flatten)]
    connection: Connection,
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

#[derive(Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["history", "synthetic"]))]
struct SimulateArgs {
    /// A recorded history, JSON Lines (see docs/assign.md).
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Generate the synthetic month (a team of 12 with 3 seniors) and replay it.
    #[arg(long)]
    synthetic: bool,
    /// The synthetic month's seed.
    #[arg(long, value_name = "N", conflicts_with = "history", default_value_t = simulate::DEFAULT_SEED)]
    seed: u64,
    /// Save the generated history, to replay it later with --history.
    #[arg(long, value_name = "FILE", conflicts_with = "history")]
    write_history: Option<PathBuf>,
    /// A policy whose `reviewers:` (and `teams:`) give the pools; needed for a recorded history.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = SimFormat::Markdown)]
    format: SimFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum QueueCommand {
    /// Deliveries parked after failing again and again, with their last error.
    Parked {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Put parked deliveries back in the queue: one by its delivery id, or --all.
    Retry {
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        all: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Args)]
struct DatabaseArg {
    /// The App's database [default: as `flowgate serve` finds it: $FLOWGATE_DATABASE_URL, else
    /// database_url in the configuration file, else sqlite://flowgate.db].
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// The configuration file `flowgate serve` uses [default: $FLOWGATE_CONFIG, else ./flowgate.toml if present].
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct BackfillArgs {
    /// The repository whose PRs to import, OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", required_unless_present = "from_snapshots")]
    repo: Option<String>,
    /// How far back: PRs updated within this span (e.g. 90d, 12w, 36h).
    #[arg(long, value_name = "SPAN", default_value = "90d", value_parser = parse_span)]
    since: chrono::TimeDelta,
    /// Import saved snapshots instead: DIR itself, or each directory in it holding a pull.json.
    #[arg(long, value_name = "DIR", conflicts_with = "repo")]
    from_snapshots: Option<PathBuf>,
    /// With --from-snapshots, the policy whose linkage finds story keys in titles [default:
    /// .github/flowgate.yml, else the bundled default].
    #[arg(long, value_name = "PATH", requires = "from_snapshots")]
    policy: Option<PathBuf>,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    db: DatabaseArg,
}

#[derive(Args)]
struct DigestArgs {
    /// The span the digest covers, ending now (or at --until): e.g. 7d, 2w, 48h.
    #[arg(long, value_name = "SPAN", default_value = "7d", value_parser = parse_span)]
    since: chrono::TimeDelta,
    /// The end of the span, an RFC 3339 time (default: now).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<chrono::DateTime<chrono::Utc>>,
    /// Only these repositories, OWNER/NAME (repeatable; default: every repository recorded).
    #[arg(long = "repo", value_name = "OWNER/NAME")]
    repos: Vec<String>,
    #[arg(long, value_enum, default_value_t = DigestFormat::Markdown)]
    format: DigestFormat,
    /// Write the digest to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// With --format slack: post the message to the Slack incoming webhook whose URL is in
    /// $FLOWGATE_SLACK_WEBHOOK_URL instead of printing it.
    #[arg(long)]
    post: bool,
    /// The IANA time zone of the working hours and of the weeks [default: the policy's
    /// `latency.timezone`, else UTC]. With it, the working week is Monday to Friday, 09:00-17:00.
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// Measure waits in working hours or in wall-clock hours.
    #[arg(long, value_enum, default_value_t = DigestClock::Business)]
    clock: DigestClock,
    /// The policy whose `latency:` and `teams:` the digest uses [default: .github/flowgate.yml,
    /// else the bundled default].
    #[arg(long, value_name = "PATH")]
    policy: Option<PathBuf>,
    /// A tier's time-to-first-review target, TIER=DURATION (e.g. red=8h, green=90m); replaces
    /// the policy's for that tier. Repeatable.
    #[arg(long = "target", value_name = "TIER=DURATION", value_parser = parse_target)]
    targets: Vec<(flowgate::policy::Tier, std::time::Duration)>,
    /// A login of an AI review tool whose reviews are not a person's review; given at least
    /// once, these replace the policy's `latency.ai_reviewers`. Repeatable.
    #[arg(long = "ai-reviewer", value_name = "LOGIN")]
    ai_reviewers: Vec<String>,
    #[command(flatten)]
    db: DatabaseArg,
}

#[derive(Args)]
struct AuditArgs {
    /// The repository whose merged PRs to audit, OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME")]
    repo: String,
    /// PRs merged within this span, ending now (or at --until): e.g. 30d, 13w.
    #[arg(long, value_name = "SPAN", default_value = "30d", value_parser = parse_span)]
    since: chrono::TimeDelta,
    /// The end of the span, an RFC 3339 time (default: now).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<chrono::DateTime<chrono::Utc>>,
    /// Also trace this many merged PRs chosen at random, each in full.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    sample: Option<u32>,
    /// The sample's seed: the same seed over the same PRs chooses the same sample.
    #[arg(long, value_name = "N", default_value_t = flowgate::audit::DEFAULT_SEED, requires = "sample")]
    seed: u64,
    #[arg(long, value_enum, default_value_t = AuditFormat::Markdown)]
    format: AuditFormat,
    /// Write the audit to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// The policy whose linkage finds keys and names the levels [default: .github/flowgate.yml on
    /// the base branch of the newest merged PR].
    #[arg(long, value_name = "PATH")]
    policy: Option<PathBuf>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Clone, Copy, ValueEnum)]
enum AuditFormat {
    /// GitHub-ready tables.
    Markdown,
    Json,
    /// One self-contained page.
    Html,
}

/// The digest's output formats (docs/digest.md).
#[derive(Clone, Copy, ValueEnum)]
enum DigestFormat {
    /// For a GitHub issue, with mermaid charts.
    Markdown,
    /// One self-contained page with SVG charts.
    Html,
    /// Slack Block Kit JSON, for an incoming webhook.
    Slack,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum DigestClock {
    Business,
    Calendar,
}

#[derive(Subcommand)]
enum AppCommand {
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
        Command::Init(args) => init(args),
        Command::Policy(cmd) => policy(cmd),
        Command::Action(args) => run_action(args),
        Command::Serve { config, check_config } => serve(config, check_config),
        Command::Queue(cmd) => queue(cmd),
        Command::App(AppCommand::Manifest { name, url }) => {
            print(&format!("{:#}\n", flowgate::serve::manifest::manifest(&name, &url)));
            Ok(ExitCode::SUCCESS)
        }
        Command::Snapshot { remote, out } => snapshot(remote, out),
        Command::SimulateAssign(args) => simulate_assign(args),
        Command::Backfill(args) => backfill(args),
        Command::Digest(args) => digest(args),
        Command::Audit(args) => audit(args),
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
            let (gated, usage) = block_on(async {
                let gh = args.remote.connection.client(&repo).await?;
                let gated = gate::remote::gate(&gh, &repo, pr, args.policy.as_deref()).await?;
                Ok((gated, gh.usage()))
            })?;
            eprintln!("flowgate: policy: {}", gated.chosen.origin);
            eprintln!("flowgate: {}", usage_line(usage));
            if let Some(t) = gated.tracker_usage {
                eprintln!(
                    "flowgate: trackers: {} requests ({} answered 304), {} answers from the cache",
                    t.requests, t.not_modified, t.cache_hits
                );
            }
            gated.verdict
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
                include_uncommitted: args.include_uncommitted,
            };
            let (chosen, verdict) = gate::check_local(&cwd, &pr, args.policy.as_deref())?;
            eprintln!("flowgate: policy: {}", chosen.origin);
            let uncommitted = flowgate::git::Repo::discover(&cwd)?.uncommitted()?;
            if let Some(line) = uncommitted_line(uncommitted.len(), args.include_uncommitted) {
                eprintln!("flowgate: {line}");
            }
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

/// What a local check says about changes that are not committed, if there are any.
fn uncommitted_line(files: usize, included: bool) -> Option<String> {
    let (n, have) = match files {
        0 => return None,
        1 => ("1 file".to_string(), "has"),
        n => (format!("{n} files"), "have"),
    };
    Some(if included {
        format!(
            "{n} with uncommitted changes {} included: the working tree is gated against the base",
            if files == 1 { "is" } else { "are" }
        )
    } else {
        format!(
            "{n} {have} uncommitted changes that this check does not include; commit them, or run with --include-uncommitted"
        )
    })
}

/// `flowgate init`: plan, print, write (unless --dry-run), then gate the current branch with the
/// policy as it now stands. Exit 0 once the files are in place, whatever the gate says: the
/// verdict shows the gate working, it is not the result of `init`.
fn init(args: InitArgs) -> Result<ExitCode, UserError> {
    use flowgate::init::{self, Change};
    let cwd =
        std::env::current_dir().map_err(|e| UserError::Usage(format!("cannot read the current directory: {e}")))?;
    let repo = flowgate::git::Repo::discover(&cwd)?;
    let root = repo.root().to_path_buf();
    let mut existing = Vec::new();
    for path in [gate::POLICY_PATH, init::WORKFLOW_PATH].iter().chain(init::TEMPLATE_PATHS) {
        let full = root.join(path);
        if full.is_file() {
            let text =
                std::fs::read_to_string(&full).map_err(|e| UserError::input(&full, format!("cannot read: {e}")))?;
            existing.push((path.to_string(), text));
        }
    }
    let facts = init::Repository {
        files: repo.files()?,
        messages: repo.recent_messages(init::HISTORY)?,
        branches: repo.branch_names()?,
        existing,
    };
    let options = init::Options { pack: args.pack.clone(), force: args.force, action: args.action.clone() };
    let plan = init::plan(&facts, &options)?;
    let mut out = String::new();
    for line in &plan.found {
        out.push_str(&format!("found: {line}\n"));
    }
    out.push('\n');
    if args.dry_run {
        for file in &plan.files {
            let (what, text) = match &file.change {
                Change::Create(t) => ("would write".to_string(), Some(t)),
                Change::Overwrite(t) => ("would replace (--force)".to_string(), Some(t)),
                Change::Append(t) => ("would append flowgate's section".to_string(), Some(t)),
                Change::Keep(why) => (format!("would keep: {why}"), None),
            };
            out.push_str(&format!("{}: {what}: {}\n", file.path, file.purpose));
            if let Some(text) = text {
                out.push_str(&format!("----- {} -----\n{text}", file.path));
                if !text.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("-----\n");
            }
        }
        out.push_str("\nDry run: nothing was written.\n");
    } else {
        for done in init::apply(&root, &plan)? {
            out.push_str(&format!("{}: {}: {}\n", done.path, done.what, done.purpose));
        }
    }
    if plan.action_placeholder {
        out.push_str(&format!(
            "\nIn {}, replace `{}` with the release's commit (git ls-remote https://github.com/flowgate/flowgate 'refs/tags/v0.1.0^{{}}'), or run init again with --action OWNER/NAME@SHA.\n",
            init::WORKFLOW_PATH,
            init::render::ACTION_PLACEHOLDER
        ));
    }
    let policy_kept = plan.files.iter().any(|f| f.path == gate::POLICY_PATH && matches!(f.change, Change::Keep(_)));
    let state = match (args.dry_run, policy_kept) {
        (_, true) => "it is",
        (true, false) => "it would be written",
        (false, false) => "it is now",
    };
    out.push_str(&format!("\nThe gate on the current branch, by {} as {state}:\n\n", gate::POLICY_PATH));
    print(&out);
    // The files are in place whatever happens here: a policy that does not load (one that was
    // kept) or a branch git cannot compare is reported, not turned into a failed init.
    let policy_path = root.join(gate::POLICY_PATH);
    let gated = flowgate::policy::load::load_text(&plan.policy_text, &policy_path)
        .and_then(|policy| gate::check_local_with(&root, &LocalPr::default(), &policy));
    match gated {
        Ok(verdict) => print(&report::render(&verdict, Format::Text, false)),
        Err(e) => print(&format!("The gate could not run here yet: {e}\n")),
    }
    Ok(ExitCode::SUCCESS)
}

fn simulate_assign(args: SimulateArgs) -> Result<ExitCode, UserError> {
    let source = match &args.history {
        Some(path) => simulate::Source::History(path),
        None => simulate::Source::Synthetic { seed: args.seed, write_history: args.write_history.as_deref() },
    };
    let replay = simulate::run(source, args.policy.as_deref())?;
    eprintln!("flowgate: replayed {}", replay.described);
    print(&simulate::render(&replay, args.format)?);
    Ok(ExitCode::SUCCESS)
}

fn snapshot(remote: RemoteArgs, out: PathBuf) -> Result<ExitCode, UserError> {
    let (repo, pr) = remote.target()?.ok_or_else(|| UserError::Usage("give --repo OWNER/NAME and --pr N".into()))?;
    let (raw, usage) = block_on(async {
        let gh = remote.connection.client(&repo).await?;
        Ok((gh.pull_request(&repo, pr).await?, gh.usage()))
    })?;
    // Parse before saving, so that a snapshot that would not read back is never written.
    flowgate::snapshot::parse(&raw, &out)?;
    raw.write_dir(&out)?;
    eprintln!("flowgate: saved {repo}#{pr} to {} ({})", out.display(), usage_line(usage));
    Ok(ExitCode::SUCCESS)
}

/// `flowgate action`. Errors also reach the job summary and the log as a workflow error, so a
/// broken run is as visible as a failing one.
fn run_action(args: ActionArgs) -> Result<ExitCode, UserError> {
    let env = ActionEnv::read(|name| std::env::var(name).ok())?;
    let result = block_on(async {
        let gh = args.connection.client(&env.repository).await?;
        let outcome = action::run(&env, &gh, args.policy.as_deref(), args.fail_on).await?;
        Ok((outcome, gh.usage()))
    });
    let (outcome, usage) = match result {
        Ok(done) => done,
        Err(e) => {
            if let Some(path) = &env.step_summary {
                let _ = action::append(path, &format!("## flowgate could not gate this pull request\n\n{e}\n"));
            }
            print(&format!("{}\n", action::commands::command("error", &[("title", "flowgate")], &e.to_string())));
            return Err(e);
        }
    };
    if let Some(path) = &env.step_summary {
        action::append(path, &outcome.summary)?;
    }
    if let Some(path) = &env.output {
        action::append(path, &action::commands::output_file_text(&outcome.outputs))?;
    }
    let mut log = outcome.log.join("\n");
    log.push('\n');
    print(&log);
    eprintln!("flowgate: {}", usage_line(usage));
    Ok(if outcome.failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn serve(config: Option<PathBuf>, check_config: bool) -> Result<ExitCode, UserError> {
    use flowgate::serve::config::{ServeConfig, redact_url};
    let config = ServeConfig::load(config.as_deref(), std::env::vars().collect())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UserError::Usage(format!("cannot start the runtime: {e}")))?;
    if check_config {
        runtime.block_on(async {
            let store = flowgate::store::Store::connect(&config.database_url)
                .await
                .map_err(|e| UserError::Usage(format!("FLOWGATE_DATABASE_URL: {e}")))?;
            store.ping().await.map_err(|e| UserError::Usage(format!("FLOWGATE_DATABASE_URL: {e}")))?;
            Ok::<_, UserError>(())
        })?;
        let digest = match &config.digest {
            Some(d) => format!(
                "; weekly digest in {} on {} at {:02}:00 {}{}",
                d.repo,
                d.weekday,
                d.hour,
                d.timezone,
                if d.slack_webhook_url.is_some() { " and to Slack" } else { "" }
            ),
            None => String::new(),
        };
        print(&format!(
            "configuration ok (from {}): App {}, private key parses, {} webhook secret(s), database {} reachable and up to date, GitHub API {}, listening on {}{digest}\n",
            if config.sources.is_empty() { "defaults".to_string() } else { config.sources.join(", ") },
            config.app_id,
            config.webhook_secrets.len(),
            redact_url(&config.database_url),
            config.github_api_url,
            config.listen
        ));
        return Ok(ExitCode::SUCCESS);
    }
    runtime.block_on(async {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            eprintln!("flowgate: shutting down: no new deliveries; finishing or giving back the ones in hand");
            let _ = stop.send(true);
        });
        eprintln!("flowgate: serving on {} ({} workers)", config.listen, config.workers);
        flowgate::serve::run(config, stopped).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM (what systemd and container runtimes send) or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn queue(cmd: QueueCommand) -> Result<ExitCode, UserError> {
    let arg = match &cmd {
        QueueCommand::Parked { db } | QueueCommand::Retry { db, .. } => db,
    };
    let db = match &arg.database_url {
        Some(url) => url.clone(),
        None => flowgate::serve::config::database_url(arg.config.as_deref(), std::env::vars().collect())?,
    };
    block_on(async {
        let store = flowgate::store::Store::connect(&db).await.map_err(|e| UserError::Usage(e.to_string()))?;
        match cmd {
            QueueCommand::Parked { .. } => {
                let parked = store.parked().await.map_err(|e| UserError::Usage(e.to_string()))?;
                let mut out = String::new();
                for p in &parked {
                    let what = match (&p.repo, p.pr) {
                        (Some(r), Some(n)) => format!("{r}#{n}"),
                        _ => "-".into(),
                    };
                    out.push_str(&format!(
                        "{}  {}{}  {what}  {} attempts  {}\n",
                        p.id,
                        p.event,
                        p.action.as_ref().map(|a| format!(".{a}")).unwrap_or_default(),
                        p.attempts,
                        p.last_error.as_deref().unwrap_or("")
                    ));
                }
                out.push_str(&format!("{} parked\n", parked.len()));
                print(&out);
            }
            QueueCommand::Retry { id, .. } => {
                let n = store
                    .requeue_parked(id.as_deref(), flowgate::serve::now_ms())
                    .await
                    .map_err(|e| UserError::Usage(e.to_string()))?;
                print(&format!("{n} parked deliveries back in the queue\n"));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The App's database as `--database-url` or `--config` (or `flowgate serve`'s own search) names it.
fn database_url(arg: &DatabaseArg) -> Result<String, UserError> {
    match &arg.database_url {
        Some(url) => Ok(url.clone()),
        None => flowgate::serve::config::database_url(arg.config.as_deref(), std::env::vars().collect()),
    }
}

async fn connect_store(arg: &DatabaseArg) -> Result<flowgate::store::Store, UserError> {
    let url = database_url(arg)?;
    flowgate::store::Store::connect(&url).await.map_err(flowgate::serve::record::store_error)
}

/// `90d`, `12w`, `36h`, `30m`: a span back from now.
fn parse_span(text: &str) -> Result<chrono::TimeDelta, String> {
    let bad = || format!("`{text}` is not a span: write a whole number and a unit, e.g. 7d, 2w, 48h or 30m");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let span = match unit {
        "w" => chrono::TimeDelta::try_weeks(n),
        "d" => chrono::TimeDelta::try_days(n),
        "h" => chrono::TimeDelta::try_hours(n),
        "m" => chrono::TimeDelta::try_minutes(n),
        _ => None,
    };
    span.filter(|s| *s > chrono::TimeDelta::zero()).ok_or_else(bad)
}

/// `end - span`, refused rather than overflowing for a span reaching before any date.
fn span_start(
    end: chrono::DateTime<chrono::Utc>,
    span: chrono::TimeDelta,
) -> Result<chrono::DateTime<chrono::Utc>, UserError> {
    end.checked_sub_signed(span)
        .ok_or_else(|| UserError::Usage(format!("--since reaches back beyond the dates flowgate can count from {end}")))
}

/// `red=8h`: a tier and its review-time target.
fn parse_target(text: &str) -> Result<(flowgate::policy::Tier, std::time::Duration), String> {
    let (tier, target) = text.split_once('=').ok_or_else(|| format!("`{text}` is not TIER=DURATION, e.g. red=8h"))?;
    let tier = match tier.trim() {
        "red" => flowgate::policy::Tier::Red,
        "yellow" => flowgate::policy::Tier::Yellow,
        "green" => flowgate::policy::Tier::Green,
        other => return Err(format!("`{other}` is not a tier: write red, yellow or green")),
    };
    Ok((tier, flowgate::policy::latency::ReviewTarget::parse(target)?.0))
}

fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("`{text}` is not an RFC 3339 time such as 2025-03-10T00:00:00Z: {e}"))
}

fn backfill(args: BackfillArgs) -> Result<ExitCode, UserError> {
    use flowgate::serve::record;
    block_on(async {
        let store = connect_store(&args.db).await?;
        let (what, imported) = match (&args.from_snapshots, &args.repo) {
            (Some(dir), _) => {
                let cwd = std::env::current_dir()
                    .map_err(|e| UserError::Usage(format!("cannot read the current directory: {e}")))?;
                let chosen = gate::policy_from_disk(args.policy.as_deref(), &cwd)?;
                let events = record::snapshot_events(dir, Some(&chosen.policy.linkage.trackers))?;
                let prs = events.iter().map(|e| (&e.repo, e.pr)).collect::<std::collections::HashSet<_>>().len();
                let added = store.record_events(&events).await.map_err(record::store_error)?;
                (dir.display().to_string(), record::Imported { prs, events: events.len(), added })
            }
            (None, Some(repo)) => {
                let repo = RepoName::parse(repo)?;
                let gh = args.connection.client(&repo).await?;
                let since = span_start(chrono::Utc::now(), args.since)?;
                let imported = record::backfill(&gh, &store, &repo, since).await?;
                eprintln!("flowgate: {}", usage_line(gh.usage()));
                (repo.to_string(), imported)
            }
            (None, None) => return Err(UserError::Usage("give --repo OWNER/NAME or --from-snapshots DIR".into())),
        };
        print(&format!(
            "{what}: {} PRs, {} review events, {} new ({} already recorded)\n",
            imported.prs,
            imported.events,
            imported.added,
            imported.events as u64 - imported.added.min(imported.events as u64)
        ));
        Ok(ExitCode::SUCCESS)
    })
}

fn digest(args: DigestArgs) -> Result<ExitCode, UserError> {
    use flowgate::latency::{ClockMode, Window};
    let cwd =
        std::env::current_dir().map_err(|e| UserError::Usage(format!("cannot read the current directory: {e}")))?;
    let chosen = gate::policy_from_disk(args.policy.as_deref(), &cwd)?;
    let mode = match args.clock {
        DigestClock::Business => ClockMode::Business,
        DigestClock::Calendar => ClockMode::Calendar,
    };
    let overrides = flowgate::latency::settings::Overrides {
        timezone: args.timezone.clone(),
        targets: args.targets.clone(),
        ai_reviewers: args.ai_reviewers.clone(),
    };
    let config = flowgate::latency::settings::config(&chosen.policy, &overrides, mode)
        .map_err(|e| UserError::Usage(e.to_string()))?;
    // Checked before any work, so a missing webhook is reported at once.
    let slack_url = match (args.post, args.format) {
        (false, _) => None,
        (true, DigestFormat::Slack) => Some(
            flowgate::slack::webhook_url(std::env::var(flowgate::slack::WEBHOOK_ENV).ok())
                .map_err(|e| UserError::Usage(e.to_string()))?,
        ),
        (true, _) => return Err(UserError::Usage("--post sends Slack's message: add --format slack".into())),
    };
    let now = chrono::Utc::now();
    let end = args.until.unwrap_or(now);
    let window = Window::new(span_start(end, args.since)?, end);
    let repos = (!args.repos.is_empty()).then_some(args.repos.as_slice());
    let policy = chosen.policy;
    let digest = block_on(async {
        let store = connect_store(&args.db).await?;
        let mut builder = flowgate::serve::record::digest_builder(&store, config, window, now.min(end), repos)
            .await
            .map_err(flowgate::serve::record::store_error)?;
        let trackers = match policy.linkage.chain {
            Some(_) => digest_trackers()?,
            None => Err(String::new()),
        };
        let tracing =
            flowgate::audit::digest::trace(&policy, trackers.as_ref().map_err(Clone::clone), builder.merged_stories())
                .await;
        if let Ok(trackers) = &trackers {
            let t = trackers.usage();
            eprintln!("flowgate: trackers: {} requests, {} answers from the cache", t.requests, t.cache_hits);
        }
        builder.chain_tracing(tracing);
        Ok(builder.finish())
    })?;
    let text = render_digest(&digest, args.format)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| UserError::input(path, format!("cannot write: {e}")))?;
            eprintln!("flowgate: wrote the digest to {}", path.display());
        }
        None if slack_url.is_some() => {}
        None => print(&text),
    }
    if let Some(url) = slack_url {
        block_on(async {
            flowgate::slack::post(&url, &text, flowgate::slack::TIMEOUT)
                .await
                .map_err(|e| UserError::Usage(format!("the digest was not posted: {e}")))
        })?;
        eprintln!("flowgate: posted the digest to Slack");
    }
    Ok(ExitCode::SUCCESS)
}

/// The trackers `flowgate digest` traces with, from the environment as for the gate; GitHub
/// Issues only with a token (`GITHUB_TOKEN` or `FLOWGATE_GITHUB_ISSUES_TOKEN`). The inner `Err`
/// says why none is configured: then the digest computes no full-chain share.
fn digest_trackers() -> Result<Result<flowgate::trackers::config::Trackers, String>, UserError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let api_url = var("GITHUB_API_URL").unwrap_or_else(|| flowgate::github::DEFAULT_API_URL.to_string());
    let token = var("GITHUB_TOKEN");
    let mut trackers = gate::chains::trackers_from_env(&api_url, token.as_deref())?;
    if token.is_none() && var("FLOWGATE_GITHUB_ISSUES_TOKEN").is_none() {
        trackers.github = None;
    }
    let any = trackers.github.is_some()
        || trackers.jira.is_some()
        || trackers.linear.is_some()
        || trackers.shortcut.is_some()
        || trackers.azure.is_some();
    Ok(if any {
        Ok(trackers)
    } else {
        Err("no tracker is configured (set GITHUB_TOKEN, or a tracker's FLOWGATE_* variables, see docs/trackers.md)"
            .to_string())
    })
}

fn audit(args: AuditArgs) -> Result<ExitCode, UserError> {
    use flowgate::audit::{fetch, render};
    let repo = RepoName::parse(&args.repo)?;
    let policy = args.policy.as_deref().map(load::load_file).transpose()?;
    let end = args.until.unwrap_or_else(chrono::Utc::now);
    let span = (span_start(end, args.since)?, end);
    let sample = args.sample.map(|n| (n as usize, args.seed));
    let audit = block_on(async {
        let gh = args.connection.client(&repo).await?;
        let trackers = gate::chains::trackers_from_env(gh.api_url(), args.connection.token.as_deref())?;
        let audit = fetch::run(&gh, &trackers, fetch::Request { repo: &repo, span, policy, sample }).await?;
        let t = trackers.usage();
        eprintln!(
            "flowgate: {}; trackers: {} requests, {} answers from the cache",
            usage_line(gh.usage()),
            t.requests,
            t.cache_hits
        );
        Ok(audit)
    })?;
    let format = match args.format {
        AuditFormat::Markdown => render::Format::Markdown,
        AuditFormat::Json => render::Format::Json,
        AuditFormat::Html => render::Format::Html,
    };
    let text = render::render(format, &audit);
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| UserError::input(path, format!("cannot write: {e}")))?;
            eprintln!("flowgate: wrote the audit to {}", path.display());
        }
        None => print(&text),
    }
    Ok(ExitCode::SUCCESS)
}

/// The one place a digest becomes text: other formats plug in here.
fn render_digest(digest: &flowgate::latency::Digest, format: DigestFormat) -> Result<String, UserError> {
    use flowgate::latency::render::{self, Format};
    let format = match format {
        DigestFormat::Markdown => Format::Markdown,
        DigestFormat::Html => Format::Html,
        DigestFormat::Slack => Format::Slack,
        DigestFormat::Json => Format::Json,
    };
    let mut text = render::render(format, digest);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Runs async work to completion on a runtime of its own: the CLI does one thing at a time.
fn block_on<T>(work: impl Future<Output = Result<T, UserError>>) -> Result<T, UserError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UserError::Usage(format!("cannot start the network runtime: {e}")))?
        .block_on(work)
}

fn usage_line(usage: Usage) -> String {
    let plural = if usage.requests == 1 { "" } else { "s" };
    let mut line = format!("{} GitHub API request{plural}", usage.requests);
    if usage.not_modified > 0 {
        line.push_str(&format!(" ({} answered 304 Not Modified, free)", usage.not_modified));
    }
    if usage.retries > 0 {
        line.push_str(&format!(", {} retried", usage.retries));
    }
    line
}

fn policy(cmd: PolicyCommand) -> Result<ExitCode, UserError> {
    match cmd {
        PolicyCommand::Validate { path } => {
            let path = path.unwrap_or_else(|| PathBuf::from(gate::POLICY_PATH));
            let (policy, warnings) = load::load_file_with_warnings(&path)?;
            for warning in &warnings {
                eprintln!("flowgate: warning: {warning}");
            }
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
