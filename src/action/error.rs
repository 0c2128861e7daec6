//! What stops the Action around the gate: the runner's environment and event file, and the files
//! it writes back. The setup says what it met, by kind; `wording::action` words it, and the entry
//! points (`action::run`, the binary's `flowgate action`) turn it into the `UserError` it is.

use std::path::PathBuf;

use crate::error::UserError;
use crate::files::ReadError;
use crate::wording::action as wording;

#[derive(Debug)]
pub enum SetupError {
    /// A variable the runner always sets is missing or empty: this is not a GitHub Actions job.
    NotSet { name: &'static str },
    /// `GITHUB_REPOSITORY` is not a repository's name, as `RepoName::parse` says.
    Repository(UserError),
    /// The event file cannot be read.
    EventUnreadable { path: PathBuf, error: ReadError },
    /// The event file is not what GitHub sends; `problem` is the parser's.
    EventMalformed { path: PathBuf, problem: String },
    /// A `merge_group` event without its merge group.
    NoMergeGroup { path: PathBuf },
    /// A pull request event without the pull request's number.
    NoPrNumber { path: PathBuf, event: String },
    /// A file the runner gave (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`) cannot be written.
    CannotWrite { path: PathBuf, error: std::io::Error },
}

impl From<SetupError> for UserError {
    fn from(e: SetupError) -> UserError {
        match e {
            SetupError::NotSet { name } => UserError::Usage(wording::not_set(name)),
            SetupError::Repository(e) => e,
            SetupError::EventUnreadable { path, error } => UserError::input(&path, wording::event_unreadable(&error)),
            SetupError::EventMalformed { path, problem } => UserError::input(&path, wording::event_malformed(&problem)),
            SetupError::NoMergeGroup { path } => UserError::input(&path, wording::NO_MERGE_GROUP),
            SetupError::NoPrNumber { path, event } => UserError::input(&path, wording::no_pr_number(&event)),
            SetupError::CannotWrite { path, error } => UserError::input(&path, wording::cannot_write(&error)),
        }
    }
}
