//! Every sentence of the GitHub Action's job: why an event has nothing to gate, why a fork's run
//! posts nothing, what was posted or why not (the App logs the same refusals), and the titles of
//! its workflow commands.

/// The titles of the workflow commands the job prints, one per failed rule.
pub const TITLE: &str = "flowgate";
pub const TITLE_STORY: &str = "flowgate: story";
pub const TITLE_AI: &str = "flowgate: AI use";
pub const TITLE_SIZE: &str = "flowgate: size";
pub const TITLE_NOTHING_POSTED: &str = "flowgate: nothing posted";

/// Why `flowgate action` cannot start: a variable the runner always sets is missing.
pub fn not_set(name: &str) -> String {
    format!("{name} is not set: `flowgate action` runs inside a GitHub Actions job")
}

pub fn event_unreadable(error: &dyn std::fmt::Display) -> String {
    format!("cannot read the event payload: {error}")
}

/// `problem` is the parser's words for what is wrong.
pub fn event_malformed(problem: &str) -> String {
    format!("the event payload is not what GitHub sends: {problem}")
}

pub const NO_MERGE_GROUP: &str = "the merge_group payload has no merge_group";

pub fn no_pr_number(event: &str) -> String {
    format!("the {event} payload has no pull_request.number")
}

/// A file the runner gave (the job summary, the step outputs) that cannot be written.
pub fn cannot_write(error: &dyn std::fmt::Display) -> String {
    format!("cannot write: {error}")
}

/// An event without a pull request.
pub fn not_a_pr_event(event: &str) -> String {
    format!(
        "flowgate gates pull requests and merge groups; the {event} event has neither (use pull_request_target or pull_request, pull_request_review, and merge_group)"
    )
}

/// A `merge_group` event other than `checks_requested` (`destroyed`).
pub const GROUP_ENDED: &str = "the merge group ended: nothing to check";

pub const CLOSED: &str = "the pull request was closed: nothing to gate";

/// Why a run on a fork's PR posts nothing; `fork` is the head repository, `None` once deleted.
pub fn fork_read_only(fork: Option<&str>, event: &str) -> String {
    format!(
        "this pull request comes from a fork ({}), and GitHub gives {event} workflows from forks a read-only token, so no check run or label was posted: this summary and the job's exit code carry the result. To post them, run flowgate on pull_request_target (safe: flowgate never checks out or runs the PR's code).",
        fork.unwrap_or("a deleted repository")
    )
}

/// The job summary's line about what was posted to the PR.
pub struct Posted<'a> {
    /// The check run was created now (else updated).
    pub created: bool,
    pub label_added: Option<&'a str>,
    pub labels_removed: &'a [String],
    /// The AI tool labels added, or GitHub's reason for refusing them.
    pub ai_labels: Result<&'a [String], &'a str>,
    /// The reviewers requested, or GitHub's reason for refusing.
    pub reviewers: Result<&'a [String], &'a str>,
}

pub fn posted(p: &Posted<'_>) -> String {
    let run = if p.created { "created" } else { "updated" };
    let reviewers = match p.reviewers {
        Ok([]) => String::new(),
        Ok(asked) => format!(" Review requested from {}.", asked.join(", ")),
        Err(why) => format!(" Reviewers could not be requested: {why}"),
    };
    let label = match (p.label_added, p.labels_removed.is_empty()) {
        (Some(added), true) => format!(", label {added} added"),
        (Some(added), false) => format!(", label {added} added and {} removed", p.labels_removed.join(", ")),
        (None, false) => format!(", labels {} removed", p.labels_removed.join(", ")),
        (None, true) => String::new(),
    };
    let ai_labels = match p.ai_labels {
        Ok([]) => String::new(),
        Ok(added) => format!(" AI tool labels added: {}.", added.join(", ")),
        Err(why) => format!(" AI tool labels could not be added: {why}"),
    };
    format!("The `flowgate` check run was {run}{label}.{ai_labels}{reviewers}")
}

/// Why nothing was posted: GitHub refused the check run (`why` is GitHub's answer).
pub fn check_run_refused(why: &str) -> String {
    format!("GitHub refused the check run: {why}")
}

/// Why the rest was not posted: the check run was, but GitHub refused the tier label.
pub fn tier_label_refused(label: &str, why: &str) -> String {
    format!("the check run was posted, but GitHub refused the {label} label: {why}")
}

pub fn not_posted(why: &str) -> String {
    format!("**Nothing was posted to the pull request:** {why}")
}

