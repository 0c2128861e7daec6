//! What the GitHub App says to whoever calls it: the answers of its HTTP routes (GitHub's
//! webhook deliveries, probes, the digest page), the check run that says it could not judge a
//! PR, and the description it registers with. Each HTTP answer is the whole body, one line.

use crate::model::check_run::CannotEvaluate;

/// The App's description in the manifest it is registered from.
pub const DESCRIPTION: &str =
    "flowgate gates pull requests on story linkage, AI disclosure, risk tiers and review rules.";

pub const NO_SIGNATURE: &str = "no X-Hub-Signature-256 of the form sha256=<64 hex digits>\n";
pub const NO_LENGTH: &str = "a webhook body needs a Content-Length\n";
pub const TOO_LARGE: &str = "the body is over GitHub's 25 MB limit\n";
pub const TOO_MANY_BODIES: &str = "too many webhook bodies are arriving at once; try again\n";
pub const SIGNATURE_MISMATCH: &str = "X-Hub-Signature-256 does not match the body under any configured secret\n";
pub const NO_EVENT: &str = "no X-GitHub-Event header\n";
pub const PONG: &str = "pong\n";
pub const NO_DELIVERY_ID: &str = "no X-GitHub-Delivery header\n";
pub const STORED: &str = "stored\n";
pub const ALREADY_STORED: &str = "already stored\n";
pub const CANNOT_STORE: &str = "cannot store the delivery now\n";
pub const SLOW_DOWN: &str = "slow down\n";
pub const HEALTHY: &str = "ok\n";
pub const NO_WORKER: &str = "no worker is running\n";
pub const NO_EVENTS_YET: &str = "no review events recorded yet: the digest appears once the App has received pull request events (or after `flowgate backfill`)\n";
pub const CANNOT_READ_EVENTS: &str = "cannot read the review events now\n";

/// Why a webhook body was refused while it arrived.
pub fn body_unreadable(error: &dyn std::fmt::Display) -> String {
    format!("the body could not be read: {error}")
}
pub const BODY_TOO_LONG: &str = "the body is longer than its Content-Length";
pub const BODY_TOO_SHORT: &str = "the body is shorter than its Content-Length (truncated?)";

/// The answer to a body refused while it arrived, `why` being one of the three above.
pub fn bad_body(why: &str) -> String {
    format!("{why}\n")
}

pub fn body_timeout(seconds: u64) -> String {
    format!("the body did not arrive within {seconds} s\n")
}

pub fn not_json(error: &dyn std::fmt::Display) -> String {
    format!("the body is not JSON (truncated?): {error}\n")
}

/// A delivery flowgate has nothing to do for, and why.
pub fn ignored(why: &str) -> String {
    format!("ignored: {why}\n")
}

/// Why the App answers a delivery and drops it: the routing's facts, worded by `ignore_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// A PR event or command whose payload lacks the repository or the PR's number.
    NoPullRequest,
    /// A comment on an issue that is not a pull request.
    IssueComment,
    /// A PR comment without a `/flowgate` command.
    NoCommand,
    /// A `/flowgate` command from someone who is neither the PR's author nor a collaborator.
    NotACommander,
    /// A merge group's request that lacks the repository or the group's head commit.
    NoMergeGroupHead,
    /// A merge group that merged or was given up: its check no longer matters.
    MergeGroupEnded,
    /// An event flowgate uses, with an action it does not act on.
    Action,
    /// An event flowgate does not use at all.
    Event,
    /// A push that changes no policy file (`.github/*.yml`) on a branch: no PR needs gating again.
    PushWithoutPolicy,
}

impl Ignored {
    pub const ALL: [Ignored; 9] = [
        Ignored::NoPullRequest,
        Ignored::IssueComment,
        Ignored::NoCommand,
        Ignored::NotACommander,
        Ignored::NoMergeGroupHead,
        Ignored::MergeGroupEnded,
        Ignored::Action,
        Ignored::Event,
        Ignored::PushWithoutPolicy,
    ];
}

