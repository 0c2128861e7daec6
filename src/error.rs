//! The two tiers of errors, and the rule for which one a function returns.
//!
//! - **Typed internal errors** say what failed inside a layer, by kind, so that a caller can act
//!   on it: `github::Error` (by what GitHub answered: not found, forbidden, rate limited, a server
//!   error, no answer, an answer flowgate cannot use), `store::StoreError`, `trackers::TrackerError`,
//!   `policy::LoadError` (why a policy does not load: a file that cannot be read, a syntax error at
//!   its file, line and column, a rule spanning several keys, an `extends:` that cannot be
//!   followed) and `gate::Error` (what stopped the gate: the policy, GitHub, the trackers'
//!   settings, the store, a runtime, or a `UserError` met on the way). Most are nobody's mistake
//!   to fix; they are retried, logged, or said on the PR. Library functions below the surfaces
//!   return these, never a `UserError` of their own making for a failure that is not a person's.
//! - **`UserError`** (this file) is what a person must fix: a policy that does not load, an input
//!   file, a configuration value (`Config`), a command line (`Usage`), a repository name. It is made where the mistake is
//!   recognised (a flag, an input file) or at the surfaces (`From<LoadError> for UserError`, word
//!   for word), and rendered there: the CLI prints it on stderr and exits with code 2; the App puts
//!   it in a check run's Markdown.
//! - **`anyhow::Result` with `.context()`** in orchestration (the App's worker and loops, the
//!   binary's commands), where errors of several kinds meet only to be reported or classified:
//!   the context says what was being done, and the typed error stays findable in the chain
//!   (`github::Error::find`, `gate::Error::github`). The binary's `main` is the edge where every
//!   one of them becomes the `flowgate: error: ...` line.
//!
//! Every error's `Display` is the sentence a person reads, so converting between tiers never
//! changes the words. A GitHub failure met on a path that returns `UserError` travels as
//! `UserError::GitHub`, which holds the `github::Error` boxed because this bottom layer cannot
//! name it. A database or runtime failure is never a `UserError::Usage`: it keeps its own type
//! (`gate::Error::Store`, `gate::Error::Runtime`), or gets context in an `anyhow` chain; nor is a
//! broken invariant of flowgate's own (a built-in value that does not parse, JSON that does not
//! serialise), which is made impossible by its type where it can be, else an internal error.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// A policy file that does not parse, at a known place.
    #[error("{file}:{line}:{column}: {message}")]
    PolicySyntax { file: String, line: usize, column: usize, message: String },
    /// A policy that parses but breaks a rule spanning several keys.
    #[error("{file}: {message}")]
    Policy { file: String, message: String },
    /// An input file (snapshot, test case) that is missing or malformed.
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    /// GitHub did not give what was asked for: a `github::Error` (found again with
    /// `github::Error::find`), or a sentence about GitHub's answer.
    #[error("GitHub: {0}")]
    GitHub(Box<dyn std::error::Error + Send + Sync>),
    /// Local git could not give the facts.
    #[error("git: {0}")]
    Git(String),
    /// A setting the person gave that cannot be used: an environment variable, a key of
    /// `flowgate.toml`, the GitHub API's URL, the App's private key.
    #[error("{0}")]
    Config(String),
    /// A command line that cannot be used: a flag, an argument, or a combination of them.
    #[error("{0}")]
    Usage(String),
}

impl UserError {
    pub fn input(path: &Path, message: impl Into<String>) -> Self {
        UserError::Input { path: path.display().to_string(), message: message.into() }
    }

    /// A sentence about GitHub's answer that has no `github::Error` behind it.
    pub fn github(message: impl Into<String>) -> Self {
        UserError::GitHub(message.into().into())
    }
}
