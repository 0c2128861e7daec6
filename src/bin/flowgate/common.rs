//! What several commands share: the process's runtime, writing to stdout, the current
//! directory, and the line that sums up a run's GitHub requests.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use flowgate::github::Usage;

/// The one runtime of the process, built in `main`. Commands stay synchronous and run their
/// network work on it one piece at a time; the App's workers need more than one thread.
pub struct Runtime(tokio::runtime::Runtime);

impl Runtime {
    /// The process's one runtime; without it no command runs (the system refused a thread or a
    /// file descriptor), which is nobody's usage error.
    pub fn new() -> anyhow::Result<Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map(Runtime)
            .context("cannot start the runtime")
    }

    /// Makes the runtime the current one until the guard drops, so that the library's
    /// synchronous paths that need one (`gate::chains::gather_blocking`) use it rather than
    /// building their own.
    pub fn enter(&self) -> tokio::runtime::EnterGuard<'_> {
        self.0.enter()
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

/// The working directory; a process whose directory was removed under it cannot read it.
pub fn current_dir() -> anyhow::Result<PathBuf> {
    std::env::current_dir().context("cannot read the current directory")
}

pub fn usage_line(usage: Usage) -> String {
    flowgate::wording::cli::usage_line(usage)
}