/// The reason in `ignored`'s answer.
pub fn ignore_reason(why: Ignored) -> &'static str {
    match why {
        Ignored::NoPullRequest => "the payload names no repository or pull request",
        Ignored::IssueComment => "a comment on an issue, not a pull request",
        Ignored::NoCommand => "a comment without a /flowgate command",
        Ignored::NotACommander => "a /flowgate command from someone who is neither the PR's author nor a collaborator",
        Ignored::NoMergeGroupHead => "the payload names no repository or merge group head",
        Ignored::MergeGroupEnded => "a merge group that ended: nothing to check",
        Ignored::Action => "an action flowgate does not act on",
        Ignored::Event => "an event flowgate does not use",
        Ignored::PushWithoutPolicy => "a push that changes no policy file under .github/ on a branch",
    }
}

pub fn database_unreachable(error: &dyn std::fmt::Display) -> String {
    format!("database unreachable: {error}\n")
}

/// `/readyz` when the App can work: which database, how many workers.
pub fn ready(database: &str, workers: usize) -> String {
    // Word for word as it has always read, "1 workers" included: a new wording is a change of its own.
    format!("ready: database {database}, {workers} workers\n")
}

/// Why an evaluation was abandoned: it ran past `evaluation_timeout_seconds`.
pub fn evaluation_timed_out(limit_seconds: u64) -> String {
    format!(
        "the evaluation took longer than its limit of {limit_seconds} s (evaluation_timeout_seconds) and was abandoned"
    )
}

/// What ended each attempt that stopped without an error of its own (`CannotEvaluate::Stopped`).
pub const EVERY_ATTEMPT_STOPPED: &str =
    "each attempt stopped before finishing: the process crashed or was killed, or the evaluation lost its lease";

/// The title and Markdown summary of the check run that says flowgate could not judge a PR;
/// `error` is the last error met, which `Stopped` has none of.
pub fn cannot_evaluate(why: CannotEvaluate, error: &str) -> (String, String) {
    let (reason, body) = cannot_evaluate_parts(why, error, FAILS);
    (format!("flowgate cannot judge this PR: {reason}"), format!("{body} {UNTIL_FIXED_FAILS}"))
}

/// The same in shadow mode (`enforcement: evaluate`): a neutral check run that says so first,
/// and that it would fail were the policy enforced.
pub fn cannot_evaluate_shadow(why: CannotEvaluate, error: &str) -> (String, String) {
    let (reason, body) = cannot_evaluate_parts(why, error, WOULD_FAIL);
    let note = super::shadow::note(
        crate::policy::verdict::State::Fail,
        &format!("flowgate cannot judge this PR ({reason})"),
        super::Flavor::Markdown,
    );
    (
        super::shadow::title(crate::policy::verdict::State::Fail, &reason),
        format!("{note}\n\n{body} {UNTIL_FIXED_SHADOW}"),
    )
}

/// How each "cannot judge" check run ends.
const UNTIL_FIXED_FAILS: &str = "Until then this check fails: flowgate never passes a PR it could not judge.";
const UNTIL_FIXED_SHADOW: &str =
    "Until then this check stays neutral; enforced, it would fail: flowgate never passes a PR it could not judge.";

/// The heading's mark: a check run that fails, and a neutral one (shadow mode) that only would.
const FAILS: &str = "❌";
const WOULD_FAIL: &str = "⚠️";

/// Why flowgate could not judge the PR, as a clause for the title, and the summary up to its last
/// sentence, whose heading starts with `mark`.
fn cannot_evaluate_parts(why: CannotEvaluate, error: &str, mark: &str) -> (String, String) {
    let error = match why {
        CannotEvaluate::Stopped { .. } => EVERY_ATTEMPT_STOPPED,
        _ => error.trim(),
    };
    match why {
        CannotEvaluate::PolicyBroken => (
            "the policy on the base branch does not load".to_string(),
            format!(
                "## {mark} The policy does not load\n\n\
                 flowgate reads its policy from the base branch, and that policy has an error:\n\n\
                 {}\n\n\
                 Fix it on the base branch (`flowgate policy validate` shows the same error locally), \
                 then comment `/flowgate recheck` here or re-run this check.",
                fenced(error)
            ),
        ),
        CannotEvaluate::GaveUp { attempts } | CannotEvaluate::Stopped { attempts } => (
            format!("{attempts} attempts failed"),
            format!(
                "## {mark} flowgate could not read this PR\n\n\
                 Every one of {attempts} attempts failed; the last error was:\n\n\
                 {}\n\n\
                 flowgate has stopped trying. Comment `/flowgate recheck` or re-run this check to try \
                 again; an operator can also retry it with `flowgate queue retry`.",
                fenced(error)
            ),
        ),
        CannotEvaluate::Forbidden => (
            "GitHub refused it a permission".to_string(),
            format!(
                "## {mark} flowgate may not read what it needs\n\n\
                 GitHub refused a request for lack of permission:\n\n\
                 {}\n\n\
                 Trying again changes nothing until an owner of the repository or organisation grants \
                 the flowgate App that permission (the App's installation settings on GitHub). Then \
                 comment `/flowgate recheck` here or re-run this check; an operator can also retry it \
                 with `flowgate queue retry`.",
                fenced(error)
            ),
        ),
    }
}

