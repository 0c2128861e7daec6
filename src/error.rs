//! The user-facing error: what went wrong with the input, said so that a person can fix it.
//!
//! The CLI prints it on stderr and exits with code 2; later surfaces render it as Markdown.

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
    /// GitHub did not give what was asked for.
    #[error("GitHub: {0}")]
    GitHub(String),
    /// Local git could not give the facts.
    #[error("git: {0}")]
    Git(String),
    #[error("{0}")]
    Usage(String),
}

impl UserError {
    pub fn input(path: &Path, message: impl Into<String>) -> Self {
        UserError::Input { path: path.display().to_string(), message: message.into() }
    }
}
