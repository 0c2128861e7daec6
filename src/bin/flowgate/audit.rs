//! `flowgate audit`: the traceability audit of the PRs merged in a span.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use flowgate::audit::{fetch, render};
use flowgate::github::RepoName;
use flowgate::policy::load;
use flowgate::{UserError, gate};

use crate::common::{Runtime, print, usage_line};
use crate::connection::Connection;
use crate::span::{parse_span, parse_time, span_start};

/// The traceability audit: which PRs merged in a span trace Story -> Epic -> PRD -> OKR,
/// which are orphaned, where chains break, and merged work per OKR (docs/audit.md).
#[derive(clap::Args)]
pub struct Args {
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

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let repo = RepoName::parse(&args.repo)?;
    let policy = args.policy.as_deref().map(load::load_file).transpose().map_err(UserError::from)?;
    let end = args.until.unwrap_or_else(chrono::Utc::now);
    let span = (span_start(end, args.since)?, end);
    let sample = args.sample.map(|n| (n as usize, args.seed));
    let audit = rt.run(async {
        let gh = args.connection.client(&repo).await?;
        let trackers = gate::chains::trackers_from_env(gh.api_url(), args.connection.token.as_deref())?;
        let audit = fetch::run(&gh, &trackers, fetch::Request { repo: &repo, span, policy, sample }).await?;
        let t = trackers.usage();
        tracing::info!(
            "{}; trackers: {} requests, {} answers from the cache",
            usage_line(gh.usage()),
            t.requests,
            t.cache_hits
        );
        Ok::<_, gate::Error>(audit)
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
            tracing::info!("wrote the audit to {}", path.display());
        }
        None => print(&text),
    }
    Ok(ExitCode::SUCCESS)
}
