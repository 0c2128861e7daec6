//! Whether a policy's verdict is enforced or only shown (shadow mode), and why a verdict fails, as
//! kinds: the App records them per evaluation and the digest counts them, so they are data every
//! layer from the store up shares.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The policy's top-level `enforcement:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// The check run concludes as the verdict says, and flowgate labels and requests reviewers.
    #[default]
    Enforce,
    /// Shadow mode: the check run is always `neutral`, saying what flowgate would have concluded,
    /// and flowgate writes nothing else to the PR.
    Evaluate,
}

impl Enforcement {
    pub fn id(self) -> &'static str {
        match self {
            Enforcement::Enforce => "enforce",
            Enforcement::Evaluate => "evaluate",
        }
    }

    /// The stored id read back; anything unknown is `enforce`, the mode that never hides a failure.
    pub fn from_id(id: &str) -> Enforcement {
        if id == "evaluate" { Enforcement::Evaluate } else { Enforcement::Enforce }
    }

    pub fn is_shadow(self) -> bool {
        self == Enforcement::Evaluate
    }
}

impl fmt::Display for Enforcement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Why a verdict fails, by kind: one per rule that fails it. Ordered as the report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// A work item is required and none is referenced.
    NoStory,
    /// The referenced item does not trace up as the tier requires, or is in a state not allowed.
    StoryChain,
    /// A tracker could not answer and the policy says `on_tracker_error: fail`.
    StoryNotVerified,
    /// Disclosure is required and the PR declares nothing.
    AiNotDeclared,
    /// A known tool's markers were found on a PR that declares no AI use.
    AiUndeclared,
    /// The PR declares `ai:none` but markers were found.
    AiContradicted,
    /// More files or changed lines than the policy's limits.
    TooLarge,
    /// GitHub's listing caps hid files or commits.
    ListingCapped,
    /// The PR edits the policy, and the policy at its head does not load.
    EditedPolicy,
    /// flowgate could not judge the PR at all (a policy that does not load, a refused permission).
    CannotEvaluate,
}

impl FailReason {
    pub const ALL: [FailReason; 10] = [
        FailReason::NoStory,
        FailReason::StoryChain,
        FailReason::StoryNotVerified,
        FailReason::AiNotDeclared,
        FailReason::AiUndeclared,
        FailReason::AiContradicted,
        FailReason::TooLarge,
        FailReason::ListingCapped,
        FailReason::EditedPolicy,
        FailReason::CannotEvaluate,
    ];

    /// The stored id, as serde writes it.
    pub fn id(self) -> &'static str {
        match self {
            FailReason::NoStory => "no_story",
            FailReason::StoryChain => "story_chain",
            FailReason::StoryNotVerified => "story_not_verified",
            FailReason::AiNotDeclared => "ai_not_declared",
            FailReason::AiUndeclared => "ai_undeclared",
            FailReason::AiContradicted => "ai_contradicted",
            FailReason::TooLarge => "too_large",
            FailReason::ListingCapped => "listing_capped",
            FailReason::EditedPolicy => "edited_policy",
            FailReason::CannotEvaluate => "cannot_evaluate",
        }
    }

    /// A stored id read back; `None` for one this build does not know.
    pub fn from_id(id: &str) -> Option<FailReason> {
        FailReason::ALL.into_iter().find(|r| r.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_and_match_serde() {
        for reason in FailReason::ALL {
            assert_eq!(FailReason::from_id(reason.id()), Some(reason));
            assert_eq!(serde_json::to_string(&reason).expect("json"), format!("\"{}\"", reason.id()));
        }
        assert_eq!(FailReason::from_id("later_kind"), None);
        assert_eq!(Enforcement::from_id("evaluate"), Enforcement::Evaluate);
        assert_eq!(Enforcement::from_id("enforce"), Enforcement::Enforce);
        assert_eq!(Enforcement::from_id("garbled"), Enforcement::Enforce, "unknown never hides a failure");
    }
}
