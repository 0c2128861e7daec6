//! `flowgate queue`: the App's parked deliveries, listed or queued again.

use std::process::ExitCode;

use flowgate::UserError;
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

pub fn run(cmd: Command, rt: &Runtime) -> Result<ExitCode, UserError> {
    let (Command::Parked { db } | Command::Retry { db, .. }) = &cmd;
    let url = db.url()?;
    rt.block_on(async {
        let store = flowgate::store::Store::connect(&url).await.map_err(|e| UserError::Usage(e.to_string()))?;
        match cmd {
            Command::Parked { .. } => {
                let parked = store.parked().await.map_err(|e| UserError::Usage(e.to_string()))?;
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
                    .map_err(|e| UserError::Usage(e.to_string()))?;
                print(&cli::requeued(n));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
