//! `flowgate action`: one GitHub Actions step. Errors also reach the job summary and the log as
//! a workflow error, so a broken run is as visible as a failing one.

use std::path::PathBuf;
use std::process::ExitCode;

use flowgate::action::{self, ActionEnv, FailOn};
use flowgate::{UserError, gate};

use crate::common::{Runtime, print, usage_line};
use crate::connection::Connection;

/// Run as a GitHub Actions step: gate the event's pull request, post the check run and tier
/// label, write the job summary and step outputs.
#[derive(clap::Args)]
pub struct Args {
    /// The policy file. Default: .github/flowgate.yml on the PR's base branch, else the bundled default.
    #[arg(long, value_name = "PATH")]
    policy: Option<PathBuf>,
    /// When the job fails: on a failing verdict, also on a pending one, or never.
    #[arg(long, value_enum, default_value_t = FailOnArg::Fail)]
    fail_on: FailOnArg,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: Args, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let env = ActionEnv::read(|name| std::env::var(name).ok()).map_err(UserError::from)?;
    let result = rt.run(async {
        let gh = args.connection.client(&env.repository).await?;
        let outcome = action::run(&env, &gh, args.policy.as_deref(), args.fail_on.into()).await?;
        Ok::<_, gate::Error>((outcome, gh.usage()))
    });
    let (outcome, usage) = match result {
        Ok(done) => done,
        Err(e) => {
            if let Some(path) = &env.step_summary {
                let _ = action::append(path, &flowgate::wording::cli::action_failed(&e));
            }
            print(&format!("{}\n", action::commands::command("error", &[("title", "flowgate")], &e.to_string())));
            return Err(e.into());
        }
    };
    if let Some(path) = &env.step_summary {
        action::append(path, &outcome.summary).map_err(UserError::from)?;
    }
    if let Some(path) = &env.output {
        action::append(path, &action::commands::output_file_text(&outcome.outputs)).map_err(UserError::from)?;
    }
    let mut log = outcome.log.join("\n");
    log.push('\n');
    print(&log);
    tracing::info!("{}", usage_line(usage));
    Ok(if outcome.failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `--fail-on`: when the job fails.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOnArg {
    /// Only a failing verdict fails the job.
    Fail,
    /// A pending verdict (waiting for review) fails it too.
    Pending,
    /// The job never fails on the verdict; the check run gates the merge.
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(arg: FailOnArg) -> FailOn {
        match arg {
            FailOnArg::Fail => FailOn::Fail,
            FailOnArg::Pending => FailOn::Pending,
            FailOnArg::Never => FailOn::Never,
        }
    }
}
