//! What several commands share: the process's runtime, writing to stdout, the current
//! directory, and the line that sums up a run's GitHub requests.

use std::io::Write;
use std::path::PathBuf;

use flowgate::UserError;
use flowgate::github::Usage;

/// The one runtime of the process, built in `main`. Commands stay synchronous and run their
/// network work on it one piece at a time; the App's workers need more than one thread.
pub struct Runtime(tokio::runtime::Runtime);

impl Runtime {
    pub fn new() -> Result<Runtime, UserError> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map(Runtime)
            .map_err(|e| UserError::Usage(format!("cannot start the runtime: {e}")))
    }

    /// Makes the runtime the current one until the guard drops, so that the library's
    /// synchronous paths that need one (`gate::chains::gather_blocking`) use it rather than
    /// building their own.
    pub fn enter(&self) -> tokio::runtime::EnterGuard<'_> {
        self.0.enter()
    }

    /// Runs `work` to completion.
    pub fn block_on<T>(&self, work: impl Future<Output = Result<T, UserError>>) -> Result<T, UserError> {
        self.0.block_on(work)
    }

    /// Runs `work`, whatever its error type, to completion.
    pub fn run<T>(&self, work: impl Future<Output = T>) -> T {
        self.0.block_on(work)
    }
}

/// Writes to stdout; a closed pipe (`flowgate check | head`) is not an error worth a panic.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

pub fn current_dir() -> Result<PathBuf, UserError> {
    std::env::current_dir().map_err(|e| UserError::Usage(format!("cannot read the current directory: {e}")))
}

pub fn usage_line(usage: Usage) -> String {
    flowgate::wording::cli::usage_line(usage)
}
