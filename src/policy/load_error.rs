//! Why a policy does not load, by kind: the file cannot be read, a file does not parse (at its
//! file, line and column), the policy breaks a rule spanning several keys, or its `extends:`
//! cannot be followed. The loader returns it; the surfaces turn it into the `UserError` a person
//! reads, with the same words.

use crate::error::UserError;

use super::packs::BUNDLED;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The policy file itself cannot be read: it is missing, too large or not text.
    #[error("{file}: cannot read the policy: {why}")]
    Unreadable { file: String, why: String },
    /// A file of the chain does not parse, or has a bad value, at a known place.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax { file: String, line: usize, column: usize, message: String },
    /// The policy parses but breaks a rule: one that spans several keys or files (a missing
    /// `version`, no default tier, a pool no tier can use), or a bad value with no place to name.
    #[error("{file}: {message}")]
    Rule { file: String, message: String },
    /// `extends:` cannot be followed: it goes round in a circle or too deep, through a symbolic
    /// link, to a file that cannot be read, or to a pack that does not exist.
    #[error("{file}: {message}")]
    Extends { file: String, message: String },
    /// The policy relaxes what its baseline requires, at the place in the repository's file of
    /// the key that does (of the `extends:` that brings it, or the top, when the file does not
    /// write it); `why` is worded by the caller.
    #[error("{0}")]
    Loosens(Box<Loosened>),
    /// The baseline a repository gets cannot be read or does not load: nothing is gated by half
    /// a policy.
    #[error("the baseline {baseline} cannot be used: {why}")]
    Baseline { baseline: String, why: String },
    /// No bundled pack has this name (`flowgate init --pack`, the App's default).
    #[error("{}", unknown_pack(name))]
    UnknownPack { name: String },
    /// The loader stopped before it finished (it panicked on this policy, or was cancelled): the
    /// same text would stop it again, so it is said like any other policy that does not load.
    #[error("{file}: {}", stopped(why))]
    Stopped { file: String, why: String },
}

/// A key of a repository's policy that loosens its baseline, at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {key} loosens the baseline ({baseline}): {why}")]
pub struct Loosened {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub key: String,
    pub baseline: String,
    pub why: String,
}

/// The sentence for a pack name that is not bundled, listing the ones that are.
pub(super) fn unknown_pack(name: &str) -> String {
    let names: Vec<&str> = BUNDLED.iter().map(|(n, _)| *n).collect();
    format!("unknown policy pack {name:?}; the bundled packs are: {}", names.join(", "))
}

fn stopped(why: &str) -> String {
    format!("the policy could not be loaded: the loader stopped ({why})")
}

/// At the surfaces a policy that does not load is the person's to fix: a file that cannot be read
/// is an input, a pack name is a flag, and everything else is the policy's own error.
impl From<LoadError> for UserError {
    fn from(e: LoadError) -> UserError {
        match e {
            LoadError::Unreadable { file, why } => {
                UserError::Input { path: file, message: format!("cannot read the policy: {why}") }
            }
            LoadError::Syntax { file, line, column, message } => {
                UserError::PolicySyntax { file, line, column, message }
            }
            LoadError::Rule { file, message } | LoadError::Extends { file, message } => {
                UserError::Policy { file, message }
            }
            LoadError::Loosens(l) => UserError::PolicySyntax {
                message: format!("{} loosens the baseline ({}): {}", l.key, l.baseline, l.why),
                file: l.file,
                line: l.line,
                column: l.column,
            },
            LoadError::Baseline { baseline, why } => {
                UserError::Policy { file: baseline, message: format!("the baseline cannot be used: {why}") }
            }
            e @ LoadError::UnknownPack { .. } => UserError::Usage(e.to_string()),
            LoadError::Stopped { file, why } => UserError::Policy { file, message: stopped(&why) },
        }
    }
}
