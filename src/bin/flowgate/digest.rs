//! `flowgate digest`: the review-bottleneck digest of a span, from the App's database, printed,
//! written to a file or posted to Slack.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::ValueEnum;
use flowgate::latency::{ClockMode, Window};
use flowgate::trackers::config::{NONE_FOR_DIGEST, Trackers};
use flowgate::{UserError, gate};

use crate::common::{Runtime, current_dir, print};
use crate::database::DatabaseArg;
use crate::span::{parse_span, parse_time, span_start};

/// The review-bottleneck digest of a span, from the review events in the App's database.
#[derive(clap::Args)]
pub struct Args {
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
    /// A target to try before enforcing it, TIER=DURATION (e.g. red=8h): for each week of the
    /// trend, how many PRs of the tier would have breached it; it raises no finding. Repeatable.
    #[arg(long = "try-target", value_name = "TIER=DURATION", value_parser = parse_target)]
    tried_targets: Vec<(flowgate::policy::Tier, std::time::Duration)>,
    /// A login of an AI review tool whose reviews are not a person's review; given at least
    /// once, these replace the policy's `latency.ai_reviewers`. Repeatable.
    #[arg(long = "ai-reviewer", value_name = "LOGIN")]
    ai_reviewers: Vec<String>,
    #[command(flatten)]
    db: DatabaseArg,
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

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let cwd = current_dir()?;
    let chosen = gate::policy_from_disk(args.policy.as_deref(), &cwd)?;
    let mode = match args.clock {
        DigestClock::Business => ClockMode::Business,
        DigestClock::Calendar => ClockMode::Calendar,
    };
    let overrides = flowgate::gate::digest_settings::Overrides {
        timezone: args.timezone.clone(),
        targets: args.targets.clone(),
        tried_targets: args.tried_targets.clone(),
        ai_reviewers: args.ai_reviewers.clone(),
    };
    let config = flowgate::gate::digest_settings::config(&chosen.policy, &overrides, mode)
        .map_err(|e| UserError::Usage(e.to_string()))?;
    // Checked before any work, so a missing webhook is reported at once.
    let slack_url = match (args.post, args.format) {
        (false, _) => None,
        (true, DigestFormat::Slack) => Some(
            flowgate::slack::webhook_url(std::env::var(flowgate::slack::WEBHOOK_ENV).ok())
                .map_err(|e| UserError::Usage(e.to_string()))?,
        ),
        (true, _) => return Err(UserError::Usage("--post sends Slack's message: add --format slack".into()).into()),
    };
    let now = chrono::Utc::now();
    let end = args.until.unwrap_or(now);
    let window = Window::new(span_start(end, args.since)?, end);
    let repos = (!args.repos.is_empty()).then_some(args.repos.as_slice());
    let request = gate::digest::Request { config, policy: &chosen.policy, window, now: now.min(end), repos };
    let digest = rt.run(async {
        let store = args.db.connect().await.context("opening the database")?;
        let (digest, trackers) = gate::digest::compute(&store, request, digest_trackers).await?;
        if let Some(trackers) = trackers {
            let t = trackers.usage();
            tracing::info!("trackers: {} requests, {} answers from the cache", t.requests, t.cache_hits);
        }
        Ok::<_, anyhow::Error>(digest)
    })?;
    let text = render_digest(&digest, args.format);
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| UserError::input(path, format!("cannot write: {e}")))?;
            tracing::info!("wrote the digest to {}", path.display());
        }
        None if slack_url.is_some() => {}
        None => print(&text),
    }
    if let Some(url) = slack_url {
        rt.run(flowgate::slack::post(&url, &text, flowgate::slack::TIMEOUT)).context("the digest was not posted")?;
        tracing::info!("posted the digest to Slack");
    }
    Ok(ExitCode::SUCCESS)
}

/// `red=8h`: a tier and its review-time target.
fn parse_target(text: &str) -> Result<(flowgate::policy::Tier, std::time::Duration), String> {
    let (tier, target) = text.split_once('=').ok_or_else(|| format!("`{text}` is not TIER=DURATION, e.g. red=8h"))?;
    Ok((tier.trim().parse()?, flowgate::policy::latency::ReviewTarget::parse(target)?.0))
}

/// The trackers `flowgate digest` traces with, from the environment; the inner `Err` says why
/// there are none.
fn digest_trackers() -> Result<Result<Arc<Trackers>, String>, gate::Error> {
    let trackers = Trackers::for_digest_from_env().map_err(gate::Error::Trackers)?;
    Ok(trackers.map(Arc::new).ok_or_else(|| NONE_FOR_DIGEST.to_string()))
}

/// The one place a digest becomes text: other formats plug in here.
fn render_digest(digest: &flowgate::latency::Digest, format: DigestFormat) -> String {
    use flowgate::report::digest::{self as render, Format};
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
    text
}