/// The job summary's last line: where the policy came from.
pub fn policy_origin(origin: &str) -> String {
    format!("<sub>Policy: {origin}.</sub>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_stops_the_job_around_the_gate() {
        let lines = [
            not_set("GITHUB_EVENT_NAME"),
            event_unreadable(&"No such file or directory (os error 2)"),
            event_malformed("missing field `action` at line 1 column 2"),
            NO_MERGE_GROUP.to_string(),
            no_pr_number("pull_request_target"),
            cannot_write(&"Permission denied (os error 13)"),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r"
        GITHUB_EVENT_NAME is not set: `flowgate action` runs inside a GitHub Actions job
        cannot read the event payload: No such file or directory (os error 2)
        the event payload is not what GitHub sends: missing field `action` at line 1 column 2
        the merge_group payload has no merge_group
        the pull_request_target payload has no pull_request.number
        cannot write: Permission denied (os error 13)
        ");
    }

    #[test]
    fn events_without_a_pr_and_forks_say_what_to_do() {
        insta::assert_snapshot!(not_a_pr_event("push"), @"flowgate gates pull requests and merge groups; the push event has neither (use pull_request_target or pull_request, pull_request_review, and merge_group)");
        insta::assert_snapshot!(GROUP_ENDED, @"the merge group ended: nothing to check");
        insta::assert_snapshot!(CLOSED, @"the pull request was closed: nothing to gate");
        insta::assert_snapshot!(fork_read_only(Some("mallory/shop"), "pull_request"), @"this pull request comes from a fork (mallory/shop), and GitHub gives pull_request workflows from forks a read-only token, so no check run or label was posted: this summary and the job's exit code carry the result. To post them, run flowgate on pull_request_target (safe: flowgate never checks out or runs the PR's code).");
        insta::assert_snapshot!(fork_read_only(None, "pull_request_review"), @"this pull request comes from a fork (a deleted repository), and GitHub gives pull_request_review workflows from forks a read-only token, so no check run or label was posted: this summary and the job's exit code carry the result. To post them, run flowgate on pull_request_target (safe: flowgate never checks out or runs the PR's code).");
    }

    #[test]
    fn what_was_posted_is_one_line() {
        let removed = ["flowgate:green".to_string()];
        let tools = ["ai:claude-code".to_string()];
        let asked = ["alice".to_string(), "bob".to_string()];
        let all = Posted {
            created: true,
            label_added: Some("flowgate:red"),
            labels_removed: &removed,
            ai_labels: Ok(&tools),
            reviewers: Ok(&asked),
        };
        insta::assert_snapshot!(posted(&all), @"The `flowgate` check run was created, label flowgate:red added and flowgate:green removed. AI tool labels added: ai:claude-code. Review requested from alice, bob.");
        let nothing =
            Posted { created: false, label_added: None, labels_removed: &[], ai_labels: Ok(&[]), reviewers: Ok(&[]) };
        insta::assert_snapshot!(posted(&nothing), @"The `flowgate` check run was updated.");
        let refused = Posted {
            created: false,
            label_added: None,
            labels_removed: &removed,
            ai_labels: Err("Resource not accessible by integration"),
            reviewers: Err("carol is not a collaborator"),
        };
        insta::assert_snapshot!(posted(&refused), @"The `flowgate` check run was updated, labels flowgate:green removed. AI tool labels could not be added: Resource not accessible by integration Reviewers could not be requested: carol is not a collaborator");
        insta::assert_snapshot!(not_posted("GitHub refused the check run: 403"), @"**Nothing was posted to the pull request:** GitHub refused the check run: 403");
        insta::assert_snapshot!(check_run_refused("Resource not accessible by integration"), @"GitHub refused the check run: Resource not accessible by integration");
        insta::assert_snapshot!(tier_label_refused("flowgate:red", "Resource not accessible by integration"), @"the check run was posted, but GitHub refused the flowgate:red label: Resource not accessible by integration");
        insta::assert_snapshot!(policy_origin(".github/flowgate.yml on acme/shop@main"), @"<sub>Policy: .github/flowgate.yml on acme/shop@main.</sub>");
        insta::assert_snapshot!([TITLE, TITLE_STORY, TITLE_AI, TITLE_SIZE, TITLE_NOTHING_POSTED].join(" | "), @"flowgate | flowgate: story | flowgate: AI use | flowgate: size | flowgate: nothing posted");
    }
}
