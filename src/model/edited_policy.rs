//! The policy as a PR leaves it: when a PR edits `.github/flowgate.yml` or a file it extends, the
//! policy is loaded as it is at the PR's head, and this says how that went. The base branch's
//! policy still judges the PR (a PR cannot loosen its own gate); this keeps a PR from merging a
//! policy that would stop the gate for every PR after it.

/// The policy at the PR's head, as the PR edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditedPolicy {
    /// It loads.
    Loads,
    /// It does not load: each error, where it is.
    Broken(Vec<PolicyProblem>),
    /// The PR deletes the policy file (`path`): once it merges, the repository has the bundled
    /// default policy.
    Deleted { path: String },
}

/// One reason the edited policy does not load, at its file (the path in the repository) and,
/// when the loader knows it, its line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}
