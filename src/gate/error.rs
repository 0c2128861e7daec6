//! What stops the gate, by kind: a policy that does not load, GitHub, what a person gave (a saved
//! PR, local git), the trackers' settings, the store, or the process (a runtime, a lock). Callers
//! act on the kind (the App says a broken policy on the PR at once and retries the rest); the
//! surfaces print it as it is, in the words a person reads.

use crate::error::UserError;
use crate::github;
use crate::model::Enforcement;
use crate::policy::LoadError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The policy does not load: its owner must fix it. `head` is the PR's head commit when a live
    /// PR was read before its policy, for the check run that says so; `enforcement` is what the
    /// broken file itself declares (`enforce` unless it says `evaluate`), for whether that check
    /// run blocks.
    #[error("{error}")]
    Policy { error: LoadError, head: Option<String>, enforcement: Enforcement },
    /// GitHub did not give what was asked for.
    #[error("GitHub: {0}")]
    GitHub(github::Error),
    /// What a person gave, as a lower layer reports it: a saved PR's files, a test case, local
    /// git, a repository name.
    #[error(transparent)]
    User(UserError),
    /// The trackers' clients cannot be made from their settings.
    #[error("trackers: {0}")]
    Trackers(String),
    /// The store could not give what the evaluation reads from it; `doing` says what that was.
    #[error("{doing}: {error}")]
    Store { doing: String, error: StoreError },
    /// No runtime could be started for the tracker lookups of a synchronous surface.
    #[error("cannot start the runtime for tracker lookups: {0}")]
    Runtime(std::io::Error),
    /// The process's shared tracker clients were left poisoned by a thread that panicked.
    #[error("trackers: the shared clients were poisoned")]
    Poisoned,
}

impl Error {
    /// The GitHub failure behind this error, if it is one, for a caller that acts on its kind.
    pub fn github(&self) -> Option<&github::Error> {
        match self {
            Error::GitHub(e) => Some(e),
            Error::User(e) => github::Error::find(e),
            _ => None,
        }
    }

    /// The same error, knowing the head commit of the PR whose policy it is about.
    pub fn on_head(self, head: Option<&str>) -> Error {
        match self {
            Error::Policy { error, head: None, enforcement } => {
                Error::Policy { error, head: head.map(String::from), enforcement }
            }
            other => other,
        }
    }

    /// The same error, knowing the text of the policy file that does not load: in shadow mode
    /// when the text itself says `enforcement: evaluate`.
    pub fn in_policy_text(self, text: &str) -> Error {
        match self {
            Error::Policy { error, head, .. } => {
                Error::Policy { error, head, enforcement: crate::policy::load::declared_enforcement(text) }
            }
            other => other,
        }
    }

    /// Whether a check run saying this error blocks: `evaluate` only for a policy that does not
    /// load and declares shadow mode itself.
    pub fn enforcement(&self) -> Enforcement {
        match self {
            Error::Policy { enforcement, .. } => *enforcement,
            _ => Enforcement::Enforce,
        }
    }
}

impl From<LoadError> for Error {
    fn from(error: LoadError) -> Error {
        Error::Policy { error, head: None, enforcement: Enforcement::Enforce }
    }
}

impl From<github::Error> for Error {
    fn from(e: github::Error) -> Error {
        Error::GitHub(e)
    }
}

impl From<UserError> for Error {
    fn from(e: UserError) -> Error {
        Error::User(e)
    }
}
