//! The code owners' part of a review verdict: data only, worded by `wording::verdict::codeowners`.

use crate::model::Login;
use crate::model::codeowners::{CodeownersError, Owner, Unread};

/// Present when a rule in play requires the code owners' approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeownersVerdict {
    /// Every required group is met and nothing kept flowgate from reading the file.
    pub met: bool,
    /// Where CODEOWNERS was read from, when it was found.
    pub path: Option<String>,
    /// Why no approval can count as a code owner's, when so: then `met` is false.
    pub problem: Option<CodeownersProblem>,
    /// The lines owning changed paths, one group per line, in file order.
    pub groups: Vec<OwnerGroup>,
    /// Changed paths no line owns: they need no code owner's approval.
    pub unowned: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeownersProblem {
    /// The gathering did not read CODEOWNERS (a source that cannot).
    NotGathered,
    /// None of GitHub's locations on the base branch has a CODEOWNERS file.
    Missing,
    /// It exists and could not be read.
    Unreadable(Unread),
    /// Lines flowgate could not read: the owners they meant are unknown.
    Errors(Vec<CodeownersError>),
}

/// The changed paths one CODEOWNERS line owns in its section, and its owners' approvals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerGroup {
    /// `None` outside GitLab-style sections.
    pub section: Option<String>,
    /// The owning line, 1-based.
    pub line: usize,
    pub pattern: String,
    pub owners: Vec<Owner>,
    /// How many different owners must approve: the section's count, 1 by default.
    pub approvals: u32,
    /// An optional section (`^[Name]`): shown, never required.
    pub optional: bool,
    pub files: Vec<String>,
    /// Counted approvals from its owners.
    pub approved_by: Vec<Login>,
    pub met: bool,
    /// Owning teams whose members are unknown, so their approvals cannot be recognised.
    pub unknown_teams: Vec<String>,
    /// E-mail owners that name no login flowgate can see.
    pub unmatched: Vec<String>,
}
