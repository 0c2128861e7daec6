//! `flowgate simulate-assign`: replay a history of PRs and reviews and compare reviewer choices.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use flowgate::UserError;
use flowgate::gate::simulate_assign::{self as simulate, SimFormat};

use crate::common::print;

/// Compare flowgate's reviewer choices with round-robin, random and GitHub's load balance by
/// replaying a history of PRs and reviews (docs/assign.md).
#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["history", "synthetic"]))]
pub struct Args {
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
    /// A tier's review SLO ladder, `TIER=TIME:REMIND,CHANNEL,REASSIGN` (e.g.
    /// `red=4h:50%,100%,150%`, `-` skips a step); repeat per tier. Replaces the policy's
    /// `latency.slo` and the synthetic month's ladder; `--slo off` replays without one.
    #[arg(long, value_name = "TIER=TIME:SHARES")]
    slo: Vec<String>,
    #[arg(long, value_enum, default_value_t = ReplayFormat::Markdown)]
    format: ReplayFormat,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let source = match &args.history {
        Some(path) => simulate::Source::History(path),
        None => simulate::Source::Synthetic { seed: args.seed, write_history: args.write_history.as_deref() },
    };
    let ladder = simulate::parse_ladder(&args.slo).map_err(UserError::Usage)?;
    let replay = simulate::run(source, args.policy.as_deref(), ladder)?;
    tracing::info!("replayed {}", replay.described);
    print(&simulate::render(&replay, args.format.into()).context("cannot write the comparison as JSON")?);
    Ok(ExitCode::SUCCESS)
}

/// `--format`: how the replay is printed.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReplayFormat {
    Markdown,
    Json,
}

impl From<ReplayFormat> for SimFormat {
    fn from(format: ReplayFormat) -> SimFormat {
        match format {
            ReplayFormat::Markdown => SimFormat::Markdown,
            ReplayFormat::Json => SimFormat::Json,
        }
    }
}
