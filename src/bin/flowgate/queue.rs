//! `flowgate queue`: the App's parked deliveries, listed or queued again.

use anyhow::Context;
use std::process::ExitCode;

use flowgate::wording::cli;

use crate::common::{Runtime, print};
use crate::database::DatabaseArg;

/// The App's stored deliveries: list those parked after failing, or queue them again.
#[derive(clap::Subcommand)]
pub enum Command {
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

pub fn run(cmd: Command, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let (Command::Parked { db } | Command::Retry { db, .. }) = &cmd;
    let url = db.url()?;
    rt.run(async {
        let store = flowgate::store::Store::connect(&url).await.context("opening the database")?;
        match cmd {
            Command::Parked { .. } => {
                let parked = store.parked().await.context("listing the parked deliveries")?;
                let mut out = String::new();
                for p in &parked {
                    out.push_str(&cli::parked_line(p));
                }
                out.push_str(&cli::parked_total(parked.len()));
                print(&out);
            }
            Command::Retry { id, .. } => {
                let n = store
                    .requeue_parked(id.as_deref(), flowgate::serve::now_ms())
                    .await
                    .context("putting the parked deliveries back in the queue")?;
                print(&cli::requeued(n));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
