//! How far a merged PR's story traces up its hierarchy: what the audit reports per PR and the
//! digest counts.

use serde::Serialize;

/// What the audit found for one PR.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Trace {
    /// No story key in the title, branch or body.
    NoKey,
    /// No story key, and the policy does not ask for one (a bot author, a `no-story` label).
    Exempt { reason: String },
    /// The key(s) do not resolve: the tracker says there is no such item.
    NotFound { key: String },
    /// A tracker could not answer, so the chain is unknown: never counted as traced.
    NotVerified { key: String, reason: String },
    /// The chain stops short of the top level.
    Broken { key: String, at: Option<String>, missing: Option<String>, reason: String },
    /// Every level up to the top one is there; `okr` is the item at the top level.
    Traced { key: String, okr: String },
}

impl Trace {
    pub fn is_orphan(&self) -> bool {
        matches!(self, Trace::NoKey | Trace::NotFound { .. })
    }
}
