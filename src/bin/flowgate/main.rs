//! The `flowgate` command: parse arguments, run one command on the process's one runtime, map
//! its outcome to an exit code (0 pass or pending, 1 fail, 2 bad input or a bad policy; for
//! `doctor`: 0 ready, 1 not ready, 2 cannot tell). Each command is a file here with its arguments
//! (`Args`, whose doc comment is its help) and `run`.

mod action;
mod app;
mod audit;
mod backfill;
mod check;
mod common;
mod connection;
mod database;
mod digest;
mod doctor;
mod init;
mod logging;
mod org;
mod policy;
mod queue;
mod serve;
mod simulate_assign;
mod snapshot;
mod span;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Check(check::Args),
    Init(init::Args),
    #[command(subcommand)]
    Policy(policy::Command),
    Action(action::Args),
    Serve(serve::Args),
    #[command(subcommand)]
    Queue(queue::Command),
    #[command(subcommand)]
    App(app::Command),
    SimulateAssign(simulate_assign::Args),
    Backfill(backfill::Args),
    Digest(digest::Args),
    Audit(audit::Args),
    Snapshot(snapshot::Args),
    Doctor(doctor::Args),
    #[command(subcommand)]
    Org(org::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(match cli.command {
        Command::Serve(_) => logging::Audience::App,
        _ => logging::Audience::Cli,
    });
    // The edge where errors become words: a command's error is a `UserError` (what the person
    // must fix), the gate's typed error, or a runtime or store failure with the context of what
    // was being done; each is printed as its own sentence.
    let result = common::Runtime::new().and_then(|rt| {
        let _current = rt.enter();
        match cli.command {
            Command::Check(args) => check::run(args, &rt),
            Command::Init(args) => init::run(args),
            Command::Policy(cmd) => policy::run(cmd, &rt),
            Command::Action(args) => action::run(args, &rt),
            Command::Serve(args) => serve::run(args, &rt),
            Command::Queue(cmd) => queue::run(cmd, &rt),
            Command::App(cmd) => app::run(cmd, &rt),
            Command::SimulateAssign(args) => simulate_assign::run(args),
            Command::Backfill(args) => backfill::run(args, &rt),
            Command::Digest(args) => digest::run(args, &rt),
            Command::Audit(args) => audit::run(args, &rt),
            Command::Snapshot(args) => snapshot::run(args, &rt),
            Command::Doctor(args) => doctor::run(args, &rt),
            Command::Org(cmd) => org::run(cmd, &rt),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            // The command's result for a person, not a log line: printed whatever `RUST_LOG` says,
            // with the context of an `anyhow` chain before its cause.
            eprintln!("flowgate: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
