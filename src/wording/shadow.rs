//! Shadow mode (`enforcement: evaluate`) in words, on every surface: the neutral check run's
//! title and first line, for a verdict, a PR flowgate could not judge and a merge group; the note
//! `flowgate check` prints; and why a PR would have failed, by kind, which the digest counts too.

use crate::model::FailReason;

/// Why a PR would have failed, short enough for a title: "Shadow mode: would fail — no story linked".
pub fn fail_reason(reason: FailReason) -> &'static str {
    match reason {
        FailReason::NoStory => "no story linked",
        FailReason::StoryChain => "the story's chain is broken",
        FailReason::StoryNotVerified => "the story could not be verified",
        FailReason::AiNotDeclared => "AI use not declared",
        FailReason::AiUndeclared => "AI markers found, AI use not declared",
        FailReason::AiContradicted => "declares no AI use, but AI markers were found",
        FailReason::TooLarge => "over the size limits",
        FailReason::ListingCapped => "GitHub's listing caps hid files or commits",
        FailReason::EditedPolicy => "the PR's edit of the policy does not load",
        FailReason::CannotEvaluate => "flowgate could not judge the PR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_as_a_clause() {
        let reasons: Vec<&str> = FailReason::ALL.into_iter().map(fail_reason).collect();
        insta::assert_snapshot!(reasons.join("\n"), @r"
        no story linked
        the story's chain is broken
        the story could not be verified
        AI use not declared
        AI markers found, AI use not declared
        declares no AI use, but AI markers were found
        over the size limits
        GitHub's listing caps hid files or commits
        the PR's edit of the policy does not load
        flowgate could not judge the PR
        ");
    }
}