/// `text` as a Markdown code block whose fence is longer than any run of backticks in it, so the
/// text cannot end the block early.
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_answers_of_the_http_routes() {
        let answers = [
            NO_SIGNATURE,
            NO_LENGTH,
            TOO_LARGE,
            TOO_MANY_BODIES,
            SIGNATURE_MISMATCH,
            NO_EVENT,
            PONG,
            NO_DELIVERY_ID,
            STORED,
            ALREADY_STORED,
            CANNOT_STORE,
            SLOW_DOWN,
            HEALTHY,
            NO_WORKER,
            NO_EVENTS_YET,
            CANNOT_READ_EVENTS,
        ];
        assert!(answers.iter().all(|a| a.ends_with('\n') && a.matches('\n').count() == 1), "one line each");
        insta::assert_snapshot!(answers.concat(), @r"
        no X-Hub-Signature-256 of the form sha256=<64 hex digits>
        a webhook body needs a Content-Length
        the body is over GitHub's 25 MB limit
        too many webhook bodies are arriving at once; try again
        X-Hub-Signature-256 does not match the body under any configured secret
        no X-GitHub-Event header
        pong
        no X-GitHub-Delivery header
        stored
        already stored
        cannot store the delivery now
        slow down
        ok
        no worker is running
        no review events recorded yet: the digest appears once the App has received pull request events (or after `flowgate backfill`)
        cannot read the review events now
        ");
    }

    #[test]
    fn the_description_github_shows_for_the_app() {
        insta::assert_snapshot!(DESCRIPTION, @"flowgate gates pull requests on story linkage, AI disclosure, risk tiers and review rules.");
    }

    #[test]
    fn the_answers_that_carry_a_reason_or_a_figure() {
        let answers = [
            bad_body(&body_unreadable(&"connection reset")),
            bad_body(BODY_TOO_LONG),
            bad_body(BODY_TOO_SHORT),
            body_timeout(20),
            not_json(&"expected value at line 1 column 1"),
            ignored("the pull request is a draft"),
            database_unreachable(&"connection refused"),
            ready("postgres", 4),
        ];
        insta::assert_snapshot!(answers.concat(), @r"
        the body could not be read: connection reset
        the body is longer than its Content-Length
        the body is shorter than its Content-Length (truncated?)
        the body did not arrive within 20 s
        the body is not JSON (truncated?): expected value at line 1 column 1
        ignored: the pull request is a draft
        database unreachable: connection refused
        ready: database postgres, 4 workers
        ");
    }

    #[test]
    fn why_a_delivery_is_ignored() {
        let answers: String = Ignored::ALL.iter().map(|why| ignored(ignore_reason(*why))).collect();
        insta::assert_snapshot!(answers, @r"
        ignored: the payload names no repository or pull request
        ignored: a comment on an issue, not a pull request
        ignored: a comment without a /flowgate command
        ignored: a /flowgate command from someone who is neither the PR's author nor a collaborator
        ignored: the payload names no repository or merge group head
        ignored: a merge group that ended: nothing to check
        ignored: an action flowgate does not act on
        ignored: an event flowgate does not use
        ignored: a push that changes no policy file under .github/ on a branch
        ");
    }

    #[test]
    fn the_check_run_for_a_policy_that_does_not_load() {
        let (title, summary) =
            cannot_evaluate(CannotEvaluate::PolicyBroken, "  .github/flowgate.yml:3: unknown key `tierz`\n");
        insta::assert_snapshot!(title, @"flowgate cannot judge this PR: the policy on the base branch does not load");
        insta::assert_snapshot!(summary, @r"
        ## ❌ The policy does not load

        flowgate reads its policy from the base branch, and that policy has an error:

        ```text
        .github/flowgate.yml:3: unknown key `tierz`
        ```

        Fix it on the base branch (`flowgate policy validate` shows the same error locally), then comment `/flowgate recheck` here or re-run this check. Until then this check fails: flowgate never passes a PR it could not judge.
        ");
    }

    #[test]
    fn in_shadow_mode_a_policy_that_does_not_load_is_neutral_and_says_it_would_fail() {
        let (title, summary) =
            cannot_evaluate_shadow(CannotEvaluate::PolicyBroken, ".github/flowgate.yml:3: unknown key `tierz`");
        insta::assert_snapshot!(title, @"Shadow mode: would fail — the policy on the base branch does not load");
        insta::assert_snapshot!(summary, @r"
            **Shadow mode** (`enforcement: evaluate`): this check never blocks a merge. Enforced, it would have failed: flowgate cannot judge this PR (the policy on the base branch does not load).

            ## ⚠️ The policy does not load

            flowgate reads its policy from the base branch, and that policy has an error:

            ```text
            .github/flowgate.yml:3: unknown key `tierz`
            ```

            Fix it on the base branch (`flowgate policy validate` shows the same error locally), then comment `/flowgate recheck` here or re-run this check. Until then this check stays neutral; enforced, it would fail: flowgate never passes a PR it could not judge.
            ");
        let (title, _) = cannot_evaluate_shadow(CannotEvaluate::Forbidden, "403");
        insta::assert_snapshot!(title, @"Shadow mode: would fail — GitHub refused it a permission");
    }

    #[test]
    fn the_check_run_after_giving_up_fences_the_error_past_its_backticks() {
        let (title, summary) = cannot_evaluate(CannotEvaluate::GaveUp { attempts: 6 }, "GitHub said ```` no");
        insta::assert_snapshot!(title, @"flowgate cannot judge this PR: 6 attempts failed");
        insta::assert_snapshot!(summary, @r"
        ## ❌ flowgate could not read this PR

        Every one of 6 attempts failed; the last error was:

        `````text
        GitHub said ```` no
        `````

        flowgate has stopped trying. Comment `/flowgate recheck` or re-run this check to try again; an operator can also retry it with `flowgate queue retry`. Until then this check fails: flowgate never passes a PR it could not judge.
        ");
    }

    #[test]
    fn the_check_run_after_every_attempt_stopped_says_how_they_ended() {
        let (title, summary) = cannot_evaluate(CannotEvaluate::Stopped { attempts: 6 }, "");
        insta::assert_snapshot!(title, @"flowgate cannot judge this PR: 6 attempts failed");
        insta::assert_snapshot!(summary, @r"
        ## ❌ flowgate could not read this PR

        Every one of 6 attempts failed; the last error was:

        ```text
        each attempt stopped before finishing: the process crashed or was killed, or the evaluation lost its lease
        ```

        flowgate has stopped trying. Comment `/flowgate recheck` or re-run this check to try again; an operator can also retry it with `flowgate queue retry`. Until then this check fails: flowgate never passes a PR it could not judge.
        ");
    }

    #[test]
    fn an_evaluation_past_its_limit() {
        insta::assert_snapshot!(evaluation_timed_out(90), @"the evaluation took longer than its limit of 90 s (evaluation_timeout_seconds) and was abandoned");
    }

    #[test]
    fn the_check_run_for_a_refused_permission_says_who_can_fix_it() {
        let (title, summary) = cannot_evaluate(CannotEvaluate::Forbidden, "GET /repos/o/r/contents/x: 403 Forbidden");
        insta::assert_snapshot!(title, @"flowgate cannot judge this PR: GitHub refused it a permission");
        insta::assert_snapshot!(summary, @r"
        ## ❌ flowgate may not read what it needs

        GitHub refused a request for lack of permission:

        ```text
        GET /repos/o/r/contents/x: 403 Forbidden
        ```

        Trying again changes nothing until an owner of the repository or organisation grants the flowgate App that permission (the App's installation settings on GitHub). Then comment `/flowgate recheck` here or re-run this check; an operator can also retry it with `flowgate queue retry`. Until then this check fails: flowgate never passes a PR it could not judge.
        ");
    }
}
